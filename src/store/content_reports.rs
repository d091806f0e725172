//! Reports of abusive content and the moderators' queue: open reports, and
//! the records a moderator hid, with the reason.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::entities::content_reports::{self, Column};
use super::entities::{needs, offers, organizations};
use super::scope::Existing;
use super::{Context, StoreResult, rows};
use crate::domain::{ReportStatus, ReportedRecord};

const OPEN: ReportStatus = ReportStatus::Open;

/// How many open reports `reporter_id` has on the record.
pub async fn count_open_of(
    db: &impl ConnectionTrait,
    record: ReportedRecord,
    record_id: Uuid,
    reporter_id: Uuid,
) -> StoreResult<u64> {
    let which = Condition::all()
        .add(Column::RecordType.eq(record))
        .add(Column::RecordId.eq(record_id))
        .add(Column::ReporterId.eq(reporter_id))
        .add(Column::Status.eq(OPEN));
    rows::count::<content_reports::Entity>(db, which, "content reports: count open of reporter")
        .await
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
    let set = [
        (Column::Status, Expr::value(status)),
        (Column::DecidedAt, Expr::value(Some(at))),
        (Column::DecidedBy, Expr::value(decided_by)),
        (Column::UpdatedAt, Expr::value(at)),
    ];
    let which = Condition::all()
        .add(Column::RecordType.eq(record))
        .add(Column::RecordId.eq(record_id))
        .add(Column::Status.eq(OPEN));
    rows::set::<content_reports::Entity>(db, set, which, "content reports: close open on record")
        .await
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

/// A table whose records can be reported and hidden: needs, offers and
/// organisations.
trait Reportable: Existing {
    fn hidden_at_column() -> Self::Column;
    fn summary(row: Self::Model) -> RecordSummary;
}

/// The three tables name their columns alike; an organisation's title is
/// its name, and it is its own organisation.
macro_rules! reportable {
    ($($table:ident: $record:ident, title: $title:ident, owner: $owner:ident;)+) => {$(
        impl Reportable for $table::Entity {
            fn hidden_at_column() -> Self::Column {
                $table::Column::HiddenAt
            }
            fn summary(row: $table::Model) -> RecordSummary {
                RecordSummary {
                    record: ReportedRecord::$record,
                    id: row.id,
                    title: row.$title,
                    organization_id: row.$owner,
                    hidden_at: row.hidden_at,
                    hidden_reason: row.hidden_reason,
                }
            }
        }
    )+};
}

reportable! {
    needs: Need, title: title, owner: organization_id;
    offers: Offer, title: title, owner: organization_id;
    organizations: Organization, title: name, owner: id;
}

/// The summaries of these records of one kind (deleted ones left out), by id.
pub async fn summaries(
    db: &impl ConnectionTrait,
    record: ReportedRecord,
    ids: Vec<Uuid>,
) -> StoreResult<HashMap<Uuid, RecordSummary>> {
    let rows = match record {
        ReportedRecord::Need => summaries_of::<needs::Entity>(db, ids).await?,
        ReportedRecord::Offer => summaries_of::<offers::Entity>(db, ids).await?,
        ReportedRecord::Organization => summaries_of::<organizations::Entity>(db, ids).await?,
    };
    Ok(rows.into_iter().map(|s| (s.id, s)).collect())
}

async fn summaries_of<E: Reportable>(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> StoreResult<Vec<RecordSummary>> {
    let rows = rows::existing_by_ids::<E>(db, ids, "content reports: summaries").await?;
    Ok(rows.into_iter().map(E::summary).collect())
}

/// The records a moderator hid, most recently hidden first, at most
/// `limit` of each kind.
pub async fn hidden(db: &impl ConnectionTrait, limit: u64) -> StoreResult<Vec<RecordSummary>> {
    let mut all = hidden_of::<needs::Entity>(db, limit).await?;
    all.extend(hidden_of::<offers::Entity>(db, limit).await?);
    all.extend(hidden_of::<organizations::Entity>(db, limit).await?);
    all.sort_by(|a, b| b.hidden_at.cmp(&a.hidden_at).then(a.id.cmp(&b.id)));
    Ok(all)
}

async fn hidden_of<E: Reportable>(
    db: &impl ConnectionTrait,
    limit: u64,
) -> StoreResult<Vec<RecordSummary>> {
    Ok(E::find_existing()
        .filter(E::hidden_at_column().is_not_null())
        .order_by_desc(E::hidden_at_column())
        .limit(limit)
        .all(db)
        .await
        .context("content reports: hidden records")?
        .into_iter()
        .map(E::summary)
        .collect())
}
