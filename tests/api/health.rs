//! Liveness, readiness, graceful shutdown and restart.

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

on_both_databases!(
    healthz_answers_ok,
    readyz_reports_database_and_index,
    restart_keeps_data_and_migrations_are_idempotent
);

async fn healthz_answers_ok(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    // Every response carries its request's id (the one the logs of the
    // request carry), made by the server or the client's own.
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert!(id.is_some_and(|id| id.len() >= 32), "no request id");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "prova-123")
        .send()
        .await
        .expect("GET");
    assert_eq!(response.headers()["x-request-id"], "prova-123");
    app.stop().await;
}

async fn readyz_reports_database_and_index(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({"status": "ready", "database": "up", "search_index": "up"})
    );

    // Remove the index under the running server: readiness must say so.
    std::fs::remove_dir_all(app.state.search.dir()).expect("remove index");
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["search_index"], "down");
    assert_eq!(body["database"], "up");
    app.stop().await;
}

async fn restart_keeps_data_and_migrations_are_idempotent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let env = {
        let TestApp { env, .. } = &app;
        env.settings.clone()
    };
    app.stop().await;
    // A second start on the same database applies no migration twice.
    let state = trama::state::AppState::open(env).await.expect("reopen");
    let (applied, pending) = trama::store::db::migration_status(&state.db)
        .await
        .expect("status");
    assert!(!applied.is_empty());
    assert!(pending.is_empty(), "{pending:?}");
}
