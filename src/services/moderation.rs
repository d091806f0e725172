//! Moderation: verifying organisations (against a registry or documents) and
//! hiding abusive organisations, offers and needs from public view. Hidden
//! records are kept with the reason and can be shown again (hiding upholds
//! the open reports on the record, see [`super::reports`]); their
//! organisation's members and the moderators still see them, and why
//! ([`crate::policy::visibility`]). Moderators only.

use sea_orm::{DatabaseConnection, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, enqueue_for_search, now, permissions, record_change};
use crate::domain::{
    OutboxEntityType, OutboxOperation, ReportedRecord, ShortText, VerificationStatus,
};
use crate::error::{AppError, Entity};
use crate::store;
use crate::store::entities::{needs, offers, organizations};
use crate::store::organizations::VerificationState;
use crate::store::postings::PostingTable;

/// Marks an organisation verified (or its verification rejected), with the
/// source checked (e.g. "RUNTS, estratto del 2026-11-01").
#[tracing::instrument(skip_all, fields(%id))]
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
    let at = now();
    let verification = VerificationState {
        status,
        source: Some(source.as_str().to_owned()),
        verified_at: (status == VerificationStatus::Verified).then_some(at),
        runts_registered: status == VerificationStatus::Verified && runts_registered,
    };
    let after = store::organizations::set_verification(&txn, before, &verification, at).await?;
    record_change(
        txn,
        actor,
        "organization.verify",
        OutboxEntityType::Organization,
        id,
        json!({ "status": after.verification_status, "source": after.verification_source, "runtsRegistered": after.runts_registered }),
    )
    .await?;
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
#[tracing::instrument(skip_all, fields(?what, %id, hidden))]
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
        Hideable::Organization => (
            OutboxEntityType::Organization,
            store::organizations::set_hidden(&txn, id, hidden_at, reason.clone()).await?,
        ),
        Hideable::Offer => (
            OutboxEntityType::Offer,
            offers::Entity::set_hidden(&txn, id, hidden_at, reason.clone()).await?,
        ),
        Hideable::Need => (
            OutboxEntityType::Need,
            needs::Entity::set_hidden(&txn, id, hidden_at, reason.clone()).await?,
        ),
    };
    if !found {
        let entity = match what {
            Hideable::Organization => Entity::Organization,
            Hideable::Offer => Entity::Offer,
            Hideable::Need => Entity::Need,
        };
        return Err(AppError::not_found(entity, "id"));
    }
    let record = match what {
        Hideable::Organization => ReportedRecord::Organization,
        Hideable::Offer => ReportedRecord::Offer,
        Hideable::Need => ReportedRecord::Need,
    };
    let upheld_reports = if hidden {
        super::reports::uphold_open_on(&txn, actor, record, id).await?
    } else {
        0
    };
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
        json!({ "reason": reason, "upheldReports": upheld_reports }),
    )
    .await?;
    let operation = if hidden {
        OutboxOperation::Delete
    } else {
        OutboxOperation::Upsert
    };
    enqueue_for_search(&txn, entity, id, operation, actor.priority()).await?;
    txn.commit().await?;
    Ok(())
}
