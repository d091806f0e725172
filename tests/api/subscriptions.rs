//! Live updates over WebSocket (graphql-transport-ws at /graphql/ws), on both
//! databases: a published need reaches a subscriber; a draft does not; a
//! need hidden by a moderator is announced as removed.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use trama::domain::{Lang, NeedInput};
use trama::services::moderation::{self, Hideable};
use trama::services::{Actor, needs};

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

on_both_databases!(published_needs_reach_subscribers);

pub use crate::helpers::WebSocket as Socket;

/// The next JSON message of the socket; panics after 10 s.
pub async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("socket open")
            .expect("message");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON message");
        }
    }
}

/// Opens a graphql-transport-ws connection to the app, anonymous, and
/// starts `query` as subscription "1"; returns once the server has read the
/// subscription (it answers a ping sent after it).
///
/// No need to wait longer: the feed starts a first subscriber a little
/// back in the outbox, so a change made while the subscription is being
/// set up still reaches it.
pub async fn subscribe(app: &TestApp, query: &str) -> Socket {
    let mut socket = crate::helpers::graphql_ws(app, None).await;
    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }).to_string(),
        ))
        .await
        .expect("subscribe");
    socket
        .send(Message::text(json!({ "type": "ping" }).to_string()))
        .await
        .expect("ping");
    loop {
        let message = next_json(&mut socket).await;
        match message["type"].as_str() {
            Some("pong") => return socket,
            // The subscription failed at once: nothing will come.
            Some("error") => panic!("the subscription was refused: {message}"),
            _ => {}
        }
    }
}

fn need(title: &str, status: Option<&str>) -> NeedInput {
    NeedInput {
        kind: "community_service".into(),
        title: title.into(),
        location_precision: Some("municipality".into()),
        status: status.map(str::to_owned),
        ..Default::default()
    }
}

async fn published_needs_reach_subscribers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut socket = subscribe(
        &app,
        "subscription { recordChanges(types: [NEED]) { recordType removed need { title status } } }",
    )
    .await;

    let actor = Actor::system("test");
    let org = crate::helpers::informal_group(app.db(), "Comitato di quartiere", "").await;
    needs::create(
        app.db(),
        &actor,
        org.id,
        &need("Una bozza da non annunciare", Some("draft")),
    )
    .await
    .expect("draft");
    let published = needs::create(
        app.db(),
        &actor,
        org.id,
        &need("Cerchiamo volontari per il cortile", None),
    )
    .await
    .expect("need");

    let event = next_json(&mut socket).await;
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(
        event["payload"]["data"]["recordChanges"],
        json!({ "recordType": "NEED", "removed": false, "need": { "title": "Cerchiamo volontari per il cortile", "status": "OPEN" } }),
        "the draft was not announced, the organisation was filtered out"
    );

    // A moderator hides it: subscribers learn it is gone.
    trama::store::entities::users::Entity::insert(trama::store::entities::users::ActiveModel {
        id: sea_orm::Set(uuid::Uuid::now_v7()),
        email: sea_orm::Set("mod@example.org".into()),
        display_name: sea_orm::Set("Moderatrice".into()),
        password_hash: sea_orm::Set(None),
        email_verified_at: sea_orm::Set(Some(chrono::Utc::now())),
        is_moderator: sea_orm::Set(true),
        locale: sea_orm::Set(Lang::It),
        created_at: sea_orm::Set(chrono::Utc::now()),
        updated_at: sea_orm::Set(chrono::Utc::now()),
        deleted_at: sea_orm::Set(None),
    })
    .exec(app.db())
    .await
    .expect("moderator");
    let moderator = trama::services::accounts::set_moderator(app.db(), "mod@example.org", true)
        .await
        .expect("moderator");
    moderation::set_hidden(
        app.db(),
        &Actor::user(moderator.id, &moderator.email),
        Hideable::Need,
        published.id,
        true,
        Some("spam"),
    )
    .await
    .expect("hide");
    let event = next_json(&mut socket).await;
    assert_eq!(
        event["payload"]["data"]["recordChanges"],
        json!({ "recordType": "NEED", "removed": true, "need": null })
    );
    socket.close(None).await.expect("close");
    app.stop().await;
}
