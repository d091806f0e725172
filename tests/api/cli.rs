//! What the command line and the home page tell an operator, checked by
//! running the real `trama` binary where it prints: a digest dry run says
//! when nobody is due and never promises a digest to someone who
//! unsubscribed; the import reads Trama's own sector labels, commas
//! included, and does not flood the terminal; each subcommand's `--help`
//! lists only the options it uses; the home page counts the municipalities
//! where Trama is used, not Italy's reference list.

use std::ffi::OsString;
use std::process::{Command, Output};

use chrono::TimeDelta;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use trama::config::Settings;
use trama::domain::registry::ColumnMapping;
use trama::domain::{DigestFrequency, TaxCode};
use trama::services::now;
use trama::services::reference_data;
use trama::services::registry_file::{self, SourceFormat};
use trama::store::entities::{
    digest_deliveries, digest_subscriptions, organization_sectors, organizations,
};

use crate::digests::{set_frequency, smtp_world};
use crate::helpers::{Backend, TestApp, gql, gql_ok, member_with_organization, trama_command};
use crate::on_both_databases;
use crate::visibility::create_as;

on_both_databases!(
    a_dry_run_says_who_is_due_and_never_promises_an_unsubscribed_user_a_digest,
    the_import_reads_trama_sector_labels_with_their_commas,
    the_home_page_counts_the_municipalities_where_trama_is_used,
);

/// The options that point a command at a test's database and data.
fn database_args(settings: &Settings) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["--data-dir".into(), settings.data_dir.clone().into()];
    if let Some(url) = &settings.database_url {
        args.extend(["--database-url".into(), url.expose().into()]);
    }
    if let Some(schema) = &settings.database_schema {
        args.extend(["--database-schema".into(), schema.into()]);
    }
    args
}

fn run(command: &mut Command) -> (Output, String, String) {
    let output = command.output().expect("run trama");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

async fn a_dry_run_says_who_is_due_and_never_promises_an_unsubscribed_user_a_digest(
    backend: Backend,
) {
    let (server, app, w) = smtp_world(backend).await;
    let dry_run = |user: Option<&str>| {
        let mut command = trama_command();
        command
            .args(["digests", "send", "--dry-run"])
            .args(database_args(&app.env.settings));
        if let Some(user) = user {
            command.args(["--user", user]);
        }
        command
    };

    // Both subscribed daily a moment ago: nobody is due, and it says so.
    let (output, stdout, stderr) = run(&mut dry_run(None));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Nessun riepilogo da inviare ora"),
        "stdout: {stdout:?}\nstderr: {stderr}"
    );

    // The comune unsubscribes; both subscriptions come due.
    set_frequency(&app, &w.comune, DigestFrequency::Off).await;
    digest_subscriptions::Entity::update_many()
        .col_expr(
            digest_subscriptions::Column::NextDueAt,
            Expr::value(Some(now() - TimeDelta::minutes(1))),
        )
        .exec(app.db())
        .await
        .expect("make due");
    let (output, stdout, stderr) = run(&mut dry_run(None));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("coop@example.org: un riepilogo con 1 novità"),
        "{stdout}"
    );
    assert!(!stdout.contains("comune@example.org"), "{stdout}");

    // Asked about by name, the unsubscribed user gets nothing either.
    let (output, stdout, stderr) = run(&mut dry_run(Some("comune@example.org")));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("comune@example.org: riepiloghi disattivati"),
        "{stdout}"
    );
    assert!(!stdout.contains("un riepilogo"), "{stdout}");
    assert!(!stdout.contains("a digest"), "{stdout}");

    // A dry run records and sends nothing.
    let deliveries = digest_deliveries::Entity::find()
        .count(app.db())
        .await
        .expect("count");
    assert_eq!(deliveries, 0);
    assert_eq!(server.transactions(), 0);
    app.stop().await;
}

/// A valid 11-digit tax code for `body` (the check digit that TaxCode
/// accepts).
fn tax_code(body: u64) -> String {
    (0..10)
        .map(|check| format!("{body:010}{check}"))
        .find(|code| TaxCode::parse(code).is_ok())
        .expect("a check digit")
}

async fn sectors_of(app: &TestApp, tax: &str) -> Vec<String> {
    let org = organizations::Entity::find()
        .filter(organizations::Column::TaxCode.eq(tax))
        .one(app.db())
        .await
        .expect("query")
        .expect("organisation");
    let mut codes: Vec<String> = organization_sectors::Entity::find()
        .filter(organization_sectors::Column::OrganizationId.eq(org.id))
        .all(app.db())
        .await
        .expect("sectors")
        .into_iter()
        .map(|s| s.sector_code)
        .collect();
    codes.sort();
    codes
}

async fn the_import_reads_trama_sector_labels_with_their_commas(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    reference_data::load_municipalities(app.db())
        .await
        .expect("municipalities");
    let (a, b, c) = (
        tax_code(80_117_230),
        tax_code(97_248_050),
        tax_code(80_106_570),
    );
    let registry = format!(
        "Codice fiscale;Denominazione;Forma giuridica;Comune;Settori\n\
         {a};Centro Schuster;ASD;Milano;Sport, Educazione, infanzia e giovani, cultura\n\
         {b};Polisportiva Leone XIII;Associazione;Milano;sport|Education, children and youth|Astrologia\n\
         {c};Canottieri;ASD;Milano;educazione,infanzia e giovani\n"
    );
    let report = crate::helpers::import_table(
        &app,
        &registry_file::read(registry.as_bytes(), SourceFormat::Csv).expect("readable"),
        &ColumnMapping::default(),
        "registro.csv",
        false,
    )
    .await
    .expect("import");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let unknown: Vec<(u64, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.line, w.unknown_sector.as_str()))
        .collect();
    assert_eq!(unknown, [(3, "Astrologia")]);
    assert_eq!(
        sectors_of(&app, &a).await,
        ["cultura", "educazione", "sport"]
    );
    assert_eq!(sectors_of(&app, &b).await, ["educazione", "sport"]);
    assert_eq!(sectors_of(&app, &c).await, ["educazione"]);
    app.stop().await;
}

/// The real command on 300 rows naming Trama's sector and an unknown one:
/// the sector goes in, and the unknown one is one line, not 300.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_command_reports_an_unknown_sector_once_not_per_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("registro.csv");
    let mut registry =
        String::from("Codice fiscale;Denominazione;Forma giuridica;Comune;Settori\n");
    for i in 0..300u64 {
        registry.push_str(&format!(
            "{};Associazione numero {i};Associazione;Milano;Educazione, infanzia e giovani, Astrologia\n",
            tax_code(8_000_000_000 + i)
        ));
    }
    std::fs::write(&file, registry).expect("write the registry");
    let (output, stdout, stderr) = run(trama_command()
        .args(["import", "organizations"])
        .arg(&file)
        .arg("--data-dir")
        .arg(dir.path().join("data")));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stderr.contains("infanzia"), "{stderr}");
    let astrologia: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("Astrologia"))
        .collect();
    assert_eq!(astrologia.len(), 1, "{stderr}");
    assert!(astrologia[0].contains("300 righe"), "{stderr}");
    assert!(stderr.lines().count() < 10, "{stderr}");
}

/// `trama <args> --help`.
fn help(args: &[&str]) -> String {
    let (output, stdout, stderr) = run(trama_command().args(args).arg("--help"));
    assert!(output.status.success(), "{args:?}: {stderr}");
    stdout
}

#[test]
fn each_command_shows_only_the_options_it_uses() {
    const SERVER: [&str; 6] = [
        "--listen",
        "--graphiql",
        "--request-timeout-secs",
        "--max-body-bytes",
        "--shutdown-grace-secs",
        "--digest-poll-secs",
    ];
    const MAIL: [&str; 2] = ["--smtp-url", "--mail-from"];
    const DATABASE: [&str; 4] = [
        "--data-dir",
        "--database-url",
        "--database-max-connections",
        "--database-schema",
    ];
    let has = |text: &str, options: &[&str]| {
        for option in options {
            assert!(text.contains(option), "{option} missing from\n{text}");
        }
    };
    let lacks = |text: &str, options: &[&str]| {
        for option in options {
            assert!(!text.contains(option), "{option} shown in\n{text}");
        }
    };

    let serve = help(&["serve"]);
    has(&serve, &SERVER);
    has(&serve, &MAIL);
    has(&serve, &DATABASE);
    has(
        &serve,
        &["--index-dir", "--matching-config", "--public-url", "--log"],
    );

    for args in [&["migrate"][..], &["export"], &["users", "grant-moderator"]] {
        let text = help(args);
        has(&text, &DATABASE);
        lacks(&text, &SERVER);
        lacks(&text, &MAIL);
        lacks(&text, &["--index-dir", "--matching-config", "--public-url"]);
    }
    let migrate = help(&["migrate"]);
    // --status, --help, the five of the database and the two of the log.
    let options = migrate
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("--") || l.starts_with("-h"))
        .count();
    assert_eq!(options, 9, "{migrate}");

    for args in [
        &["reindex"][..],
        &["import", "organizations"],
        &["import", "registry"],
    ] {
        let text = help(args);
        has(&text, &DATABASE);
        has(&text, &["--index-dir"]);
        lacks(&text, &SERVER);
        lacks(&text, &MAIL);
        lacks(&text, &["--public-url"]);
    }
    let matching = help(&["match"]);
    has(
        &matching,
        &["--index-dir", "--matching-config", "--database-url"],
    );
    lacks(&matching, &SERVER);
    lacks(&matching, &MAIL);

    let send = help(&["digests", "send"]);
    has(&send, &DATABASE);
    has(&send, &MAIL);
    has(&send, &["--index-dir", "--public-url"]);
    lacks(&send, &SERVER);
    let preview = help(&["digests", "preview"]);
    has(&preview, &["--public-url", "--database-url"]);
    lacks(&preview, &SERVER);
    lacks(&preview, &MAIL);

    let schema = help(&["graphql-schema"]);
    lacks(&schema, &SERVER);
    lacks(&schema, &MAIL);
    lacks(&schema, &DATABASE);

    // Settings still come from the environment for the commands that use
    // them.
    let dir = tempfile::tempdir().expect("tempdir");
    let (output, stdout, stderr) = run(trama_command()
        .arg("migrate")
        .env("TRAMA_DATA_DIR", dir.path())
        .env("TRAMA_LISTEN", "not an address"));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(dir.path().join("trama.db").exists());
}

async fn the_home_page_counts_the_municipalities_where_trama_is_used(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Milano: an organisation and its offer.
    let (token, org) = member_with_organization(&app).await;
    // Posted through the API: an open offer in Sesto San Giovanni, a need
    // in Bollate that is then closed, a draft offer in Monza.
    let offer = |municipality: &str, title: &str, status: Option<&str>| {
        let mut input = json!({
            "kind": "COMPETENCE",
            "title": title,
            "description": "Mediatori sociali esperti nei conflitti di vicinato.",
            "territoryScope": "MUNICIPALITY",
            "municipalityCode": municipality,
        });
        if let Some(status) = status {
            input["status"] = json!(status);
        }
        input
    };
    for (municipality, title, status) in [
        ("015209", "Mediazione a Sesto San Giovanni", None),
        ("108033", "Mediazione a Monza", Some("DRAFT")),
    ] {
        gql_ok(
            &app,
            Some(&token),
            "mutation($org: ID!, $input: OfferInput!) { createOffer(organizationId: $org, input: $input) { id } }",
            json!({ "org": org, "input": offer(municipality, title, status) }),
        )
        .await;
    }
    let need_id = create_as(
        &app,
        &token,
        "Need",
        &org,
        json!({
            "kind": "SOCIAL_MEDIATION",
            "title": "Mediazione dei conflitti a Bollate",
            "description": "Cerchiamo mediatori sociali per i caseggiati.",
            "municipalityCode": "015027",
        }),
    )
    .await;
    gql_ok(
        &app,
        Some(&token),
        "mutation($id: ID!) { closeNeed(id: $id) { status } }",
        json!({ "id": need_id }),
    )
    .await;

    let body = gql(
        &app,
        None,
        "{ platformStats { organizations openOffers openNeeds municipalities neighbourhoods } }",
        json!({}),
    )
    .await;
    let stats = &body["data"]["platformStats"];
    // Milano (the organisation's seat) and Sesto San Giovanni (an open
    // offer); not Bollate (closed) nor Monza (a draft), nor the thousands
    // of reference municipalities loaded.
    assert_eq!(stats["municipalities"], 2, "{body}");
    assert_eq!(stats["neighbourhoods"], 0, "{body}");
    assert_eq!(stats["openOffers"], 1, "{body}");
    app.stop().await;
}
