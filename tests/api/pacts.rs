//! The signed pact of the Lorenteggio story as a PDF (`GET
//! /projects/{id}/pact.pdf`): its text names the three parties, what each
//! brings and the hash; outsiders and anonymous readers of a private pact
//! get 404, a pact not signed yet 409. And a project's activity over
//! graphql-ws: a partner signed in through `connection_init` receives a new
//! contribution; an outsider is refused.

use serde_json::{Value, json};

use crate::codesign::{
    Lorenteggio, advance, approve, contribute, contribution, lorenteggio, open_with_partners, step,
    write,
};
use crate::helpers::{Backend, TestApp, graphql_ws_with};
use crate::on_both_databases;
use crate::subscriptions::next_json;

on_both_databases!(
    the_signed_pact_downloads_as_a_pdf_for_its_readers,
    partners_follow_a_project_live,
);

/// The PDF's text, as a reader extracts it.
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("its text")
}

async fn download(app: &TestApp, project: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .get(app.url(&format!("/projects/{project}/pact.pdf")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("the server answers")
}

/// Contributions of the three, the agreement approved by all, signed.
async fn sign(app: &TestApp, s: &Lorenteggio, p: &str) -> Value {
    let mut paint = contribution("MATERIALS", "Vernice antigraffiti", 40.0, "litri");
    paint["amountCents"] = json!(60_000);
    let know_how = contribution("COMPETENCE", "Tecniche di pulizia", 24.0, "ore");
    let hours = contribution("VOLUNTEERS", "Volontari inquilini", 120.0, "ore");
    for (who, input) in [(&s.aler, paint), (&s.onlus, know_how), (&s.tenants, hours)] {
        step(app, who, &contribute(), json!({ "p": p, "i": input })).await;
    }
    for stage in ["REVIEW", "CODESIGN_TABLE"] {
        step(app, &s.aler, &advance(), json!({ "p": p, "s": stage })).await;
    }
    let text = "Patto per la cura delle scale di via Odazio 6 e Apuli 2.";
    step(app, &s.aler, &write(), json!({ "p": p, "t": text })).await;
    for who in [&s.aler, &s.onlus, &s.tenants] {
        step(app, who, &approve(), json!({ "p": p, "v": 1 })).await;
    }
    step(app, &s.aler, &advance(), json!({ "p": p, "s": "SIGNED" })).await
}

async fn the_signed_pact_downloads_as_a_pdf_for_its_readers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let p = open_with_partners(&app, &s).await;

    // Not signed yet: 409, in both languages.
    let early = download(&app, &p, Some(&s.aler.token)).await;
    assert_eq!(early.status(), 409);
    let said = early.text().await.expect("text");
    assert!(
        said.contains("non è ancora firmato") && said.contains("not signed"),
        "{said}"
    );

    let ws = sign(&app, &s, &p).await;
    assert_eq!(ws["stage"], "SIGNED", "{ws}");
    let hash = ws["agreement"]["contentHash"]
        .as_str()
        .expect("hash")
        .to_owned();

    let response = download(&app, &p, Some(&s.tenants.token)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        Some("application/pdf")
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.contains("patto-clean-up-delle-scale"),
        "{disposition}"
    );
    let text = pdf_text(&response.bytes().await.expect("bytes"));
    for expected in [
        "ALER Milano",
        "01349670156",
        "Clean Up Lorenteggio ONLUS",
        "Inquilini di via Odazio",
        "Vernice antigraffiti (40 litri, 600,00",
        "Tecniche di pulizia (24 ore)",
        "Volontari inquilini (120 ore)",
        "Paola Aler per ALER Milano",
        "Patto per la cura delle scale",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains(&hash), "the hash {hash} is not in:\n{text}");

    // In English on request.
    let english = app
        .client
        .get(app.url(&format!("/projects/{p}/pact.pdf?lang=en")))
        .bearer_auth(&s.onlus.token)
        .send()
        .await
        .expect("answer");
    assert_eq!(english.status(), 200);
    let text = pdf_text(&english.bytes().await.expect("bytes"));
    assert!(text.contains("The parties") && text.contains("Fingerprint of the signed text"));

    // A private pact: outsiders and anonymous readers do not see it.
    for token in [Some(s.outsider.token.as_str()), None] {
        let refused = download(&app, &p, token).await;
        assert_eq!(refused.status(), 404, "{token:?}");
    }
    let bogus = download(&app, "not-an-id", Some(&s.aler.token)).await;
    assert_eq!(bogus.status(), 404);

    // The activity feed tells what happened, newest first.
    let body = step(
        &app,
        &s.onlus,
        "query($p: ID!) { project(id: $p) { activity { kind at } } }",
        json!({ "p": p }),
    )
    .await;
    let feed = body["activity"].as_array().expect("activity");
    let kinds: Vec<&str> = feed.iter().filter_map(|e| e["kind"].as_str()).collect();
    let count = |kind: &str| kinds.iter().filter(|k| **k == kind).count();
    assert_eq!(count("PARTNER_JOINED"), 2, "{kinds:?}");
    assert_eq!(count("CONTRIBUTION_PROPOSED"), 3, "{kinds:?}");
    assert_eq!(count("DECISION"), 3, "{kinds:?}");
    assert!(count("STAGE_STARTED") >= 4, "{kinds:?}");
    assert!(count("DOCUMENT_ADDED") >= 1, "{kinds:?}");
    let times: Vec<&str> = feed.iter().filter_map(|e| e["at"].as_str()).collect();
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first);
}

/// Downloads the pact as `token`'s holder and asserts its text holds each
/// of `expected` and the hash (the Lorenteggio test calls it at signing).
pub(crate) async fn assert_pact_pdf(
    app: &TestApp,
    project: &str,
    token: &str,
    expected: &[&str],
    hash: &str,
) {
    let response = download(app, project, Some(token)).await;
    assert_eq!(response.status(), 200);
    let text = pdf_text(&response.bytes().await.expect("bytes"));
    for expected in expected {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains(hash), "the hash {hash} is not in:\n{text}");
}

async fn subscribe_as(
    app: &TestApp,
    token: Option<&str>,
    project: &str,
) -> crate::helpers::WebSocket {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let payload = match token {
        Some(token) => json!({ "authorization": format!("Bearer {token}") }),
        None => json!({}),
    };
    let mut socket = graphql_ws_with(app, None, payload).await;
    let query = "subscription($p: ID!) { projectActivity(projectId: $p) { kind id at } }";
    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": { "p": project } } })
                .to_string(),
        ))
        .await
        .expect("subscribe");
    socket
}

async fn partners_follow_a_project_live(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let p = open_with_partners(&app, &s).await;

    // An outsider, signed in or not, is told the project does not exist.
    for token in [Some(s.outsider.token.as_str()), None] {
        let mut socket = subscribe_as(&app, token, &p).await;
        // The refusal arrives as the subscription's only result, with its
        // error and no data.
        let message = next_json(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        assert!(message["payload"]["data"].is_null(), "{message}");
        let error = &message["payload"]["errors"][0];
        assert_eq!(error["extensions"]["code"], "NOT_FOUND", "{message}");
        assert_eq!(error["extensions"]["field"], "projectId", "{message}");
    }

    // The ONLUS listens; ALER brings the paint: the ONLUS hears of it.
    let mut socket = subscribe_as(&app, Some(&s.onlus.token), &p).await;
    // Give the subscription its first look before the change.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let paint = contribution("MATERIALS", "Vernice antigraffiti", 40.0, "litri");
    let ws = step(&app, &s.aler, &contribute(), json!({ "p": p, "i": paint })).await;
    let contribution_id = ws["contributions"][0]["id"].clone();
    let message = next_json(&mut socket).await;
    assert_eq!(message["type"], "next", "{message}");
    let event = &message["payload"]["data"]["projectActivity"];
    assert_eq!(event["kind"], "CONTRIBUTION_PROPOSED", "{message}");
    assert_eq!(event["id"], contribution_id, "{message}");
}
