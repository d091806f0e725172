//! The protections around the API: query depth and complexity limits, the
//! request-body limit and the request timeout. Errors carry codes and leak no
//! internals.

use serde_json::Value;

use crate::helpers::{Backend, TestApp, TestEnv};
use crate::on_both_databases;

on_both_databases!(
    too_deep_and_too_complex_queries_are_refused,
    oversized_bodies_are_refused,
    slow_requests_time_out,
);

async fn post(app: &TestApp, query: &str) -> (u16, Value) {
    crate::helpers::post_document(app, query, "application/json", "en").await
}

async fn too_deep_and_too_complex_queries_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Organisation → its needs → each need's organisation → ... deeper than the limit.
    let mut deep = String::from("id");
    for _ in 0..3 {
        deep = format!("needs(first: 1) {{ edges {{ node {{ organization {{ {deep} }} }} }} }}");
    }
    let (_, body) = post(
        &app,
        &format!("{{ organizations {{ edges {{ node {{ {deep} }} }} }} }}"),
    )
    .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");

    // Shallow but costly: large pages nested in large pages.
    let wide: String = (0..3)
        .map(|i| format!("a{i}: organizations(first: 100) {{ edges {{ node {{ id name members(first: 100) {{ edges {{ node {{ displayName role }} }} }} }} }} }} "))
        .collect();
    let (_, body) = post(&app, &format!("{{ {wide} }}")).await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("too complex"), "{body}");

    // A reasonable nested query is fine.
    let (status, body) = post(
        &app,
        "{ needs(first: 5) { edges { node { title organization { name sectors { code } } } } } }",
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    app.stop().await;
}

/// Sends, on a new connection, a `POST /graphql` whose headers announce a
/// JSON body of `length` bytes, followed by `sent` (the part of the body
/// that is sent); reads the answer until the server closes the connection
/// (or 10 s pass).
async fn post_announcing(app: &TestApp, length: usize, sent: &str) -> String {
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{sent}"
    );
    raw_exchange(app, request.as_bytes()).await
}

/// Sends `request` as raw bytes on a new connection and reads the answer
/// until the server closes it (or 10 s pass).
async fn raw_exchange(app: &TestApp, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(request).await.expect("write");
    let mut response = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_string(&mut response),
    )
    .await
    .expect("answered within the test's patience")
    .expect("read");
    response
}

async fn oversized_bodies_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A 2 MB body is refused from its announced length, before it is read.
    let response = post_announcing(&app, 2_097_152, "").await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    // The server is still fine afterwards.
    let (status, _) = post(&app, "{ platformStats { organizations } }").await;
    assert_eq!(status, 200);
    app.stop().await;
}

async fn slow_requests_time_out(backend: Backend) {
    let mut env = TestEnv::new(backend).await;
    env.settings.request_timeout_secs = 1;
    let app = TestApp::spawn_in(env).await;
    // A client that announces a body and never finishes sending it holds the
    // request open: the timeout answers 408 instead of waiting for ever.
    let response = post_announcing(&app, 100, "{\"query\":").await;
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    app.stop().await;
}
