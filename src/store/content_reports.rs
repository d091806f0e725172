//! Reports of abusive content and the moderators' queue: open reports, and
//! the records a moderator hid, with the reason.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::entities::content_reports::{self, Column};
use super::entities::{needs, offers, organizations};
use super::{Context, StoreResult};
use crate::domain::{ReportStatus, ReportedRecord};

const OPEN: ReportStatus = ReportStatus::Open;

/// How many open reports `reporter_id` has on the record.
pub async fn count_open_of(
    db: &impl ConnectionTrait,
    record: ReportedRecord,
    record_id: Uuid,
    reporter_id: Uuid,
) -> StoreResult<u64> {
    content_reports::Entity::find()
        .filter(Column::RecordType.eq(record))
        .filter(Column::RecordId.eq(record_id))
        .filter(Column::ReporterId.eq(reporter_id))
        .filter(Column::Status.eq(OPEN))
        .count(db)
        .await
        .context("content reports: count open of reporter")
}

/// A new open report.
pub struct NewReport {
    pub record: ReportedRecord,
    pub record_id: Uuid,
    pub reporter_id: Uuid,
    pub reason: String,
}

/// Inserts an open report made at `at`. Fails with a unique violation when
/// the reporter already has one open on the record.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewReport,
    at: DateTime<Utc>,
) -> StoreResult<content_reports::Model> {
    let row = content_reports::ActiveModel {
        id: Set(super::new_id()),
        record_type: Set(new.record),
        record_id: Set(new.record_id),
        reporter_id: Set(new.reporter_id),
        reason: Set(new.reason),
        status: Set(OPEN),
        decided_at: Set(None),
        decided_by: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    super::rows::insert(db, row, "content reports: insert").await
}

/// The report with this id.
pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Option<content_reports::Model>> {
    content_reports::Entity::find_by_id(id)
        .one(db)
        .await
        .context("content reports: find by id")
}

/// Records a moderator's decision on one report at `at`.
pub async fn decide(
    db: &impl ConnectionTrait,
    report: content_reports::Model,
    status: ReportStatus,
    decided_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<content_reports::Model> {
    let mut row: content_reports::ActiveModel = report.into();
    row.status = Set(status);
    row.decided_at = Set(Some(at));
    row.decided_by = Set(decided_by);
    row.updated_at = Set(at);
    super::rows::update(db, row, "content reports: decide").await
}

/// Open reports, oldest first, at most `limit`.
pub async fn open(
    db: &impl ConnectionTrait,
    limit: u64,
) -> StoreResult<Vec<content_reports::Model>> {
    content_reports::Entity::find()
        .filter(Column::Status.eq(OPEN))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("content reports: open")
}

/// Closes the open reports on a record with `status`, decided by
/// `decided_by` at `at`; returns how many were closed.
pub async fn close_open_on(
    db: &impl ConnectionTrait,
    record: ReportedRecord,
    record_id: Uuid,
    status: ReportStatus,
    decided_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<u64> {
    let result = content_reports::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::DecidedAt, Expr::value(Some(at)))
        .col_expr(Column::DecidedBy, Expr::value(decided_by))
        .col_expr(Column::UpdatedAt, Expr::value(at))
        .filter(Column::RecordType.eq(record))
        .filter(Column::RecordId.eq(record_id))
        .filter(Column::Status.eq(OPEN))
        .exec(db)
        .await
        .context("content reports: close open on record")?;
    Ok(result.rows_affected)
}

/// A need, offer or organisation as the moderators' queue names it.
#[derive(Clone, Debug)]
pub struct RecordSummary {
    pub record: ReportedRecord,
    pub id: Uuid,
    /// The title of a need or offer, the name of an organisation.
    pub title: String,
    /// The organisation of a need or offer (itself for an organisation).
    pub organization_id: Uuid,
    pub hidden_at: Option<DateTime<Utc>>,
    pub hidden_reason: Option<String>,
}

/// The summaries of these records of one kind (deleted ones left out), by id.
pub async fn summaries(
    db: &impl ConnectionTrait,
    record: ReportedRecord,
    ids: Vec<Uuid>,
) -> StoreResult<HashMap<Uuid, RecordSummary>> {
    let rows = match record {
        ReportedRecord::Need => needs::Entity::find()
            .filter(needs::Column::Id.is_in(ids))
            .filter(needs::Column::DeletedAt.is_null())
            .all(db)
            .await
            .context("content reports: need summaries")?
            .into_iter()
            .map(need_summary)
            .collect::<Vec<_>>(),
        ReportedRecord::Offer => offers::Entity::find()
            .filter(offers::Column::Id.is_in(ids))
            .filter(offers::Column::DeletedAt.is_null())
            .all(db)
            .await
            .context("content reports: offer summaries")?
            .into_iter()
            .map(offer_summary)
            .collect(),
        ReportedRecord::Organization => organizations::Entity::find()
            .filter(organizations::Column::Id.is_in(ids))
            .filter(organizations::Column::DeletedAt.is_null())
            .all(db)
            .await
            .context("content reports: organisation summaries")?
            .into_iter()
            .map(organization_summary)
            .collect(),
    };
    Ok(rows.into_iter().map(|s| (s.id, s)).collect())
}

/// The records a moderator hid, most recently hidden first, at most
/// `limit` of each kind.
pub async fn hidden(db: &impl ConnectionTrait, limit: u64) -> StoreResult<Vec<RecordSummary>> {
    let mut all: Vec<RecordSummary> = needs::Entity::find()
        .filter(needs::Column::HiddenAt.is_not_null())
        .filter(needs::Column::DeletedAt.is_null())
        .order_by_desc(needs::Column::HiddenAt)
        .limit(limit)
        .all(db)
        .await
        .context("content reports: hidden needs")?
        .into_iter()
        .map(need_summary)
        .collect();
    all.extend(
        offers::Entity::find()
            .filter(offers::Column::HiddenAt.is_not_null())
            .filter(offers::Column::DeletedAt.is_null())
            .order_by_desc(offers::Column::HiddenAt)
            .limit(limit)
            .all(db)
            .await
            .context("content reports: hidden offers")?
            .into_iter()
            .map(offer_summary),
    );
    all.extend(
        organizations::Entity::find()
            .filter(organizations::Column::HiddenAt.is_not_null())
            .filter(organizations::Column::DeletedAt.is_null())
            .order_by_desc(organizations::Column::HiddenAt)
            .limit(limit)
            .all(db)
            .await
            .context("content reports: hidden organisations")?
            .into_iter()
            .map(organization_summary),
    );
    all.sort_by(|a, b| b.hidden_at.cmp(&a.hidden_at).then(a.id.cmp(&b.id)));
    Ok(all)
}

fn need_summary(n: needs::Model) -> RecordSummary {
    RecordSummary {
        record: ReportedRecord::Need,
        id: n.id,
        title: n.title,
        organization_id: n.organization_id,
        hidden_at: n.hidden_at,
        hidden_reason: n.hidden_reason,
    }
}

fn offer_summary(o: offers::Model) -> RecordSummary {
    RecordSummary {
        record: ReportedRecord::Offer,
        id: o.id,
        title: o.title,
        organization_id: o.organization_id,
        hidden_at: o.hidden_at,
        hidden_reason: o.hidden_reason,
    }
}

fn organization_summary(o: organizations::Model) -> RecordSummary {
    RecordSummary {
        record: ReportedRecord::Organization,
        id: o.id,
        title: o.name,
        organization_id: o.id,
        hidden_at: o.hidden_at,
        hidden_reason: o.hidden_reason,
    }
}
