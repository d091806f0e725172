//! Talking before agreeing (issue 15), on both databases: the two
//! organisations of a match talk once either side is interested, never
//! before; outsiders neither read nor write; the other side hears of a
//! message by e-mail (a real SMTP server on loopback), or in their next
//! digest when they chose it; reading marks read; a project's conversation is its partners'.

use sea_orm::{ColumnTrait, EntityTrait};
use serde_json::{Value, json};
use trama::store::entities::{audit_log, conversation_messages};
use uuid::Uuid;

use crate::digests::app_with_smtp;
use crate::helpers::{
    Backend, PATIENT, TestApp, count_where, gql, gql_ok, gql_refused, wait_until,
};
use crate::on_both_databases;
use crate::partnership::{SET_STATUS, matched, sides, subject_and_text, to};
use crate::smtp_server::SmtpServer;
use crate::visibility::{Person, organisation, person};

on_both_databases!(
    both_sides_of_a_match_talk_once_either_is_interested,
    a_project_conversation_is_for_its_partners_only,
);

const CONVERSATION: &str = "id kind matchId projectId unreadCount parties { id name isMine }
    messages { id body authorName isMine organizationId }";

pub(crate) fn for_match() -> String {
    format!("query($m: ID!) {{ conversationForMatch(matchId: $m) {{ {CONVERSATION} }} }}")
}

fn for_project() -> String {
    format!("query($p: ID!) {{ conversationForProject(projectId: $p) {{ {CONVERSATION} }} }}")
}

pub(crate) const SEND: &str = r#"mutation($c: ID!, $b: String!) {
    sendMessage(conversationId: $c, body: $b) { id body authorName isMine } }"#;

const MARK_READ: &str = r#"mutation($c: ID!) {
    markConversationRead(conversationId: $c) { id unreadCount } }"#;

const MINE: &str = r#"query { myConversations(first: 10) { totalCount
    edges { node { id kind unreadCount } } } }"#;

const MESSAGES_IN_DIGEST: &str = r#"mutation {
    updateDigestSettings(input: { messageNotifications: DIGEST }) { messageNotifications } }"#;

/// Someone of a third organisation, with nothing to do with the match.
async fn outsider(app: &TestApp) -> Person {
    let olga = person(app, "olga@example.org", "Olga Verdi", true).await;
    organisation(
        app,
        &olga,
        json!({
            "name": "Comitato Inquilini Giambellino",
            "kind": "INFORMAL_GROUP",
            "description": "Gli inquilini dei caseggiati di via Giambellino.",
        }),
    )
    .await;
    olga
}

fn field(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]["field"]
}

async fn both_sides_of_a_match_talk_once_either_is_interested(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(backend, &server, 0).await;
    let s = sides(&app).await;
    let (need, match_id) = matched(&app, &s).await;
    let olga = outsider(&app).await;
    let m = json!({ "m": match_id });

    // Nobody has said they are interested: nobody talks yet.
    let body = gql_refused(
        &app,
        Some(&s.carla.token),
        &for_match(),
        m.clone(),
        "FORBIDDEN",
    )
    .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("interessata"), "{body}");

    // The co-operative is interested: both sides may talk.
    gql_ok(
        &app,
        Some(&s.anna.token),
        SET_STATUS,
        json!({ "m": match_id, "s": "INTERESTED" }),
    )
    .await;
    let body = gql_ok(&app, Some(&s.anna.token), &for_match(), m.clone()).await;
    let conversation = &body["data"]["conversationForMatch"];
    let c = conversation["id"]
        .as_str()
        .expect("conversation id")
        .to_owned();
    assert_eq!(conversation["kind"], "MATCH", "{body}");
    assert_eq!(conversation["matchId"], match_id, "{body}");
    assert_eq!(conversation["unreadCount"], 0, "{body}");
    let parties = conversation["parties"].as_array().expect("parties");
    assert_eq!(parties.len(), 2, "{body}");
    assert_eq!(parties[0]["id"], s.need_org.as_str(), "{body}");
    assert_eq!(parties[1]["isMine"], true, "{body}");
    // The municipality finds the same conversation.
    let body = gql_ok(&app, Some(&s.carla.token), &for_match(), m.clone()).await;
    assert_eq!(body["data"]["conversationForMatch"]["id"], c.as_str());

    // An outsider neither reads nor writes; an anonymous visitor must sign in.
    let cv = |b: &str| json!({ "c": c, "b": b });
    gql_refused(
        &app,
        Some(&olga.token),
        &for_match(),
        m.clone(),
        "FORBIDDEN",
    )
    .await;
    gql_refused(&app, Some(&olga.token), SEND, cv("Ciao"), "FORBIDDEN").await;
    gql_refused(
        &app,
        Some(&olga.token),
        MARK_READ,
        json!({ "c": c }),
        "FORBIDDEN",
    )
    .await;
    gql_refused(&app, None, &for_match(), m.clone(), "UNAUTHENTICATED").await;
    let body = gql(&app, Some(&olga.token), MINE, json!({})).await;
    assert_eq!(body["data"]["myConversations"]["totalCount"], 0, "{body}");

    // A blank or overlong message names the field; an unknown conversation
    // is not found.
    let body = gql_refused(
        &app,
        Some(&s.anna.token),
        SEND,
        cv(" \n "),
        "BAD_USER_INPUT",
    )
    .await;
    assert_eq!(field(&body), "body", "{body}");
    let long = "a".repeat(4_001);
    let body = gql_refused(&app, Some(&s.anna.token), SEND, cv(&long), "BAD_USER_INPUT").await;
    assert_eq!(field(&body), "body", "{body}");
    let body = gql_refused(
        &app,
        Some(&s.anna.token),
        SEND,
        json!({ "c": Uuid::now_v7().to_string(), "b": "Ciao" }),
        "NOT_FOUND",
    )
    .await;
    assert_eq!(field(&body), "conversationId", "{body}");

    // The co-operative writes; the municipality hears of it by e-mail.
    let before = server.messages().len();
    let text = "Buongiorno, possiamo sentirci giovedì?\n\nIl programma: https://portinerie.example.org/mediazione";
    let body = gql_ok(&app, Some(&s.anna.token), SEND, cv(text)).await;
    let sent = &body["data"]["sendMessage"];
    assert_eq!(sent["body"], text, "{body}");
    assert_eq!(sent["authorName"], "Anna Bianchi", "{body}");
    assert_eq!(sent["isMine"], true, "{body}");
    let messages = server.wait_for(before + 1, PATIENT).await;
    let received = to(&messages, "carla@example.org");
    assert_eq!(received.len(), 1, "{messages:?}");
    let (subject, mail) = subject_and_text(received[0]);
    assert!(subject.contains("Portinerie di Comunità"), "{subject}");
    assert!(
        mail.contains("Buongiorno, possiamo sentirci giovedì?"),
        "{mail}"
    );
    assert!(
        mail.contains("https://portinerie.example.org/mediazione"),
        "{mail}"
    );
    assert!(
        mail.contains(&format!("https://trama.example.it/needs/{need}")),
        "{mail}"
    );
    assert!(to(&messages, "anna@example.org").is_empty(), "{messages:?}");

    // The municipality has one unread message; reading marks it read.
    let body = gql_ok(&app, Some(&s.carla.token), MINE, json!({})).await;
    let list = &body["data"]["myConversations"];
    assert_eq!(list["totalCount"], 1, "{body}");
    assert_eq!(list["edges"][0]["node"]["id"], c.as_str(), "{body}");
    assert_eq!(list["edges"][0]["node"]["unreadCount"], 1, "{body}");
    let body = gql_ok(&app, Some(&s.carla.token), &for_match(), m.clone()).await;
    let shown = &body["data"]["conversationForMatch"]["messages"];
    assert_eq!(shown[0]["body"], text, "{body}");
    assert_eq!(shown[0]["isMine"], false, "{body}");
    assert_eq!(shown[0]["organizationId"], s.offer_org.as_str(), "{body}");
    let body = gql_ok(&app, Some(&s.carla.token), MARK_READ, json!({ "c": c })).await;
    assert_eq!(body["data"]["markConversationRead"]["unreadCount"], 0);
    let body = gql_ok(&app, Some(&s.carla.token), MINE, json!({})).await;
    assert_eq!(
        body["data"]["myConversations"]["edges"][0]["node"]["unreadCount"], 0,
        "{body}"
    );

    // The co-operative's admin chose the digest: the answer sends no e-mail.
    let body = gql_ok(&app, Some(&s.anna.token), MESSAGES_IN_DIGEST, json!({})).await;
    assert_eq!(
        body["data"]["updateDigestSettings"]["messageNotifications"], "DIGEST",
        "{body}"
    );
    let body = gql_ok(
        &app,
        Some(&s.carla.token),
        SEND,
        cv("Giovedì alle 10 va bene."),
    )
    .await;
    let reply =
        Uuid::parse_str(body["data"]["sendMessage"]["id"].as_str().expect("id")).expect("uuid");
    let notified = wait_until(PATIENT, async || {
        conversation_messages::Entity::find_by_id(reply)
            .one(app.db())
            .await
            .expect("message")
            .is_some_and(|m| m.notified_at.is_some())
    })
    .await;
    assert!(notified, "the e-mail job did not run");
    assert!(
        to(&server.messages(), "anna@example.org").is_empty(),
        "{:?}",
        server.messages()
    );
    let body = gql_ok(&app, Some(&s.anna.token), MINE, json!({})).await;
    assert_eq!(
        body["data"]["myConversations"]["edges"][0]["node"]["unreadCount"], 1,
        "{body}"
    );

    // Her next digest brings it instead, with a link to her side of the match.
    let before = server.messages().len();
    let report = crate::digests::step(&app, 8).await;
    assert!(report.sent >= 1, "{report:?}");
    let messages = server.wait_for(before + 1, PATIENT).await;
    let digest = to(&messages[before..], "anna@example.org");
    assert_eq!(digest.len(), 1, "{messages:?}");
    let (_, mail) = subject_and_text(digest[0]);
    assert!(mail.contains("== Messaggi da leggere =="), "{mail}");
    assert!(
        mail.contains("1 messaggio da Municipio 6 su «Mediazione dei conflitti di vicinato a Lorenteggio – Mediazione dei conflitti di vicinato»"),
        "{mail}"
    );
    assert!(mail.contains("https://trama.example.it/offers/"), "{mail}");

    // Every message is in the audit log.
    let audited = count_where::<audit_log::Entity>(
        app.db(),
        audit_log::Column::Action.eq("conversation.message"),
    )
    .await;
    assert_eq!(audited, 2);
    app.stop().await;
}

async fn a_project_conversation_is_for_its_partners_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = sides(&app).await;
    let (_, match_id) = matched(&app, &s).await;
    let olga = outsider(&app).await;
    let mut answers = Vec::new();
    for who in [&s.anna, &s.carla] {
        let vars = json!({ "m": match_id, "s": "PARTNERSHIP" });
        answers.push(gql_ok(&app, Some(&who.token), SET_STATUS, vars).await);
    }
    // The second consent opened the project.
    let project = answers[1]["data"]["setMatchStatus"]["projectId"]
        .as_str()
        .unwrap_or_else(|| panic!("no project: {answers:?}"))
        .to_owned();
    let p = json!({ "p": project });

    gql_refused(
        &app,
        Some(&olga.token),
        &for_project(),
        p.clone(),
        "FORBIDDEN",
    )
    .await;
    let body = gql_refused(
        &app,
        Some(&olga.token),
        &for_project(),
        json!({ "p": Uuid::now_v7().to_string() }),
        "NOT_FOUND",
    )
    .await;
    assert_eq!(field(&body), "projectId", "{body}");

    let body = gql_ok(&app, Some(&s.carla.token), &for_project(), p.clone()).await;
    let conversation = &body["data"]["conversationForProject"];
    assert_eq!(conversation["kind"], "PROJECT", "{body}");
    assert_eq!(conversation["projectId"], project.as_str(), "{body}");
    assert_eq!(conversation["parties"].as_array().map(Vec::len), Some(2));
    let c = conversation["id"].as_str().expect("id").to_owned();
    gql_ok(
        &app,
        Some(&s.carla.token),
        SEND,
        json!({ "c": c, "b": "Vi mando la bozza del patto." }),
    )
    .await;
    gql_refused(
        &app,
        Some(&olga.token),
        SEND,
        json!({ "c": c, "b": "Posso entrare?" }),
        "FORBIDDEN",
    )
    .await;

    let body = gql_ok(&app, Some(&s.anna.token), &for_project(), p).await;
    let conversation = &body["data"]["conversationForProject"];
    assert_eq!(conversation["id"], c.as_str());
    assert_eq!(conversation["unreadCount"], 1, "{body}");
    assert_eq!(
        conversation["messages"][0]["body"], "Vi mando la bozza del patto.",
        "{body}"
    );
    // The match's conversation is another one.
    let body = gql_ok(
        &app,
        Some(&s.anna.token),
        &for_match(),
        json!({ "m": match_id }),
    )
    .await;
    assert_ne!(body["data"]["conversationForMatch"]["id"], c.as_str());
    let body = gql_ok(&app, Some(&s.anna.token), MINE, json!({})).await;
    assert_eq!(body["data"]["myConversations"]["totalCount"], 2, "{body}");
    app.stop().await;
}
