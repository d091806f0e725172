//! Every migration applies, rolls back completely and applies again: always on a
//! temporary SQLite file, and on a fresh PostgreSQL database when
//! `TRAMA_TEST_POSTGRES_URL` names a server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).

use migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use migration::{Migrator, MigratorTrait, SchemaManager};

mod common;
use common::{connect, execute, with_database};

/// Every table of `docs/data-model.md`.
const TABLES: &[&str] = &[
    "municipalities",
    "neighbourhoods",
    "sectors",
    "users",
    "auth_sessions",
    "email_tokens",
    "organizations",
    "organization_sectors",
    "organization_neighbourhoods",
    "organization_contacts",
    "memberships",
    "invitations",
    "organization_requests",
    "offers",
    "offer_sectors",
    "needs",
    "need_sectors",
    "matches",
    "match_feedback",
    "projects",
    "project_partners",
    "project_contributions",
    "project_stages",
    "project_approvals",
    "project_documents",
    "saved_searches",
    "digest_subscriptions",
    "digest_deliveries",
    "digest_items",
    "audit_log",
    "search_outbox",
    "jobs",
];

async fn existing_tables(db: &DatabaseConnection) -> Vec<&'static str> {
    let manager = SchemaManager::new(db);
    let mut found = Vec::new();
    for table in TABLES {
        if manager.has_table(*table).await.expect("has_table") {
            found.push(*table);
        }
    }
    found
}

/// Checks the behaviour the schema promises beyond the table list.
async fn check_constraints(db: &DatabaseConnection) {
    // Foreign keys are enforced (on SQLite, sqlx turns `PRAGMA foreign_keys` on).
    let orphan = execute(
        db,
        "INSERT INTO auth_sessions (id, user_id, token_hash, created_at, expires_at) \
         VALUES ('01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002', \
         'hash', '2026-11-21T10:00:00Z', '2026-11-22T10:00:00Z')",
    )
    .await;
    assert!(orphan.is_err(), "a session without its user was accepted");

    // The outbox sequence counts up from 1.
    for _ in 0..2 {
        execute(
            db,
            "INSERT INTO search_outbox (entity_type, entity_id, operation, created_at) \
             VALUES ('offer', '01900000-0000-7000-8000-000000000003', 'upsert', '2026-11-21T10:00:00Z')",
        )
        .await
        .expect("insert into search_outbox");
    }
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT MAX(seq) AS last FROM search_outbox",
        ))
        .await
        .expect("select from search_outbox")
        .expect("one row");
    assert_eq!(row.try_get::<i64>("", "last").expect("last seq"), 2);

    if db.get_database_backend() == DbBackend::Sqlite {
        // SQLite only keeps AUTOINCREMENT on an `INTEGER PRIMARY KEY` column.
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT sql FROM sqlite_master WHERE name = 'search_outbox'",
            ))
            .await
            .expect("read sqlite_master")
            .expect("search_outbox is defined");
        let sql: String = row.try_get("", "sql").expect("sql column");
        assert!(
            sql.contains(r#""seq" integer NOT NULL PRIMARY KEY AUTOINCREMENT"#),
            "unexpected DDL: {sql}"
        );
    }
}

async fn up_down_up(url: &str) {
    let db = connect(url).await;

    Migrator::up(&db, None).await.expect("first up");
    assert_eq!(existing_tables(&db).await, TABLES, "tables after up");
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .expect("pending")
            .is_empty()
    );
    check_constraints(&db).await;

    Migrator::down(&db, None).await.expect("down to nothing");
    assert!(
        existing_tables(&db).await.is_empty(),
        "tables left after down"
    );
    assert!(
        Migrator::get_applied_migrations(&db)
            .await
            .expect("applied")
            .is_empty()
    );

    Migrator::up(&db, None).await.expect("second up");
    assert_eq!(existing_tables(&db).await, TABLES, "tables after second up");

    db.close().await.expect("close");
}

common::on_both_databases!(
    sqlite_up_down_up,
    postgres_up_down_up,
    "trama_migrations",
    up_down_up
);

#[test]
fn replaces_the_database_name() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "t2"),
        "postgres://u:p@h/t2?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "t3"),
        "postgres://h:5432/t3"
    );
}
