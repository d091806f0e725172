//! The stage renaming of issue 15 maps the stored values of the old
//! stages to the new ones (and back): on a temporary SQLite file, and on
//! PostgreSQL when `TRAMA_TEST_POSTGRES_URL` names a server.

use migration::sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use migration::{Migrator, MigratorTrait};

mod common;
use common::{connect, execute};

const ORG: &str = "01900000-0000-7000-8000-0000000000aa";
const SIGNED: &str = "'2026-11-01T10:00:00Z'";

/// (project id suffix, procedure, stage before, signed, stage after up, stage after down)
const PROJECTS: &[(&str, &str, &str, bool, &str, &str)] = &[
    (
        "01",
        "patto_collaborazione",
        "first_contact",
        false,
        "proposal",
        "first_contact",
    ),
    (
        "02",
        "patto_collaborazione",
        "agreement",
        true,
        "signed",
        "agreement",
    ),
    (
        "03",
        "patto_collaborazione",
        "agreement",
        false,
        "codesign_table",
        "agreement",
    ),
    (
        "04",
        "patto_collaborazione",
        "delivery",
        true,
        "active",
        "delivery",
    ),
    (
        "05",
        "coprogettazione",
        "first_contact",
        false,
        "public_notice",
        "public_notice",
    ),
    (
        "06",
        "coprogettazione",
        "expressions_of_interest",
        false,
        "applications",
        "expressions_of_interest",
    ),
    (
        "07",
        "coprogettazione",
        "delivery",
        true,
        "delivery",
        "delivery",
    ),
];

fn project_id(suffix: &str) -> String {
    format!("01900000-0000-7000-8000-0000000001{suffix}")
}

async fn stage_of(db: &DatabaseConnection, table: &str, column: &str, project: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT stage FROM {table} WHERE {column} = '{project}'"),
        ))
        .await
        .expect("select")
        .unwrap_or_else(|| panic!("no row in {table} for {project}"));
    row.try_get("", "stage").expect("stage")
}

async fn check(db: &DatabaseConnection, after_up: bool) {
    for (suffix, procedure, _, _, up, down) in PROJECTS {
        let id = project_id(suffix);
        let expected = if after_up { up } else { down };
        for (table, column) in [
            ("projects", "id"),
            ("project_stages", "project_id"),
            ("project_approvals", "project_id"),
        ] {
            assert_eq!(
                stage_of(db, table, column, &id).await,
                *expected,
                "{procedure} {suffix} in {table} after {}",
                if after_up { "up" } else { "down" }
            );
        }
    }
}

async fn renaming(url: &str) {
    let db = connect(url).await;
    // Found by name: later migrations run after it, and are undone with it.
    let migrations = Migrator::migrations();
    let renaming = migrations
        .iter()
        .position(|m| m.name() == "m20261204_090000_rename_project_stages")
        .expect("the renaming is a migration");
    let from_renaming = migrations.len() - renaming;
    Migrator::up(&db, Some(renaming as u32))
        .await
        .expect("up to the renaming");
    execute(
        &db,
        &format!(
            "INSERT INTO organizations (id, name, kind, description, created_at, updated_at) \
             VALUES ('{ORG}', 'ALER Milano', 'public_housing_agency', '', \
             '2026-11-01T10:00:00Z', '2026-11-01T10:00:00Z')"
        ),
    )
    .await
    .expect("organisation");
    for (i, (suffix, procedure, stage, signed, _, _)) in PROJECTS.iter().enumerate() {
        let id = project_id(suffix);
        let signed_at = if *signed { SIGNED } else { "NULL" };
        execute(
            &db,
            &format!(
                "INSERT INTO projects (id, title, description, procedure, stage, \
                 lead_organization_id, is_public, signed_at, created_at, updated_at) \
                 VALUES ('{id}', 'Progetto', '', '{procedure}', '{stage}', '{ORG}', false, \
                 {signed_at}, '2026-11-01T10:00:00Z', '2026-11-01T10:00:00Z')"
            ),
        )
        .await
        .expect("project");
        execute(
            &db,
            &format!(
                "INSERT INTO project_stages (id, project_id, stage, started_at) \
                 VALUES ('01900000-0000-7000-8000-0000000002{i:02}', '{id}', '{stage}', \
                 '2026-11-01T10:00:00Z')"
            ),
        )
        .await
        .expect("stage history");
        execute(
            &db,
            &format!(
                "INSERT INTO project_approvals (id, project_id, stage, organization_id, \
                 decision, decided_at) \
                 VALUES ('01900000-0000-7000-8000-0000000003{i:02}', '{id}', '{stage}', \
                 '{ORG}', 'approved', '2026-11-01T10:00:00Z')"
            ),
        )
        .await
        .expect("approval");
    }
    Migrator::up(&db, None).await.expect("the renaming");
    check(&db, true).await;
    Migrator::down(&db, Some(from_renaming as u32))
        .await
        .expect("renaming undone");
    check(&db, false).await;
    db.close().await.expect("close");
}

common::on_both_databases!(
    sqlite_stage_values_are_renamed,
    postgres_stage_values_are_renamed,
    "trama_stages",
    renaming
);
