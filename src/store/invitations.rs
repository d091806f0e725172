//! Invitations to join an organisation: sending one, finding an open one by
//! its link, accepting, listing and revoking.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::entities::invitations::{self, Column};
use super::{Context, StoreResult, rows};
use crate::domain::MembershipRole;

/// Neither accepted nor revoked (expired or not: callers compare instants
/// in Rust, see [`super::instant`]).
fn open() -> Condition {
    Condition::all()
        .add(Column::AcceptedAt.is_null())
        .add(Column::RevokedAt.is_null())
}

/// The organisation's invitations neither accepted nor revoked (expired or
/// not: the caller compares instants in Rust), newest first, at most `limit`.
pub async fn open_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    limit: u64,
) -> StoreResult<Vec<invitations::Model>> {
    invitations::Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(open())
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("invitations: open of organisation")
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

/// An invitation to write: who is invited where, with which role.
pub struct NewInvitation<'a> {
    pub organization_id: Uuid,
    /// The invited address, normalised.
    pub email: &'a str,
    pub role: MembershipRole,
    pub token_hash: String,
    pub invited_by: Uuid,
}

/// Inserts an invitation made at `at`, valid until `expires_at`.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewInvitation<'_>,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<invitations::Model> {
    let row = invitations::ActiveModel {
        id: Set(super::new_id()),
        organization_id: Set(new.organization_id),
        email: Set(new.email.to_owned()),
        role: Set(new.role),
        token_hash: Set(new.token_hash),
        invited_by: Set(new.invited_by),
        created_at: Set(at),
        expires_at: Set(expires_at),
        accepted_at: Set(None),
        revoked_at: Set(None),
    };
    super::rows::insert(db, row, "invitations: insert").await
}

/// The invitation with this token hash, neither accepted nor revoked
/// (expired or not: the caller compares instants in Rust).
pub async fn find_open_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> StoreResult<Option<invitations::Model>> {
    let which = Condition::all()
        .add(Column::TokenHash.eq(token_hash))
        .add(open());
    rows::first::<invitations::Entity>(db, which, "invitations: find open by token").await
}

/// Marks an invitation accepted.
pub async fn mark_accepted(
    db: &impl ConnectionTrait,
    invitation: invitations::Model,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut row: invitations::ActiveModel = invitation.into();
    row.accepted_at = Set(Some(at));
    super::rows::update(db, row, "invitations: mark accepted").await?;
    Ok(())
}
