//! Open data, on both databases: the download URLs serve the public needs,
//! offers and signed pacts with their documented columns, leave out drafts,
//! hidden records and unsigned or private projects, quote CSV properly, and
//! give the same bytes as the service `trama export` runs.

use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;
use trama::domain::{
    NeedInput, OfferInput, OrganizationInput, PartnerRole, ProjectProcedure, ProjectStage,
};
use trama::services::opendata::{self, Dataset, ExportFormat};
use trama::services::reference_data::{self, MILANO, neighbourhood_id};
use trama::services::{Actor, needs, offers, organizations};
use trama::store::entities::{needs as need_rows, project_partners, projects};
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, load_territories};
use crate::on_both_databases;

on_both_databases!(
    the_download_urls_serve_public_records_only,
    the_cli_and_the_urls_give_the_same_files,
    browsers_get_every_file_compressed,
);

const TRICKY: &str = "Scale, androni e \"cortili\"\nda ripulire; via Odazio 6";

struct Fixture {
    aler: Uuid,
    coop: Uuid,
    open_need: Uuid,
    closed_need: Uuid,
    draft_need: Uuid,
    hidden_need: Uuid,
    offer: Uuid,
    draft_offer: Uuid,
    signed_pact: Uuid,
}

fn need(title: &str, status: Option<&str>) -> NeedInput {
    NeedInput {
        kind: "space_regeneration".into(),
        title: title.into(),
        description: TRICKY.into(),
        budget_cents: Some(1_234_550),
        deadline_at: chrono::DateTime::from_timestamp(1_893_448_800, 0),
        neighbourhood_id: Some(neighbourhood_id(MILANO, "53").to_string()),
        required_contributions: vec!["competence".into(), "volunteers".into()],
        sectors: vec!["beni_comuni".into()],
        status: status.map(str::to_owned),
        ..Default::default()
    }
}

async fn project(
    app: &TestApp,
    title: &str,
    need: Uuid,
    lead: Uuid,
    partner: Uuid,
    public: bool,
    signed: bool,
) -> Uuid {
    let id = Uuid::now_v7();
    let at = trama::services::now();
    projects::ActiveModel {
        id: Set(id),
        title: Set(title.into()),
        description: Set("Patto di collaborazione per la cura delle scale.".into()),
        procedure: Set(ProjectProcedure::PattoCollaborazione),
        stage: Set(if signed {
            ProjectStage::Delivery
        } else {
            ProjectStage::Proposal
        }),
        need_id: Set(Some(need)),
        lead_organization_id: Set(lead),
        is_public: Set(public),
        signed_at: Set(signed.then_some(at)),
        created_by: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .expect("project");
    for (organization, role) in [(lead, PartnerRole::Lead), (partner, PartnerRole::Partner)] {
        project_partners::ActiveModel {
            id: Set(Uuid::now_v7()),
            project_id: Set(id),
            organization_id: Set(organization),
            role: Set(role),
            match_id: Set(None),
            joined_at: Set(at),
            left_at: Set(None),
            ..Default::default()
        }
        .insert(app.db())
        .await
        .expect("partner");
    }
    id
}

async fn fixture(app: &TestApp) -> Fixture {
    let db = app.db();
    reference_data::load_sectors(db).await.expect("sectors");
    load_territories(db).await;
    let actor = Actor::system("test");
    let org = |name: &str, kind: &str, tax_code: &str| OrganizationInput {
        name: name.into(),
        kind: kind.into(),
        tax_code: Some(tax_code.into()),
        description: "Un'organizzazione di prova.".into(),
        ..Default::default()
    };
    let aler = organizations::create(
        db,
        &actor,
        &org("ALER Milano", "public_housing_agency", "01349670156"),
        None,
    )
    .await
    .expect("ALER")
    .id;
    let coop = organizations::create(
        db,
        &actor,
        &org("Ripuliamo, \"il\" Quartiere", "onlus", "96971753502"),
        None,
    )
    .await
    .expect("ONLUS")
    .id;
    let open_need = needs::create(db, &actor, aler, &need("Scale da ripulire", None))
        .await
        .expect("open need")
        .id;
    let closed_need = needs::create(
        db,
        &actor,
        aler,
        &need("Androni ripuliti l'anno scorso", Some("closed")),
    )
    .await
    .expect("closed need")
    .id;
    let draft_need = needs::create(db, &actor, aler, &need("Bozza riservata", Some("draft")))
        .await
        .expect("draft need")
        .id;
    let hidden = needs::create(db, &actor, aler, &need("Annuncio nascosto", None))
        .await
        .expect("hidden need");
    let hidden_need = hidden.id;
    let mut row: need_rows::ActiveModel = hidden.into();
    row.hidden_at = Set(Some(trama::services::now()));
    row.hidden_reason = Set(Some("spam".into()));
    row.update(db).await.expect("hide");
    let offer_input = |title: &str, status: Option<&str>| OfferInput {
        kind: "competence".into(),
        title: title.into(),
        description: "Giornate di Clean Up, con l'attrezzatura.".into(),
        amount_min_cents: Some(100),
        amount_max_cents: Some(250_000),
        territory_scope: "municipality".into(),
        municipality_code: Some(MILANO.into()),
        sectors: vec!["beni_comuni".into()],
        status: status.map(str::to_owned),
        ..Default::default()
    };
    let offer = offers::create(db, &actor, coop, &offer_input("Clean Up", None))
        .await
        .expect("offer")
        .id;
    let draft_offer = offers::create(
        db,
        &actor,
        coop,
        &offer_input("Offerta in bozza", Some("draft")),
    )
    .await
    .expect("draft offer")
    .id;
    let signed_pact = project(app, "Patto per le scale", open_need, aler, coop, true, true).await;
    project(app, "Patto riservato", open_need, aler, coop, false, true).await;
    project(
        app,
        "Patto in discussione",
        closed_need,
        aler,
        coop,
        true,
        false,
    )
    .await;
    Fixture {
        aler,
        coop,
        open_need,
        closed_need,
        draft_need,
        hidden_need,
        offer,
        draft_offer,
        signed_pact,
    }
}

/// The CSV's header and its rows as maps from column to value.
fn read_csv(body: &str) -> (Vec<String>, Vec<std::collections::HashMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|record| {
            let record = record.expect("a well-formed CSV row");
            header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

async fn download(app: &TestApp, path: &str, content_type: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    let headers = response.headers().clone();
    assert_eq!(
        headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
        content_type,
        "{path}"
    );
    let file = path.trim_start_matches("/opendata/");
    assert_eq!(
        headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
        format!("attachment; filename=\"trama-{file}\""),
        "{path}"
    );
    response.text().await.expect("body")
}

async fn the_download_urls_serve_public_records_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = fixture(&app).await;

    // Needs: the open and the closed one, not the draft nor the hidden one.
    let body = download(&app, "/opendata/needs.csv", "text/csv; charset=utf-8").await;
    let (header, rows) = read_csv(&body);
    assert_eq!(header, Dataset::Needs.columns());
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        [f.open_need.to_string(), f.closed_need.to_string()],
        "{body}"
    );
    assert!(!body.contains(&f.draft_need.to_string()));
    assert!(!body.contains(&f.hidden_need.to_string()));
    let open = &rows[0];
    // Commas, quotes, a semicolon and a newline come back as they went in.
    assert_eq!(open["description"], TRICKY);
    assert_eq!(open["status"], "open");
    assert_eq!(open["kind"], "space_regeneration");
    assert_eq!(open["kind_label"], "Rigenerazione di spazi");
    assert_eq!(open["organization_id"], f.aler.to_string());
    assert_eq!(open["organization_tax_code"], "01349670156");
    assert_eq!(open["municipality_istat_code"], "015146");
    assert_eq!(open["nil_code"], "53");
    assert_eq!(open["nil_name"], "Lorenteggio");
    assert_eq!(open["budget_eur"], "12345.50");
    assert_eq!(open["deadline"], "2029-12-31T22:00:00Z");
    assert_eq!(open["required_contributions"], "competence;volunteers");
    assert_eq!(open["requires_third_sector_registration"], "false");
    assert_eq!(open["lat"], "");
    assert_eq!(rows[1]["status"], "closed");
    assert!(!rows[1]["closed_at"].is_empty());

    // The JSON has the same rows and the same fields, with typed values.
    let body = download(
        &app,
        "/opendata/needs.json",
        "application/json; charset=utf-8",
    )
    .await;
    let json: Value = serde_json::from_str(&body).expect("JSON");
    let items = json.as_array().expect("an array");
    assert_eq!(items.len(), 2);
    let keys: Vec<&str> = items[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected: Vec<&str> = Dataset::Needs.columns().to_vec();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    assert_eq!(items[0]["description"], TRICKY);
    assert_eq!(items[0]["budget_eur"], 12345.5);
    assert_eq!(
        items[0]["required_contributions"],
        serde_json::json!(["competence", "volunteers"])
    );
    assert_eq!(items[0]["requires_third_sector_registration"], false);
    assert_eq!(items[0]["lat"], Value::Null);

    // Offers: not the draft; the organisation's name keeps its quotes.
    let body = download(&app, "/opendata/offers.csv", "text/csv; charset=utf-8").await;
    let (header, rows) = read_csv(&body);
    assert_eq!(header, Dataset::Offers.columns());
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["id"], f.offer.to_string());
    assert_eq!(rows[0]["organization_name"], "Ripuliamo, \"il\" Quartiere");
    assert_eq!(rows[0]["amount_min_eur"], "1.00");
    assert_eq!(rows[0]["amount_max_eur"], "2500.00");
    assert!(!body.contains(&f.draft_offer.to_string()));

    // Pacts: only the signed, public one, with both partners.
    let body = download(&app, "/opendata/pacts.csv", "text/csv; charset=utf-8").await;
    let (header, rows) = read_csv(&body);
    assert_eq!(header, Dataset::Pacts.columns());
    assert_eq!(rows.len(), 1, "{body}");
    let pact = &rows[0];
    assert_eq!(pact["id"], f.signed_pact.to_string());
    assert_eq!(pact["procedure"], "patto_collaborazione");
    assert_eq!(pact["stage_label"], "Realizzazione");
    assert_eq!(pact["need_id"], f.open_need.to_string());
    assert_eq!(pact["lead_organization_name"], "ALER Milano");
    assert_eq!(pact["partners"], "ALER Milano;Ripuliamo, \"il\" Quartiere");
    assert_eq!(pact["partner_tax_codes"], "01349670156;96971753502");
    assert_eq!(pact["nil_name"], "Lorenteggio");
    assert!(!pact["signed_at"].is_empty());

    // Once the ONLUS is hidden by a moderator its offer leaves the file, and
    // it leaves the pact's partners.
    let org = organizations::get(app.db(), f.coop, "id")
        .await
        .expect("organisation");
    let mut row: trama::store::entities::organizations::ActiveModel = org.into();
    row.hidden_at = Set(Some(trama::services::now()));
    row.update(app.db()).await.expect("hide");
    let body = download(&app, "/opendata/offers.csv", "text/csv; charset=utf-8").await;
    assert_eq!(read_csv(&body).1.len(), 0, "{body}");
    let body = download(
        &app,
        "/opendata/pacts.json",
        "application/json; charset=utf-8",
    )
    .await;
    let json: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(json[0]["partners"], serde_json::json!(["ALER Milano"]));

    // Only the six files exist.
    assert_eq!(app.get("/opendata/users.csv").await.status(), 404);
    assert_eq!(app.get("/opendata/needs.xlsx").await.status(), 404);
    app.stop().await;
}

async fn the_cli_and_the_urls_give_the_same_files(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    fixture(&app).await;
    for dataset in Dataset::ALL {
        for format in ExportFormat::ALL {
            let path = format!("/opendata/{}.{}", dataset.as_str(), format.as_str());
            let served = app.get(&path).await.bytes().await.expect("body");
            let exported = opendata::export_bytes(app.db(), dataset, format)
                .await
                .expect("export");
            assert_eq!(served.as_ref(), exported.as_slice(), "{path}");
            // Page boundaries change nothing (the fixture has two needs).
            let paged = opendata::collect(
                opendata::Exporter::new(app.db().clone(), dataset, format).with_page_size(1),
            )
            .await
            .expect("export");
            assert_eq!(paged, exported, "{path} in pages of one row");
        }
    }
    // An empty table is a header alone, or an empty array.
    let env = crate::helpers::TestEnv::new(backend).await;
    let state = env.state().await;
    let csv = opendata::export_bytes(&state.db, Dataset::Pacts, ExportFormat::Csv)
        .await
        .expect("export");
    assert_eq!(csv.iter().filter(|b| **b == b'\n').count(), 1);
    let json = opendata::export_bytes(&state.db, Dataset::Needs, ExportFormat::Json)
        .await
        .expect("export");
    assert_eq!(
        serde_json::from_slice::<Value>(&json).expect("JSON"),
        serde_json::json!([])
    );
    state.search.shutdown().await;
    app.stop().await;
}

/// Browsers ask for gzip: each of the six files arrives compressed, whole,
/// and the same as uncompressed (a stream polled once more after its end
/// used to panic inside the compression layer and cut every reply short).
async fn browsers_get_every_file_compressed(backend: Backend) {
    use std::io::Read;
    let app = TestApp::spawn(backend).await;
    fixture(&app).await;
    for dataset in Dataset::ALL {
        for format in ExportFormat::ALL {
            let path = format!("/opendata/{}.{}", dataset.as_str(), format.as_str());
            let response = app
                .client
                .get(app.url(&path))
                .header("accept-encoding", "gzip, deflate, br")
                .send()
                .await
                .expect("GET");
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(
                response
                    .headers()
                    .get("content-encoding")
                    .and_then(|v| v.to_str().ok()),
                Some("gzip"),
                "{path}"
            );
            let compressed = response.bytes().await.expect("the whole body");
            let mut file = Vec::new();
            flate2::read::GzDecoder::new(compressed.as_ref())
                .read_to_end(&mut file)
                .unwrap_or_else(|e| panic!("{path}: not valid gzip ({e})"));
            let exported = opendata::export_bytes(app.db(), dataset, format)
                .await
                .expect("export");
            assert_eq!(
                String::from_utf8_lossy(&file),
                String::from_utf8_lossy(&exported),
                "{path}"
            );
            // The content itself: a header and the public rows, or a JSON
            // array of them.
            match format {
                ExportFormat::Csv => assert!(file.ends_with(b"\n"), "{path}"),
                ExportFormat::Json => {
                    let rows: Value = serde_json::from_slice(&file).expect("JSON");
                    assert!(rows.is_array(), "{path}");
                }
            }
        }
    }
    let (_, needs) = read_csv(&gunzip_get(&app, "/opendata/needs.csv").await);
    assert_eq!(needs.len(), 2, "the open and the closed need");
    app.stop().await;
}

async fn gunzip_get(app: &TestApp, path: &str) -> String {
    use std::io::Read;
    let compressed = app
        .client
        .get(app.url(path))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET")
        .bytes()
        .await
        .expect("body");
    let mut text = String::new();
    flate2::read::GzDecoder::new(compressed.as_ref())
        .read_to_string(&mut text)
        .expect("gzip");
    text
}
