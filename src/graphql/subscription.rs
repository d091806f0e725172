//! Live updates over the graphql-ws protocol (`/graphql/ws`): organisations,
//! offers and needs as they are published, changed, closed or removed.
//!
//! One [`ChangeFeed`] per process polls the outbox for new changes, but only
//! while someone is subscribed, and fans them out to the subscribers. Events
//! carry the record as the public sees it; drafts and hidden records are not
//! announced (a removal is, without the record).

use std::time::Duration;

use async_graphql::{Context, Enum, ID, Result, SimpleObject, Subscription};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast;
use uuid::Uuid;

use super::types::{Need, Offer, Organization, state};
use crate::domain::{OutboxEntityType, OutboxOperation};
use crate::policy::visibility::{self, Reader};
use crate::services::listing;

/// How often the feed looks for new changes while someone listens.
const POLL_EVERY: Duration = Duration::from_millis(300);

/// A committed change, as read from the outbox.
#[derive(Clone, Copy, Debug)]
struct Change {
    record: RecordType,
    id: Uuid,
    removed: bool,
}

/// Fans the outbox out to subscribers.
#[derive(Clone)]
pub struct ChangeFeed {
    sender: broadcast::Sender<Change>,
}

impl ChangeFeed {
    /// Starts the feed's task (must run inside a Tokio runtime). The task
    /// ends when the feed and every subscription are dropped.
    pub fn start(db: DatabaseConnection) -> Self {
        let (sender, _) = broadcast::channel(1024);
        let weak = sender.downgrade();
        tokio::spawn(async move {
            // Where to read from; set when the first subscriber arrives so
            // that only changes after subscribing are announced.
            let mut cursor: Option<i64> = None;
            loop {
                tokio::time::sleep(POLL_EVERY).await;
                let Some(sender) = weak.upgrade() else { return };
                if sender.receiver_count() == 0 {
                    cursor = None;
                    continue;
                }
                let from = match cursor {
                    Some(position) => position,
                    None => match listing::outbox_bounds(&db).await {
                        // Subscribers joined during the last interval: start a
                        // little back so their first changes are not missed.
                        Ok(bounds) => bounds.map_or(0, |(_, latest)| (latest - 50).max(0)),
                        Err(error) => {
                            tracing::warn!(%error, "change feed: cannot read the outbox");
                            continue;
                        }
                    },
                };
                match listing::outbox_after(&db, from, 500).await {
                    Ok(rows) => {
                        let mut position = from;
                        for row in rows {
                            position = row.seq;
                            let record = match row.entity_type {
                                OutboxEntityType::Organization => RecordType::Organization,
                                OutboxEntityType::Offer => RecordType::Offer,
                                OutboxEntityType::Need => RecordType::Need,
                            };
                            let removed = row.operation == OutboxOperation::Delete;
                            // No receiver left is not an error: nobody listens.
                            let _ = sender.send(Change {
                                record,
                                id: row.entity_id,
                                removed,
                            });
                        }
                        cursor = Some(position);
                    }
                    Err(error) => tracing::warn!(%error, "change feed: cannot read the outbox"),
                }
            }
        });
        Self { sender }
    }
}

/// The kind of record a change is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordType {
    Organization,
    Offer,
    Need,
}

/// A change to a public record.
#[derive(SimpleObject)]
pub struct RecordChange {
    pub record_type: RecordType,
    pub id: ID,
    /// True when the record is no longer public (deleted or hidden).
    pub removed: bool,
    /// The organisation as it is now (for organisation changes).
    pub organization: Option<Organization>,
    /// The offer as it is now (for offer changes).
    pub offer: Option<Offer>,
    /// The need as it is now (for need changes).
    pub need: Option<Need>,
}

/// Loads the record as the public sees it; `None` when it is not public
/// (drafts, hidden records and the records of hidden organisations are
/// their organisation's own: see [`visibility`]).
async fn public_view(db: &DatabaseConnection, change: Change) -> Option<RecordChange> {
    let mut event = RecordChange {
        record_type: change.record,
        id: ID(change.id.to_string()),
        removed: change.removed,
        organization: None,
        offer: None,
        need: None,
    };
    if change.removed {
        return Some(event);
    }
    let public = Reader::anonymous();
    match change.record {
        RecordType::Organization => {
            let organization = visibility::organization(db, &public, change.id, "id");
            event.organization = Some(Organization(organization.await.ok()?));
        }
        RecordType::Offer => {
            let offer = visibility::offer(db, &public, change.id, "id").await.ok()?;
            event.offer = Some(Offer(offer));
        }
        RecordType::Need => {
            let need = visibility::need(db, &public, change.id, "id").await.ok()?;
            event.need = Some(Need(need));
        }
    }
    Some(event)
}

#[derive(Default)]
pub struct Subscription;

// Merged into the root `Subscription` (see `graphql::Subscription`), so
// its own name must differ.
#[Subscription(name = "RecordSubscription")]
impl Subscription {
    /// Public organisations, offers and needs as they change, optionally of
    /// some record types only.
    async fn record_changes(
        &self,
        ctx: &Context<'_>,
        types: Option<Vec<RecordType>>,
    ) -> Result<impl Stream<Item = RecordChange> + use<>> {
        let feed = ctx.data::<ChangeFeed>()?;
        let db = state(ctx)?.db.clone();
        let mut receiver = feed.sender.subscribe();
        let wanted = types.unwrap_or_default();
        Ok(async_stream::stream! {
            loop {
                match receiver.recv().await {
                    Ok(change) => {
                        if !wanted.is_empty() && !wanted.contains(&change.record) {
                            continue;
                        }
                        if let Some(event) = public_view(&db, change).await {
                            yield event;
                        }
                    }
                    // A slow subscriber misses what it could not keep up with.
                    Err(broadcast::error::RecvError::Lagged(skipped)) => {
                        tracing::debug!(skipped, "subscriber lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        })
    }
}
