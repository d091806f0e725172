//! Opening the database (an SQLite file by default, PostgreSQL in production)
//! and applying the migrations.
//!
//! SQLite runs with a single pooled connection: SQLite admits one writer at a
//! time, and a pool of several connections turns concurrent transactions into
//! `SQLITE_BUSY` errors when a reader upgrades to a writer. One connection makes
//! every transaction wait its turn instead. Beside it, background work reads
//! through a few read-only connections ([`connect_readers`]): in WAL mode
//! they read while the one connection writes. PostgreSQL is the way past one
//! machine and uses a real pool.

use std::path::{Path, PathBuf};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

/// The database products Trama runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Which backend a URL names, or `None` for an unsupported scheme.
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    pub fn of(db: &impl ConnectionTrait) -> Self {
        match db.get_database_backend() {
            DbBackend::Postgres => Self::Postgres,
            _ => Self::Sqlite,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct DbConfig {
    pub url: String,
    pub max_connections: u32,
    /// PostgreSQL schema to work in (must exist); `None` for the default.
    pub schema: Option<String>,
    /// Longest wait for a connection from the pool (opening one included)
    /// and, on SQLite, for another process's write lock. Past it a
    /// statement fails, and the API answers UNAVAILABLE: during an outage
    /// requests fail in seconds rather than hang.
    pub timeout: Duration,
}

impl DbConfig {
    /// The wait of [`DbConfig::timeout`] when nothing else is configured.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
}

/// How many independent pieces of background work (match refreshes) may
/// use `db` at once without making a person's request wait long for a
/// connection. PostgreSQL: half the pool, the other half left to requests.
/// SQLite: a few, since its one connection takes statements in turn and
/// more at once only lengthen the queue a request waits in (on a machine
/// with many cores, two refreshes per core would hold it up past the
/// acquire timeout).
pub fn background_share(db: &DatabaseConnection) -> usize {
    const SQLITE_SHARE: usize = 4;
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool().options();
            usize::try_from(pool.get_max_connections() / 2)
                .unwrap_or(1)
                .max(1)
        }
        _ => SQLITE_SHARE,
    }
}

/// Errors opening the database.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL (expected sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// SQLite's page cache for its one connection, in KiB when negative: 64 MiB
/// instead of the default 2 MiB. A recompute inserts matches by need, so
/// each transaction changes pages all over the index by offer; with a cache
/// smaller than that index, pages are read again and spilled to the log
/// before the commit (`cargo bench --bench matching`, back to back: 101 ->
/// 116 needs/s refreshed, 100 MB more peak memory; docs/benchmarks.md).
const SQLITE_CACHE_SIZE: &str = "-65536";

/// Opens a pool. For SQLite the file (and its directory) is created when
/// missing. Fails when the URL is not SQLite or PostgreSQL, when the directory
/// cannot be created, or when the server does not answer within the
/// configured timeout.
pub async fn connect(config: &DbConfig) -> Result<DatabaseConnection, ConnectError> {
    let backend = Backend::from_url(&config.url).ok_or(ConnectError::UnsupportedUrl)?;
    let mut options = ConnectOptions::new(config.url.clone());
    // sqlx bounds opening a connection by the acquire timeout (sea-orm's
    // connect_timeout sets the same value), and retries a refused
    // connection until it passes: one bound covers both.
    options.acquire_timeout(config.timeout).sqlx_logging(false);
    match backend {
        Backend::Sqlite => {
            if let Some(dir) = sqlite_file_path(&config.url)
                .and_then(Path::parent)
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|source| ConnectError::CreateDir {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            let busy_timeout = config.timeout;
            options
                .max_connections(1)
                .min_connections(1)
                // An in-memory database lives as long as its connection.
                .idle_timeout(None)
                .max_lifetime(None)
                .map_sqlx_sqlite_opts(move |opts| {
                    opts.create_if_missing(true)
                        .foreign_keys(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(busy_timeout)
                        .pragma("cache_size", SQLITE_CACHE_SIZE)
                });
        }
        Backend::Postgres => {
            // A statement waits for another transaction's lock no longer
            // than for a connection (SQLite's busy timeout does the same):
            // then it fails, and is not left to run after the request that
            // sent it has given up.
            let lock_timeout = format!("{}ms", config.timeout.as_millis());
            options
                .max_connections(config.max_connections.max(2))
                .map_sqlx_postgres_opts(move |opts| {
                    opts.options([("lock_timeout", lock_timeout.clone())])
                });
            if let Some(schema) = &config.schema {
                options.set_schema_search_path(schema.clone());
            }
        }
    }
    Ok(Database::connect(options).await?)
}

/// How many read-only connections [`connect_readers`] opens on an SQLite
/// file: one per core of the small machines Trama is measured on.
const SQLITE_READERS: u32 = 2;

/// Connections for what background work reads (the match refreshes' facts
/// and existing matches): on an SQLite file, a pool of read-only
/// connections beside the one that writes, so that those reads do not wait
/// in its queue behind the refreshes' grouped writes, nor a person's
/// request behind them (in WAL mode readers run while a transaction
/// writes, each seeing what was committed when its statement began).
/// Elsewhere the same pool as `primary`: PostgreSQL's already serves many
/// at once, and each connection to an in-memory SQLite database would see
/// a database of its own. Open `primary` first: it creates the file and
/// sets WAL mode. Fails when the file cannot be opened.
pub async fn connect_readers(
    config: &DbConfig,
    primary: &DatabaseConnection,
) -> Result<DatabaseConnection, ConnectError> {
    if Backend::from_url(&config.url) != Some(Backend::Sqlite)
        || sqlite_file_path(&config.url).is_none()
    {
        return Ok(primary.clone());
    }
    let busy_timeout = config.timeout;
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .acquire_timeout(config.timeout)
        .sqlx_logging(false)
        .max_connections(SQLITE_READERS)
        .min_connections(0)
        .map_sqlx_sqlite_opts(move |opts| {
            // No journal mode: the writer set WAL in the file, and a
            // read-only connection could not change it.
            opts.read_only(true)
                .busy_timeout(busy_timeout)
                .pragma("cache_size", SQLITE_CACHE_SIZE)
        });
    Ok(Database::connect(options).await?)
}

/// Applies every pending migration. Fails when a migration fails; each
/// migration runs in its own transaction on PostgreSQL.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Names of applied and pending migrations, in order.
pub async fn migration_status(
    db: &DatabaseConnection,
) -> Result<(Vec<String>, Vec<String>), DbErr> {
    let applied = Migrator::get_applied_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let pending = Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    Ok((applied, pending))
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

fn sqlite_file_path(url: &str) -> Option<&Path> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.contains(":memory:") {
        None
    } else {
        Some(Path::new(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/trama.db"),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://u@h/db"), None);
    }

    #[test]
    fn sqlite_path_is_read_from_the_url() {
        assert_eq!(
            sqlite_file_path("sqlite://./data/trama.db?mode=rwc"),
            Some(Path::new("./data/trama.db"))
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
    }

    fn sqlite_config(url: String) -> DbConfig {
        DbConfig {
            url,
            max_connections: 1,
            schema: None,
            timeout: Duration::from_secs(5),
        }
    }

    async fn count(db: &DatabaseConnection) -> i64 {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "SELECT count(*) AS n FROM notes",
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get("", "n").expect("n")
    }

    /// The pool of `config` with a table of one note, and its readers.
    async fn opened_with_a_note(config: &DbConfig) -> (DatabaseConnection, DatabaseConnection) {
        let primary = connect(config).await.expect("primary");
        primary
            .execute_unprepared("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('uno')")
            .await
            .expect("a table");
        let readers = connect_readers(config, &primary).await.expect("readers");
        (primary, readers)
    }

    #[tokio::test]
    async fn sqlite_readers_read_while_the_one_connection_writes() {
        use sea_orm::TransactionTrait;
        let dir = tempfile::tempdir().expect("temporary directory");
        let config = sqlite_config(format!("sqlite://{}", dir.path().join("t.db").display()));
        let (primary, readers) = opened_with_a_note(&config).await;
        // A write in progress holds the only writing connection; the
        // readers read what was committed, without waiting for it.
        let writing = primary.begin().await.expect("begin");
        writing
            .execute_unprepared("INSERT INTO notes VALUES ('due')")
            .await
            .expect("insert");
        let read = tokio::time::timeout(Duration::from_secs(30), count(&readers))
            .await
            .expect("a read does not wait for the write");
        assert_eq!(read, 1);
        writing.commit().await.expect("commit");
        assert_eq!(count(&readers).await, 2);
        // They only read.
        let refused = readers
            .execute_unprepared("INSERT INTO notes VALUES ('tre')")
            .await;
        assert!(refused.is_err(), "a reader wrote");
        assert_eq!(count(&primary).await, 2);
    }

    #[tokio::test]
    async fn an_in_memory_database_is_read_through_its_own_connection() {
        let config = sqlite_config("sqlite::memory:".to_owned());
        let (_primary, readers) = opened_with_a_note(&config).await;
        assert_eq!(count(&readers).await, 1);
    }
}
