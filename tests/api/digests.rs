//! E-mail digests against the real SMTP server of `smtp_server.rs`, on both
//! databases: a digest arrives with both parts, its headers and working
//! links (feedback, one-click unsubscribe); nothing is repeated; a refused
//! first attempt is retried and arrives; a permanent refusal shows, in
//! plain words, in `digestSettings.lastError`; two concurrent senders deliver each digest
//! once; a delivery left by a crashed sender is sent once; after turning
//! digests off nothing more is sent; the server's scheduler sends an
//! immediate digest by itself; the settings need sign-in; a need with many
//! new matches lists its best few, best first, and counts the others, which
//! no later digest brings again.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::TimeDelta;
use mail_parser::MimeHeaders;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use trama::domain::{
    DeliveryStatus, DigestFrequency, DocumentKind, FeedbackVerdict, Lang, MatchSideStatus,
    MembershipRole,
};
use trama::mail::{Mailer, SmtpUrl};
use trama::services::digests::{self, DigestSettingsInput, Sender};
use trama::services::matches::MatchSide;
use trama::services::reference_data::{MILANO, neighbourhood_id};
use trama::services::{Actor, now, offers, organizations};
use trama::store::entities::{
    digest_deliveries, digest_items, match_feedback, matches, memberships, project_documents,
};
use uuid::Uuid;

use crate::helpers::{
    Backend, TestApp, TestEnv, gql, gql_ok, gql_refused, load_territories, outcome, service_need,
};
use crate::mail::header;
use crate::on_both_databases;
use crate::smtp_server::{Failure, Received, SmtpServer, Stage};

on_both_databases!(
    a_digest_arrives_with_both_parts_and_working_links,
    a_refused_first_attempt_is_retried_and_a_permanent_refusal_is_shown,
    two_concurrent_senders_deliver_each_digest_once,
    a_delivery_left_by_a_crashed_sender_is_sent_once,
    after_turning_digests_off_nothing_is_sent,
    the_scheduler_sends_an_immediate_digest,
    digest_settings_need_sign_in,
    a_saved_search_brings_new_postings_once,
    a_saved_search_leaves_out_what_a_match_brings,
    project_activity_arrives_once,
    a_section_lists_its_best_matches_and_counts_the_rest_once,
);

// Generous: the machine running the suite may be busy.
pub(crate) const WAIT: Duration = Duration::from_secs(30);
pub(crate) const SETTINGS_QUERY: &str = "{ digestSettings { frequency language includeMatches includeSavedSearches includeProjects lastSentAt nextDueAt lastError } }";
const UPDATE: &str = "mutation($input: DigestSettingsInput!) { updateDigestSettings(input: $input) { frequency language nextDueAt lastError } }";

/// The app with its mail going to `server`; the scheduler runs every
/// `poll` seconds (0: off, the test drives the steps).
pub(crate) async fn app_with_smtp(backend: Backend, server: &SmtpServer, poll: u64) -> TestApp {
    let mut env = TestEnv::new(backend).await;
    env.settings.smtp_url = Some(trama::config::Secret::new(server.url()));
    env.settings.digest_poll_secs = poll;
    env.settings.public_url = "https://trama.example.it".to_owned();
    TestApp::spawn_in(env).await
}

/// A member of the digest scenarios: a signed-in account.
pub(crate) use crate::visibility::Person as Member;

/// A verified account, made through the services (no e-mail), signed in.
pub(crate) async fn member(app: &TestApp, email: &str, lang: Lang) -> Member {
    crate::visibility::person_speaking(app, email, "Maria Rossi", lang, true).await
}

/// Two organisations, the need's (admin `comune`) and the offer's (admin
/// `coop`), one need, one offer and their match.
pub(crate) struct World {
    pub(crate) comune: Member,
    pub(crate) coop: Member,
    pub(crate) need_org: Uuid,
    pub(crate) offer_org: Uuid,
    pub(crate) match_id: Uuid,
}

pub(crate) async fn settle(app: &TestApp) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while trama::jobs::pending(app.db()).await.expect("pending") > 0 {
        assert!(std::time::Instant::now() < deadline, "jobs still pending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn organisation(
    app: &TestApp,
    who: &Member,
    name: &str,
    kind: &str,
    tax: &str,
) -> Uuid {
    organizations::create(
        app.db(),
        &Actor::user(who.id, &who.email),
        &serde_json::from_value(json!({
            "name": name, "kind": kind, "taxCode": tax,
            "description": "Ente del quartiere.", "seatMunicipalityCode": MILANO,
        }))
        .expect("organisation input"),
        None,
    )
    .await
    .expect("organisation")
    .id
}

pub(crate) async fn offer(app: &TestApp, who: &Member, org: Uuid, title: &str) -> Uuid {
    offers::create(
        app.db(),
        &Actor::user(who.id, &who.email),
        org,
        &serde_json::from_value(json!({
            "kind": "competence",
            "title": title,
            "description": "Mediatori sociali esperti nei conflitti di vicinato e nella gestione dei caseggiati.",
            "territoryScope": "municipality",
            "municipalityCode": MILANO,
        }))
        .expect("offer input"),
    )
    .await
    .expect("offer")
    .id
}

/// Publishes a mediation offer of the co-operative of `w`, titled `title`,
/// as its admin: the municipality's need matches it.
pub(crate) async fn coop_offer(app: &TestApp, w: &World, title: &str) -> Uuid {
    offer(app, &w.coop, w.offer_org, title).await
}

/// The scene of most digest tests: a real SMTP server, the app mailing to
/// it with its scheduler off (the test drives the steps), and the
/// [`world`].
pub(crate) async fn smtp_world(backend: Backend) -> (SmtpServer, TestApp, World) {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(backend, &server, 0).await;
    let w = world(&app).await;
    (server, app, w)
}

pub(crate) async fn world(app: &TestApp) -> World {
    load_territories(app.db()).await;
    let comune = member(app, "comune@example.org", Lang::It).await;
    let coop = member(app, "coop@example.org", Lang::En).await;
    // Subscriptions begin now: only later matches are news.
    for who in [&comune, &coop] {
        set_frequency(app, who, DigestFrequency::Daily).await;
    }
    let need_org = organisation(app, &comune, "Municipio 6", "municipality", "01199250158").await;
    let offer_org = organisation(
        app,
        &coop,
        "Cooperativa Mediazione & Quartiere",
        "social_cooperative_a",
        "95745878934",
    )
    .await;
    let mut input = mediation_need("Mediazione dei conflitti di vicinato a Lorenteggio");
    input["neighbourhoodId"] = json!(neighbourhood_id(MILANO, "53").to_string());
    service_need(
        app.db(),
        &Actor::user(comune.id, &comune.email),
        need_org,
        input,
    )
    .await;
    offer(
        app,
        &coop,
        offer_org,
        "Mediazione dei conflitti di vicinato",
    )
    .await;
    settle(app).await;
    let all = matches::Entity::find()
        .all(app.db())
        .await
        .expect("matches");
    assert_eq!(all.len(), 1, "one match expected");
    World {
        comune,
        coop,
        need_org,
        offer_org,
        match_id: all[0].id,
    }
}

pub(crate) async fn set_frequency(app: &TestApp, who: &Member, frequency: DigestFrequency) {
    digests::update_settings(
        app.db(),
        Some(&Actor::user(who.id, &who.email)),
        &DigestSettingsInput {
            frequency: Some(frequency),
            ..DigestSettingsInput::default()
        },
    )
    .await
    .expect("update digest settings");
}

pub(crate) fn planner(app: &TestApp) -> digests::Planner<'_> {
    digests::Planner {
        search: &app.state.search,
        matcher: &app.state.matcher,
        per_posting: app.state.settings.digest_matches_per_posting,
    }
}

pub(crate) fn sender<'a>(app: &'a TestApp, mailer: &'a Mailer, worker: &'a str) -> Sender<'a> {
    Sender {
        db: &app.state.db,
        search: &app.state.search,
        matcher: &app.state.matcher,
        mailer,
        settings: &app.state.settings,
        worker,
    }
}

/// Runs one scheduler step as of `days` days from now.
pub(crate) async fn step(app: &TestApp, days: i64) -> digests::SendReport {
    step_at(app, now() + TimeDelta::days(days)).await
}

/// Runs one scheduler step as of `at`.
pub(crate) async fn step_at(
    app: &TestApp,
    at: chrono::DateTime<chrono::Utc>,
) -> digests::SendReport {
    digests::run_once(sender(app, &app.state.mailer, "test-worker"), at)
        .await
        .expect("digest step")
}

pub(crate) fn to_of(message: &Received) -> String {
    message.rcpt_to.join(",")
}

/// (text, html) of a multipart/alternative message.
pub(crate) fn parts(message: &mail_parser::Message<'_>) -> (String, String) {
    let mut text = None;
    let mut html = None;
    for part in message.parts.iter() {
        if let Some(ct) = part.content_type() {
            match (ct.ctype(), ct.subtype()) {
                ("text", Some("plain")) => text = part.text_contents().map(str::to_owned),
                ("text", Some("html")) => html = part.text_contents().map(str::to_owned),
                _ => {}
            }
        }
    }
    (text.expect("text part"), html.expect("html part"))
}

/// The first link in `text` starting with `prefix`.
pub(crate) fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<' && *c != '>')
        .collect::<String>()
        .replace("&amp;", "&")
}

/// The feedback recorded on a match from e-mail links.
async fn email_feedback(app: &TestApp, match_id: Uuid) -> Vec<match_feedback::Model> {
    match_feedback::Entity::find()
        .filter(match_feedback::Column::MatchId.eq(match_id))
        .filter(match_feedback::Column::Source.eq("email"))
        .all(app.db())
        .await
        .expect("feedback")
}

/// A link of the e-mail, on the test server instead of the public URL.
pub(crate) fn local(app: &TestApp, link: &str) -> String {
    link.replace("https://trama.example.it", &app.address)
}

async fn a_digest_arrives_with_both_parts_and_working_links(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;

    // Nothing is due yet (daily, set a moment ago).
    assert_eq!(step(&app, 0).await, digests::SendReport::default());
    let report = step(&app, 2).await;
    assert_eq!(report.sent, 2, "{report:?}");
    let received = server.wait_for(2, WAIT).await;
    assert_eq!(received.len(), 2);
    let by_to: BTreeMap<String, &Received> = received.iter().map(|m| (to_of(m), m)).collect();

    // The need's side, in Italian.
    let message = by_to["comune@example.org"].parsed();
    assert_eq!(message.subject(), Some("Trama: 1 nuovo abbinamento"));
    assert_eq!(header(&message, "Content-Language"), "it");
    let unsubscribe = header(&message, "List-Unsubscribe");
    assert!(
        unsubscribe.starts_with("<https://trama.example.it/digests/unsubscribe?token="),
        "{unsubscribe}"
    );
    assert_eq!(
        header(&message, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    let (text, html) = parts(&message);
    for part in [&text, &html] {
        assert!(
            part.contains("Mediazione dei conflitti di vicinato a Lorenteggio"),
            "{part}"
        );
        assert!(part.contains("Cooperativa Mediazione"), "{part}");
        assert!(part.contains(&format!("match={}", w.match_id)), "{part}");
        assert!(part.contains("https://trama.example.it/digests/unsubscribe?token="));
    }
    assert!(html.contains(r#"<html lang="it""#));
    assert!(html.contains("Cooperativa Mediazione &amp; Quartiere"));
    assert!(!html.contains("<img"));
    assert!(text.contains("Pertinente:"), "{text}");

    // The offer's side, in English.
    let message = by_to["coop@example.org"].parsed();
    assert_eq!(message.subject(), Some("Trama: 1 new match"));
    let (text_en, _) = parts(&message);
    assert!(text_en.contains("Your offer: Mediazione dei conflitti di vicinato"));

    // Feedback, no login. GET (what a mail scanner does) shows a page in
    // Italian with a button and records nothing; its POST records, with
    // source email.
    let relevant = link(&text, "https://trama.example.it/digests/feedback?");
    assert!(relevant.ends_with("verdict=relevant"), "{relevant}");
    for _ in 0..2 {
        let response = app
            .client
            .get(local(&app, &relevant))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200);
        let page = response.text().await.expect("page");
        assert!(
            page.contains(r#"<html lang="it">"#)
                && page.contains(r#"<form method="post" action="/digests/feedback?token="#)
                && page.contains("Sì, è pertinente"),
            "{page}"
        );
    }
    assert_eq!(email_feedback(&app, w.match_id).await.len(), 0);
    let response = app
        .client
        .post(local(&app, &relevant))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 200);
    let page = response.text().await.expect("page");
    assert!(page.contains("segnato come pertinente"), "{page}");
    let feedback = email_feedback(&app, w.match_id).await;
    assert_eq!(feedback.len(), 1);
    assert_eq!(feedback[0].verdict, FeedbackVerdict::Relevant);
    assert_eq!(feedback[0].user_id, Some(w.comune.id));
    assert_eq!(feedback[0].organization_id, Some(w.need_org));
    // A tampered token, a match not in the digest, a bad verdict: a clear
    // page, 400, nothing recorded.
    for bad in [
        relevant.replace("token=", "token=x"),
        relevant.replace(&w.match_id.to_string(), &Uuid::now_v7().to_string()),
        relevant.replace("verdict=relevant", "verdict=maybe"),
        "https://trama.example.it/digests/feedback".to_owned(),
    ] {
        for request in [
            app.client.get(local(&app, &bad)),
            app.client.post(local(&app, &bad)),
        ] {
            let response = request.send().await.expect("request");
            assert_eq!(response.status(), 400, "{bad}");
            assert!(
                response
                    .text()
                    .await
                    .expect("page")
                    .contains("Link non valido")
            );
        }
    }
    assert_eq!(email_feedback(&app, w.match_id).await.len(), 1);

    // Nothing is repeated: the next day's digest is empty, recorded, unsent.
    let report = step(&app, 4).await;
    assert_eq!(report.sent, 0, "{report:?}");
    let empty = digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::ItemCount.eq(0))
        .count(app.db())
        .await
        .expect("count");
    assert_eq!(empty, 2);

    // One-click unsubscribe: GET shows a button, POST (RFC 8058) turns off.
    let unsubscribe_url = local(&app, unsubscribe.trim_matches(['<', '>']));
    let response = app.client.get(&unsubscribe_url).send().await.expect("GET");
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .expect("page")
            .contains(r#"<form method="post""#)
    );
    let response = app
        .client
        .post(&unsubscribe_url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 200);
    let body = gql(&app, Some(&w.comune.token), SETTINGS_QUERY, json!({})).await;
    assert_eq!(body["data"]["digestSettings"]["frequency"], "OFF", "{body}");
    assert_eq!(body["data"]["digestSettings"]["nextDueAt"], Value::Null);
    let bad = app
        .client
        .post(format!("{}/digests/unsubscribe?token=nope", app.address))
        .send()
        .await
        .expect("POST");
    assert_eq!(bad.status(), 400);

    // A new match later: the offer's side gets it, the need's side does not.
    coop_offer(&app, &w, "Mediatori di comunità per i caseggiati").await;
    settle(&app).await;
    let report = step(&app, 8).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let received = server.wait_for(3, WAIT).await;
    assert_eq!(received.len(), 3);
    assert_eq!(to_of(&received[2]), "coop@example.org");
    app.stop().await;
}

async fn a_refused_first_attempt_is_retried_and_a_permanent_refusal_is_shown(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    set_frequency(&app, &w.coop, DigestFrequency::Off).await;

    server.fail_next(1, Failure::Temporary(Stage::EndOfData));
    let report = step(&app, 2).await;
    assert_eq!(report.retry, 1, "{report:?}");
    assert!(
        server.messages().is_empty(),
        "{report:?} {:?}",
        server.messages().iter().map(to_of).collect::<Vec<_>>()
    );
    let row = digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::UserId.eq(w.comune.id))
        .filter(digest_deliveries::Column::ItemCount.gt(0))
        .one(app.db())
        .await
        .expect("delivery")
        .expect("one delivery");
    assert_eq!(row.status, DeliveryStatus::Retry);
    assert_eq!(row.attempts, 1);
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("451")
    );
    // Not before its back-off...
    let early = digests::send_due(
        sender(&app, &app.state.mailer, "test-worker"),
        row.created_at,
    )
    .await
    .expect("send");
    assert_eq!(early.sent, 0);
    // ...and then it arrives, once.
    let report = step(&app, 3).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1);
    assert_eq!(to_of(&received[0]), "comune@example.org");
    let body = gql(&app, Some(&w.comune.token), SETTINGS_QUERY, json!({})).await;
    assert_eq!(
        body["data"]["digestSettings"]["lastError"],
        Value::Null,
        "{body}"
    );
    assert!(
        body["data"]["digestSettings"]["lastSentAt"].is_string(),
        "{body}"
    );

    // A permanent refusal: failed, not retried, shown to the user.
    set_frequency(&app, &w.coop, DigestFrequency::Daily).await;
    server.fail_next(1, Failure::Permanent(Stage::MailFrom));
    let report = step(&app, 5).await;
    assert_eq!(report.failed, 1, "{report:?}");
    let report = step(&app, 6).await;
    assert_eq!(report.sent + report.retry + report.failed, 0, "{report:?}");
    assert_eq!(server.messages().len(), 1);
    // The person reads it in plain words; the server's reply stays in the
    // operators' column.
    let body = gql(&app, Some(&w.coop.token), SETTINGS_QUERY, json!({})).await;
    let error = body["data"]["digestSettings"]["lastError"]
        .as_str()
        .unwrap_or_default();
    assert!(
        error.starts_with("Non inviato: il server di posta ha rifiutato il messaggio"),
        "{body}"
    );
    assert!(!error.contains("550"), "{body}");
    let row = digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::UserId.eq(w.coop.id))
        .filter(digest_deliveries::Column::Status.eq("failed"))
        .one(app.db())
        .await
        .expect("delivery")
        .expect("the refused delivery");
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("550"),
        "{row:?}"
    );
    app.stop().await;
}

async fn two_concurrent_senders_deliver_each_digest_once(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    // Eight more members of the need's organisation: ten digests.
    for n in 0..8 {
        let extra = member(&app, &format!("socio{n}@example.org"), Lang::It).await;
        memberships::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(extra.id),
            organization_id: Set(w.need_org),
            role: Set(MembershipRole::Member),
            created_at: Set(now()),
            updated_at: Set(now()),
        }
        .insert(app.db())
        .await
        .expect("membership");
        set_frequency(&app, &extra, DigestFrequency::Daily).await;
    }
    // Subscriptions made after the match: make the match newer than them.
    matches::Entity::update_many()
        .col_expr(
            matches::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .exec(app.db())
        .await
        .expect("touch the match");

    // Two "processes": their own database pools and mailers.
    let url = SmtpUrl::parse(&server.url()).expect("url");
    let mailer_a = Mailer::smtp(&url, "Trama <noreply@trama.example.it>").expect("mailer");
    let mailer_b = Mailer::smtp(&url, "Trama <noreply@trama.example.it>").expect("mailer");
    let db_b = if backend == Backend::Postgres {
        trama::app::connect_database(&app.env.settings)
            .await
            .expect("second pool")
    } else {
        app.state.db.clone()
    };
    let at = now() + TimeDelta::days(2);
    let a = digests::run_once(sender(&app, &mailer_a, "process-a"), at);
    let b = digests::run_once(
        Sender {
            db: &db_b,
            search: &app.state.search,
            matcher: &app.state.matcher,
            mailer: &mailer_b,
            settings: &app.state.settings,
            worker: "process-b",
        },
        at,
    );
    let (a, b) = tokio::join!(a, b);
    let (a, b) = (a.expect("sender a"), b.expect("sender b"));
    assert_eq!(a.sent + b.sent, 10, "{a:?} {b:?}");
    let received = server.wait_for(10, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = if server.messages().len() > received.len() {
        server.messages()
    } else {
        received
    };
    let mut recipients: Vec<String> = received.iter().map(to_of).collect();
    recipients.sort();
    let total = recipients.len();
    recipients.dedup();
    assert_eq!(total, 10, "{recipients:?}");
    assert_eq!(recipients.len(), 10, "each digest exactly once");
    let sent = digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::Status.eq("sent"))
        .filter(digest_deliveries::Column::ItemCount.gt(0))
        .count(app.db())
        .await
        .expect("count");
    assert_eq!(sent, 10);
    let _ = w.coop;
    app.stop().await;
}

async fn a_delivery_left_by_a_crashed_sender_is_sent_once(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    set_frequency(&app, &w.coop, DigestFrequency::Off).await;
    let at = now() + TimeDelta::days(2);
    assert_eq!(
        digests::plan_due(app.db(), planner(&app), at)
            .await
            .expect("plan"),
        1
    );
    // A sender claims it and dies before sending.
    let claimed = digests::claim(app.db(), "crashed", at, 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    // While its lease holds, nobody else takes it.
    let mailer = &app.state.mailer;
    let report = digests::send_due(
        sender(&app, mailer, "survivor"),
        at + TimeDelta::seconds(60),
    )
    .await
    .expect("send");
    assert_eq!(report.sent, 0);
    // After the lease, another process sends it, once.
    let later = at + digests::LEASE + TimeDelta::seconds(1);
    let report = digests::send_due(sender(&app, mailer, "survivor"), later)
        .await
        .expect("send");
    assert_eq!(report.sent, 1);
    let report = digests::send_due(
        sender(&app, mailer, "survivor"),
        later + TimeDelta::hours(1),
    )
    .await
    .expect("send");
    assert_eq!(report.sent, 0);
    let received = server.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(received.len(), 1);
    assert_eq!(server.messages().len(), 1);
    let row = digest_deliveries::Entity::find_by_id(claimed[0].id)
        .one(app.db())
        .await
        .expect("row")
        .expect("delivery");
    assert_eq!(row.status, DeliveryStatus::Sent);
    assert_eq!(row.claimed_by.as_deref(), Some("survivor"));
    assert_eq!(row.attempts, 2);
    assert!(row.message_id.is_some());
    app.stop().await;
}

async fn after_turning_digests_off_nothing_is_sent(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    let at = now() + TimeDelta::days(2);
    // Planned (pending) for both, then both turn digests off before sending.
    assert_eq!(
        digests::plan_due(app.db(), planner(&app), at)
            .await
            .expect("plan"),
        2
    );
    let body = gql_ok(
        &app,
        Some(&w.comune.token),
        UPDATE,
        json!({ "input": { "frequency": "OFF" } }),
    )
    .await;
    assert_eq!(body["data"]["updateDigestSettings"]["frequency"], "OFF");
    set_frequency(&app, &w.coop, DigestFrequency::Off).await;
    let report = digests::send_due(sender(&app, &app.state.mailer, "w"), at)
        .await
        .expect("send");
    assert_eq!(report.sent, 0, "{report:?}");
    for days in [3, 10, 30] {
        let report = step(&app, days).await;
        assert_eq!(report.sent, 0, "{report:?}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(server.messages().is_empty());
    assert_eq!(server.transactions(), 0);
    app.stop().await;
}

async fn the_scheduler_sends_an_immediate_digest(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(backend, &server, 1).await;
    let w = world(&app).await;
    set_frequency(&app, &w.coop, DigestFrequency::Off).await;
    gql_ok(
        &app,
        Some(&w.comune.token),
        UPDATE,
        json!({ "input": { "frequency": "IMMEDIATE", "language": "EN" } }),
    )
    .await;
    // The match predates the switch to immediate but not the subscription.
    let received = server.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(received.len(), 1);
    assert_eq!(to_of(&received[0]), "comune@example.org");
    assert_eq!(received[0].parsed().subject(), Some("Trama: 1 new match"));
    // The scheduler keeps running: nothing is repeated.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(server.messages().len(), 1);
    app.stop().await;
}

async fn digest_settings_need_sign_in(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(backend, &server, 0).await;
    assert_eq!(
        outcome(&gql(&app, None, SETTINGS_QUERY, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        outcome(
            &gql(
                &app,
                None,
                UPDATE,
                json!({ "input": { "frequency": "OFF" } })
            )
            .await
        ),
        "UNAUTHENTICATED"
    );
    let anna = member(&app, "anna@example.org", Lang::En).await;
    let body = gql_ok(&app, Some(&anna.token), SETTINGS_QUERY, json!({})).await;
    let settings = &body["data"]["digestSettings"];
    assert_eq!(settings["frequency"], "WEEKLY");
    assert_eq!(settings["language"], "EN");
    assert_eq!(settings["includeMatches"], true);
    assert_eq!(settings["lastSentAt"], Value::Null);
    assert!(settings["nextDueAt"].is_string());
    gql_ok(
        &app,
        Some(&anna.token),
        UPDATE,
        json!({ "input": { "frequency": "DAILY", "language": "IT", "includeProjects": false } }),
    )
    .await;
    let body = gql(&app, Some(&anna.token), SETTINGS_QUERY, json!({})).await;
    assert_eq!(body["data"]["digestSettings"]["frequency"], "DAILY");
    assert_eq!(body["data"]["digestSettings"]["language"], "IT");
    assert_eq!(body["data"]["digestSettings"]["includeProjects"], false);
    app.stop().await;
}

pub(crate) const SAVE: &str = "mutation($input: SaveSearchInput!) { saveSearch(input: $input) { id name query filter { types statuses } } }";
const SAVED: &str = "{ savedSearches { id name } me { digestSettings { includeSavedSearches } } }";
const DELETE_SAVED: &str = "mutation($id: ID!) { deleteSavedSearch(id: $id) }";

/// A need in Milan for mediators in neighbours' conflicts, titled `title`,
/// in the services' spelling: the co-operative's offer of [`world`]
/// matches it.
pub(crate) fn mediation_need(title: &str) -> Value {
    json!({
        "kind": "social_mediation",
        "title": title,
        "description": "Cerchiamo mediatori sociali per i conflitti di vicinato nei caseggiati.",
        "municipalityCode": MILANO,
        "requiredContributions": ["competence"],
    })
}

/// A need of `org` in Milan, published by `who`.
pub(crate) async fn need(
    app: &TestApp,
    who: &Member,
    org: Uuid,
    kind: &str,
    title: &str,
    text: &str,
) -> Uuid {
    service_need(
        app.db(),
        &Actor::user(who.id, &who.email),
        org,
        json!({
            "kind": kind,
            "title": title,
            "description": text,
            "municipalityCode": MILANO,
        }),
    )
    .await
}

/// A need of the municipality of `w` for a social concierge service,
/// titled `title`: a saved search for "portierato" finds it.
pub(crate) async fn concierge_need(app: &TestApp, w: &World, title: &str) -> Uuid {
    let text = "Cerchiamo chi gestisca un servizio di portierato sociale per gli inquilini.";
    need(app, &w.comune, w.need_org, "social_concierge", title, text).await
}

/// The municipality's call for proposals for a social concierge service
/// in Gratosoglio: a saved search for "portierato" finds it too.
pub(crate) async fn gratosoglio_call(app: &TestApp, w: &World) -> Uuid {
    need(
        app,
        &w.comune,
        w.need_org,
        "call_for_proposals",
        "Bando per il portierato sociale a Gratosoglio",
        "Avviso pubblico per un servizio di portierato sociale nei caseggiati ERP.",
    )
    .await
}

/// The messages `server` received for `to`, in order.
pub(crate) fn messages_to(server: &SmtpServer, to: &str) -> Vec<Received> {
    server
        .messages()
        .into_iter()
        .filter(|m| to_of(m) == to)
        .collect()
}

async fn a_saved_search_brings_new_postings_once(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    let giulia = member(&app, "giulia@example.org", Lang::It).await;

    // Bad input names the field; anonymous visitors cannot save.
    for (input, field) in [
        (json!({ "name": "  ", "query": "portierato" }), "name"),
        (
            json!({ "name": "Portierato", "query": "x".repeat(301) }),
            "query",
        ),
        (
            json!({ "name": "Portierato", "query": "portierato", "filter": { "sectors": ["??"] } }),
            "filter.sectors[0]",
        ),
    ] {
        let body = gql_refused(
            &app,
            Some(&giulia.token),
            SAVE,
            json!({ "input": input }),
            "BAD_USER_INPUT",
        )
        .await;
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let input = json!({ "input": { "name": "Portierato sociale", "query": "portierato", "filter": { "types": ["NEED"] } } });
    assert_eq!(
        outcome(&gql(&app, None, SAVE, input.clone()).await),
        "UNAUTHENTICATED"
    );
    let body = gql_ok(&app, Some(&giulia.token), SAVE, input).await;
    let saved = &body["data"]["saveSearch"];
    assert_eq!(saved["filter"]["types"], json!(["NEED"]));
    assert_eq!(saved["filter"]["statuses"], json!(["OPEN"]));
    let saved_id = saved["id"].as_str().expect("id").to_owned();
    let body = gql(&app, Some(&giulia.token), SAVED, json!({})).await;
    assert_eq!(
        body["data"]["savedSearches"][0]["name"], "Portierato sociale",
        "{body}"
    );
    assert_eq!(
        body["data"]["me"]["digestSettings"]["includeSavedSearches"],
        true
    );
    set_frequency(&app, &giulia, DigestFrequency::Immediate).await;

    // A need the search finds, one it does not, an offer it leaves out.
    concierge_need(&app, &w, "Portierato sociale nei caseggiati di San Siro").await;
    need(
        &app,
        &w.comune,
        w.need_org,
        "space_regeneration",
        "Pulizia delle scale a Lorenteggio",
        "Vernice e materiali forniti da ALER, cerchiamo volontari.",
    )
    .await;
    coop_offer(&app, &w, "Portierato sociale di quartiere").await;
    settle(&app).await;
    let at = now() + TimeDelta::minutes(2);
    let report = step_at(&app, at).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let received = messages_to(&server, "giulia@example.org");
    assert_eq!(received.len(), 1);
    let message = received[0].parsed();
    assert_eq!(message.subject(), Some("Trama: 1 novità"));
    let (text, html) = parts(&message);
    for part in [&text, &html] {
        for said in [
            "La tua ricerca: Portierato sociale",
            "Portierato sociale nei caseggiati di San Siro",
            "Municipio 6",
        ] {
            assert!(part.contains(said), "{part}");
        }
        assert!(!part.contains("Pulizia delle scale"), "{part}");
        assert!(!part.contains("Portierato sociale di quartiere"), "{part}");
    }

    // A second need later: the next digest brings it, not the first again.
    gratosoglio_call(&app, &w).await;
    settle(&app).await;
    let at = at + TimeDelta::minutes(2);
    let report = step_at(&app, at).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let received = messages_to(&server, "giulia@example.org");
    assert_eq!(received.len(), 2);
    let (text, _) = parts(&received[1].parsed());
    assert!(
        text.contains("Bando: Bando per il portierato sociale a Gratosoglio"),
        "{text}"
    );
    assert!(!text.contains("San Siro"), "{text}");
    // Nothing new: an immediate digest sends nothing.
    let report = step_at(&app, at + TimeDelta::minutes(2)).await;
    assert_eq!(report.sent, 0, "{report:?}");
    let items = digest_items::Entity::find()
        .filter(digest_items::Column::ItemType.eq("saved_search_need"))
        .all(app.db())
        .await
        .expect("items");
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|i| i.group_id.map(|g| g.to_string()) == Some(saved_id.clone()))
    );

    // Deleting: once, then NOT_FOUND; someone else's is not found either.
    gql_refused(
        &app,
        Some(&w.coop.token),
        DELETE_SAVED,
        json!({ "id": saved_id }),
        "NOT_FOUND",
    )
    .await;
    gql_ok(
        &app,
        Some(&giulia.token),
        DELETE_SAVED,
        json!({ "id": saved_id }),
    )
    .await;
    let body = gql_refused(
        &app,
        Some(&giulia.token),
        DELETE_SAVED,
        json!({ "id": saved_id }),
        "NOT_FOUND",
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "id");
    let body = gql(&app, Some(&giulia.token), SAVED, json!({})).await;
    assert_eq!(body["data"]["savedSearches"], json!([]));
    app.stop().await;
}

async fn a_saved_search_leaves_out_what_a_match_brings(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    set_frequency(&app, &w.comune, DigestFrequency::Off).await;
    let input = json!({ "input": { "name": "Mediazione", "query": "mediazione", "filter": { "types": ["NEED"] } } });
    gql_ok(&app, Some(&w.coop.token), SAVE, input).await;
    set_frequency(&app, &w.coop, DigestFrequency::Immediate).await;
    // A need like the first: the co-op's offer matches it, and the saved
    // search finds it too.
    let title = "Mediazione dei conflitti di vicinato a San Siro";
    let input = mediation_need(title);
    service_need(
        app.db(),
        &Actor::user(w.comune.id, &w.comune.email),
        w.need_org,
        input,
    )
    .await;
    settle(&app).await;
    let report = step_at(&app, now() + TimeDelta::minutes(2)).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let received = messages_to(&server, "coop@example.org");
    assert_eq!(received.len(), 1);
    let message = received[0].parsed();
    // Both matches (the first need's, and the new one's); the search's
    // section would only repeat the second.
    assert_eq!(message.subject(), Some("Trama: 2 new matches"));
    let (text, _) = parts(&message);
    assert_eq!(text.matches(title).count(), 1, "{text}");
    assert!(!text.contains("Your search"), "{text}");
    app.stop().await;
}

async fn project_activity_arrives_once(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    set_frequency(&app, &w.coop, DigestFrequency::Off).await;
    set_frequency(&app, &w.comune, DigestFrequency::Immediate).await;
    let at = now() + TimeDelta::minutes(1);
    assert_eq!(step_at(&app, at).await.sent, 1, "the match");

    // The co-op proposes a partnership and the municipality agrees: the
    // need's project opens with both.
    let proposed = trama::services::matches::set_status(
        app.db(),
        &Actor::user(w.coop.id, &w.coop.email),
        w.match_id,
        Some(MatchSide::Offer),
        MatchSideStatus::Partnership,
    )
    .await
    .expect("proposal");
    assert_eq!(proposed.project_id, None, "one side alone opens nothing");
    let agreed = trama::services::matches::set_status(
        app.db(),
        &Actor::user(w.comune.id, &w.comune.email),
        w.match_id,
        Some(MatchSide::Need),
        MatchSideStatus::Partnership,
    )
    .await
    .expect("consent");
    let project = agreed.project_id.expect("a project");
    let at = at + TimeDelta::minutes(2);
    assert_eq!(step_at(&app, at).await.sent, 1, "the project's opening");
    let received = messages_to(&server, "comune@example.org");
    assert_eq!(received.len(), 2);
    let message = received[1].parsed();
    assert_eq!(message.subject(), Some("Trama: 3 novità"));
    let (text, html) = parts(&message);
    assert!(
        text.contains("Progetto: Mediazione dei conflitti di vicinato a Lorenteggio"),
        "{text}"
    );
    assert!(text.contains(&format!("https://trama.example.it/projects/{project}")));
    assert!(
        text.contains("Cooperativa Mediazione & Quartiere è entrata nel partenariato"),
        "{text}"
    );
    assert!(text.contains("Nuova fase: Proposta"), "{text}");
    assert!(text.contains("propone un contributo"), "{text}");
    assert!(
        !text.contains("Il vostro bisogno"),
        "the match is not repeated: {text}"
    );
    assert!(html.contains("Cooperativa Mediazione &amp; Quartiere è entrata nel partenariato"));

    // A document later: only it comes.
    let document = |title: &str| project_documents::ActiveModel {
        id: Set(Uuid::now_v7()),
        project_id: Set(project),
        kind: Set(DocumentKind::Minutes),
        title: Set(title.to_owned()),
        body: Set("Presenti: Municipio 6, Cooperativa.".to_owned()),
        created_by: Set(Some(w.comune.id)),
        created_at: Set(now()),
        ..Default::default()
    };
    document("Verbale del primo incontro")
        .insert(app.db())
        .await
        .expect("document");
    let at = at + TimeDelta::minutes(2);
    assert_eq!(step_at(&app, at).await.sent, 1, "the document");
    let received = messages_to(&server, "comune@example.org");
    assert_eq!(received.len(), 3);
    let message = received[2].parsed();
    assert_eq!(message.subject(), Some("Trama: 1 novità"));
    let (text, _) = parts(&message);
    assert!(
        text.contains("Nuovo documento: Verbale del primo incontro"),
        "{text}"
    );
    assert!(!text.contains("entrata nel partenariato"), "{text}");

    // The agreement written and approved, a milestone reached: each comes.
    let comune = Actor::user(w.comune.id, &w.comune.email);
    let coop = Actor::user(w.coop.id, &w.coop.email);
    let workspace = trama::services::projects::write_agreement(
        app.db(),
        Some(&comune),
        project,
        "Patto per la mediazione nei caseggiati.",
    );
    workspace.await.expect("agreement");
    trama::services::projects::approve_agreement(app.db(), Some(&coop), project, 1, None)
        .await
        .expect("approval");
    let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 12).expect("date");
    let title = "Primo incontro con gli inquilini";
    trama::services::projects::add_milestone(
        app.db(),
        Some(&comune),
        project,
        title,
        w.offer_org,
        due,
    )
    .await
    .expect("milestone");
    let milestones = trama::store::projects::milestones(app.db(), project)
        .await
        .expect("milestones");
    trama::services::projects::complete_milestone(app.db(), Some(&coop), milestones[0].id)
        .await
        .expect("done");
    let at = at + TimeDelta::minutes(2);
    assert_eq!(step_at(&app, at).await.sent, 1, "the agreement");
    let received = messages_to(&server, "comune@example.org");
    assert_eq!(received.len(), 4);
    let (text, _) = parts(&received[3].parsed());
    assert!(
        text.contains("Nuovo documento: Accordo, versione 1"),
        "{text}"
    );
    assert!(
        text.contains("Cooperativa Mediazione & Quartiere ha approvato l'accordo, versione 1"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Cooperativa Mediazione & Quartiere ha raggiunto la tappa: {title}"
        )),
        "{text}"
    );

    // Projects left out of the digest: a further document brings nothing.
    gql_ok(
        &app,
        Some(&w.comune.token),
        UPDATE,
        json!({ "input": { "includeProjects": false } }),
    )
    .await;
    document("Verbale del secondo incontro")
        .insert(app.db())
        .await
        .expect("document");
    assert_eq!(step_at(&app, at + TimeDelta::minutes(2)).await.sent, 0);
    assert_eq!(messages_to(&server, "comune@example.org").len(), 4);
    app.stop().await;
}

/// The titles of a digest's listed matches, in the order of its text part.
fn listed_titles(text: &str, by: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("- "))
        .filter_map(|line| line.split_once(by).map(|(title, _)| title.to_owned()))
        .collect()
}

async fn a_section_lists_its_best_matches_and_counts_the_rest_once(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    for title in [
        "Mediatori di vicinato per i caseggiati",
        "Gestione dei conflitti nei condomini",
        "Mediazione sociale nei cortili",
        "Sportello di mediazione dei conflitti",
        "Mediazione culturale e di vicinato",
        "Facilitatori di comunità nei caseggiati",
        "Mediazione dei conflitti tra inquilini",
    ] {
        coop_offer(&app, &w, title).await;
    }
    settle(&app).await;
    let mut rows = matches::Entity::find()
        .all(app.db())
        .await
        .expect("matches");
    assert_eq!(rows.len(), 8, "every offer matches the need");
    // Best first; equal scores, newest first (as the digest orders them).
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.id.cmp(&a.id)));
    let mut titles = BTreeMap::new();
    for row in &rows {
        let offer = trama::store::entities::offers::Entity::find_by_id(row.offer_id)
            .one(app.db())
            .await
            .expect("offer")
            .expect("the offer exists");
        titles.insert(row.id, offer.title);
    }
    let per_posting = app.state.settings.digest_matches_per_posting;
    let best: Vec<String> = rows[..per_posting]
        .iter()
        .map(|r| titles[&r.id].clone())
        .collect();

    let report = step(&app, 2).await;
    assert_eq!(report.sent, 2, "{report:?}");
    let received = server.wait_for(2, WAIT).await;
    let by_to: BTreeMap<String, &Received> = received.iter().map(|m| (to_of(m), m)).collect();
    let message = by_to["comune@example.org"].parsed();
    // The count is every new match; the section lists the best five.
    assert_eq!(message.subject(), Some("Trama: 8 nuovi abbinamenti"));
    let (text, html) = parts(&message);
    assert_eq!(listed_titles(&text, " di Cooperativa"), best, "{text}");
    assert!(
        text.contains("Ci sono altri 3 nuovi abbinamenti, meno compatibili. Li trovi tutti nella pagina del bisogno:"),
        "{text}"
    );
    assert!(html.contains("Ci sono altri 3 nuovi abbinamenti"), "{html}");
    // Each listed match says why, in its strongest criteria.
    let why: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  Perché: "))
        .collect();
    assert_eq!(why.len(), per_posting, "{text}");
    assert!(why.iter().all(|l| l.contains("; ")), "{why:?}");
    assert_eq!(html.matches("Perché: ").count(), per_posting, "{html}");
    // A feedback link for each listed match, none for the counted ones.
    for (rank, row) in rows.iter().enumerate() {
        let listed = text.contains(&format!("match={}", row.id));
        assert_eq!(listed, rank < per_posting, "rank {rank}");
    }
    // The offer's side: one section per offer, each with its one match.
    let message = by_to["coop@example.org"].parsed();
    assert_eq!(message.subject(), Some("Trama: 8 new matches"));
    let (text_en, _) = parts(&message);
    assert_eq!(
        listed_titles(&text_en, " by Municipio 6").len(),
        8,
        "{text_en}"
    );
    assert!(!text_en.contains("more new match"), "{text_en}");

    // The counted matches are not news again; a later match is.
    coop_offer(&app, &w, "Mediazione dei conflitti nei cortili").await;
    settle(&app).await;
    let report = step(&app, 4).await;
    assert_eq!(report.sent, 2, "{report:?}");
    let received = server.wait_for(4, WAIT).await;
    let later: Vec<&Received> = received[2..]
        .iter()
        .filter(|m| to_of(m) == "comune@example.org")
        .collect();
    assert_eq!(later.len(), 1);
    let message = later[0].parsed();
    assert_eq!(message.subject(), Some("Trama: 1 nuovo abbinamento"));
    let (text, _) = parts(&message);
    assert_eq!(
        listed_titles(&text, " di Cooperativa"),
        ["Mediazione dei conflitti nei cortili"],
        "{text}"
    );
    assert!(!text.contains("Ci sono altri"), "{text}");
    app.stop().await;
}
