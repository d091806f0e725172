//! Postings over more than one place (issue 16), through the API on both
//! databases: an offer that serves three neighbourhoods is read back with
//! them, found by each in search and matched to a need in any of them,
//! and no longer once an edit drops that neighbourhood; a need over the
//! metropolitan area meets offers of other municipalities of the province
//! and not of another province (which `whyNotMatched` explains); open
//! data lists the other places and the scope, the observatory counts a
//! posting in each; places
//! that do not exist are refused field by field, with nothing written.

use serde_json::{Value, json};
use trama::services::observatory::Area;
use trama::services::reference_data::{MILANO, neighbourhood_id};
use uuid::Uuid;

use crate::helpers::{Backend, PATIENT, TestApp, gql, gql_ok, outcome, search_nodes, wait_until};
use crate::matching::settle;
use crate::on_both_databases;
use crate::visibility::create_as;

on_both_databases!(
    an_offer_over_several_neighbourhoods_is_found_and_matched_in_each,
    a_need_over_the_metropolitan_area_meets_offers_across_its_province,
    places_that_do_not_exist_are_refused_field_by_field,
);

const SESTO_SAN_GIOVANNI: &str = "015209";
const BERGAMO: &str = "016024";

fn nil(code: &str) -> String {
    neighbourhood_id(MILANO, code).to_string()
}

/// A Municipio and a co-operative, each with a signed-in admin:
/// `(need admin, need org, offer admin, offer org)`.
async fn two_sides(app: &TestApp) -> (String, String, String, String) {
    crate::matching::two_sides(
        app,
        "municipio@example.org",
        "Municipio 6",
        "Cooperativa Ponti di Quartiere",
    )
    .await
}

fn mediation_need(neighbourhood: &str) -> Value {
    json!({
        "kind": "SOCIAL_MEDIATION",
        "title": "Mediazione dei conflitti di vicinato nei caseggiati",
        "description": "Cerchiamo mediatori sociali per i conflitti di vicinato nei caseggiati popolari del quartiere.",
        "municipalityCode": MILANO,
        "neighbourhoodId": nil(neighbourhood),
        "requiredContributions": ["COMPETENCE"],
    })
}

/// A mediation offer for Giambellino (NIL 49) and the `others` NILs.
fn mediation_offer(others: &[&str]) -> Value {
    let other_places: Vec<Value> = others
        .iter()
        .map(|code| json!({ "neighbourhoodId": nil(code) }))
        .collect();
    json!({
        "kind": "COMPETENCE",
        "title": "Mediatori di vicinato per i caseggiati popolari",
        "description": "Mediatori sociali esperti nei conflitti di vicinato e nella gestione dei caseggiati popolari.",
        "territoryScope": "NEIGHBOURHOOD",
        "municipalityCode": MILANO,
        "neighbourhoodId": nil("49"),
        "otherPlaces": other_places,
    })
}

const MATCHES: &str = r#"query($need: ID!) { matchesForNeed(needId: $need, first: 10) {
    edges { node { offer { id } reasons { criterion message(lang: IT) } } } } }"#;

/// The territory reason of `offer` among `need`'s matches, if proposed.
async fn territory_reason(app: &TestApp, need: &str, offer: &str) -> Option<String> {
    let body = gql_ok(app, None, MATCHES, json!({ "need": need })).await;
    let edges = body["data"]["matchesForNeed"]["edges"].as_array()?.clone();
    let found = edges.iter().find(|e| e["node"]["offer"]["id"] == offer)?;
    found["node"]["reasons"]
        .as_array()?
        .iter()
        .find(|r| r["criterion"] == "TERRITORY")
        .and_then(|r| r["message"].as_str())
        .map(str::to_owned)
}

async fn an_offer_over_several_neighbourhoods_is_found_and_matched_in_each(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (need_admin, need_org, offer_admin, offer_org) = two_sides(&app).await;
    // Needs in Barona (46) and Lorenteggio (53), and one in San Siro (57),
    // which the offer does not serve.
    let in_barona = create_as(&app, &need_admin, "Need", &need_org, mediation_need("46")).await;
    let in_lorenteggio =
        create_as(&app, &need_admin, "Need", &need_org, mediation_need("53")).await;
    let in_san_siro = create_as(&app, &need_admin, "Need", &need_org, mediation_need("57")).await;
    // Giambellino (its first place) and Barona named again are not two
    // more places.
    let offer = create_as(
        &app,
        &offer_admin,
        "Offer",
        &offer_org,
        mediation_offer(&["46", "49", "53", "46"]),
    )
    .await;
    settle(&app).await;

    // Read back, in the order given, with their names.
    let body = gql_ok(
        &app,
        None,
        "query($id: ID!) { offer(id: $id) { neighbourhood { name }
            otherPlaces { municipality { name } neighbourhood { name } } } }",
        json!({ "id": offer }),
    )
    .await;
    assert_eq!(
        body["data"]["offer"]["otherPlaces"],
        json!([
            { "municipality": { "name": "Milano" }, "neighbourhood": { "name": "Barona" } },
            { "municipality": { "name": "Milano" }, "neighbourhood": { "name": "Lorenteggio" } },
        ]),
        "{body}"
    );

    // Found by each of its neighbourhoods (once the index has it), not by
    // another.
    let found_in = async |code: &str| {
        search_nodes(
            &app,
            None,
            "",
            json!({ "types": ["OFFER"], "neighbourhoodIds": [nil(code)] }),
            "id",
        )
        .await
        .iter()
        .any(|h| h["id"] == offer.as_str())
    };
    assert!(wait_until(PATIENT, async || found_in("49").await).await);
    for (code, found) in [("46", true), ("53", true), ("57", false)] {
        assert_eq!(found_in(code).await, found, "NIL {code}");
    }

    // Matched in each neighbourhood it serves, as being there.
    for (need, name) in [(&in_barona, "Barona"), (&in_lorenteggio, "Lorenteggio")] {
        let reason = territory_reason(&app, need, &offer).await;
        assert_eq!(
            reason.as_deref(),
            Some(format!("stesso quartiere: {name}").as_str())
        );
    }
    assert_eq!(territory_reason(&app, &in_san_siro, &offer).await, None);

    // Open data lists them after the first place, by code and by name.
    let response = app.get("/opendata/offers.json").await;
    assert_eq!(response.status(), 200);
    let rows: Vec<Value> = response.json().await.expect("offers.json");
    let row = rows
        .iter()
        .find(|r| r["id"] == offer.as_str())
        .expect("the offer");
    assert_eq!(row["nil_name"], "Giambellino", "{row}");
    assert_eq!(
        row["other_places"],
        json!(["015146/46", "015146/53"]),
        "{row}"
    );
    assert_eq!(
        row["other_places_names"],
        json!(["Milano – Barona", "Milano – Lorenteggio"]),
        "{row}"
    );

    // The lists by place find it by each of its neighbourhoods.
    for (code, found) in [("46", true), ("53", true), ("57", false)] {
        let body = gql_ok(
            &app,
            None,
            "query($f: OfferFilter) { offers(filter: $f) { nodes { id } } }",
            json!({ "f": { "neighbourhoodId": nil(code) } }),
        )
        .await;
        let listed = body["data"]["offers"]["nodes"].to_string();
        assert_eq!(
            listed.contains(offer.as_str()),
            found,
            "NIL {code}: {listed}"
        );
    }

    // The observatory counts it in each of its neighbourhoods, once in Milano.
    let areas = trama::services::observatory::figures(app.db(), 0.9)
        .await
        .expect("observatory");
    let offers_in = |area: Area| areas.get(&area).map_or(0, |figures| figures.open_offers);
    for code in ["49", "46", "53"] {
        let id = Uuid::parse_str(&nil(code)).expect("uuid");
        assert_eq!(offers_in(Area::Neighbourhood(id)), 1, "NIL {code}");
    }
    assert_eq!(offers_in(Area::Municipality(MILANO.to_owned())), 1);

    // Dropping Barona from the offer withdraws its proposal there.
    gql_ok(
        &app,
        Some(&offer_admin),
        "mutation($id: ID!, $input: OfferInput!) { updateOffer(id: $id, input: $input) { id } }",
        json!({ "id": offer, "input": mediation_offer(&["53"]) }),
    )
    .await;
    let withdrawn = wait_until(PATIENT, async || {
        territory_reason(&app, &in_barona, &offer).await.is_none()
    })
    .await;
    assert!(withdrawn, "still proposed in Barona after the edit");
    assert!(
        territory_reason(&app, &in_lorenteggio, &offer)
            .await
            .is_some()
    );
    app.stop().await;
}

async fn a_need_over_the_metropolitan_area_meets_offers_across_its_province(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (need_admin, need_org, offer_admin, offer_org) = two_sides(&app).await;
    let space = |title: &str, municipality: &str| {
        json!({
            "kind": "SPACE",
            "title": title,
            "description": "Un locale al piano terra per attività di mediazione dei conflitti di vicinato e sportelli di ascolto per gli inquilini.",
            "territoryScope": "MUNICIPALITY",
            "municipalityCode": municipality,
        })
    };
    let in_sesto = create_as(
        &app,
        &offer_admin,
        "Offer",
        &offer_org,
        space(
            "Locale per sportelli di mediazione a Sesto",
            SESTO_SAN_GIOVANNI,
        ),
    )
    .await;
    let in_bergamo = create_as(
        &app,
        &offer_admin,
        "Offer",
        &offer_org,
        space("Locale per sportelli di mediazione a Bergamo", BERGAMO),
    )
    .await;
    let need_input = |scope: Option<&str>| {
        json!({
            "kind": "SOCIAL_MEDIATION",
            "title": "Sportelli di mediazione dei conflitti di vicinato nell'area metropolitana",
            "description": "Cerchiamo locali per aprire sportelli di ascolto e mediazione dei conflitti di vicinato per gli inquilini delle case popolari.",
            "municipalityCode": MILANO,
            "territoryScope": scope,
            "requiredContributions": ["SPACE"],
        })
    };
    let need = create_as(
        &app,
        &need_admin,
        "Need",
        &need_org,
        need_input(Some("PROVINCE")),
    )
    .await;
    settle(&app).await;

    // Listed by the municipality of another place.
    let body = gql_ok(
        &app,
        None,
        "query($f: NeedFilter) { needs(filter: $f) { nodes { id } } }",
        json!({ "f": { "municipalityCode": MILANO } }),
    )
    .await;
    assert!(body.to_string().contains(need.as_str()), "{body}");
    let body = gql_ok(
        &app,
        None,
        "query($id: ID!) { need(id: $id) { territoryScope } }",
        json!({ "id": need }),
    )
    .await;
    assert_eq!(body["data"]["need"]["territoryScope"], "PROVINCE");
    let response = app.get("/opendata/needs.json").await;
    let rows: Vec<Value> = response.json().await.expect("needs.json");
    assert_eq!(rows[0]["territory_scope"], "province", "{rows:?}");
    assert_eq!(rows[0]["other_places"], json!([]), "{rows:?}");
    assert_eq!(
        territory_reason(&app, &need, &in_sesto).await.as_deref(),
        Some("nel territorio del bisogno: Milano")
    );
    assert_eq!(territory_reason(&app, &need, &in_bergamo).await, None);
    let why = gql_ok(
        &app,
        None,
        r#"query($need: ID!, $offer: ID!) { whyNotMatched(needId: $need, offerId: $offer) {
            proposed excludedBy explanation(lang: IT) } }"#,
        json!({ "need": need, "offer": in_bergamo }),
    )
    .await;
    let why = &why["data"]["whyNotMatched"];
    assert_eq!(why["proposed"], false, "{why}");
    assert_eq!(why["excludedBy"], "outside_territory", "{why}");

    // The same need for Milano alone does not reach Sesto.
    gql_ok(
        &app,
        Some(&need_admin),
        "mutation($id: ID!, $input: NeedInput!) { updateNeed(id: $id, input: $input) { id } }",
        json!({ "id": need, "input": need_input(None) }),
    )
    .await;
    let narrowed = wait_until(PATIENT, async || {
        territory_reason(&app, &need, &in_sesto).await.is_none()
    })
    .await;
    assert!(narrowed, "Sesto still proposed for a need of Milano alone");
    app.stop().await;
}

async fn places_that_do_not_exist_are_refused_field_by_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, offer_admin, offer_org) = two_sides(&app).await;
    // The fields the API names on refusing `input` (nothing is written).
    let refused = async |input: &Value| {
        let body = gql(
            &app,
            Some(&offer_admin),
            "mutation($org: ID!, $input: OfferInput!) { createOffer(organizationId: $org, input: $input) { id } }",
            json!({ "org": offer_org, "input": input }),
        )
        .await;
        assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");
        body
    };
    let mut input = mediation_offer(&[]);
    input["otherPlaces"] = json!([
        { "municipalityCode": "999999" },
        { "municipalityCode": SESTO_SAN_GIOVANNI, "neighbourhoodId": nil("46") },
        { "neighbourhoodId": Uuid::from_u128(7).to_string() },
        {},
    ]);
    let body = refused(&input).await;
    // The shape first (the empty place), then what the database knows.
    let fields = &body["errors"][0]["extensions"]["fields"];
    assert_eq!(
        fields[0]["field"], "otherPlaces[3].municipalityCode",
        "{body}"
    );
    assert_eq!(fields.as_array().map(Vec::len), Some(1), "{body}");
    input["otherPlaces"] = json!([
        { "municipalityCode": "999999" },
        { "municipalityCode": SESTO_SAN_GIOVANNI, "neighbourhoodId": nil("46") },
        { "neighbourhoodId": Uuid::from_u128(7).to_string() },
    ]);
    let body = refused(&input).await;
    let named: Vec<String> = body["errors"][0]["extensions"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        named,
        [
            "otherPlaces[0].municipalityCode",
            "otherPlaces[1].neighbourhoodId",
            "otherPlaces[2].neighbourhoodId",
        ],
        "{body}"
    );
    // Nothing was written.
    let hits = search_nodes(&app, None, "", json!({ "types": ["OFFER"] }), "id").await;
    assert!(hits.is_empty(), "{hits:?}");
    app.stop().await;
}
