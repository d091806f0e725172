//! The search outbox: one row per change to an organisation, offer or need,
//! written with the change, which the indexer follows.

use sea_orm::{ConnectionTrait, Set};
use uuid::Uuid;

use super::StoreResult;
use super::entities::search_outbox;
use crate::domain::{OutboxEntityType, OutboxOperation};

/// Appends the outbox row of a change, in the caller's transaction.
pub async fn append(
    db: &impl ConnectionTrait,
    entity: OutboxEntityType,
    entity_id: Uuid,
    operation: OutboxOperation,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    let row = search_outbox::ActiveModel {
        entity_type: Set(entity),
        entity_id: Set(entity_id),
        operation: Set(operation),
        created_at: Set(at),
        ..Default::default()
    };
    super::rows::insert(db, row, "search outbox: append").await?;
    Ok(())
}
