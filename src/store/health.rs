//! Whether the database answers, known without asking it on every request.
//!
//! A probe on a connection of its own (not the pool's: a busy pool is load,
//! not an outage) checks the database every [`PROBE_EVERY`], at once when a
//! request met a connection error ([`DbHealth::suspect`]), and every
//! [`PROBE_EVERY_WHILE_DOWN`] while it is down. Each check is bounded by
//! [`PROBE_TIMEOUT`], so a database that stops answering without closing
//! anything (a network partition) is found out as quickly as one that
//! refuses connections. While it is down, requests that need it are refused
//! at once with UNAVAILABLE (and the ones already waiting are stopped), and
//! `/readyz` answers 503 immediately.
//!
//! [`is_unavailable`] tells a database error that means "cannot be reached"
//! (the pool timed out, the connection broke, the server is shutting down,
//! SQLite is locked by another process) from one about the statement.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sea_orm::sqlx;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, RuntimeErr, Statement};
use tokio::sync::{Notify, watch};

use super::db::{self, Backend, DbConfig};

/// How often the probe checks a database that answers.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);
/// How often the probe checks a database that is down.
pub const PROBE_EVERY_WHILE_DOWN: Duration = Duration::from_millis(500);
/// The longest one check may take (opening its connection included).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

struct Inner {
    up: watch::Sender<bool>,
    check_now: Notify,
}

/// The application's view of the database's health: cheap to clone; the
/// probe stops when every handle is dropped.
#[derive(Clone)]
pub struct DbHealth {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for DbHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbHealth")
            .field("up", &self.is_up())
            .finish()
    }
}

impl DbHealth {
    /// Starts probing the database `config` names, assuming it up (it was
    /// just opened).
    pub fn start(config: &DbConfig) -> Self {
        let health = Self::assumed_up();
        let mut probe_config = config.clone();
        probe_config.max_connections = 1;
        probe_config.timeout = PROBE_TIMEOUT;
        tokio::spawn(probe_loop(Arc::downgrade(&health.inner), probe_config));
        health
    }

    /// A health that never probes and always says up (for tools that
    /// build the application state without serving).
    pub fn assumed_up() -> Self {
        let (up, _) = watch::channel(true);
        Self {
            inner: Arc::new(Inner {
                up,
                check_now: Notify::new(),
            }),
        }
    }

    /// Whether the last check found the database answering.
    pub fn is_up(&self) -> bool {
        *self.inner.up.borrow()
    }

    /// Completes when the database is (or goes) down.
    pub async fn down(&self) {
        let mut up = self.inner.up.subscribe();
        if up.wait_for(|up| !*up).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// A request met a connection error: check now rather than at the next
    /// round.
    pub fn suspect(&self) {
        self.inner.check_now.notify_one();
    }
}

async fn probe_loop(health: Weak<Inner>, config: DbConfig) {
    let backend = Backend::from_url(&config.url);
    let mut connection: Option<DatabaseConnection> = None;
    loop {
        let up = probe(&mut connection, &config, backend).await;
        let Some(inner) = health.upgrade() else {
            return;
        };
        let was_up = inner.up.send_replace(up);
        match (was_up, up) {
            (true, false) => {
                tracing::error!("the database does not answer: refusing requests that need it")
            }
            (false, true) => tracing::info!("the database answers again"),
            _ => {}
        }
        let wait = if up {
            PROBE_EVERY
        } else {
            PROBE_EVERY_WHILE_DOWN
        };
        // Holding the handle while waiting keeps it at most one round
        // longer than its owners.
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = inner.check_now.notified() => {}
        }
    }
}

/// One check: opens the probe's connection when it has none, then reads
/// from the database. Any failure drops the connection, so that the next
/// check starts afresh.
async fn probe(
    connection: &mut Option<DatabaseConnection>,
    config: &DbConfig,
    backend: Option<Backend>,
) -> bool {
    // SQLite: a statement that reads the file (a bare SELECT 1 would not).
    let sql = match backend {
        Some(Backend::Sqlite) => "SELECT count(*) FROM sqlite_master",
        _ => "SELECT 1",
    };
    let check = async {
        if connection.is_none() {
            *connection = Some(db::connect(config).await.ok()?);
        }
        let db = connection.as_ref()?;
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .ok()
    };
    let answered = tokio::time::timeout(PROBE_TIMEOUT, check)
        .await
        .ok()
        .flatten()
        .is_some();
    if !answered && let Some(stale) = connection.take() {
        // Closing may itself hang on a silent network: let it go in the
        // background.
        tokio::spawn(async move {
            let _ = tokio::time::timeout(PROBE_TIMEOUT, stale.close()).await;
        });
    }
    answered
}

/// Whether the database answers a ping now (what `/readyz` asks, bounded
/// by its caller).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db::ping(db).await
}

/// Whether a database error means the database cannot be reached (or is
/// held by another process), rather than a problem with the statement.
pub fn is_unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            sqlx_unavailable(error)
        }
        _ => false,
    }
}

fn sqlx_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(error) => {
            let code = error.code().unwrap_or_default();
            if error
                .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                .is_some()
            {
                // SQLite: busy or locked by another process past the busy
                // timeout (5, 6, and their extended codes).
                matches!(code.parse::<i32>().map(|c| c & 0xff), Ok(5 | 6))
            } else {
                // PostgreSQL: connection exceptions (class 08), the server
                // shutting down or starting (57P01..57P03), too many
                // clients, a lock held past the lock timeout.
                code.starts_with("08")
                    || matches!(
                        code.as_ref(),
                        "57P01" | "57P02" | "57P03" | "53300" | "55P03"
                    )
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_errors_are_unavailable_and_statement_errors_are_not() {
        let sqlx_error = |e: sqlx::Error| DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)));
        assert!(is_unavailable(&DbErr::ConnectionAcquire(
            sea_orm::error::ConnAcquireErr::Timeout
        )));
        assert!(is_unavailable(&sqlx_error(sqlx::Error::PoolTimedOut)));
        assert!(is_unavailable(&sqlx_error(sqlx::Error::Io(
            std::io::Error::from(std::io::ErrorKind::ConnectionReset)
        ))));
        assert!(!is_unavailable(&sqlx_error(sqlx::Error::RowNotFound)));
        assert!(!is_unavailable(&DbErr::RecordNotFound("x".into())));
        assert!(!is_unavailable(&DbErr::Custom("x".into())));
    }
}
