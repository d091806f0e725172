//! Read-only lookups used to present the taxonomy and a person's
//! memberships. Relations of organisations, offers and needs are loaded in
//! batches by `listing` (through the GraphQL loaders).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppError;
use crate::store::entities::{memberships, sectors};

/// The whole sectors taxonomy, in display order.
pub async fn sectors(db: &impl ConnectionTrait) -> Result<Vec<sectors::Model>, AppError> {
    Ok(sectors::Entity::find()
        .order_by_asc(sectors::Column::Position)
        .all(db)
        .await?)
}

/// A person's memberships, oldest first.
pub async fn memberships_of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<memberships::Model>, AppError> {
    Ok(memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .order_by_asc(memberships::Column::Id)
        .all(db)
        .await?)
}
