//! Digests through mail outages, against the real SMTP server of
//! `smtp_server.rs` on both databases: a server that is down for hours
//! delays a digest without losing it (capped back-off, retried for two
//! days); after two days the delivery is given up and what is still
//! relevant of it goes in the next digest, once; an address the server
//! refuses fails at once; people read a plain status in their language,
//! never the mail server's words. Hours pass by moving the step's clock,
//! not by sleeping.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Europe::Rome;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use trama::domain::{DeliveryStatus, DigestFrequency, Lang, MatchSideStatus};
use trama::services::digests;
use trama::services::matches::MatchSide;
use trama::services::{Actor, needs, now};
use trama::store::entities::{digest_deliveries, matches};
use uuid::Uuid;

use crate::digests::{
    Member, SAVE, WAIT, concierge_need, gratosoglio_call, mediation_need, member, messages_to,
    parts, sender, set_frequency, settle, smtp_world, step_at, world,
};
use crate::helpers::{Backend, TestApp, TestEnv, count_where, gql, gql_ok, outcome, service_need};
use crate::on_both_databases;
use crate::smtp_server::{Failure, Received, SmtpServer, Stage};

on_both_databases!(
    an_outage_of_hours_delays_a_digest_without_losing_it,
    a_digest_given_up_after_two_days_passes_what_is_still_relevant_on,
    a_refused_address_fails_at_once_and_the_user_is_told_plainly,
);

const STATUS: &str =
    "{ digestSettings { lastError deliveryStatus { state message nextAttemptAt failingSince } } }";

/// The user's newest delivery with items.
async fn delivery(app: &TestApp, user: Uuid) -> digest_deliveries::Model {
    digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::UserId.eq(user))
        .filter(digest_deliveries::Column::ItemCount.gt(0))
        .order_by_desc(digest_deliveries::Column::Id)
        .one(app.db())
        .await
        .expect("query")
        .expect("a delivery with items")
}

/// Sends what can be claimed at `at` (no planning).
async fn send_at(app: &TestApp, at: DateTime<Utc>) -> digests::SendReport {
    digests::send_due(sender(app, &app.state.mailer, "test-worker"), at)
        .await
        .expect("send step")
}

/// `digestSettings` as `who` reads it, in `lang`.
async fn status(app: &TestApp, who: &Member, lang: &str) -> Value {
    let body: Value = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&who.token)
        .header("Accept-Language", lang)
        .json(&json!({ "query": STATUS }))
        .send()
        .await
        .expect("POST /graphql")
        .json()
        .await
        .expect("JSON");
    assert_eq!(outcome(&body), "OK", "{body}");
    body["data"]["digestSettings"].clone()
}

/// The delivery message `who` reads in `lang`, checked to hold none of the
/// mail server's words (see [`assert_plain`]).
async fn plain_message(app: &TestApp, who: &Member, lang: &str) -> String {
    let settings = status(app, who, lang).await;
    assert_plain(&settings);
    settings["deliveryStatus"]["message"]
        .as_str()
        .expect("message")
        .to_owned()
}

/// How a person in Italy reads an instant: "14:30", or "12/03 alle 14:30"
/// ("12/03 at 14:30") when it is not today.
/// The plain text of the one message of `messages` (asserts there is
/// exactly one).
fn only_text(messages: &[Received]) -> String {
    assert_eq!(messages.len(), 1);
    parts(&messages[0].parsed()).0
}

fn rome_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Rome).format("%H:%M").to_string()
}

/// No word of the mail server's reply reaches people: neither the status
/// message nor `lastError`.
fn assert_plain(settings: &Value) {
    let text = format!(
        "{} {}",
        settings["deliveryStatus"]["message"]
            .as_str()
            .unwrap_or_default(),
        settings["lastError"].as_str().unwrap_or_default()
    );
    for raw in [
        "os error",
        "Connection refused",
        "451",
        "550",
        "5.1.1",
        "user unknown",
        "temporary mail failure",
        "permanent mail failure",
    ] {
        assert!(!text.contains(raw), "{raw:?} in {text:?}");
    }
}

async fn an_outage_of_hours_delays_a_digest_without_losing_it(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    set_frequency(&app, &w.coop, DigestFrequency::Off).await;

    server.go_down().await;
    let t0 = now() + TimeDelta::days(2);
    let report = step_at(&app, t0).await;
    assert_eq!(
        (report.sent, report.retry, report.failed),
        (0, 1, 0),
        "{report:?}"
    );
    let row = delivery(&app, w.comune.id).await;
    assert_eq!(row.status, DeliveryStatus::Retry);
    // The operator's column keeps the mail server's own words.
    let raw = row.last_error.clone().unwrap_or_default();
    assert!(raw.contains("refused"), "{raw}");

    // Five hours down: tried again and again, never given up, the wait
    // growing to 30 minutes and no more.
    let mut at = t0;
    let mut waits = Vec::new();
    while at < t0 + TimeDelta::hours(5) {
        let row = delivery(&app, w.comune.id).await;
        assert_eq!(
            row.status,
            DeliveryStatus::Retry,
            "given up after {} attempts, {} minutes into the outage",
            row.attempts,
            (at - t0).num_minutes()
        );
        let next = row.next_attempt_at.expect("a next attempt");
        waits.push(next - at);
        at = next;
        let report = send_at(&app, at).await;
        assert_eq!(
            (report.sent, report.retry, report.failed),
            (0, 1, 0),
            "attempt {}: {report:?}",
            row.attempts + 1
        );
    }
    assert!(waits.len() >= 8, "{waits:?}");
    assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
    assert!(
        waits.iter().all(|w| *w <= TimeDelta::minutes(30)),
        "{waits:?}"
    );
    assert_eq!(waits.last(), Some(&TimeDelta::minutes(30)), "{waits:?}");

    // Still trying 47 hours in.
    let at = t0 + TimeDelta::hours(47);
    let report = send_at(&app, at).await;
    assert_eq!(report.retry, 1, "{report:?}");
    let row = delivery(&app, w.comune.id).await;
    assert_eq!(row.status, DeliveryStatus::Retry);
    let next = row.next_attempt_at.expect("a next attempt");
    assert!(next > at && next <= at + TimeDelta::minutes(30), "{next}");

    // What the person reads: plain words, the time of the next try, in
    // Italian or English; never the server's reply.
    let it = status(&app, &w.comune, "it").await;
    assert_plain(&it);
    assert_eq!(it["deliveryStatus"]["state"], "RETRYING", "{it}");
    let message = it["deliveryStatus"]["message"].as_str().expect("message");
    assert!(
        message.starts_with("Invio in corso: il server di posta non risponde, nuovo tentativo"),
        "{message}"
    );
    assert!(message.contains(&rome_time(next)), "{message}");
    assert_eq!(
        it["deliveryStatus"]["nextAttemptAt"]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.timestamp()),
        Some(next.timestamp()),
        "{it}"
    );
    let message = plain_message(&app, &w.comune, "en").await;
    assert!(
        message.starts_with("Sending: the mail server is not answering, next try"),
        "{message}"
    );
    assert!(message.contains(&rome_time(next)), "{message}");

    // The server comes back: the digest arrives, once, and the status
    // clears.
    server.come_back().await;
    let report = send_at(&app, next).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let received = server.wait_for(1, WAIT).await;
    let text = only_text(&received);
    assert!(
        text.contains("Mediazione dei conflitti di vicinato a Lorenteggio"),
        "{text}"
    );
    assert_eq!(
        delivery(&app, w.comune.id).await.status,
        DeliveryStatus::Sent
    );
    let it = status(&app, &w.comune, "it").await;
    assert_eq!(it["deliveryStatus"], Value::Null, "{it}");
    assert_eq!(it["lastError"], Value::Null, "{it}");
    let report = send_at(&app, next + TimeDelta::hours(1)).await;
    assert_eq!(report.sent + report.retry + report.failed, 0, "{report:?}");
    assert_eq!(server.messages().len(), 1);
    app.stop().await;
}

async fn a_digest_given_up_after_two_days_passes_what_is_still_relevant_on(backend: Backend) {
    let (server, app, w) = smtp_world(backend).await;
    set_frequency(&app, &w.coop, DigestFrequency::Off).await;
    // Giulia follows calls and needs about "portierato".
    let giulia = member(&app, "giulia@example.org", Lang::It).await;
    set_frequency(&app, &giulia, DigestFrequency::Daily).await;
    gql_ok(
        &app,
        Some(&giulia.token),
        SAVE,
        json!({ "input": { "name": "Portierato", "query": "portierato", "filter": { "types": ["NEED"] } } }),
    )
    .await;
    // A second need of the comune that the co-op's offer matches too, and
    // two needs Giulia's search finds.
    let comune = Actor::user(w.comune.id, &w.comune.email);
    let input = mediation_need("Mediazione dei conflitti di vicinato a San Siro");
    let san_siro_need = service_need(app.db(), &comune, w.need_org, input).await;
    let kept = "Portierato sociale nei caseggiati di Quarto Oggiaro";
    concierge_need(&app, &w, kept).await;
    let closed = gratosoglio_call(&app, &w).await;
    settle(&app).await;
    // By its need: the co-op's offer may match the other new needs too,
    // and rows come back in no set order.
    let san_siro = matches::Entity::find()
        .filter(matches::Column::NeedId.eq(san_siro_need))
        .one(app.db())
        .await
        .expect("matches")
        .expect("the San Siro need's match");

    // Planned while the server is down; retried; given up after two days.
    server.go_down().await;
    let t0 = now() + TimeDelta::days(2);
    let report = step_at(&app, t0).await;
    assert_eq!(report.retry, 2, "{report:?}");
    let report = send_at(&app, t0 + TimeDelta::hours(47)).await;
    assert_eq!(report.retry, 2, "{report:?}");
    let report = send_at(&app, t0 + TimeDelta::hours(48) + TimeDelta::minutes(30)).await;
    assert_eq!((report.sent, report.retry), (0, 0), "{report:?}");
    for who in [&w.comune, &giulia] {
        let row = delivery(&app, who.id).await;
        assert_eq!(
            row.status,
            DeliveryStatus::GivenUp,
            "{}: {row:?}",
            who.email
        );
    }
    let it = status(&app, &w.comune, "it").await;
    assert_plain(&it);
    assert_eq!(it["deliveryStatus"]["state"], "GIVEN_UP", "{it}");
    let message = it["deliveryStatus"]["message"].as_str().expect("message");
    assert!(message.starts_with("Non inviato"), "{message}");
    assert!(message.contains("prossimo riepilogo"), "{message}");
    let message = plain_message(&app, &w.comune, "en").await;
    assert!(message.contains("next digest"), "{message}");

    // Meanwhile the comune dismisses the San Siro match and closes the
    // call: neither is news any more.
    trama::services::matches::set_status(
        app.db(),
        &comune,
        san_siro.id,
        Some(MatchSide::Need),
        MatchSideStatus::Dismissed,
    )
    .await
    .expect("dismiss");
    needs::close(app.db(), &comune, closed)
        .await
        .expect("close");

    // The server is back: the next digests bring what is still relevant.
    server.come_back().await;
    let report = step_at(&app, t0 + TimeDelta::days(3)).await;
    assert_eq!(report.sent, 2, "{report:?}");
    let received = server.wait_for(2, WAIT).await;
    assert_eq!(received.len(), 2);
    let to_comune = messages_to(&server, "comune@example.org");
    let text = only_text(&to_comune);
    assert!(
        text.contains("Mediazione dei conflitti di vicinato a Lorenteggio"),
        "{text}"
    );
    assert!(
        !text.contains("Mediazione dei conflitti di vicinato a San Siro"),
        "{text}"
    );
    let to_giulia = messages_to(&server, "giulia@example.org");
    let text = only_text(&to_giulia);
    assert!(text.contains(kept), "{text}");
    assert!(!text.contains("Gratosoglio"), "{text}");
    let it = status(&app, &w.comune, "it").await;
    assert_eq!(it["deliveryStatus"], Value::Null, "{it}");

    // Nothing goes twice: the given-up deliveries stay unsent, and the
    // digests after bring nothing again.
    let report = step_at(&app, t0 + TimeDelta::days(5)).await;
    assert_eq!(report.sent + report.retry + report.failed, 0, "{report:?}");
    assert_eq!(server.messages().len(), 2);
    let given_up = digest_deliveries::Column::Status.eq("given_up");
    assert_eq!(
        count_where::<digest_deliveries::Entity>(app.db(), given_up).await,
        2
    );
    app.stop().await;
}

async fn a_refused_address_fails_at_once_and_the_user_is_told_plainly(backend: Backend) {
    let server = SmtpServer::start().await;
    // A server slower than one second counts as not answering.
    let mut env = TestEnv::new(backend).await;
    env.settings.smtp_url = Some(trama::config::Secret::new(format!(
        "{}?timeout_secs=1",
        server.url()
    )));
    env.settings.digest_poll_secs = 0;
    env.settings.public_url = "https://trama.example.it".to_owned();
    let app = TestApp::spawn_in(env).await;
    let w = world(&app).await;
    set_frequency(&app, &w.coop, DigestFrequency::Off).await;

    // A mailbox "temporarily unavailable" (4xx at RCPT) and a server that
    // does not answer in time are temporary.
    server.fail_next(1, Failure::Temporary(Stage::RcptTo));
    server.fail_next(
        1,
        Failure::Stall(Stage::MailFrom, std::time::Duration::from_secs(3)),
    );
    let t0 = now() + TimeDelta::days(2);
    let report = step_at(&app, t0).await;
    assert_eq!(report.retry, 1, "{report:?}");
    let row = delivery(&app, w.comune.id).await;
    let report = send_at(&app, row.next_attempt_at.expect("next attempt")).await;
    assert_eq!(report.retry, 1, "{report:?}");
    let row = delivery(&app, w.comune.id).await;
    assert_eq!((row.status.as_str(), row.attempts), ("retry", 2));

    // The server refuses the address (5xx at RCPT): failed at once, not
    // tried again.
    server.fail_next(1, Failure::Permanent(Stage::RcptTo));
    let at = row.next_attempt_at.expect("next attempt");
    let report = send_at(&app, at).await;
    assert_eq!((report.retry, report.failed), (0, 1), "{report:?}");
    let report = send_at(&app, at + TimeDelta::hours(6)).await;
    assert_eq!(report.sent + report.retry + report.failed, 0, "{report:?}");
    assert!(server.messages().is_empty());
    let row = delivery(&app, w.comune.id).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 3));
    let raw = row.last_error.clone().unwrap_or_default();
    assert!(raw.contains("550") && raw.contains("user unknown"), "{raw}");

    // The person reads what happened and what to do, not "550 5.1.1".
    let body = gql(
        &app,
        Some(&w.comune.token),
        "{ digestSettings { lastError } }",
        json!({}),
    )
    .await;
    let last_error = body["data"]["digestSettings"]["lastError"]
        .as_str()
        .unwrap_or_default();
    assert!(last_error.starts_with("Non inviato"), "{body}");
    let it = status(&app, &w.comune, "it").await;
    assert_plain(&it);
    let last_error = it["lastError"].as_str().unwrap_or_default();
    assert!(last_error.starts_with("Non inviato"), "{it}");
    assert_eq!(it["deliveryStatus"]["state"], "REFUSED", "{it}");
    let message = it["deliveryStatus"]["message"].as_str().expect("message");
    assert!(
        message.starts_with(
            "Non inviato: il server di posta ha rifiutato il tuo indirizzo comune@example.org"
        ),
        "{message}"
    );
    let message = plain_message(&app, &w.comune, "en").await;
    assert!(
        message.starts_with("Not sent: the mail server refused your address comune@example.org"),
        "{message}"
    );
    app.stop().await;
}
