//! The SQLite comparator: the corpus in an FTS5 table of a temporary
//! database file (the `unicode61` tokenizer folding accents; FTS5 has no
//! Italian stemmer), ranked by `bm25` with the product's field weights (title
//! 3, description 1, context 0.5).

use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, Connection, Executor, Row};
use trama::search::SearchDocument;

const SEARCH_SQL: &str = "SELECT key, title FROM docs WHERE docs MATCH ?1 \
     ORDER BY bm25(docs, 0.0, 3.0, 1.0, 0.5) LIMIT 10";
const COUNT_SQL: &str = "SELECT count(*) FROM docs WHERE docs MATCH ?1";
/// Rows per INSERT (4 parameters each, well under SQLite's limit).
const BATCH: usize = 250;

pub struct LoadTimes {
    pub insert: Duration,
    pub optimize: Duration,
    pub bytes: u64,
}

pub struct Fts5 {
    conn: SqliteConnection,
    pub version: String,
}

impl Fts5 {
    /// Creates the database in `file` and loads the corpus in one
    /// transaction, then merges the FTS5 b-trees (`optimize`).
    pub async fn load(file: &Path, docs: &[SearchDocument]) -> anyhow::Result<(Self, LoadTimes)> {
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .pragma("journal_mode", "OFF")
            .pragma("synchronous", "OFF")
            // Reads through a memory map, as tantivy's do, and a page cache
            // of 256 MB: the most favourable usual settings.
            .pragma("mmap_size", "8589934592")
            .pragma("cache_size", "-262144");
        let mut conn = SqliteConnection::connect_with(&options).await?;
        let version: String = conn
            .fetch_one("SELECT sqlite_version()")
            .await?
            .try_get(0)?;
        conn.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(\
                key UNINDEXED, title, body, context, \
                tokenize = 'unicode61 remove_diacritics 2')",
        )
        .await?;
        let started = Instant::now();
        let mut tx = conn.begin().await?;
        for batch in docs.chunks(BATCH) {
            let mut sql = String::from("INSERT INTO docs (key, title, body, context) VALUES ");
            for i in 0..batch.len() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?,?,?,?)");
            }
            let mut insert = sqlx::query(AssertSqlSafe(sql));
            for doc in batch {
                insert = insert
                    .bind(doc.key())
                    .bind(doc.title.as_str())
                    .bind(doc.body.as_str())
                    .bind(doc.context.as_str());
            }
            insert.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        let insert = started.elapsed();
        let started = Instant::now();
        conn.execute("INSERT INTO docs (docs) VALUES ('optimize')")
            .await?;
        let optimize = started.elapsed();
        let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        Ok((
            Self { conn, version },
            LoadTimes {
                insert,
                optimize,
                bytes,
            },
        ))
    }

    crate::queries::search_statements!();
}
