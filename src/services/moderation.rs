//! Moderation: verifying organisations (against a registry or documents) and
//! hiding abusive organisations, offers and needs from public view. Hidden
//! records are kept with the reason and can be shown again; their
//! organisation's members and the moderators still see them, and why
//! ([`crate::policy::visibility`]). Moderators only.

use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, enqueue_for_search, now, permissions};
use crate::domain::{OutboxEntityType, OutboxOperation, ShortText, VerificationStatus};
use crate::error::{AppError, Entity};
use crate::store::entities::{needs, offers, organizations};

/// Marks an organisation verified (or its verification rejected), with the
/// source checked (e.g. "RUNTS, estratto del 2026-11-01").
pub async fn verify_organization(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    status: VerificationStatus,
    source: &str,
    runts_registered: bool,
) -> Result<organizations::Model, AppError> {
    permissions::require_moderator(db, Some(actor)).await?;
    let source = ShortText::parse(source).map_err(|reason| AppError::invalid("source", reason))?;
    let before = super::organizations::get(db, id, "id").await?;
    let txn = db.begin().await?;
    let mut row: organizations::ActiveModel = before.clone().into();
    row.verification_status = Set(status.as_str().to_owned());
    row.verification_source = Set(Some(source.as_str().to_owned()));
    row.verified_at = Set((status == VerificationStatus::Verified).then(now));
    row.runts_registered = Set(status == VerificationStatus::Verified && runts_registered);
    row.updated_at = Set(now());
    let after = row.update(&txn).await?;
    audit(
        &txn,
        actor,
        "organization.verify",
        OutboxEntityType::Organization.as_str(),
        id,
        json!({ "status": after.verification_status, "source": after.verification_source, "runtsRegistered": after.runts_registered }),
    )
    .await?;
    enqueue_for_search(
        &txn,
        OutboxEntityType::Organization,
        id,
        OutboxOperation::Upsert,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// What a moderator can hide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hideable {
    Organization,
    Offer,
    Need,
}

/// Hides (with a reason) or shows again a record. Hidden records disappear
/// for everyone but their organisation's members and the moderators;
/// nothing is deleted.
pub async fn set_hidden(
    db: &DatabaseConnection,
    actor: &Actor,
    what: Hideable,
    id: Uuid,
    hidden: bool,
    reason: Option<&str>,
) -> Result<(), AppError> {
    permissions::require_moderator(db, Some(actor)).await?;
    let reason = match (hidden, reason) {
        (true, Some(text)) => {
            Some(ShortText::parse(text).map_err(|r| AppError::invalid("reason", r))?)
        }
        (true, None) => {
            return Err(AppError::invalid(
                "reason",
                crate::domain::Invalid::Required,
            ));
        }
        (false, _) => None,
    };
    let hidden_at = hidden.then(now);
    let reason = reason.map(|r| r.as_str().to_owned());
    let txn = db.begin().await?;
    let (entity, found) = match what {
        Hideable::Organization => {
            let row = organizations::Entity::find_by_id(id).one(&txn).await?;
            let found = row.is_some();
            if let Some(row) = row {
                let mut row: organizations::ActiveModel = row.into();
                row.hidden_at = Set(hidden_at);
                row.hidden_reason = Set(reason.clone());
                row.update(&txn).await?;
            }
            (OutboxEntityType::Organization, found)
        }
        Hideable::Offer => {
            let row = offers::Entity::find_by_id(id).one(&txn).await?;
            let found = row.is_some();
            if let Some(row) = row {
                let mut row: offers::ActiveModel = row.into();
                row.hidden_at = Set(hidden_at);
                row.hidden_reason = Set(reason.clone());
                row.update(&txn).await?;
            }
            (OutboxEntityType::Offer, found)
        }
        Hideable::Need => {
            let row = needs::Entity::find_by_id(id).one(&txn).await?;
            let found = row.is_some();
            if let Some(row) = row {
                let mut row: needs::ActiveModel = row.into();
                row.hidden_at = Set(hidden_at);
                row.hidden_reason = Set(reason.clone());
                row.update(&txn).await?;
            }
            (OutboxEntityType::Need, found)
        }
    };
    if !found {
        let entity = match what {
            Hideable::Organization => Entity::Organization,
            Hideable::Offer => Entity::Offer,
            Hideable::Need => Entity::Need,
        };
        return Err(AppError::not_found(entity, "id"));
    }
    audit(
        &txn,
        actor,
        if hidden {
            "moderation.hide"
        } else {
            "moderation.show"
        },
        entity.as_str(),
        id,
        json!({ "reason": reason }),
    )
    .await?;
    let operation = if hidden {
        OutboxOperation::Delete
    } else {
        OutboxOperation::Upsert
    };
    enqueue_for_search(&txn, entity, id, operation).await?;
    txn.commit().await?;
    Ok(())
}
