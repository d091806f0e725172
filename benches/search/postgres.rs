//! The PostgreSQL comparator: the corpus in a scratch database, a stored
//! `tsvector` of the 'italian' configuration (title weighted A, description
//! B, context C) with a GIN index, and the textbook ranked query:
//! `WHERE tsv @@ websearch_to_tsquery('italian', $1) ORDER BY ts_rank(tsv,
//! query) DESC LIMIT 10`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, Connection, Executor, Row};
use trama::search::SearchDocument;

const SEARCH_SQL: &str = "SELECT key, title \
     FROM docs, websearch_to_tsquery('italian', $1) AS query \
     WHERE tsv @@ query \
     ORDER BY ts_rank(tsv, query) DESC \
     LIMIT 10";

const COUNT_SQL: &str =
    "SELECT count(*) FROM docs WHERE tsv @@ websearch_to_tsquery('italian', $1)";

/// The scratch database to drop at the end, whatever happens (also when the
/// benchmark panics: see [`ScratchGuard`]'s `Drop`).
#[derive(Clone, Default)]
pub struct ScratchGuard {
    inner: Arc<Mutex<Option<(String, String)>>>,
}

impl ScratchGuard {
    fn set(&self, admin_url: &str, name: &str) {
        if let Ok(mut slot) = self.inner.lock() {
            *slot = Some((admin_url.to_owned(), name.to_owned()));
        }
    }

    /// Drops the scratch database, if one was created. Call outside any
    /// tokio runtime (it runs one of its own).
    pub fn cleanup(&self) {
        let taken = match self.inner.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let Some((admin_url, name)) = taken else {
            return;
        };
        let dropped = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| {
                rt.block_on(async {
                    let mut admin = PgConnection::connect(&admin_url).await?;
                    sqlx::query(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await?;
                    admin.close().await?;
                    Ok::<_, anyhow::Error>(())
                })
            });
        match dropped {
            Ok(()) => println!("PostgreSQL: scratch database {name} dropped"),
            Err(error) => eprintln!(
                "PostgreSQL: could not drop the scratch database {name} ({error}); drop it by hand"
            ),
        }
    }
}

impl Drop for ScratchGuard {
    fn drop(&mut self) {
        if Arc::strong_count(&self.inner) == 1 {
            self.cleanup();
        }
    }
}

pub struct LoadTimes {
    pub copy: Duration,
    pub index: Duration,
    pub analyze: Duration,
    pub bytes: i64,
}

pub struct Postgres {
    conn: PgConnection,
    pub version: String,
    pub database: String,
}

fn copy_field(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

impl Postgres {
    /// Creates the scratch database and connects to it; fails when the
    /// server cannot be reached.
    pub async fn create(admin_url: &str, guard: &ScratchGuard) -> anyhow::Result<Self> {
        let mut admin =
            tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(admin_url))
                .await
                .context("timed out")??;
        let version: String = admin.fetch_one("SHOW server_version").await?.try_get(0)?;
        let database = format!("trama_bench_{}", std::process::id());
        sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await?;
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .execute(&mut admin)
            .await?;
        guard.set(admin_url, &database);
        admin.close().await?;
        let options = PgConnectOptions::from_str(admin_url)?.database(&database);
        let conn = PgConnection::connect_with(&options).await?;
        Ok(Self {
            conn,
            version,
            database,
        })
    }

    fn options(&self, admin_url: &str) -> anyhow::Result<PgConnectOptions> {
        Ok(PgConnectOptions::from_str(admin_url)?.database(&self.database))
    }

    /// Loads the corpus with COPY on `streams` connections at once (as many
    /// as the writer threads tantivy gets), then builds the GIN index and
    /// analyzes the table.
    pub async fn load(
        &mut self,
        admin_url: &str,
        docs: &[SearchDocument],
        streams: usize,
    ) -> anyhow::Result<LoadTimes> {
        self.conn
            .execute(
                "CREATE TABLE docs (
                    key text NOT NULL,
                    title text NOT NULL,
                    body text NOT NULL,
                    context text NOT NULL,
                    tsv tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('italian', title), 'A') ||
                        setweight(to_tsvector('italian', body), 'B') ||
                        setweight(to_tsvector('italian', context), 'C')
                    ) STORED
                )",
            )
            .await?;
        let started = Instant::now();
        let streams = streams.max(1);
        let chunk = docs.len().div_ceil(streams).max(1);
        let options = self.options(admin_url)?;
        let copies = docs.chunks(chunk).map(|part| {
            let options = options.clone();
            async move {
                let mut conn = PgConnection::connect_with(&options).await?;
                let mut copy = conn
                    .copy_in_raw("COPY docs (key, title, body, context) FROM STDIN")
                    .await?;
                let mut buffer = String::with_capacity(1 << 20);
                for doc in part {
                    copy_field(&mut buffer, &doc.key());
                    buffer.push('\t');
                    copy_field(&mut buffer, &doc.title);
                    buffer.push('\t');
                    copy_field(&mut buffer, &doc.body);
                    buffer.push('\t');
                    copy_field(&mut buffer, &doc.context);
                    buffer.push('\n');
                    if buffer.len() >= 1 << 20 {
                        copy.send(std::mem::take(&mut buffer).into_bytes()).await?;
                        buffer.reserve(1 << 20);
                    }
                }
                if !buffer.is_empty() {
                    copy.send(buffer.into_bytes()).await?;
                }
                copy.finish().await?;
                conn.close().await?;
                Ok::<_, anyhow::Error>(())
            }
        });
        for result in futures_util::future::join_all(copies).await {
            result?;
        }
        let copy = started.elapsed();
        let started = Instant::now();
        self.conn
            .execute("SET maintenance_work_mem = '1GB'")
            .await?;
        self.conn
            .execute("CREATE INDEX docs_tsv ON docs USING GIN (tsv)")
            .await?;
        let index = started.elapsed();
        let started = Instant::now();
        self.conn.execute("VACUUM ANALYZE docs").await?;
        let analyze = started.elapsed();
        let bytes: i64 = self
            .conn
            .fetch_one("SELECT pg_total_relation_size('docs')")
            .await?
            .try_get(0)?;
        Ok(LoadTimes {
            copy,
            index,
            analyze,
            bytes,
        })
    }

    /// Session settings that can only help these queries: no JIT
    /// compilation (its start-up cost dwarfs a search), a plan made for each
    /// query's own words rather than a generic one, and enough `work_mem`
    /// for exact (not lossy) bitmaps of the matching rows.
    pub async fn tune(&mut self) -> anyhow::Result<()> {
        for setting in [
            "SET jit = off",
            "SET plan_cache_mode = force_custom_plan",
            "SET work_mem = '64MB'",
        ] {
            self.conn.execute(setting).await?;
        }
        Ok(())
    }

    crate::queries::search_statements!();

    /// The plan of one query, for the report.
    pub async fn explain(&mut self, query: &str) -> anyhow::Result<Vec<String>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "EXPLAIN (ANALYZE, BUFFERS) {SEARCH_SQL}"
        )))
        .bind(query)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(Into::into))
            .collect()
    }

    pub async fn setting(&mut self, name: &str) -> anyhow::Result<String> {
        Ok(sqlx::query(AssertSqlSafe(format!("SHOW {name}")))
            .fetch_one(&mut self.conn)
            .await?
            .try_get(0)?)
    }

    /// The server process serving this connection (its memory is not ours).
    pub async fn backend_pid(&mut self) -> anyhow::Result<i32> {
        Ok(self
            .conn
            .fetch_one("SELECT pg_backend_pid()")
            .await?
            .try_get(0)?)
    }
}
