//! The invitations an organisation's admins sent that wait for an answer:
//! the list, and revoking one (its link stops working). Sending and
//! accepting them is in [`super::memberships`]. Admins only; every
//! revocation is in the audit log.

use sea_orm::{DatabaseConnection, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, now, permissions};
use crate::error::{AppError, Entity};
use crate::store;
use crate::store::entities::invitations;

/// The most invitations the list returns.
pub const LIST_LIMIT: u64 = 200;

/// The organisation's invitations still waiting (neither accepted, revoked
/// nor expired), newest first. Fails with UNAUTHENTICATED, NOT_FOUND on
/// `organizationId`, FORBIDDEN unless the person is one of its admins.
pub async fn pending(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    organization_id: Uuid,
) -> Result<Vec<invitations::Model>, AppError> {
    permissions::signed_in(actor)?;
    super::organizations::get(db, organization_id, "organizationId").await?;
    permissions::require_admin(db, actor, organization_id).await?;
    let at = now();
    Ok(store::invitations::open_of(db, organization_id, LIST_LIMIT)
        .await?
        .into_iter()
        .filter(|i| i.expires_at > at)
        .collect())
}

/// Revokes a waiting invitation: its link no longer works. Fails with
/// UNAUTHENTICATED, NOT_FOUND on `id`, FORBIDDEN unless the person is an
/// admin of its organisation, CONFLICT on `id` when it was already accepted
/// or revoked.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn revoke(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    permissions::signed_in(Some(actor))?;
    let txn = db.begin().await?;
    let invitation = store::rows::by_id::<invitations::Entity>(&txn, id, "invitations: by id")
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Invitation, "id"))?;
    permissions::require_admin(&txn, Some(actor), invitation.organization_id).await?;
    if invitation.accepted_at.is_some() || invitation.revoked_at.is_some() {
        return Err(AppError::conflict(
            "id",
            "l'invito è già stato accettato o revocato",
            "the invitation has already been accepted or revoked",
        ));
    }
    let organization_id = invitation.organization_id;
    let revoked = store::invitations::mark_revoked(&txn, invitation, now()).await?;
    audit(
        &txn,
        actor,
        "membership.revoke_invitation",
        "membership",
        revoked.id,
        json!({ "organizationId": organization_id, "email": revoked.email }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
