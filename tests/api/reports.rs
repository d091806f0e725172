//! Reports of abusive content, on both databases: a signed-in person with a
//! verified address reports a need, an offer or an organisation they can
//! see, with a reason (once per record while it is open; the limit per
//! account); moderators read the open reports, dismiss one, or hide the
//! record (its open reports are upheld and it joins the hidden records,
//! with the reason) and show it again; every step is in the audit log.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, audit_entries, gql, hide, outcome, unhide};
use crate::on_both_databases;
use crate::visibility::{
    Person, comune_input, coop_input, moderator, organisation, person, publish_mediation_need,
    territories,
};

on_both_databases!(
    reports_reach_the_moderators_who_hide_or_dismiss,
    reports_are_refused_when_anonymous_unverified_invalid_or_too_many,
);

const REPORT: &str = "mutation($k: HideableKind!, $id: ID!, $r: String!) { reportContent(kind: $k, id: $id, reason: $r) { id recordType recordId recordTitle reason status reporterName } }";
const QUEUE: &str = "{ contentReports { id recordType recordId recordTitle reason status reporterName } hiddenRecords { recordType id title hiddenReason } }";
const DISMISS: &str = "mutation($id: ID!) { dismissReport(id: $id) { id status decidedAt } }";

async fn report(app: &TestApp, token: &str, kind: &str, id: &str, reason: &str) -> Value {
    gql(
        app,
        Some(token),
        REPORT,
        json!({ "k": kind, "id": id, "r": reason }),
    )
    .await
}

/// [`report`], asserting that the report is accepted.
async fn report_ok(app: &TestApp, token: &str, kind: &str, id: &str, reason: &str) -> Value {
    let body = report(app, token, kind, id, reason).await;
    assert_eq!(outcome(&body), "OK", "{body}");
    body
}

async fn dismiss(app: &TestApp, token: &str, id: &Value) -> Value {
    gql(app, Some(token), DISMISS, json!({ "id": id })).await
}

async fn audit_actions(app: &TestApp) -> Vec<(String, Value)> {
    audit_entries(app, |row| (row.action, row.changes)).await
}

/// Loads the territories; Carla publishes a mediation need titled `title`
/// for her municipality: Otto (a verified outsider, who reports) and the
/// need's id.
async fn reporter_and_need(app: &TestApp, title: &str) -> (Person, String) {
    territories(app).await;
    let carla = person(app, "carla@example.org", "Carla Neri", true).await;
    let otto = person(app, "otto@example.org", "Otto Esterni", true).await;
    let comune = organisation(app, &carla, comune_input()).await;
    let need = publish_mediation_need(app, &carla, &comune, title).await;
    (otto, need)
}

async fn reports_reach_the_moderators_who_hide_or_dismiss(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (otto, need) = reporter_and_need(&app, "Mediazione nei caseggiati di Lorenteggio").await;
    let anna = person(&app, "anna@example.org", "Anna Bianchi", true).await;
    let mara = moderator(&app, "mara@example.org", "Mara Moderatrice").await;
    let coop = organisation(&app, &anna, coop_input(json!([]))).await;

    // Two people report the need, one the co-operative.
    let body = report_ok(
        &app,
        &otto.token,
        "NEED",
        &need,
        "Annuncio ingannevole: chiede soldi.",
    )
    .await;
    assert_eq!(
        body["data"]["reportContent"]["recordTitle"],
        "Mediazione nei caseggiati di Lorenteggio"
    );
    assert_eq!(body["data"]["reportContent"]["status"], "OPEN");
    assert_eq!(
        body["data"]["reportContent"]["reporterName"],
        "Otto Esterni"
    );
    // Once per person and record while the report is open.
    let body = report(&app, &otto.token, "NEED", &need, "Di nuovo.").await;
    assert_eq!(outcome(&body), "CONFLICT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "id", "{body}");
    report_ok(&app, &anna.token, "NEED", &need, "Non è un vero bisogno.").await;
    let body = report_ok(
        &app,
        &otto.token,
        "ORGANIZATION",
        &coop,
        "Nome copiato da un'altra.",
    )
    .await;
    let coop_report = body["data"]["reportContent"]["id"].clone();

    // Only moderators read the queue.
    for token in [None, Some(otto.token.as_str())] {
        let body = gql(&app, token, QUEUE, json!({})).await;
        let expected = if token.is_some() {
            "FORBIDDEN"
        } else {
            "UNAUTHENTICATED"
        };
        assert_eq!(outcome(&body), expected, "{body}");
    }
    let body = gql(&app, Some(&mara.token), QUEUE, json!({})).await;
    assert_eq!(outcome(&body), "OK", "{body}");
    let reports = body["data"]["contentReports"].as_array().expect("reports");
    assert_eq!(reports.len(), 3, "{body}");
    assert_eq!(reports[0]["reason"], "Annuncio ingannevole: chiede soldi.");
    assert_eq!(reports[0]["recordType"], "NEED");
    assert_eq!(reports[2]["recordType"], "ORGANIZATION");
    assert_eq!(reports[2]["recordTitle"], "Portinerie di Comunità");
    assert_eq!(body["data"]["hiddenRecords"], json!([]));

    // The report on the co-operative is dismissed: it stays public.
    let body = dismiss(&app, &mara.token, &coop_report).await;
    assert_eq!(outcome(&body), "OK", "{body}");
    assert_eq!(body["data"]["dismissReport"]["status"], "DISMISSED");
    let body = dismiss(&app, &mara.token, &coop_report).await;
    assert_eq!(outcome(&body), "CONFLICT", "{body}");
    let body = dismiss(&app, &otto.token, &coop_report).await;
    assert_eq!(outcome(&body), "FORBIDDEN", "{body}");

    // The need is hidden: its two reports are upheld and leave the queue;
    // it is among the hidden records, with the reason.
    hide(&app, &mara.token, "NEED", &need, "Annuncio ingannevole").await;
    let body = gql(&app, Some(&mara.token), QUEUE, json!({})).await;
    assert_eq!(body["data"]["contentReports"], json!([]), "{body}");
    assert_eq!(
        body["data"]["hiddenRecords"],
        json!([{ "recordType": "NEED", "id": need, "title": "Mediazione nei caseggiati di Lorenteggio", "hiddenReason": "Annuncio ingannevole" }])
    );
    let read = "query($id: ID!) { need(id: $id) { title } }";
    assert_eq!(
        outcome(&gql(&app, None, read, json!({ "id": need })).await),
        "NOT_FOUND"
    );
    // Hidden, it can no longer be reported by outsiders: it does not exist for them.
    let body = report(&app, &otto.token, "NEED", &need, "Ancora lì?").await;
    assert_eq!(outcome(&body), "NOT_FOUND", "{body}");

    // Shown again, it leaves the hidden records and is public once more.
    unhide(&app, &mara.token, "NEED", &need).await;
    let body = gql(&app, Some(&mara.token), QUEUE, json!({})).await;
    assert_eq!(body["data"]["hiddenRecords"], json!([]), "{body}");
    assert_eq!(
        outcome(&gql(&app, None, read, json!({ "id": need })).await),
        "OK"
    );
    // Its earlier reports were decided: a new one may be made.
    report_ok(&app, &otto.token, "NEED", &need, "Di nuovo ingannevole.").await;

    let trail = audit_actions(&app).await;
    let count = |action: &str| trail.iter().filter(|(a, _)| a == action).count();
    assert_eq!(count("content_report.create"), 4);
    assert_eq!(count("content_report.dismiss"), 1);
    let hide = trail
        .iter()
        .find(|(a, _)| a == "moderation.hide")
        .expect("the hiding is audited");
    assert_eq!(hide.1["upheldReports"], 2, "{hide:?}");
    assert_eq!(hide.1["reason"], "Annuncio ingannevole");
    app.stop().await;
}

async fn reports_are_refused_when_anonymous_unverified_invalid_or_too_many(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (otto, need) = reporter_and_need(&app, "Mediazione a Giambellino").await;
    let ugo = person(&app, "ugo@example.org", "Ugo Nonverificato", false).await;

    let body = gql(
        &app,
        None,
        REPORT,
        json!({ "k": "NEED", "id": need, "r": "Spam" }),
    )
    .await;
    assert_eq!(outcome(&body), "UNAUTHENTICATED", "{body}");
    let body = report(&app, &ugo.token, "NEED", &need, "Spam").await;
    assert_eq!(outcome(&body), "FORBIDDEN", "{body}");
    let body = report(&app, &otto.token, "NEED", &need, "   ").await;
    assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "reason", "{body}");
    let body = report(&app, &otto.token, "NEED", &need, &"x".repeat(301)).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "reason", "{body}");
    let body = report(&app, &otto.token, "OFFER", &need, "Spam").await;
    assert_eq!(outcome(&body), "NOT_FOUND", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "id", "{body}");
    let body = report(&app, &otto.token, "NEED", "not-a-uuid", "Spam").await;
    assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");

    // Twenty attempts a day per account (three counted above: a malformed
    // id is refused before), then RATE_LIMITED.
    for _ in 0..17 {
        let body = report(&app, &otto.token, "NEED", &need, "").await;
        assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");
    }
    let body = report(&app, &otto.token, "NEED", &need, "Spam").await;
    assert_eq!(outcome(&body), "RATE_LIMITED", "{body}");
    app.stop().await;
}
