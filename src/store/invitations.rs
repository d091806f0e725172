//! The invitations an organisation's admins have sent and not yet seen
//! answered: listing them and revoking one.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::entities::invitations::{self, Column};
use super::{Context, StoreResult};

/// The organisation's invitations neither accepted nor revoked (expired or
/// not: the caller compares instants in Rust), newest first, at most `limit`.
pub async fn open_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    limit: u64,
) -> StoreResult<Vec<invitations::Model>> {
    invitations::Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("invitations: open of organisation")
}

/// The invitation with this id.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<invitations::Model>> {
    invitations::Entity::find_by_id(id)
        .one(db)
        .await
        .context("invitations: find by id")
}

/// Marks an invitation revoked at `at`: its link stops working.
pub async fn mark_revoked(
    db: &impl ConnectionTrait,
    invitation: invitations::Model,
    at: DateTime<Utc>,
) -> StoreResult<invitations::Model> {
    let mut row: invitations::ActiveModel = invitation.into();
    row.revoked_at = Set(Some(at));
    super::rows::update(db, row, "invitations: mark revoked").await
}
