//! The stream of committed changes, read from the search outbox: what live
//! subscriptions follow. Reading the database (not an in-process channel)
//! means a change made by any process reaches the subscribers of every
//! process.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::AppError;
use crate::store::entities::search_outbox;

/// The newest outbox position, or 0 when empty.
pub async fn latest_position(db: &impl ConnectionTrait) -> Result<i64, AppError> {
    Ok(search_outbox::Entity::find()
        .order_by_desc(search_outbox::Column::Seq)
        .one(db)
        .await?
        .map_or(0, |row| row.seq))
}

/// Up to `limit` changes after position `after`, oldest first.
pub async fn after(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<search_outbox::Model>, AppError> {
    Ok(search_outbox::Entity::find()
        .filter(search_outbox::Column::Seq.gt(after))
        .order_by_asc(search_outbox::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}
