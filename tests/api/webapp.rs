//! The web app as the server delivers it, on both databases: every page an
//! e-mail or the open data links to answers the app with 200, an unknown
//! path its "page not found" with 404 (the pages of e-mail links are the app's),
//! the neighbourhood shapes are GeoJSON, and the demo accounts are listed
//! only when the demo is loaded.

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

on_both_databases!(web_app: pages_and_shapes_are_served);

async fn pages_and_shapes_are_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/",
        "/search?q=orti",
        "/needs/0190a3c4-1111-7000-8000-000000000000",
        "/offers/1",
        "/organizations/1",
        "/organizations/1/requests",
        "/projects/7",
        "/account",
        "/observatory",
        "/open-data",
        "/accessibility",
        "/privacy",
        "/sign-in",
        "/needs/new",
        "/needs/0190a3c4-1111-7000-8000-000000000000/edit",
        "/offers/new",
        "/offers/1/edit",
        // The pages of the account e-mails' links.
        "/account/verify?token=x",
        "/account/reset?token=x",
        "/organizations/claims/confirm?token=x",
        "/invitations/accept?token=x",
        "/sign-up",
        "/organizations/new",
        "/organizations/1/members",
        "/account/digest",
        "/moderation",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.text().await.expect("body");
        assert!(
            body.contains(r#"<div id="root">"#),
            "{path}: the app's page"
        );
    }
    for path in ["/no-such-page", "/needs", "/needs/1/edit/x"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains(r#"<div id="root">"#),
            "{path}: the app shows its not-found page"
        );
    }
    let shapes = app.get("/geo/neighbourhoods.geojson").await;
    assert_eq!(shapes.status(), StatusCode::OK);
    let shapes: serde_json::Value = shapes.json().await.expect("GeoJSON");
    assert_eq!(shapes["type"], "FeatureCollection");
    let features = shapes["features"].as_array().expect("features");
    assert_eq!(features.len(), 88, "Milano's NIL");
    assert!(features[0]["properties"]["name"].is_string());
    // The municipalities of the metropolitan area, shipped with the binary.
    let shapes = app.get("/geo/municipalities.geojson").await;
    assert_eq!(shapes.status(), StatusCode::OK);
    let shapes: serde_json::Value = shapes.json().await.expect("GeoJSON");
    let features = shapes["features"].as_array().expect("features");
    assert_eq!(features.len(), 133, "the Città metropolitana di Milano");
    assert!(features.iter().any(|f| f["properties"]["code"] == "015146"
        && f["properties"]["name"] == "Milano"
        && f["geometry"]["coordinates"].is_array()));

    // No demo loaded: no demo accounts on the sign-in page.
    let accounts = app.get("/demo/accounts.json").await;
    assert_eq!(accounts.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
