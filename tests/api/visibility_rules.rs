//! One test per rule of the visibility policy (`src/policy/visibility.rs`),
//! each checked on every reader: GraphQL, search, open data and digests.
//! The rules of hidden records, contacts and members lists are checked on
//! the same readers in `visibility.rs`.

use serde_json::{Value, json};
use trama::domain::DigestFrequency;
use trama::services::digests::{self, DigestSettingsInput};
use trama::services::opendata::{self, Dataset, ExportFormat};
use trama::services::{Actor, accounts};

use crate::helpers::{Backend, TestApp, caught_up, gql, outcome};
use crate::on_both_databases;
use crate::visibility::{
    Person, comune_input, coop_input, create_need, create_offer, mediation_need, mediation_offer,
    organisation, person, settle, territories,
};

on_both_databases!(
    a_need_shows_its_exact_place_only_when_it_chose_to,
    drafts_are_for_their_organisation_only,
);

/// Far from the centre of neighbourhood 53 (Giambellino), still in Milano:
/// a search near it tells the exact point from the neighbourhood's centre.
const LAT: f64 = 45.52;
const LON: f64 = 9.22;

/// The co-operative (admin Anna) offering mediation, the municipality
/// (admin Carla) that publishes needs, and an outsider (Otto). Both admins
/// get daily digests, so matches reach a digest.
struct World {
    anna: Person,
    carla: Person,
    otto: Person,
    comune: String,
}

async fn world(app: &TestApp) -> World {
    territories(app).await;
    let anna = person(app, "anna@example.org", "Anna Bianchi", true).await;
    let carla = person(app, "carla@example.org", "Carla Neri", true).await;
    let otto = person(app, "otto@example.org", "Otto Esterni", true).await;
    for who in [&anna, &carla] {
        digests::update_settings(
            app.db(),
            Some(&Actor::user(who.id, &who.email)),
            &DigestSettingsInput {
                frequency: Some(DigestFrequency::Daily),
                ..DigestSettingsInput::default()
            },
        )
        .await
        .expect("digest settings");
    }
    let coop = organisation(app, &anna, coop_input(json!([]))).await;
    let comune = organisation(app, &carla, comune_input()).await;
    create_offer(app, &anna, &coop, mediation_offer("Mediazione di vicinato")).await;
    World {
        anna,
        carla,
        otto,
        comune,
    }
}

/// The digest `who` would get now, as text and HTML ("" when none).
async fn digest(app: &TestApp, who: &Person) -> String {
    let preview = digests::preview(app.db(), &app.state.search, &app.state.settings, &who.email)
        .await
        .expect("preview");
    preview.map_or_else(String::new, |m| format!("{}\n{}", m.text, m.html))
}

/// The open-data needs as JSON rows.
async fn open_needs(app: &TestApp) -> Vec<Value> {
    let bytes = opendata::export_bytes(app.db(), Dataset::Needs, ExportFormat::Json)
        .await
        .expect("export");
    let rows: Value = serde_json::from_slice(&bytes).expect("json");
    rows.as_array().expect("rows").clone()
}

fn open_row<'a>(rows: &'a [Value], id: &str) -> Option<&'a Value> {
    rows.iter().find(|r| r["id"] == id)
}

/// The search hits for `query` among needs, near the test point.
async fn search_near(app: &TestApp, query: &str) -> Vec<Value> {
    let body = gql(
        app,
        None,
        "query($q: String!, $lat: Float!, $lon: Float!) { search(query: $q, filter: { types: [NEED], near: { lat: $lat, lon: $lon } }) { edges { node { id distanceKm } } } }",
        json!({ "q": query, "lat": LAT, "lon": LON }),
    )
    .await;
    assert_eq!(outcome(&body), "OK", "{body}");
    body["data"]["search"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Rule: a need that hides its address shows no coordinates, to anyone (its
/// own members included) and on every reader; one that chose EXACT shows
/// them.
async fn a_need_shows_its_exact_place_only_when_it_chose_to(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let mut hidden = mediation_need("Mediazione nei cortili riservati");
    hidden["lat"] = json!(LAT);
    hidden["lon"] = json!(LON);
    hidden["locationPrecision"] = json!("NEIGHBOURHOOD");
    let hidden = create_need(&app, &w.carla, &w.comune, hidden).await;
    let mut exact = mediation_need("Mediazione nel cortile aperto");
    exact["lat"] = json!(LAT);
    exact["lon"] = json!(LON);
    exact["locationPrecision"] = json!("EXACT");
    let exact = create_need(&app, &w.carla, &w.comune, exact).await;
    settle(&app).await;
    assert!(caught_up(&app.state.search).await);

    // GraphQL: the same for the public, an outsider and the need's own admin.
    let query = "query($id: ID!) { need(id: $id) { location { lat lon } } }";
    for token in [
        None,
        Some(w.otto.token.as_str()),
        Some(w.carla.token.as_str()),
    ] {
        let body = gql(&app, token, query, json!({ "id": hidden })).await;
        assert_eq!(outcome(&body), "OK", "{body}");
        assert_eq!(body["data"]["need"]["location"], Value::Null, "{body}");
        let body = gql(&app, token, query, json!({ "id": exact })).await;
        assert_eq!(
            body["data"]["need"]["location"]["lat"],
            json!(LAT),
            "{body}"
        );
    }

    // Search: the hidden need is placed at its neighbourhood, kilometres
    // from its address; the exact one at its point.
    let hits = search_near(&app, "mediazione cortili cortile").await;
    let distance = |id: &str| {
        hits.iter()
            .find(|h| h["id"] == id)
            .and_then(|h| h["distanceKm"].as_f64())
            .unwrap_or_else(|| panic!("{id} placed in {hits:?}"))
    };
    assert!(distance(&hidden) > 1.0, "{hits:?}");
    assert!(distance(&exact) < 0.1, "{hits:?}");

    // Open data: no coordinates for the hidden need.
    let rows = open_needs(&app).await;
    let row = open_row(&rows, &hidden).expect("the hidden-address need is public");
    assert_eq!((&row["lat"], &row["lon"]), (&Value::Null, &Value::Null));
    let row = open_row(&rows, &exact).expect("the exact need is public");
    assert_eq!(row["lat"].as_f64(), Some(LAT), "{row}");

    // Digests: the co-operative's digest does not carry the address either.
    let text = digest(&app, &w.anna).await;
    assert!(!text.contains("45.52"), "{text}");
}

/// Rule: a draft is seen only by its organisation's members and the
/// moderators: absent from GraphQL for others, from search, from open data
/// and from digests.
async fn drafts_are_for_their_organisation_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let mut draft = mediation_need("Bozza di mediazione nei caseggiati");
    draft["status"] = json!("DRAFT");
    let draft = create_need(&app, &w.carla, &w.comune, draft).await;
    let mara = person(&app, "mara@example.org", "Mara Moderatrice", true).await;
    accounts::set_moderator(app.db(), &mara.email, true)
        .await
        .expect("moderator");
    settle(&app).await;
    assert!(caught_up(&app.state.search).await);

    // GraphQL: by link, and in the organisation's list of drafts.
    let query = "query($id: ID!) { need(id: $id) { title } }";
    for (token, seen) in [
        (None, false),
        (Some(w.otto.token.as_str()), false),
        (Some(w.anna.token.as_str()), false),
        (Some(w.carla.token.as_str()), true),
        (Some(mara.token.as_str()), true),
    ] {
        let body = gql(&app, token, query, json!({ "id": draft })).await;
        let expected = if seen { "OK" } else { "NOT_FOUND" };
        assert_eq!(outcome(&body), expected, "{body}");
    }
    let list = "query($org: ID!) { needs(filter: { status: DRAFT, organizationId: $org }) { edges { node { id } } } }";
    for (token, expected) in [
        (None, "UNAUTHENTICATED"),
        (Some(w.otto.token.as_str()), "FORBIDDEN"),
        (Some(w.carla.token.as_str()), "OK"),
    ] {
        let body = gql(&app, token, list, json!({ "org": w.comune })).await;
        assert_eq!(outcome(&body), expected, "{body}");
    }
    let body = gql(
        &app,
        Some(&w.carla.token),
        "{ needs(filter: { status: DRAFT }) { edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");

    // Search, open data, digests: nowhere.
    let hits = search_near(&app, "bozza mediazione caseggiati").await;
    assert!(hits.iter().all(|h| h["id"] != draft), "{hits:?}");
    assert!(open_row(&open_needs(&app).await, &draft).is_none());
    let text = digest(&app, &w.anna).await;
    assert!(!text.contains("Bozza di mediazione"), "{text}");
}
