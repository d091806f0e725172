//! What the judged sets of `relevance` (search) and `matching` share: their
//! two halves, and the peer they are measured against, the database's own
//! full-text search over the same records, asked the same thing.
//!
//! On PostgreSQL it is `ts_rank` with the `italian` text-search
//! configuration (Snowball stemming, stop words); on SQLite it is FTS5's
//! `bm25` with the `unicode61` tokenizer (accents folded, no stemming: FTS5
//! has no Italian analyser). Either way every word of the query is a
//! disjunct, so a record matching more of the words ranks higher and a
//! record matching few still comes back; requiring all the words would
//! leave most judged matching cases (a need's whole text as the query)
//! with no result at all, a peer too weak to be worth beating.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::Deserialize;
use trama::search::DocType;
use uuid::Uuid;

/// Which half of a judged set a case is in: the engine may be tuned on the
/// first, never on the second (its cases are not read while tuning; the
/// tests print its means only and never name its cases).
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    Tuning,
    Heldout,
}

/// Which records the peer ranks.
#[derive(Clone, Copy, Debug)]
pub enum PeerScope {
    /// Offers only: a need's text as the query, for matching.
    Offers,
    /// Organisations, offers and needs: a search box.
    Everything,
}

/// The peer's name in the printed tables.
fn peer_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => "PostgreSQL ts_rank",
        _ => "SQLite FTS5 bm25",
    }
}

/// Asserts that a judged fixture holds at least `min` judged items
/// (`what`: "judged needs", "queries"...), so that its figures mean
/// something.
pub fn assert_judged_enough<T>(items: &[T], min: usize, what: &str) {
    assert!(items.len() >= min, "{} {what}", items.len());
}

/// Readies the peer after the records are written: SQLite's FTS5 table is
/// filled from them (PostgreSQL reads the tables as they are). Returns the
/// peer's name for the printed tables.
pub async fn prepare_peer(db: &DatabaseConnection) -> &'static str {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return peer_name(db);
    }
    db.execute_unprepared(
        "CREATE VIRTUAL TABLE peer_documents USING fts5(
             doc_type UNINDEXED, id UNINDEXED, body,
             tokenize = 'unicode61 remove_diacritics 2');
         INSERT INTO peer_documents (doc_type, id, body)
             SELECT 'offer', id, title || ' ' || description FROM offers WHERE deleted_at IS NULL
             UNION ALL SELECT 'need', id, title || ' ' || description FROM needs WHERE deleted_at IS NULL
             UNION ALL SELECT 'organization', id, name || ' ' || description
                 FROM organizations WHERE deleted_at IS NULL;",
    )
    .await
    .expect("the FTS5 peer table");
    peer_name(db)
}

/// The first `limit` records the peer ranks for `text`, best first.
pub async fn peer_ranked(
    db: &DatabaseConnection,
    scope: PeerScope,
    text: &str,
    limit: usize,
) -> Vec<(DocType, Uuid)> {
    let backend = db.get_database_backend();
    let statement = match backend {
        DatabaseBackend::Postgres => {
            let types = match scope {
                PeerScope::Offers => "doc_type = 'offer'",
                PeerScope::Everything => "TRUE",
            };
            // The query's own lexemes, each a disjunct: `to_tsvector` runs
            // the same analysis as the documents get.
            let sql = format!(
                "WITH query AS (
                     SELECT NULLIF((SELECT string_agg(quote_literal(lexeme), ' | ')
                         FROM unnest(tsvector_to_array(to_tsvector('italian', $1))) AS lexeme),
                         '')::tsquery AS q),
                 documents AS (
                     SELECT 'offer' AS doc_type, id, to_tsvector('italian', title || ' ' || description) AS v
                         FROM offers WHERE deleted_at IS NULL
                     UNION ALL SELECT 'need', id, to_tsvector('italian', title || ' ' || description)
                         FROM needs WHERE deleted_at IS NULL
                     UNION ALL SELECT 'organization', id, to_tsvector('italian', name || ' ' || description)
                         FROM organizations WHERE deleted_at IS NULL)
                 SELECT doc_type, id FROM documents, query
                 WHERE {types} AND v @@ q
                 ORDER BY ts_rank(v, q) DESC, id
                 LIMIT $2"
            );
            Statement::from_sql_and_values(backend, sql, [text.into(), (limit as i64).into()])
        }
        _ => {
            let Some(expression) = fts5_any_word(text) else {
                return Vec::new();
            };
            let types = match scope {
                PeerScope::Offers => "AND doc_type = 'offer'",
                PeerScope::Everything => "",
            };
            let sql = format!(
                "SELECT doc_type, id FROM peer_documents
                 WHERE peer_documents MATCH $1 {types}
                 ORDER BY bm25(peer_documents), id
                 LIMIT $2"
            );
            Statement::from_sql_and_values(backend, sql, [expression.into(), (limit as i64).into()])
        }
    };
    db.query_all_raw(statement)
        .await
        .expect("the peer's query")
        .iter()
        .map(|row| {
            let doc_type = match row
                .try_get::<String>("", "doc_type")
                .expect("doc_type")
                .as_str()
            {
                "offer" => DocType::Offer,
                "need" => DocType::Need,
                _ => DocType::Organization,
            };
            (doc_type, row.try_get::<Uuid>("", "id").expect("id"))
        })
        .collect()
}

/// An FTS5 expression matching any word of `text` (each quoted, so no word
/// is read as an operator); `None` when it has no word.
fn fts5_any_word(text: &str) -> Option<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|word| format!("\"{word}\""))
            .collect::<Vec<_>>()
            .join(" OR ")
    })
}
