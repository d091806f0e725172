//! Reports of abusive content: a signed-in person with a verified address
//! tells the moderators that a need, an offer or an organisation they can
//! see breaks the rules, with a reason (one open report per person and
//! record; twenty a day per account). Moderators read the queue (open
//! reports, and the records already hidden with their reason) and either
//! hide the record ([`super::moderation::set_hidden`], which upholds its
//! open reports) or dismiss a report. Every step is in the audit log.

use std::collections::{HashMap, HashSet};

use sea_orm::{DatabaseConnection, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, conflict_on_unique, now, permissions};
use crate::domain::{ReportStatus, ReportedRecord, ShortText};
use crate::error::{AppError, Entity};
use crate::policy::guards::Limits;
use crate::policy::visibility::{self, Reader};
use crate::store;
use crate::store::content_reports::NewReport;
pub use crate::store::content_reports::RecordSummary;
use crate::store::entities::{content_reports, users};

/// The most reports (and hidden records of each kind) the queue returns.
pub const QUEUE_LIMIT: u64 = 200;
const AUDIT_ENTITY: &str = "content_report";

/// A report with the record it is about and who made it.
#[derive(Clone, Debug)]
pub struct ReportView {
    pub report: content_reports::Model,
    /// `None` when the record was deleted since.
    pub record: Option<RecordSummary>,
    /// `None` when the account was erased since.
    pub reporter: Option<users::Model>,
}

impl ReportView {
    pub fn record_type(&self) -> ReportedRecord {
        self.report.record_type
    }

    pub fn status(&self) -> ReportStatus {
        self.report.status
    }
}

/// Reports a record the person can see. Fails with UNAUTHENTICATED,
/// FORBIDDEN (address not verified), BAD_USER_INPUT on `reason` (required,
/// at most 300 characters), NOT_FOUND on `id` (no such record, or not
/// visible to them), CONFLICT on `id` (they already have an open report on
/// it), RATE_LIMITED past the account's reports.
#[tracing::instrument(skip_all, fields(?record, %id))]
pub async fn report(
    db: &DatabaseConnection,
    limits: &Limits,
    actor: &Actor,
    record: ReportedRecord,
    id: Uuid,
    reason: &str,
) -> Result<ReportView, AppError> {
    let (_, user_id) = permissions::signed_in(Some(actor))?;
    limits.content_report(user_id)?;
    let reporter = permissions::verified_user(db, Some(actor)).await?;
    let reason = ShortText::parse(reason)
        .map_err(|r| AppError::invalid("reason", r))?
        .into_inner();
    let reader = Reader::load(db, Some(user_id), false).await?;
    // Only what the person can see can be reported: anything else is
    // NOT_FOUND, as everywhere.
    match record {
        ReportedRecord::Organization => {
            visibility::organization(db, &reader, id, "id").await?;
        }
        ReportedRecord::Offer => {
            visibility::offer(db, &reader, id, "id").await?;
        }
        ReportedRecord::Need => {
            visibility::need(db, &reader, id, "id").await?;
        }
    }
    let txn = db.begin().await?;
    if store::content_reports::count_open_of(&txn, record, id, user_id).await? > 0 {
        return Err(already_reported());
    }
    let at = now();
    let new = NewReport {
        record,
        record_id: id,
        reporter_id: user_id,
        reason,
    };
    let report = store::content_reports::insert(&txn, new, at)
        .await
        // Two identical reports at once: the partial unique index decides.
        .map_err(conflict_on_unique(already_reported))?;
    audit(
        &txn,
        actor,
        "content_report.create",
        AUDIT_ENTITY,
        report.id,
        json!({ "recordType": report.record_type, "recordId": id, "reason": report.reason }),
    )
    .await?;
    txn.commit().await?;
    let record = store::content_reports::summaries(db, record, vec![id])
        .await?
        .remove(&id);
    Ok(ReportView {
        report,
        record,
        reporter: Some(reporter),
    })
}

fn already_reported() -> AppError {
    AppError::conflict(
        "id",
        "hai già segnalato questo contenuto: i moderatori la stanno esaminando",
        "you have already reported this content: the moderators are looking into it",
    )
}

/// The open reports, oldest first. Moderators only: fails with
/// UNAUTHENTICATED or FORBIDDEN otherwise.
pub async fn open(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
) -> Result<Vec<ReportView>, AppError> {
    permissions::require_moderator(db, actor).await?;
    let open = store::content_reports::open(db, QUEUE_LIMIT).await?;
    views(db, open).await
}

/// The records a moderator hid, most recently hidden first, with the
/// reason. Moderators only: fails with UNAUTHENTICATED or FORBIDDEN
/// otherwise.
pub async fn hidden(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
) -> Result<Vec<RecordSummary>, AppError> {
    permissions::require_moderator(db, actor).await?;
    Ok(store::content_reports::hidden(db, QUEUE_LIMIT).await?)
}

/// The reports with their records and reporters, loaded a kind at a time.
async fn views(
    db: &DatabaseConnection,
    reports: Vec<content_reports::Model>,
) -> Result<Vec<ReportView>, AppError> {
    let mut ids: HashMap<ReportedRecord, Vec<Uuid>> = HashMap::new();
    for report in &reports {
        ids.entry(report.record_type)
            .or_default()
            .push(report.record_id);
    }
    let mut summaries = HashMap::new();
    for (record, ids) in ids {
        for (id, summary) in store::content_reports::summaries(db, record, ids).await? {
            summaries.insert((record, id), summary);
        }
    }
    let reporter_ids: HashSet<Uuid> = reports.iter().map(|r| r.reporter_id).collect();
    let reporters: HashMap<Uuid, users::Model> = store::accounts::by_ids(db, reporter_ids)
        .await?
        .into_iter()
        .filter(|u| u.deleted_at.is_none())
        .map(|u| (u.id, u))
        .collect();
    reports
        .into_iter()
        .map(|report| {
            let record = report.record_type;
            Ok(ReportView {
                record: summaries.get(&(record, report.record_id)).cloned(),
                reporter: reporters.get(&report.reporter_id).cloned(),
                report,
            })
        })
        .collect()
}

/// Dismisses an open report: the record stays as it is. Moderators only.
/// Fails with UNAUTHENTICATED, FORBIDDEN, NOT_FOUND on `id`, CONFLICT on
/// `id` when it was already decided.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn dismiss(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<ReportView, AppError> {
    permissions::require_moderator(db, Some(actor)).await?;
    let txn = db.begin().await?;
    let report = store::rows::by_id::<content_reports::Entity>(&txn, id, "content reports: by id")
        .await?
        .ok_or_else(|| AppError::not_found(Entity::ContentReport, "id"))?;
    if report.status != ReportStatus::Open {
        return Err(AppError::conflict(
            "id",
            "la segnalazione è già stata decisa",
            "the report has already been decided",
        ));
    }
    let report =
        store::content_reports::decide(&txn, report, ReportStatus::Dismissed, actor.user_id, now())
            .await?;
    audit(
        &txn,
        actor,
        "content_report.dismiss",
        AUDIT_ENTITY,
        report.id,
        json!({ "recordType": report.record_type, "recordId": report.record_id }),
    )
    .await?;
    txn.commit().await?;
    let mut views = views(db, vec![report]).await?;
    views
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("report view lost")))
}

/// Upholds the open reports on a record a moderator just hid, in the same
/// transaction; returns how many there were.
pub(super) async fn uphold_open_on(
    txn: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    record: ReportedRecord,
    id: Uuid,
) -> Result<u64, AppError> {
    Ok(store::content_reports::close_open_on(
        txn,
        record,
        id,
        ReportStatus::Upheld,
        actor.user_id,
        now(),
    )
    .await?)
}
