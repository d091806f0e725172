//! Territories over GraphQL, on both databases, with the real files every
//! installation loads at start (all Italian municipalities, Milano's 88
//! NIL): known facts (Milano is 015146; Piazzale Selinunte is in San Siro),
//! lookups by name, distances, and refusals that name the field.

use serde_json::json;

use crate::helpers::{Backend, TestApp, gql, gql_ok, gql_refused};
use crate::on_both_databases;

on_both_databases!(territories_answer_known_facts);

async fn territories_answer_known_facts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = gql_ok(
        &app,
        None,
        r#"{
            milano: municipality(code: "015146") { istatCode name provinceCode regionName }
            sesto: municipalities(search: "sesto san", province: "mi") { istatCode name }
            nil: neighbourhoods { code name }
            selinunte: neighbourhoodAt(lat: 45.4683, lon: 9.1437) { code name municipality { name } }
            duomo: neighbourhoodAt(lat: 45.4641, lon: 9.1896) { name }
            bologna: neighbourhoodAt(lat: 44.4949, lon: 11.3426) { name }
            km: distanceKm(from: { lat: 45.4642, lon: 9.1900 }, to: { lat: 45.5361, lon: 9.2310 })
        }"#,
        json!({}),
    )
    .await;
    let data = &body["data"];
    assert_eq!(
        data["milano"],
        json!({ "istatCode": "015146", "name": "Milano", "provinceCode": "MI", "regionName": "Lombardia" })
    );
    assert_eq!(
        data["sesto"],
        json!([{ "istatCode": "015209", "name": "Sesto San Giovanni" }])
    );
    assert_eq!(data["nil"].as_array().map(Vec::len), Some(88));
    assert_eq!(data["nil"][0]["code"], "1");
    assert_eq!(data["selinunte"]["name"], "San Siro");
    assert_eq!(data["selinunte"]["municipality"]["name"], "Milano");
    assert_eq!(data["duomo"]["name"], "Duomo");
    assert!(data["bologna"].is_null(), "{body}");
    let km = data["km"].as_f64().expect("km");
    assert!((8.0..9.5).contains(&km), "{km}");

    gql_refused(
        &app,
        None,
        r#"{ municipality(code: "999999") { name } }"#,
        json!({}),
        "NOT_FOUND",
    )
    .await;
    let body = gql_refused(
        &app,
        None,
        r#"{ municipality(code: "Milano") { name } }"#,
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "code", "{body}");
    let body = gql_refused(
        &app,
        None,
        r#"{ distanceKm(from: { lat: 95, lon: 9.19 }, to: { lat: 45.5, lon: 200 }) }"#,
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "from.lat",
        "{body}"
    );
    let body = gql(
        &app,
        None,
        r#"{ municipalities(first: 500) { name } }"#,
        json!({}),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "first", "{body}");
    app.stop().await;
}
