//! Importing a registry of organisations and verifying them against an
//! official extract, on both databases: exact per-line errors, nothing
//! duplicated on re-import, all or nothing, mapping files and JSON, the
//! RUNTS flag behind the art. 55 filter, and the real `trama import`
//! command leaving its organisations searchable.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use trama::domain::registry::{ColumnMapping, ImportField};
use trama::domain::{Invalid, Lang, OrganizationKind, VerificationStatus};
use trama::services::Actor;
use trama::services::import::{ImportError, ImportReport, RowError, RowProblem};
use trama::services::registry_file::{self, SourceFormat};
use trama::services::verification::{self, RegistrySource};
use trama::store::entities::{organization_contacts, organizations, search_outbox};

use crate::helpers::{Backend, TestApp, caught_up, import_table, search_nodes, trama_command};
use crate::on_both_databases;

on_both_databases!(
    a_registry_goes_in_with_exact_errors_per_line,
    all_or_nothing_writes_nothing_when_a_row_is_bad,
    missing_columns_are_refused_before_any_row,
    a_mapping_file_reads_json_with_other_names,
    a_registry_extract_verifies_and_feeds_the_art55_filter,
);

/// Good rows, a bad check digit, a duplicate, a short row and a missing
/// tax code, as an Italian spreadsheet saves them (`;`).
const REGISTRY: &str = "\
Codice fiscale;Denominazione;Forma giuridica;Comune;Settori;E-mail
80117230153;ASSOCIAZIONE SPORTIVA DILETTANTISTICA CENTRO SCHUSTER;ASD;Milano;sport;segreteria@centroschuster.it
97248050151;Polisportiva Istituto Leone XIII;Associazione;MILANO;sport|educazione;
80117230154;Cooperativa dal codice sbagliato;Cooperativa sociale di tipo A;Milano;;
80106570155;ASSOCIAZIONE SOCIETA' CANOTIERI MILANO;ASD;Milano;sport|bocce;
80117230153;Centro Schuster (copia);ASD;Milano;sport;
97627660158;Vittoria Junior 2012
;Associazione senza codice;ODV;Sesto San Giovanni;;
";

fn table(text: &str, format: SourceFormat) -> registry_file::SourceTable {
    registry_file::read(text.as_bytes(), format).expect("readable file")
}

async fn import(
    app: &TestApp,
    text: &str,
    mapping: &ColumnMapping,
    all_or_nothing: bool,
) -> Result<ImportReport, ImportError> {
    import_table(
        app,
        &table(text, SourceFormat::Csv),
        mapping,
        "registro.csv",
        all_or_nothing,
    )
    .await
}

async fn with_territories(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    trama::services::reference_data::load_municipalities(app.db())
        .await
        .expect("municipalities");
    app
}

fn error(line: u64, column: Option<&str>, field: &str, problem: RowProblem) -> RowError {
    RowError {
        line,
        column: column.map(str::to_owned),
        field: field.to_owned(),
        problem,
    }
}

/// The organisation with this tax code, which must be there.
async fn organization(app: &TestApp, tax_code: &str) -> organizations::Model {
    organizations::Entity::find()
        .filter(organizations::Column::TaxCode.eq(tax_code))
        .one(app.db())
        .await
        .expect("query")
        .expect("an organisation with this tax code")
}

async fn count_tax_code(app: &TestApp, tax_code: &str) -> u64 {
    organizations::Entity::find()
        .filter(organizations::Column::TaxCode.eq(tax_code))
        .count(app.db())
        .await
        .expect("count")
}

async fn organization_names(app: &TestApp, query: &str, filter: Value) -> Vec<String> {
    assert!(caught_up(&app.state.search).await, "index caught up");
    search_nodes(app, None, query, filter, "organization { name }")
        .await
        .iter()
        .filter_map(|node| node["organization"]["name"].as_str())
        .map(str::to_owned)
        .collect()
}

async fn a_registry_goes_in_with_exact_errors_per_line(backend: Backend) {
    let app = with_territories(backend).await;
    let mapping = ColumnMapping::default();

    let report = import(&app, REGISTRY, &mapping, false)
        .await
        .expect("import");
    assert_eq!(report.rows, 7);
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (3, 0, 0)
    );
    assert_eq!(
        report.errors,
        vec![
            error(
                4,
                Some("Codice fiscale"),
                "taxCode",
                RowProblem::Invalid(Invalid::BadChecksum)
            ),
            error(
                6,
                Some("Codice fiscale"),
                "taxCode",
                RowProblem::DuplicateOf { line: 2 }
            ),
            error(
                7,
                None,
                "",
                RowProblem::WrongWidth {
                    found: 2,
                    expected: 6
                }
            ),
            error(
                8,
                Some("Codice fiscale"),
                "taxCode",
                RowProblem::Invalid(Invalid::Required)
            ),
        ],
    );
    assert_eq!(report.rejected_rows(), 4);
    assert_eq!(
        report.errors[1].message(Lang::It),
        "riga 6, colonna «Codice fiscale»: codice fiscale già presente alla riga 2: la riga è ignorata"
    );
    assert_eq!(
        report
            .warnings
            .iter()
            .map(|w| (w.line, w.unknown_sector.as_str()))
            .collect::<Vec<_>>(),
        [(5, "bocce")]
    );

    // The shouting names of registries are written as names, and the
    // organisations are searchable.
    let schuster = organization(&app, "80117230153").await;
    assert_eq!(
        schuster.name,
        "Associazione Sportiva Dilettantistica Centro Schuster"
    );
    assert_eq!(schuster.kind, OrganizationKind::Association);
    assert_eq!(schuster.seat_municipality_code.as_deref(), Some("015146"));
    assert_eq!(
        organization_names(&app, "Leone XIII", json!({})).await,
        ["Polisportiva Istituto Leone XIII"]
    );

    // Importing again changes nothing and duplicates nothing.
    let again = import(&app, REGISTRY, &mapping, false)
        .await
        .expect("again");
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(again.errors, report.errors);
    assert_eq!(count_tax_code(&app, "80117230153").await, 1);

    // A corrected registry updates: a new name, an e-mail, the fixed row.
    let corrected = "\
codice_fiscale,denominazione,forma_giuridica,comune,email
97248050151,Polisportiva Leone XIII,Associazione,Milano,info@leonexiii.it
80106570155,ASSOCIAZIONE SOCIETA' CANOTIERI MILANO,ASD,Milano,info@canottierimilano.it
";
    let report = import(&app, corrected, &mapping, false)
        .await
        .expect("update");
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (0, 2, 0)
    );
    let leone = organization(&app, "97248050151").await;
    assert_eq!(leone.name, "Polisportiva Leone XIII");
    let contacts = organization_contacts::Entity::find()
        .filter(organization_contacts::Column::OrganizationId.eq(leone.id))
        .all(app.db())
        .await
        .expect("contacts");
    assert_eq!(
        contacts
            .iter()
            .map(|c| (c.kind.as_str(), c.value.as_str()))
            .collect::<Vec<_>>(),
        [("email", "info@leonexiii.it")]
    );
    assert_eq!(
        organization_names(&app, "Leone", json!({})).await,
        ["Polisportiva Leone XIII"]
    );
    app.stop().await;
}

async fn all_or_nothing_writes_nothing_when_a_row_is_bad(backend: Backend) {
    let app = with_territories(backend).await;
    let mapping = ColumnMapping::default();
    let organizations_before = organizations::Entity::find()
        .count(app.db())
        .await
        .expect("count");
    let outbox_before = search_outbox::Entity::find()
        .count(app.db())
        .await
        .expect("count");

    let aborted = import(&app, REGISTRY, &mapping, true)
        .await
        .expect_err("a bad row aborts");
    let ImportError::Aborted(report) = &aborted else {
        panic!("expected an abort, got {aborted:?}");
    };
    assert_eq!(report.rejected_rows(), 4);
    assert!(!report.written);
    assert_eq!(
        aborted.message(Lang::It),
        "4 righe con errori: con --all-or-nothing non è stato scritto nulla"
    );
    assert_eq!(
        organizations::Entity::find()
            .count(app.db())
            .await
            .expect("count"),
        organizations_before
    );
    assert_eq!(
        search_outbox::Entity::find()
            .count(app.db())
            .await
            .expect("count"),
        outbox_before
    );

    // The good rows alone go in, all together.
    let good: String = REGISTRY
        .lines()
        .enumerate()
        .filter(|(at, _)| [0, 1, 2].contains(at))
        .map(|(_, line)| format!("{line}\n"))
        .collect();
    let report = import(&app, &good, &mapping, true)
        .await
        .expect("clean file");
    assert_eq!((report.created, report.errors.len()), (2, 0));
    assert!(report.written);
    app.stop().await;
}

async fn missing_columns_are_refused_before_any_row(backend: Backend) {
    let app = with_territories(backend).await;
    let no_tax_code = "denominazione,comune\nCentro Schuster,Milano\n";
    match import(&app, no_tax_code, &ColumnMapping::default(), false).await {
        Err(ImportError::MissingRequired(fields)) => {
            assert_eq!(fields, [ImportField::TaxCode, ImportField::LegalForm]);
        }
        other => panic!("expected a missing column, got {other:?}"),
    }
    let mapping =
        ColumnMapping::parse_toml("[columns]\ntax_code = \"CF ente\"\n").expect("mapping");
    match import(&app, REGISTRY, &mapping, false).await {
        Err(ImportError::MissingColumns(missing)) => {
            assert_eq!(missing, [(ImportField::TaxCode, "CF ente".to_owned())]);
        }
        other => panic!("expected a missing mapped column, got {other:?}"),
    }
    assert_eq!(
        organizations::Entity::find()
            .count(app.db())
            .await
            .expect("count"),
        0
    );
    app.stop().await;
}

async fn a_mapping_file_reads_json_with_other_names(backend: Backend) {
    let app = with_territories(backend).await;
    let mapping = ColumnMapping::parse_toml(
        r#"
        [columns]
        tax_code = "cf"
        name = "ente"
        legal_form = "sezione"
        municipality = "sede"
        province = "prov"
        sectors = "ambiti"
        [kinds]
        "g) Altri enti del Terzo settore" = "association"
        [sectors]
        "Attività sportive dilettantistiche" = "sport"
        "#,
    )
    .expect("mapping");
    let json = r#"[
  {"cf": "80117230153", "ente": "Centro Schuster", "sezione": "g) Altri enti del Terzo settore",
   "sede": "Milano", "ambiti": ["Attività sportive dilettantistiche", "Cultura e animazione"]},
  {"cf": "97248050151", "ente": "Polisportiva a Castro", "sezione": "b) APS", "sede": "Castro"},
  {"cf": "80106570155", "ente": "Canottieri a Castro", "sezione": "b) APS", "sede": "Castro", "prov": "LE"},
  {"cf": "97627660158", "ente": "Ente misterioso", "sezione": "h) Altro", "sede": "Milano"}
]"#;
    let report = import_table(
        &app,
        &table(json, SourceFormat::Json),
        &mapping,
        "runts.json",
        false,
    )
    .await
    .expect("import");
    assert_eq!(report.created, 2, "{report:?}");
    assert_eq!(
        report
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_deref(), e.field.as_str()))
            .collect::<Vec<_>>(),
        [
            (4, Some("sede"), "seatMunicipalityCode"),
            (6, Some("sezione"), "kind")
        ]
    );
    assert!(matches!(
        &report.errors[0].problem,
        RowProblem::AmbiguousMunicipality { provinces, .. } if provinces.len() == 2
    ));
    let castro = organization(&app, "80106570155").await;
    assert_eq!(castro.kind, OrganizationKind::Aps);
    let lecce_castro = trama::store::entities::municipalities::Entity::find_by_id(
        castro.seat_municipality_code.clone().expect("seat"),
    )
    .one(app.db())
    .await
    .expect("query")
    .expect("municipality");
    assert_eq!(lecce_castro.province_code, "LE");
    let schuster = organization(&app, "80117230153").await;
    let sectors = trama::store::entities::organization_sectors::Entity::find()
        .filter(
            trama::store::entities::organization_sectors::Column::OrganizationId.eq(schuster.id),
        )
        .all(app.db())
        .await
        .expect("sectors");
    let mut codes: Vec<&str> = sectors.iter().map(|s| s.sector_code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["cultura", "sport"]);
    app.stop().await;
}

async fn a_registry_extract_verifies_and_feeds_the_art55_filter(backend: Backend) {
    let app = with_territories(backend).await;
    let organizations_csv = "\
codice_fiscale,denominazione,forma_giuridica,comune
80117230153,Volontari del Giambellino,ODV,Milano
97248050151,Cooperativa Lorenteggio Insieme,Cooperativa sociale di tipo B,Milano
80106570155,Banca di Credito Cooperativo di Milano,BCC,Milano
";
    let report = import(&app, organizations_csv, &ColumnMapping::default(), false)
        .await
        .expect("import");
    assert_eq!(report.created, 3);

    // An extract lists the ODV, the bank (a mistake of the extract: banks
    // are not third-sector bodies), a body not on Trama and a broken code.
    let extract = "\
Codice fiscale ente;Denominazione
80117230153;VOLONTARI DEL GIAMBELLINO ODV
80106570155;BCC MILANO
97627660158;ALTRO ENTE
12345678;ROTTO
";
    let source = RegistrySource {
        name: "RUNTS - estrazione Lombardia".to_owned(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
            .expect("date")
            .and_time(chrono::NaiveTime::MIN)
            .and_utc(),
        runts: true,
        dry_run: false,
    };
    let mapping =
        ColumnMapping::parse_toml("[columns]\ntax_code = \"Codice fiscale ente\"\n").expect("map");
    let verify = || async {
        verification::verify_from_registry(
            app.db(),
            &Actor::system("test"),
            &table(extract, SourceFormat::Csv),
            &mapping,
            &source,
        )
        .await
        .expect("verification")
    };
    let report = verify().await;
    assert_eq!(
        (
            report.rows,
            report.verified,
            report.unchanged,
            report.not_on_trama
        ),
        (4, 2, 0, 1)
    );
    assert_eq!(
        report
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect::<Vec<_>>(),
        [(5, "taxCode")]
    );
    let odv = organization(&app, "80117230153").await;
    assert_eq!(odv.verification_status, VerificationStatus::Verified);
    assert_eq!(
        odv.verification_source.as_deref(),
        Some("RUNTS - estrazione Lombardia")
    );
    assert_eq!(odv.verified_at, Some(source.date));
    assert!(odv.runts_registered);

    // Eligible for art. 55: the registered third-sector body only (the
    // co-op is not in the extract, the bank is not a third-sector body).
    assert_eq!(
        organization_names(
            &app,
            "",
            json!({ "types": ["ORGANIZATION"], "registeredThirdSectorOnly": true })
        )
        .await,
        ["Volontari del Giambellino"]
    );
    let mut verified = organization_names(
        &app,
        "",
        json!({ "types": ["ORGANIZATION"], "verifiedOnly": true }),
    )
    .await;
    verified.sort();
    assert_eq!(
        verified,
        [
            "Banca di Credito Cooperativo di Milano",
            "Volontari del Giambellino"
        ]
    );

    // Applying the same extract again changes nothing.
    let again = verify().await;
    assert_eq!((again.verified, again.unchanged), (0, 2));
    app.stop().await;
}

/// The real command, as an office would run it: exit status 2 for a file
/// with refused rows, the report on the terminal, and the organisations
/// searchable in the index directory the moment it returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_command_reports_and_leaves_the_registry_searchable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("registro.csv");
    std::fs::write(&file, REGISTRY).expect("write the registry");
    let output = trama_command()
        .args(["import", "organizations"])
        .arg(&file)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--errors")
        .arg(dir.path().join("errori.csv"))
        .output()
        .expect("run trama import");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("registro.csv: 7 righe lette; organizzazioni: 3 nuove, 0 aggiornate, 0 invariate; 4 righe rifiutate"),
        "{stdout}"
    );
    assert!(
        stderr
            .contains("riga 6, colonna «Codice fiscale»: codice fiscale già presente alla riga 2"),
        "{stderr}"
    );

    // Every refused row, for a spreadsheet.
    let errors = std::fs::read_to_string(dir.path().join("errori.csv")).expect("errors file");
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines.len(), 5, "{errors}");
    assert_eq!(lines[0], "riga,colonna,campo,codice,messaggio");
    assert!(
        lines[2].starts_with("6,Codice fiscale,taxCode,duplicate,"),
        "{errors}"
    );

    // Nobody indexes any more: what the command committed is what is found.
    let (index, _) =
        trama::search::SearchIndex::open_or_create(&dir.path().join("data").join("index"))
            .expect("open the index");
    let results = index
        .search(&trama::search::SearchRequest::new("Canotieri"))
        .expect("search");
    assert_eq!(results.total, 1);
}
