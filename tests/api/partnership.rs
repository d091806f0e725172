//! A partnership needs both sides' consent, on both databases (issue 12,
//! item 8): PARTNERSHIP on one side is a proposal that the other side hears
//! of by e-mail (a real SMTP server on loopback) and the match shows as
//! awaiting it; the proposer may withdraw it; the other side's consent opens
//! the need's co-design project, exactly once even when both sides say yes
//! at the same moment, several times over.

use std::time::Duration;

use mail_parser::MimeHeaders;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use trama::store::entities::{audit_log, project_contributions, project_partners, projects};
use uuid::Uuid;

use crate::digests::app_with_smtp;
use crate::helpers::{Backend, TestApp, count_where, gql, gql_ok, gql_refused, outcome};
use crate::on_both_databases;
use crate::smtp_server::{Received, SmtpServer};
use crate::visibility::{
    Person, comune_input, coop_input, organisation, person, publish_mediation_need,
    publish_mediation_offer, settle, territories,
};

on_both_databases!(
    a_partnership_opens_when_both_sides_consent,
    the_second_consent_opens_the_project_once,
);

pub(crate) const SET_STATUS: &str = r#"mutation($m: ID!, $s: MatchSideStatus!) {
    setMatchStatus(matchId: $m, status: $s) {
        match { needSideStatus offerSideStatus } projectId } }"#;

const SET_STATUS_SHOWING_STATE: &str = r#"mutation($m: ID!, $s: MatchSideStatus!) {
    setMatchStatus(matchId: $m, status: $s) {
        match { needSideStatus offerSideStatus partnership projectId } projectId } }"#;

/// The match ids of a need, in fields that predate consent.
pub(crate) const MATCH_IDS: &str = r#"query($n: ID!) { matchesForNeed(needId: $n) { edges { node {
    id offer { id } } } } }"#;

const MATCHES: &str = r#"query($n: ID!) { matchesForNeed(needId: $n) { edges { node {
    id needSideStatus offerSideStatus partnership projectId offer { id } } } } }"#;

pub(crate) struct Sides {
    pub(crate) carla: Person,
    pub(crate) anna: Person,
    pub(crate) need_org: String,
    pub(crate) offer_org: String,
}

/// A municipality (Carla's) and a co-operative (Anna's), each with its
/// admin.
pub(crate) async fn sides(app: &TestApp) -> Sides {
    territories(app).await;
    let carla = person(app, "carla@example.org", "Carla Neri", true).await;
    let anna = person(app, "anna@example.org", "Anna Bianchi", true).await;
    let need_org = organisation(app, &carla, comune_input()).await;
    let offer_org = organisation(app, &anna, coop_input(json!([]))).await;
    Sides {
        carla,
        anna,
        need_org,
        offer_org,
    }
}

async fn projects_of_need(app: &TestApp, need: &str) -> Vec<projects::Model> {
    projects::Entity::find()
        .filter(projects::Column::NeedId.eq(Uuid::parse_str(need).expect("uuid")))
        .all(app.db())
        .await
        .expect("projects")
}

/// Moves `who`'s side of the match to `status`; the answer shows the
/// partnership's state.
pub(crate) async fn set_side_status(
    app: &TestApp,
    who: &Person,
    match_id: &Value,
    status: &str,
) -> Value {
    gql(
        app,
        Some(&who.token),
        SET_STATUS_SHOWING_STATE,
        json!({ "m": match_id, "s": status }),
    )
    .await
}

pub(crate) fn first_match(body: &Value) -> &Value {
    &body["data"]["matchesForNeed"]["edges"][0]["node"]
}

/// The need and the offer of the two sides, matched: (need, match id).
pub(crate) async fn matched(app: &TestApp, s: &Sides) -> (String, Value) {
    let need = publish_mediation_need(
        app,
        &s.carla,
        &s.need_org,
        "Mediazione dei conflitti di vicinato a Lorenteggio",
    )
    .await;
    publish_mediation_offer(
        app,
        &s.anna,
        &s.offer_org,
        "Mediazione dei conflitti di vicinato",
    )
    .await;
    settle(app).await;
    let body = gql_ok(app, Some(&s.carla.token), MATCH_IDS, json!({ "n": need })).await;
    let match_id = first_match(&body)["id"].clone();
    assert!(match_id.is_string(), "{body}");
    (need, match_id)
}

/// The messages of `messages` sent to `address`.
pub(crate) fn to<'a>(messages: &'a [Received], address: &str) -> Vec<&'a Received> {
    messages
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r == address))
        .collect()
}

/// (subject, plain text) of a multipart/alternative message.
pub(crate) fn subject_and_text(message: &Received) -> (String, String) {
    let parsed = message.parsed();
    let text = parsed
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("plain"))
        })
        .and_then(|p| p.text_contents())
        .expect("text part")
        .to_owned();
    (parsed.subject().unwrap_or_default().to_owned(), text)
}

async fn a_partnership_opens_when_both_sides_consent(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(backend, &server, 0).await;
    let s = sides(&app).await;
    let (need, match_id) = matched(&app, &s).await;
    let vars = |status: &str| json!({ "m": match_id, "s": status });
    let before = server.messages().len();

    // The co-operative alone says PARTNERSHIP while the municipality's
    // side is still SUGGESTED: a proposal, no project.
    let body = gql_ok(&app, Some(&s.anna.token), SET_STATUS, vars("PARTNERSHIP")).await;
    assert_eq!(
        body["data"]["setMatchStatus"]["projectId"],
        Value::Null,
        "one side alone opened a project: {body}"
    );
    assert!(projects_of_need(&app, &need).await.is_empty());
    let body = gql(&app, Some(&s.anna.token), MATCHES, json!({ "n": need })).await;
    let node = first_match(&body);
    assert_eq!(node["offerSideStatus"], "PARTNERSHIP", "{body}");
    assert_eq!(node["needSideStatus"], "SUGGESTED", "{body}");
    assert_eq!(node["partnership"], "AWAITING_NEED_SIDE", "{body}");
    assert_eq!(node["projectId"], Value::Null, "{body}");

    // The municipality hears of it, in Italian, with a link to its need.
    let messages = server.wait_for(before + 1, Duration::from_secs(30)).await;
    let received = to(&messages, "carla@example.org");
    assert_eq!(received.len(), 1, "{messages:?}");
    let (subject, text) = subject_and_text(received[0]);
    assert!(subject.contains("partenariato"), "{subject}");
    assert!(text.contains("Portinerie di Comunità"), "{text}");
    assert!(
        text.contains("Mediazione dei conflitti di vicinato a Lorenteggio"),
        "{text}"
    );
    assert!(
        text.contains(&format!("https://trama.example.it/needs/{need}")),
        "{text}"
    );
    // Nobody of the co-operative is told of its own proposal.
    assert!(
        messages
            .iter()
            .all(|m| !m.rcpt_to.iter().any(|r| r == "anna@example.org")),
        "{messages:?}"
    );

    // The co-operative may withdraw its proposal.
    let body = set_side_status(&app, &s.anna, &match_id, "INTERESTED").await;
    assert_eq!(outcome(&body), "OK", "{body}");
    let state = &body["data"]["setMatchStatus"]["match"];
    assert_eq!(state["offerSideStatus"], "INTERESTED", "{body}");
    assert_eq!(state["partnership"], "NOT_PROPOSED", "{body}");

    // Proposed again; the municipality first declines, then changes its mind.
    let body = set_side_status(&app, &s.anna, &match_id, "PARTNERSHIP").await;
    assert_eq!(
        body["data"]["setMatchStatus"]["match"]["partnership"], "AWAITING_NEED_SIDE",
        "{body}"
    );
    let body = set_side_status(&app, &s.carla, &match_id, "DISMISSED").await;
    assert_eq!(
        body["data"]["setMatchStatus"]["match"]["partnership"], "DECLINED",
        "{body}"
    );
    assert!(projects_of_need(&app, &need).await.is_empty());

    // The municipality's consent opens the project, led by it.
    let body = set_side_status(&app, &s.carla, &match_id, "PARTNERSHIP").await;
    assert_eq!(outcome(&body), "OK", "{body}");
    let project = body["data"]["setMatchStatus"]["projectId"]
        .as_str()
        .unwrap_or_else(|| panic!("the second consent opens the project: {body}"))
        .to_owned();
    let state = &body["data"]["setMatchStatus"]["match"];
    assert_eq!(state["partnership"], "OPEN", "{body}");
    assert_eq!(state["projectId"], project.as_str(), "{body}");
    let opened = projects_of_need(&app, &need).await;
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].id.to_string(), project);
    assert_eq!(
        opened[0].lead_organization_id.to_string(),
        s.need_org.as_str()
    );
    let partners = count_where::<project_partners::Entity>(
        app.db(),
        project_partners::Column::ProjectId.eq(opened[0].id),
    )
    .await;
    assert_eq!(partners, 2);

    // Once open it is not undone here; saying yes again changes nothing.
    let body = gql_refused(
        &app,
        Some(&s.anna.token),
        SET_STATUS,
        vars("INTERESTED"),
        "CONFLICT",
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "status");
    let body = gql(&app, Some(&s.anna.token), SET_STATUS, vars("PARTNERSHIP")).await;
    assert_eq!(
        body["data"]["setMatchStatus"]["projectId"],
        project.as_str()
    );
    assert_eq!(projects_of_need(&app, &need).await.len(), 1);

    // The project's id is the two sides' business; the state is public.
    let body = gql(&app, None, MATCHES, json!({ "n": need })).await;
    assert_eq!(first_match(&body)["partnership"], "OPEN", "{body}");
    assert_eq!(first_match(&body)["projectId"], Value::Null, "{body}");
    let body = gql(&app, Some(&s.anna.token), MATCHES, json!({ "n": need })).await;
    assert_eq!(first_match(&body)["projectId"], project.as_str(), "{body}");
    app.stop().await;
}

async fn the_second_consent_opens_the_project_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = sides(&app).await;
    let places = [
        "Lorenteggio",
        "Giambellino",
        "San Siro",
        "Corvetto",
        "Niguarda",
    ];
    let mut needs = Vec::new();
    for place in places {
        let title = format!("Mediazione dei conflitti di vicinato a {place}");
        needs.push(publish_mediation_need(&app, &s.carla, &s.need_org, &title).await);
    }
    let offer = publish_mediation_offer(
        &app,
        &s.anna,
        &s.offer_org,
        "Mediazione dei conflitti di vicinato",
    )
    .await;
    settle(&app).await;
    for need in &needs {
        let body = gql(&app, Some(&s.carla.token), MATCH_IDS, json!({ "n": need })).await;
        let node = first_match(&body);
        assert_eq!(node["offer"]["id"], offer.as_str(), "{body}");
        let vars = json!({ "m": node["id"], "s": "PARTNERSHIP" });
        // Both sides say yes at the same moment, each twice.
        let requests = [&s.carla, &s.anna, &s.carla, &s.anna]
            .map(|who| gql(&app, Some(&who.token), SET_STATUS, vars.clone()));
        let answers = futures_util::future::join_all(requests).await;
        for body in &answers {
            assert_eq!(outcome(body), "OK", "{body}");
        }
        let opened = projects_of_need(&app, need).await;
        assert_eq!(opened.len(), 1, "projects for {need}: {opened:?}");
        let project = opened[0].id;
        let partners = count_where::<project_partners::Entity>(
            app.db(),
            project_partners::Column::ProjectId.eq(project),
        )
        .await;
        assert_eq!(partners, 2, "partners of {project}");
        let contributions = count_where::<project_contributions::Entity>(
            app.db(),
            project_contributions::Column::ProjectId.eq(project),
        )
        .await;
        assert_eq!(contributions, 1, "contributions of {project}");
        let created = count_where::<audit_log::Entity>(
            app.db(),
            Condition::all()
                .add(audit_log::Column::Action.eq("project.create"))
                .add(audit_log::Column::EntityId.eq(project)),
        )
        .await;
        assert_eq!(created, 1, "project.create of {project}");
        // Whoever came second was told of the project; the match shows it.
        assert!(
            answers
                .iter()
                .any(|b| b["data"]["setMatchStatus"]["projectId"] == json!(project.to_string())),
            "{answers:?}"
        );
        let body = gql(&app, Some(&s.anna.token), MATCHES, json!({ "n": need })).await;
        assert_eq!(first_match(&body)["partnership"], "OPEN", "{body}");
        assert_eq!(
            first_match(&body)["projectId"],
            json!(project.to_string()),
            "{body}"
        );
    }
    app.stop().await;
}
