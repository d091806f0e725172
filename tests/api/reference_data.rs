//! Reference data on a fresh install (no demo), on both databases: Italy's
//! municipalities, Milano's NIL with their boundaries and the sectors are
//! there from the first start, so an organisation can register in Milano;
//! loading is skipped once the shipped version is in, and redone when the
//! shipped files change; `trama migrate` loads them too.

use sea_orm::{ActiveModelTrait, Condition, EntityTrait, IntoActiveModel, Set};
use serde_json::json;
use trama::services::reference_data::{self, MILANO, neighbourhood_id};
use trama::store::entities::{municipalities, neighbourhoods, reference_data_versions};

use crate::helpers::{Backend, TestApp, TestEnv, count_where, gql_ok, verified_user};
use crate::on_both_databases;

on_both_databases!(
    a_fresh_install_registers_an_organisation_in_milano,
    reference_data_loads_once_and_follows_the_shipped_files,
    trama_migrate_loads_the_reference_data,
);

async fn a_fresh_install_registers_an_organisation_in_milano(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = verified_user(&app, "giulia@example.org").await;
    let san_siro = neighbourhood_id(MILANO, "57").to_string();
    let body = gql_ok(
        &app,
        Some(&token),
        "mutation($input: OrganizationInput!) {
            createOrganization(input: $input) {
                id seatMunicipality { istatCode name } neighbourhoods { name } sectors { code }
            }
        }",
        json!({ "input": {
            "name": "Custodi di San Siro",
            "kind": "APS",
            "taxCode": "95745878934",
            "seatMunicipalityCode": MILANO,
            "neighbourhoodIds": [san_siro],
            "sectors": ["welfare_comunita"],
        }}),
    )
    .await;
    let created = &body["data"]["createOrganization"];
    assert_eq!(
        created["seatMunicipality"],
        json!({ "istatCode": MILANO, "name": "Milano" })
    );
    assert_eq!(created["neighbourhoods"], json!([{ "name": "San Siro" }]));

    // The whole reference set, boundaries included.
    let body = gql_ok(
        &app,
        None,
        r#"{
            sesto: municipality(code: "015209") { name }
            palermo: municipality(code: "082053") { name }
            nil: neighbourhoods { code }
            selinunte: neighbourhoodAt(lat: 45.4683, lon: 9.1437) { name }
        }"#,
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["sesto"]["name"], "Sesto San Giovanni");
    assert_eq!(body["data"]["palermo"]["name"], "Palermo");
    assert_eq!(body["data"]["nil"].as_array().map(Vec::len), Some(88));
    assert_eq!(body["data"]["selinunte"]["name"], "San Siro");
    let count = count_where::<municipalities::Entity>(app.db(), Condition::all()).await;
    assert_eq!(count, 7904);
    app.stop().await;
}

async fn reference_data_loads_once_and_follows_the_shipped_files(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    let db = &state.db;

    // The first start loaded everything; loading again finds it current.
    let again = reference_data::ensure_loaded(db).await.expect("ensure");
    assert!(again.is_current(), "{again:?}");

    // A later release ships different files: simulated by an older version
    // recorded for the municipalities, and a row that differs from the file.
    let versions = reference_data_versions::Entity::find()
        .all(db)
        .await
        .expect("versions");
    let names: Vec<&str> = versions.iter().map(|v| v.dataset.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for dataset in ["sectors", "municipalities", "milano_nil"] {
        assert!(names.contains(&dataset), "{names:?}");
    }
    let recorded = versions
        .into_iter()
        .find(|v| v.dataset == "municipalities")
        .expect("municipalities version");
    let mut old = recorded.clone().into_active_model();
    old.version = Set("an older release".to_owned());
    old.update(db).await.expect("age the version");
    let milano = municipalities::Entity::find_by_id(MILANO.to_owned())
        .one(db)
        .await
        .expect("query")
        .expect("Milano");
    let mut renamed = milano.into_active_model();
    renamed.name = Set("Milano (old name)".to_owned());
    renamed.update(db).await.expect("rename");
    let mut san_siro: neighbourhoods::ActiveModel = crate::helpers::san_siro(db).await.into();
    san_siro.name = Set("San Siro (old name)".to_owned());
    san_siro.update(db).await.expect("rename");

    // The next start brings the municipalities up to date, and leaves the
    // neighbourhoods, whose version did not change, alone.
    drop(state);
    let state = env.state().await;
    let db = &state.db;
    let milano = municipalities::Entity::find_by_id(MILANO.to_owned())
        .one(db)
        .await
        .expect("query")
        .expect("Milano");
    assert_eq!(milano.name, "Milano");
    let current = reference_data_versions::Entity::find_by_id("municipalities".to_owned())
        .one(db)
        .await
        .expect("query")
        .expect("version");
    assert_eq!(current.version, recorded.version);
    let san_siro = crate::helpers::san_siro(db).await;
    assert_eq!(san_siro.name, "San Siro (old name)");
    let count = count_where::<municipalities::Entity>(db, Condition::all()).await;
    assert_eq!(count, 7904);
}

/// Runs `trama migrate` against the test's database.
fn migrate(env: &TestEnv) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trama"));
    command
        .arg("migrate")
        .arg("--data-dir")
        .arg(&env.settings.data_dir)
        .env("TRAMA_DATABASE_URL", env.settings.database_url())
        .env("TRAMA_LOG", "warn")
        .env_remove("TRAMA_DATABASE_SCHEMA");
    if let Some(schema) = &env.settings.database_schema {
        command.env("TRAMA_DATABASE_SCHEMA", schema);
    }
    let output = command.output().expect("run trama migrate");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

async fn trama_migrate_loads_the_reference_data(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let first = migrate(&env);
    assert!(
        first.contains(
            "reference data: sectors 16 loaded, municipalities 7904 loaded, Milano NIL 88 loaded"
        ),
        "{first}"
    );
    let again = migrate(&env);
    assert!(
        again.contains(
            "reference data: sectors current, municipalities current, Milano NIL current"
        ),
        "{again}"
    );
}
