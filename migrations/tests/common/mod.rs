//! What the migration tests share: connecting, running SQL, and running a
//! test on a temporary SQLite file or on a scratch PostgreSQL database.
//!
//! The PostgreSQL half needs `TRAMA_TEST_POSTGRES_URL`. Without it the test
//! prints that it skipped; when `TRAMA_TEST_REQUIRE_POSTGRES=1` (CI) it
//! fails instead, so that a run without PostgreSQL never counts as passed.

#![allow(dead_code)] // each test file uses part of it

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, Statement,
};

pub async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

pub async fn execute(db: &DatabaseConnection, sql: &str) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .map(|_| ())
}

/// Runs `test` on a new SQLite file in a temporary directory.
pub async fn on_sqlite<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("trama.db").display()
    );
    test(url).await;
}

/// Runs `test` on a scratch PostgreSQL database named after `prefix`,
/// created on the server of `TRAMA_TEST_POSTGRES_URL` and dropped after,
/// whether the test passed or not.
pub async fn on_postgres<F, Fut>(prefix: &str, test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(admin_url) = std::env::var("TRAMA_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("TRAMA_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "TRAMA_TEST_REQUIRE_POSTGRES=1 but TRAMA_TEST_POSTGRES_URL is not set"
        );
        eprintln!("skipped: TRAMA_TEST_POSTGRES_URL not set, no PostgreSQL run");
        return;
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let name = format!("{prefix}_{}_{nanos}", std::process::id());
    let url = with_database(&admin_url, &name);
    let admin = connect(&admin_url).await;
    execute(&admin, &format!(r#"CREATE DATABASE "{name}""#))
        .await
        .expect("create the test database");
    // Run in a task so that a failed assertion still lets us drop the database.
    let outcome = tokio::spawn(test(url)).await;
    execute(&admin, &format!(r#"DROP DATABASE "{name}" WITH (FORCE)"#))
        .await
        .expect("drop the test database");
    admin.close().await.expect("close");
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Declares the two tests of `check` (an `async fn(&str)` taking a database
/// URL): `$sqlite` runs it on a temporary SQLite file, `$postgres` on a
/// scratch PostgreSQL database named after `$prefix` (see `on_postgres`).
macro_rules! on_both_databases {
    ($sqlite:ident, $postgres:ident, $prefix:literal, $check:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $crate::common::on_sqlite(|url| async move { $check(&url).await }).await;
        }

        #[tokio::test]
        async fn $postgres() {
            $crate::common::on_postgres($prefix, |url| async move { $check(&url).await }).await;
        }
    };
}
pub(crate) use on_both_databases;

/// `url` with its database name replaced by `database`, query string kept.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}
