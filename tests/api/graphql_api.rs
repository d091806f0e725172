//! The GraphQL API over real HTTP, on both databases: reading records by id,
//! error codes with fields, languages, hidden contacts and locations, and the
//! committed SDL.

use serde_json::{Value, json};
use trama::domain::NeedInput;
use trama::services::reference_data::{MILANO, neighbourhood_id};
use trama::services::{Actor, needs};

use crate::helpers::{Backend, TestApp, gql_ok, gql_via};
use crate::on_both_databases;

on_both_databases!(
    demo_records_are_readable_by_id,
    malformed_and_unknown_ids_get_codes_and_fields,
    errors_speak_italian_unless_english_is_asked,
    non_public_contacts_and_hidden_locations_stay_hidden,
);

const ORGANIZATION: &str = r#"query Organization($id: ID!) {
  organization(id: $id) {
    id name kind kindLabel taxCode verificationStatus runtsRegistered
    seatMunicipality { istatCode name provinceCode location { approximate } }
    sectors { code name }
    neighbourhoods { code name }
    contacts { kind value }
  }
}"#;

async fn demo_app(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    trama::seed::demo(app.db()).await.expect("demo");
    app
}

async fn id_of(app: &TestApp, sql_table: &str, title_column: &str, title: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db().get_database_backend();
    let placeholder = if backend == sea_orm::DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let row = app
        .db()
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT id FROM {sql_table} WHERE {title_column} = {placeholder}"),
            [title.into()],
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get::<uuid::Uuid>("", "id").expect("id").to_string()
}

/// The demo record of `sql_table` whose `title_column` is `title`, read
/// anonymously through `query` (which takes its `$id`); asserts the read
/// succeeds.
async fn read_demo_record(
    app: &TestApp,
    sql_table: &str,
    title_column: &str,
    title: &str,
    query: &str,
) -> Value {
    let id = id_of(app, sql_table, title_column, title).await;
    gql_ok(app, None, query, json!({ "id": id })).await
}

async fn demo_records_are_readable_by_id(backend: Backend) {
    let app = demo_app(backend).await;
    let body = read_demo_record(&app, "organizations", "name", "ALER Milano", ORGANIZATION).await;
    let org = &body["data"]["organization"];
    assert_eq!(org["name"], "ALER Milano");
    assert_eq!(org["kind"], "PUBLIC_HOUSING_AGENCY");
    assert_eq!(org["taxCode"], "01349670156");
    assert_eq!(org["verificationStatus"], "VERIFIED");
    assert_eq!(org["seatMunicipality"]["istatCode"], "015146");
    assert_eq!(org["seatMunicipality"]["name"], "Milano");
    assert_eq!(org["seatMunicipality"]["location"]["approximate"], true);
    let neighbourhoods: Vec<&str> = org["neighbourhoods"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|n| n["name"].as_str())
        .collect();
    assert!(neighbourhoods.contains(&"San Siro"), "{neighbourhoods:?}");
    assert!(
        neighbourhoods.contains(&"Lorenteggio"),
        "{neighbourhoods:?}"
    );

    let title = "Portierato sociale nel quartiere San Siro";
    let query = r#"query Need($id: ID!) { need(id: $id) {
                title kind budget { cents formatted } deadlineAt requiredContributions
                eligibleOrganizationKinds neighbourhood { code name } organization { name }
                locationPrecision location { lat } status sectors { code }
            } }"#;
    let body = read_demo_record(&app, "needs", "title", title, query).await;
    let need = &body["data"]["need"];
    assert_eq!(need["kind"], "SOCIAL_CONCIERGE");
    assert_eq!(need["budget"]["cents"], 8_000_000);
    assert_eq!(need["budget"]["formatted"], "80.000,00 €");
    assert_eq!(need["deadlineAt"], "2027-03-01T11:00:00+00:00");
    assert_eq!(need["requiredContributions"], json!(["COMPETENCE"]));
    assert_eq!(
        need["neighbourhood"],
        json!({ "code": "57", "name": "San Siro" })
    );
    assert_eq!(need["organization"]["name"], "ALER Milano");
    assert_eq!(need["status"], "OPEN");

    let title = "Mutui per l'abitare collaborativo e l'ERS";
    let query = r#"query Offer($id: ID!) { offer(id: $id) {
                kind amountMin { cents } amountMax { cents formatted(lang: EN) } territoryScope
                eligibleOrganizationKinds organization { kind }
            } }"#;
    let body = read_demo_record(&app, "offers", "title", title, query).await;
    let offer = &body["data"]["offer"];
    assert_eq!(offer["kind"], "LOAN");
    assert_eq!(offer["amountMin"]["cents"], 20_000_000);
    assert_eq!(offer["amountMax"]["cents"], 300_000_000);
    assert_eq!(offer["territoryScope"], "NATIONAL");
    assert_eq!(offer["organization"]["kind"], "BANK");

    let stats = app
        .graphql("{ platformStats { organizations openOffers openNeeds municipalities neighbourhoods } }", json!({}))
        .await;
    let stats = &stats["data"]["platformStats"];
    // Where the demo is (its organisations' seats around the metropolitan
    // area, its postings in about 30 municipalities and 40 neighbourhoods),
    // not the 7,904 reference municipalities nor all 88 NIL.
    let municipalities = stats["municipalities"].as_u64().expect("number");
    assert!((20..=200).contains(&municipalities), "{stats}");
    let neighbourhoods = stats["neighbourhoods"].as_u64().expect("number");
    assert!((20..88).contains(&neighbourhoods), "{stats}");
    assert!(
        stats["organizations"].as_u64().expect("number") >= 100,
        "{stats}"
    );
    assert!(
        stats["openOffers"].as_u64().expect("number") >= 20,
        "{stats}"
    );
    assert!(
        stats["openNeeds"].as_u64().expect("number") >= 10,
        "{stats}"
    );
    app.stop().await;
}

async fn malformed_and_unknown_ids_get_codes_and_fields(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for operation in ["organization", "offer", "need"] {
        let query = format!("query($id: ID!) {{ {operation}(id: $id) {{ id }} }}");
        let body = app.graphql(&query, json!({ "id": "non-un-id" })).await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(error["extensions"]["field"], "id");
        assert_eq!(error["extensions"]["fields"][0]["reason"], "bad_format");

        let body = app
            .graphql(&query, json!({ "id": uuid::Uuid::now_v7().to_string() }))
            .await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "NOT_FOUND", "{body}");
        assert_eq!(error["extensions"]["field"], "id");
        assert_eq!(error["path"], json!([operation]));
    }
    app.stop().await;
}

async fn errors_speak_italian_unless_english_is_asked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let query = "{ need(id: \"x\") { id } }";
    let italian = gql_via(&app.client, &app, None, None, query, json!({})).await;
    assert_eq!(
        italian["errors"][0]["message"],
        "Identificativo: serve un identificativo valido (UUID)"
    );
    let english = gql_via(
        &app.client,
        &app,
        None,
        Some("en-GB,en;q=0.9,it;q=0.5"),
        query,
        json!({}),
    )
    .await;
    assert_eq!(
        english["errors"][0]["message"],
        "Identifier: expected a valid identifier (UUID)"
    );
    app.stop().await;
}

async fn non_public_contacts_and_hidden_locations_stay_hidden(backend: Backend) {
    let app = demo_app(backend).await;
    // The tenants' committee shares its phone with members only.
    let committee = id_of(
        &app,
        "organizations",
        "name",
        "Comitato inquilini Lorenteggio",
    )
    .await;
    let body = app.graphql(ORGANIZATION, json!({ "id": committee })).await;
    assert_eq!(
        body["data"]["organization"]["contacts"],
        json!([]),
        "{body}"
    );
    assert_eq!(
        body["data"]["organization"]["taxCode"],
        serde_json::Value::Null
    );
    // The Comune's PEC is public.
    let comune = id_of(&app, "organizations", "name", "Comune di Milano").await;
    let body = app.graphql(ORGANIZATION, json!({ "id": comune })).await;
    assert_eq!(
        body["data"]["organization"]["contacts"],
        json!([{ "kind": "PEC", "value": "protocollo@postacert.comune.milano.it" }])
    );

    // A need that protects vulnerable people shows its neighbourhood, not its address.
    let aler = trama::services::organizations::find_by_tax_code(app.db(), "01349670156")
        .await
        .expect("query")
        .expect("ALER");
    let input = NeedInput {
        kind: "community_service".into(),
        title: "Sportello antiviolenza".into(),
        description: "Accoglienza riservata.".into(),
        neighbourhood_id: Some(neighbourhood_id(MILANO, "41").to_string()),
        lat: Some(45.4305),
        lon: Some(9.1701),
        ..Default::default()
    };
    let hidden = needs::create(app.db(), &Actor::system("test"), aler.id, &input)
        .await
        .expect("need");
    let body = app
        .graphql(
            "query($id: ID!) { need(id: $id) { locationPrecision location { lat lon } neighbourhood { name } } }",
            json!({ "id": hidden.id.to_string() }),
        )
        .await;
    assert_eq!(
        body["data"]["need"]["locationPrecision"], "NEIGHBOURHOOD",
        "{body}"
    );
    assert_eq!(body["data"]["need"]["location"], serde_json::Value::Null);
    assert_eq!(
        body["data"]["need"]["neighbourhood"]["name"],
        "Gratosoglio - Q.re Missaglia - Q.re Terrazze"
    );
    app.stop().await;
}

/// The committed SDL is what the code serves; regenerate it with
/// `cargo run -- graphql-schema --write graphql/schema.graphql`.
#[test]
fn committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/graphql/schema.graphql"
    ))
    .expect("graphql/schema.graphql is committed");
    let current = trama::graphql::sdl();
    assert!(
        committed == current,
        "graphql/schema.graphql is out of date: run `cargo run -- graphql-schema --write graphql/schema.graphql`"
    );
}
