//! The query mix, as people type it into the search box, and its translation
//! into an FTS5 query (PostgreSQL reads the text as typed with
//! `websearch_to_tsquery`, which understands the same quotes and minus
//! signs).

/// Realistic Italian queries: single words common and rare, two or three
/// words, acronyms, an accent-less word, typos, quoted phrases, an
/// exclusion, places.
pub const QUERIES: &[&str] = &[
    "cooperativa",
    "portierato sociale",
    "abitare collaborativo",
    "cohousing",
    "spazi da rigenerare",
    "bando",
    "volontari",
    "edilizia residenziale pubblica",
    "ERP",
    "RUNTS",
    "citta",
    "portinerai",
    "rigenerazoine urbana",
    "\"orti condivisi\"",
    "\"case popolari\"",
    "Milano",
    "Giambellino",
    "Quarto Oggiaro",
    "Bergamo",
    "doposcuola",
    "anziani soli",
    "inserimento lavorativo",
    "housing sociale",
    "mediazione dei conflitti",
    "sportello inquilini",
    "alfabetizzazione digitale",
    "corsi di italiano per stranieri",
    "emporio solidale",
    "ciclofficina",
    "falegnameria sociale",
    "comodato d'uso",
    "contributo a fondo perduto",
    "microcredito",
    "fondazione",
    "associazione sportiva dilettantistica",
    "polisportiva",
    "calcio giovanile",
    "teatro di comunità",
    "cascina da ristrutturare",
    "PNRR rigenerazione urbana",
    "custodia sociale Lorenteggio",
    "APS Torino",
    "banco alimentare Napoli",
    "giovani NEET",
    "educativa di strada",
    "persone con disabilità autonomia",
    "apicoltura urbana",
    "cohousing -Milano",
    "villa confiscata",
    "comunità energetica",
];

/// The query as an FTS5 `MATCH` expression: every word and quoted phrase
/// becomes an FTS5 string (so no word can be read as an operator or column
/// filter, and punctuation is left to the tokenizer), all required (FTS5's
/// implicit AND); excluded words and phrases follow `NOT`. `None` when
/// nothing searchable is left.
pub fn fts5(query: &str) -> Option<String> {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let searchable = |text: &str| text.chars().any(char::is_alphanumeric);
    let parts = trama::search::query::parse(query);
    let required: Vec<String> = parts
        .iter()
        .filter(|p| !p.negated && searchable(&p.text))
        .map(|p| quote(&p.text))
        .collect();
    if required.is_empty() {
        return None;
    }
    let mut expression = required.join(" AND ");
    for part in parts.iter().filter(|p| p.negated && searchable(&p.text)) {
        expression = format!("({expression}) NOT {}", quote(&part.text));
    }
    Some(expression)
}

/// The statements every backend runs the same way, for an `impl` whose `conn`
/// field is an sqlx connection and whose module defines `SEARCH_SQL` and
/// `COUNT_SQL` (each with the query as its one parameter): `search` (one ranked
/// search, returns the rows), `count` (how many documents match, not timed)
/// and `ping` (a statement that does nothing: the floor under every query; on
/// SQLite it also measures sqlx's hand-over from its worker thread), timed
/// by `pings`.
macro_rules! search_statements {
    () => {
        /// One ranked search; returns the rows.
        pub async fn search(&mut self, query: &str) -> anyhow::Result<usize> {
            let rows = sqlx::query(SEARCH_SQL)
                .bind(query)
                .fetch_all(&mut self.conn)
                .await?;
            Ok(rows.len())
        }

        /// How many documents match (not timed).
        pub async fn count(&mut self, query: &str) -> anyhow::Result<i64> {
            Ok(sqlx::query(COUNT_SQL)
                .bind(query)
                .fetch_one(&mut self.conn)
                .await?
                .try_get(0)?)
        }

        /// A round trip that does nothing: the floor under every query.
        pub async fn ping(&mut self) -> anyhow::Result<()> {
            sqlx::query("SELECT 1").fetch_one(&mut self.conn).await?;
            Ok(())
        }

        /// How long each of `n` pings took.
        pub async fn pings(&mut self, n: usize) -> anyhow::Result<Vec<std::time::Duration>> {
            let mut samples = Vec::with_capacity(n);
            for _ in 0..n {
                let started = std::time::Instant::now();
                self.ping().await?;
                samples.push(started.elapsed());
            }
            Ok(samples)
        }
    };
}
pub(crate) use search_statements;
