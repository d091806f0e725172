//! What one client can do to everyone else: GraphQL floods (aliases, root
//! fields, fragments, depth, introspection), operations that run too long
//! (on HTTP and on WebSocket), slow or idle connections, too many
//! connections, oversized bodies; and the abuse check, which runs those
//! attacks at once and times ordinary requests meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use sea_orm::TransactionTrait;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::availability::WriteLock;
use crate::helpers::{Backend, TestApp, TestEnv};
use crate::on_both_databases;

on_both_databases!(
    alias_and_root_field_floods_are_refused_before_they_run,
    the_standard_introspection_query_is_answered,
    operations_running_too_long_are_stopped_on_both_transports,
    slow_and_idle_connections_are_closed,
    connections_beyond_the_cap_wait_for_a_free_slot,
    oversized_bodies_get_the_json_error,
    abuse_check_other_requests_keep_being_answered,
);

/// The standard introspection query, as graphql-js 16.11
/// `getIntrospectionQuery()` writes it (what GraphiQL and code generators
/// send), with the default options and with every option on.
const INTROSPECTION: &str = include_str!("../fixtures/graphql/introspection.graphql");
const INTROSPECTION_ALL_OPTIONS: &str =
    include_str!("../fixtures/graphql/introspection-all-options.graphql");

/// POSTs a GraphQL document; returns the status and the JSON body.
async fn post(app: &TestApp, query: &str, lang: &str) -> (u16, Value) {
    crate::helpers::post_document(app, query, "application/graphql-response+json", lang).await
}

/// Asserts that `body` refuses the query itself (BAD_USER_INPUT on the
/// field `query`) with a message that says `why`.
fn assert_query_refused(body: &Value, why: &str) {
    let (code, field, message) = first_error(body);
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("BAD_USER_INPUT", "query"),
        "{body}"
    );
    assert!(message.contains(why), "{body}");
}

/// The first error's code, field and message.
fn first_error(body: &Value) -> (String, String, String) {
    let error = &body["errors"][0];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (
        text(&error["extensions"]["code"]),
        text(&error["extensions"]["field"]),
        text(&error["message"]),
    )
}

/// `n` aliases of a field that costs a database statement each: the flood
/// of the report was 5,000 of them (190 KB).
fn alias_flood(n: usize) -> String {
    let fields: String = (0..n)
        .map(|i| format!("a{i}: platformStats {{ organizations }} "))
        .collect();
    format!("{{ {fields}}}")
}

/// A fragment that doubles at each of `levels` levels: 2^levels root fields
/// once expanded.
fn fragment_bomb(levels: usize) -> String {
    let mut bomb = String::from("{ ...F0 }\n");
    for level in 0..levels {
        let next = level + 1;
        bomb.push_str(&format!(
            "fragment F{level} on Query {{ ...F{next} ...F{next} }}\n"
        ));
    }
    bomb.push_str(&format!(
        "fragment F{levels} on Query {{ platformStats {{ organizations }} }}\n"
    ));
    bomb
}

/// Organisations, their needs, each need's organisation, its needs...
/// `levels` times: deeper than the limit from 3 on.
fn deep_query(levels: usize, first: usize) -> String {
    let mut deep = String::from("id");
    for _ in 0..levels {
        deep =
            format!("needs(first: {first}) {{ edges {{ node {{ organization {{ {deep} }} }} }} }}");
    }
    format!("{{ organizations(first: {first}) {{ edges {{ node {{ {deep} }} }} }} }}")
}

/// `n` aliases of a field inside one root field.
fn nested_alias_flood(n: usize) -> String {
    let fields: String = (0..n).map(|i| format!("a{i}: title ")).collect();
    format!("{{ needs {{ edges {{ node {{ {fields}}} }} }} }}")
}

async fn alias_and_root_field_floods_are_refused_before_they_run(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let flood = alias_flood(5_000);
    assert!(flood.len() > 190_000, "{}", flood.len());
    let started = Instant::now();
    let (status, body) = post(&app, &flood, "it").await;
    let took = started.elapsed();
    let (code, field, message) = first_error(&body);
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    assert_eq!(field, "query", "{body}");
    assert_eq!(status, 400, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    println!("5,000-alias flood refused in {took:?}: {message}");

    // Under the size limit, still far too many aliases (inside one root
    // field): refused by count, in the language asked for.
    let (_, body) = post(&app, &nested_alias_flood(500), "en").await;
    assert_query_refused(&body, "aliases");
    let (_, body) = post(&app, &nested_alias_flood(500), "it").await;
    assert!(first_error(&body).2.contains("alias"), "{body}");

    // Many root fields, each its own statements.
    let roots: String = (0..16)
        .map(|i| format!("r{i}: platformStats {{ organizations }} "))
        .collect();
    let (_, body) = post(&app, &format!("{{ {roots}}}"), "en").await;
    let (code, _, message) = first_error(&body);
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    assert!(message.contains("root fields"), "{body}");

    // A fragment that doubles at each level: 2^22 fields once expanded,
    // refused without expanding it.
    let bomb = fragment_bomb(22);
    let started = Instant::now();
    let (_, body) = tokio::time::timeout(Duration::from_secs(20), post(&app, &bomb, "en"))
        .await
        .expect("the fragment bomb is answered within 20 s");
    let (code, _, message) = first_error(&body);
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    println!(
        "fragment bomb refused in {:?}: {message}",
        started.elapsed()
    );

    // Too deep: coded and bilingual.
    let deep = deep_query(3, 1);
    let (_, body) = post(&app, &deep, "en").await;
    assert_query_refused(&body, "nested too deep");
    let (_, body) = post(&app, &deep, "it").await;
    assert!(first_error(&body).2.contains("annidat"), "{body}");

    // Ordinary use with a few aliases still works.
    let (status, body) = post(
        &app,
        "{ open: needs { totalCount } closed: needs(filter: { status: CLOSED }) { totalCount } platformStats { organizations } }",
        "it",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    app.stop().await;
}

async fn the_standard_introspection_query_is_answered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (name, query) in [
        ("default options", INTROSPECTION),
        ("all options", INTROSPECTION_ALL_OPTIONS),
    ] {
        let (status, body) = post(&app, query, "it").await;
        assert_eq!(status, 200, "{name}: {body}");
        assert!(body.get("errors").is_none(), "{name}: {body}");
        let types = body["data"]["__schema"]["types"].as_array().expect("types");
        assert!(
            types.iter().any(|t| t["name"] == "Need"),
            "{name}: no Need type"
        );
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    }
    // Introspection has its own bound: types nested in fields nested in
    // fields... grow the answer exponentially and are refused.
    let (_, body) = post(
        &app,
        "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }",
        "en",
    )
    .await;
    let (code, _, message) = first_error(&body);
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    assert!(message.contains("introspection"), "{body}");
    app.stop().await;
}

/// Opens transactions on every connection of the application's own pool,
/// as long-running work would: anything else that needs the database
/// waits for one.
async fn hold_the_pool(app: &TestApp) -> Vec<sea_orm::DatabaseTransaction> {
    let size = match app.db().get_database_backend() {
        sea_orm::DbBackend::Postgres => app.env.settings.database_max_connections.max(2),
        _ => 1,
    };
    let mut held = Vec::new();
    for _ in 0..size {
        held.push(app.db().begin().await.expect("a pooled connection"));
    }
    held
}

async fn operations_running_too_long_are_stopped_on_both_transports(backend: Backend) {
    let mut env = TestEnv::new(backend).await;
    env.settings.graphql_timeout_secs = 1;
    env.settings.database_timeout_secs = 3;
    let app = TestApp::spawn_in(env).await;
    let token = crate::helpers::verified_user(&app, "maria@example.org").await;
    let query = "{ organizations { totalCount } }";

    // Every pooled connection busy: an operation waits for one, and is
    // stopped at the bound with a coded, bilingual error, over HTTP...
    let held = hold_the_pool(&app).await;
    let request = app
        .client
        .post(app.url("/graphql"))
        .header("accept-language", "en")
        .json(&json!({ "query": query }))
        .send();
    let response = tokio::time::timeout(Duration::from_secs(20), request)
        .await
        .expect("answered within 20 s")
        .expect("POST");
    let body: Value = response.json().await.expect("JSON");
    let (code, _, message) = first_error(&body);
    assert_eq!(code, "UNAVAILABLE", "{body}");
    assert!(message.contains("too long"), "{body}");

    // ... and over WebSocket, which had no bound at all.
    let mut socket = crate::helpers::graphql_ws(&app, Some("it")).await;
    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }).to_string(),
        ))
        .await
        .expect("subscribe");
    let answer = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(&text).expect("JSON");
                if value["id"] == "1" {
                    return value;
                }
            }
        }
        Value::Null
    })
    .await
    .expect("the WebSocket operation is answered within 20 s");
    let (code, _, message) = first_error(&answer["payload"]);
    assert_eq!(code, "UNAVAILABLE", "{answer}");
    assert!(message.contains("troppo tempo"), "{answer}");
    for txn in held {
        txn.rollback().await.expect("rollback");
    }

    // A write stuck behind another process's lock is stopped too, and its
    // work is cancelled, not left to finish: once the lock is gone, the
    // session it was ending is still valid.
    let lock = WriteLock::take(&app, "auth_sessions").await;
    let logout = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .json(&json!({ "query": "mutation { logout }" }))
        .send();
    let body: Value = tokio::time::timeout(Duration::from_secs(20), logout)
        .await
        .expect("answered within 20 s")
        .expect("POST")
        .json()
        .await
        .expect("JSON");
    assert_eq!(first_error(&body).0, "UNAVAILABLE", "{body}");
    // Past the database's own wait for locks (3 s here).
    tokio::time::sleep(Duration::from_secs(4)).await;
    lock.release().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let body = crate::helpers::gql(&app, Some(&token), "{ me { email } }", json!({})).await;
    assert_eq!(body["data"]["me"]["email"], "maria@example.org", "{body}");
    app.stop().await;
}

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Waits until the server closes the connection (reads EOF or a reset);
/// returns what it sent before.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let outcome = tokio::time::timeout(within, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    outcome
        .ok()
        .map(|()| String::from_utf8_lossy(&received).into_owned())
}

async fn slow_and_idle_connections_are_closed(backend: Backend) {
    let mut env = TestEnv::new(backend).await;
    env.settings.header_read_timeout_secs = 2;
    let app = TestApp::spawn_in(env).await;

    // Headers that never end.
    let mut slow = TcpStream::connect(host(&app)).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .expect("write");
    // A connection that sends nothing at all.
    let mut silent = TcpStream::connect(host(&app)).await.expect("connect");
    // A keep-alive connection left idle after its request.
    let mut idle = TcpStream::connect(host(&app)).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.expect("response");
    assert_eq!(&first, b"HTTP/1.1 200");

    for (name, stream) in [
        ("half-sent headers", &mut slow),
        ("silent", &mut silent),
        ("idle keep-alive", &mut idle),
    ] {
        let closed = closed_by_server(stream, Duration::from_secs(30)).await;
        assert!(closed.is_some(), "{name}: still open after 30 s");
    }
    app.stop().await;
}

async fn connections_beyond_the_cap_wait_for_a_free_slot(backend: Backend) {
    let cap = 4;
    let mut env = TestEnv::new(backend).await;
    env.settings.max_connections = cap;
    let app = TestApp::spawn_in(env).await;
    let mut held = Vec::new();
    for _ in 0..cap {
        let mut stream = TcpStream::connect(host(&app)).await.expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            .await
            .expect("write");
        held.push(stream);
    }
    // Wait until the server has taken them all.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut extra = TcpStream::connect(host(&app)).await.expect("connect");
    extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut buffer = [0u8; 12];
    let early = tokio::time::timeout(Duration::from_millis(500), extra.read(&mut buffer)).await;
    assert!(
        early.is_err(),
        "a connection beyond the cap of {cap} was served at once"
    );
    // A slot frees: the waiting connection is served.
    drop(held.pop());
    let answered = tokio::time::timeout(Duration::from_secs(10), extra.read_exact(&mut buffer))
        .await
        .expect("served once a slot is free")
        .expect("read");
    assert_eq!(answered, 12);
    assert_eq!(&buffer, b"HTTP/1.1 200");
    app.stop().await;
}

/// Reads the answer on `stream` until the server closes it and asserts
/// that it refuses the request's body as too large (413, BAD_USER_INPUT on
/// the field `body`); returns its headers, its JSON body and the error's
/// message.
async fn body_refused(stream: &mut TcpStream) -> (String, Value, String) {
    let response = closed_by_server(stream, Duration::from_secs(10))
        .await
        .expect("answered and closed");
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    let (headers, body) = response.split_once("\r\n\r\n").expect("a body");
    let body: Value = serde_json::from_str(body).expect("a JSON body");
    let (code, field, message) = first_error(&body);
    assert_eq!(
        (code.as_str(), field.as_str()),
        ("BAD_USER_INPUT", "body"),
        "{body}"
    );
    (headers.to_owned(), body, message)
}

async fn oversized_bodies_get_the_json_error(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let app = TestApp::spawn_in(env).await;
    // Announced by Content-Length: refused before the body is read.
    for (lang, words) in [("en", "too large"), ("it", "troppo grande")] {
        let mut stream = TcpStream::connect(host(&app)).await.expect("connect");
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: application/graphql-response+json\r\nAccept-Language: {lang}\r\nContent-Length: 2097152\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        let (headers, body, message) = body_refused(&mut stream).await;
        assert!(
            headers
                .to_ascii_lowercase()
                .contains("content-type: application/graphql-response+json"),
            "{headers}"
        );
        assert!(message.contains(words), "{body}");
    }
    // Sent in chunks with no length: refused when the limit is passed.
    let mut stream = TcpStream::connect(host(&app)).await.expect("connect");
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept-Language: en\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
    for _ in 0..32 {
        // The server may stop reading once it has refused.
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    body_refused(&mut stream).await;
    // The server is fine afterwards.
    let (status, _) = post(&app, "{ platformStats { organizations } }", "it").await;
    assert_eq!(status, 200);
    app.stop().await;
}

/// The abuse check of CI: while alias floods (several at once, one over
/// the size limit and one under it), deep queries, fragment bombs,
/// oversized bodies and a few hundred half-sent connections hit the server,
/// ordinary requests (`/healthz` and a small GraphQL query) keep being
/// answered: every one of them succeeds within the client's generous bound
/// ([`PROBE_BOUND`]), where a stalled server would leave them waiting. The
/// attack lasts until the prober has sent [`PROBES`] pairs of requests (or
/// [`ATTACK_CAP`] has passed), so a slow machine judges as many as a fast
/// one; the worst latency is printed, not asserted (the machine is shared).
///
/// The attackers and the prober run on runtimes (and threads) of their own,
/// as outside clients would; the server keeps the test's runtime.
async fn abuse_check_other_requests_keep_being_answered(backend: Backend) {
    const HALF_SENT: usize = 300;

    let mut env = TestEnv::new(backend).await;
    // Room for the half-sent connections and the ordinary requests: the cap
    // protects the process's file descriptors, the header timeout clears
    // the slow connections.
    env.settings.max_connections = HALF_SENT + 100;
    let app = TestApp::spawn_in(env).await;
    let address = host(&app);
    let base = app.address.clone();
    let stop = Arc::new(AtomicBool::new(false));

    let attack = {
        let address = address.clone();
        let base = base.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            // One thread: the attack is concurrent, but leaves the server
            // the cores a real attacker's machine would not take.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("attack runtime");
            runtime.block_on(attack(address, base, HALF_SENT, stop));
        })
    };
    let probe = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("probe runtime");
        runtime.block_on(ordinary_requests(base, stop))
    });
    let (count, worst, failures) = tokio::task::spawn_blocking(move || {
        let outcome = probe.join().expect("the prober");
        attack.join().expect("the attackers");
        outcome
    })
    .await
    .expect("join");
    println!(
        "abuse check ({backend:?}): {count} ordinary requests during the attack, worst latency {worst:?}"
    );
    assert!(
        count >= 2 * PROBES,
        "too few ordinary requests to judge: {count}"
    );
    assert!(
        failures.is_empty(),
        "ordinary requests failed or waited past {PROBE_BOUND:?} during the attack (worst {worst:?}): {failures:?}"
    );
    // The server is fine afterwards.
    let (status, _) = post(&app, "{ platformStats { organizations } }", "it").await;
    assert_eq!(status, 200);
    app.stop().await;
}

/// How many pairs of ordinary requests the prober sends during the attack.
const PROBES: usize = 20;
/// The longest an ordinary request may wait: far above a healthy answer on
/// a loaded machine, far below a request stuck behind the attack.
const PROBE_BOUND: Duration = Duration::from_secs(10);
/// The attack stops by then even if the prober is not done.
const ATTACK_CAP: Duration = Duration::from_secs(90);

/// All the attacks at once, until `stop` is set.
async fn attack(address: String, base: String, half_sent: usize, stop: Arc<AtomicBool>) {
    let mut attacks = tokio::task::JoinSet::new();
    // A few hundred half-sent connections, trickling a byte now and then.
    for i in 0..half_sent {
        let address = address.clone();
        let stop = stop.clone();
        attacks.spawn(async move {
            let Ok(mut stream) = TcpStream::connect(&address).await else {
                return;
            };
            let head = format!("GET /healthz?slow={i} HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
            let _ = stream.write_all(head.as_bytes()).await;
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(500)).await;
                if stream.write_all(b"a").await.is_err() {
                    return;
                }
            }
        });
    }
    let deep = deep_query(6, 100);
    let bomb = fragment_bomb(22);
    let bodies = [
        // The flood of the report, 190 KB: four at once.
        alias_flood(5_000),
        alias_flood(5_000),
        alias_flood(5_000),
        alias_flood(5_000),
        // Under the size limit: parsed, then refused by its aliases.
        nested_alias_flood(500),
        deep,
        bomb,
    ]
    .map(|query| axum::body::Bytes::from(json!({ "query": query }).to_string()));
    for body in bodies {
        let url = format!("{base}/graphql");
        let stop = stop.clone();
        attacks.spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                if let Ok(response) = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                {
                    let _ = response.bytes().await;
                }
            }
        });
    }
    // Oversized bodies, announced and sent.
    let url = format!("{base}/graphql");
    attacks.spawn(async move {
        let client = reqwest::Client::new();
        let oversized = axum::body::Bytes::from("x".repeat(2 * 1024 * 1024));
        while !stop.load(Ordering::Relaxed) {
            let _ = client
                .post(&url)
                .header("content-type", "application/json")
                .body(oversized.clone())
                .send()
                .await;
        }
    });
    while attacks.join_next().await.is_some() {}
}

/// [`PROBES`] pairs of ordinary requests one after the other, each timed
/// (then the attack is told to stop): how many, the worst latency, and
/// those that failed or waited past [`PROBE_BOUND`].
async fn ordinary_requests(base: String, stop: Arc<AtomicBool>) -> (usize, Duration, Vec<String>) {
    // Let the attack get going first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let client = reqwest::Client::builder()
        .timeout(PROBE_BOUND)
        .build()
        .expect("client");
    let mut worst = Duration::ZERO;
    let mut failures: Vec<String> = Vec::new();
    let mut count = 0;
    let give_up_at = Instant::now() + ATTACK_CAP;
    while count < 2 * PROBES && Instant::now() < give_up_at {
        for probe in ["healthz", "graphql"] {
            let started = Instant::now();
            let outcome = match probe {
                "healthz" => client.get(format!("{base}/healthz")).send().await,
                _ => {
                    client
                        .post(format!("{base}/graphql"))
                        .json(&json!({ "query": "{ platformStats { organizations } }" }))
                        .send()
                        .await
                }
            };
            let outcome = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    response.bytes().await.map(|_| status)
                }
                Err(error) => Err(error),
            };
            let took = started.elapsed();
            count += 1;
            worst = worst.max(took);
            match outcome {
                Ok(200) => {}
                Ok(status) => failures.push(format!("{probe}: {status} in {took:?}")),
                Err(error) => failures.push(format!("{probe}: {error} after {took:?}")),
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    (count, worst, failures)
}
