//! `digest_deliveries`: the digests planned for each user, claimed by
//! senders with a lease ([`crate::store::lease`]) and settled as sent, to
//! retry, failed or given up.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, Order, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::domain::{DeliveryFailure, DeliveryStatus};
use crate::store::entities::digest_deliveries::{self, Column};
use crate::store::lease::{self, LeaseTable};
use crate::store::{Context, StoreResult, rows};

/// A delivery to record, never tried yet.
#[derive(Clone, Copy, Debug)]
pub struct NewDelivery {
    pub user_id: Uuid,
    /// The period it covers; it is due at its end.
    pub period: (DateTime<Utc>, DateTime<Utc>),
    /// Pending, or sent for a digest with nothing in it (sent at the end of
    /// its period, with no message).
    pub status: DeliveryStatus,
    pub item_count: usize,
}

/// Inserts a delivery made at `at`.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewDelivery,
    at: DateTime<Utc>,
) -> StoreResult<digest_deliveries::Model> {
    let sent = new.status == DeliveryStatus::Sent;
    let row = digest_deliveries::ActiveModel {
        id: Set(crate::store::new_id()),
        user_id: Set(new.user_id),
        period_start: Set(new.period.0),
        period_end: Set(new.period.1),
        status: Set(new.status),
        attempts: Set(0),
        next_attempt_at: Set(Some(new.period.1)),
        claimed_by: Set(None),
        claimed_until: Set(None),
        message_id: Set(None),
        last_error: Set(None),
        item_count: Set(i32::try_from(new.item_count).unwrap_or(i32::MAX)),
        created_at: Set(at),
        sent_at: Set(sent.then_some(new.period.1)),
        first_failed_at: Set(None),
        failure_kind: Set(None),
        carried_over_at: Set(None),
    };
    crate::store::rows::insert(db, row, "digest deliveries: insert").await
}

/// The end of the user's latest digest, if any.
pub async fn latest_end(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(digest_deliveries::Entity::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_desc(Column::PeriodEnd)
        .one(db)
        .await
        .context("digest deliveries: latest of user")?
        .map(|d| d.period_end))
}

/// The user's given-up deliveries that no planning took over yet.
pub async fn given_up_not_carried(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Vec<Uuid>> {
    let which = Condition::all()
        .add(Column::UserId.eq(user_id))
        .add(Column::Status.eq(DeliveryStatus::GivenUp))
        .add(Column::CarriedOverAt.is_null());
    let what = "digest deliveries: given up, not carried over";
    rows::values::<digest_deliveries::Entity, _>(db, [Column::Id], which, what).await
}

/// Marks these given-up deliveries taken over by a digest planned at `at`.
pub async fn mark_carried_over(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let set = [(Column::CarriedOverAt, Expr::value(Some(at)))];
    let which = Column::Id.is_in(ids);
    rows::set::<digest_deliveries::Entity>(db, set, which, "digest deliveries: mark carried over")
        .await?;
    Ok(())
}

/// The user's newest delivery with items whose fate is known: sent,
/// failed, to retry or given up, or being sent again after a failure (a
/// first attempt in progress says nothing yet).
pub async fn latest_settled_with_items(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Option<digest_deliveries::Model>> {
    let settled = Condition::any()
        .add(Column::Status.is_in([
            DeliveryStatus::Sent,
            DeliveryStatus::Failed,
            DeliveryStatus::Retry,
            DeliveryStatus::GivenUp,
        ]))
        .add(
            Condition::all()
                .add(Column::Status.eq(DeliveryStatus::Sending))
                .add(Column::FirstFailedAt.is_not_null()),
        );
    digest_deliveries::Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ItemCount.gt(0))
        .filter(settled)
        .order_by_desc(Column::Id)
        .one(db)
        .await
        .context("digest deliveries: latest settled with items")
}

/// Deletes the user's deliveries not sent yet (pending or to retry).
pub async fn delete_unsent_of(db: &impl ConnectionTrait, user_id: Uuid) -> StoreResult<()> {
    let which = Condition::all()
        .add(Column::UserId.eq(user_id))
        .add(Column::Status.is_in([DeliveryStatus::Pending, DeliveryStatus::Retry]));
    let what = "digest deliveries: delete unsent of user";
    rows::delete::<digest_deliveries::Entity>(db, which, what).await?;
    Ok(())
}

// ------------------------------------------------------------ the lease

/// The statuses of deliveries waiting for their time.
const WAITING: &[DeliveryStatus] = &[DeliveryStatus::Pending, DeliveryStatus::Retry];

/// The deliveries as a table of leased work.
fn table() -> LeaseTable<digest_deliveries::Entity, DeliveryStatus> {
    LeaseTable {
        name: "digest deliveries: claim due",
        id: Column::Id,
        status: Column::Status,
        waiting: WAITING,
        held: DeliveryStatus::Sending,
        due_at: Column::NextAttemptAt,
        claimed_by: Column::ClaimedBy,
        claimed_until: Column::ClaimedUntil,
        attempts: Column::Attempts,
        updated_at: None,
        order: vec![(Column::Id, Order::Asc)],
        scope: Condition::all(),
    }
}

/// Claims up to `limit` deliveries due at `at` for `worker`, held until
/// `at + lease`: pending and retry ones whose time has come, and sending
/// ones whose lease ran out (a crashed sender). Returns them as they were
/// before the claim.
pub async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    at: DateTime<Utc>,
    lease: TimeDelta,
    limit: u64,
) -> StoreResult<Vec<digest_deliveries::Model>> {
    lease::claim(db, &table(), worker, at, lease, limit).await
}

/// Only the claim holder may settle a delivery: a sender whose lease ran
/// out and was taken over writes nothing.
fn held_by(worker: &str, id: Uuid) -> Condition {
    table().held_by(worker, id)
}

/// Deletes a delivery `worker` holds (digests turned off, or the user gone).
pub async fn delete_held(db: &impl ConnectionTrait, worker: &str, id: Uuid) -> StoreResult<()> {
    let which = held_by(worker, id);
    rows::delete::<digest_deliveries::Entity>(db, which, "digest deliveries: delete held").await?;
    Ok(())
}

/// Marks a delivery `worker` holds sent at `at`, with the Message-ID the
/// server took it with (none: nothing was left to send). False when the
/// worker no longer holds it.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    worker: &str,
    id: Uuid,
    message_id: Option<String>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let set = [
        (Column::Status, Expr::value(DeliveryStatus::Sent)),
        (Column::MessageId, Expr::value(message_id)),
        (Column::SentAt, Expr::value(Some(at))),
        (Column::ClaimedUntil, Expr::value(None::<DateTime<Utc>>)),
        (Column::LastError, Expr::value(None::<String>)),
        (Column::FailureKind, Expr::value(None::<DeliveryFailure>)),
    ];
    let which = held_by(worker, id);
    let updated =
        rows::set::<digest_deliveries::Entity>(db, set, which, "digest deliveries: mark sent")
            .await?;
    Ok(updated > 0)
}

/// A failed attempt, as recorded.
#[derive(Clone, Debug)]
pub struct FailedAttempt {
    /// Retry, failed or given up.
    pub status: DeliveryStatus,
    /// When it is tried again (to retry only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The server's words, for operators.
    pub last_error: String,
    /// What people are told.
    pub failure: DeliveryFailure,
    /// When a failure that may pass first stopped it.
    pub first_failed_at: Option<DateTime<Utc>>,
}

/// Records a failed attempt of a delivery `worker` holds, releasing it.
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    worker: &str,
    id: Uuid,
    failed: FailedAttempt,
) -> StoreResult<()> {
    let set = [
        (Column::Status, Expr::value(failed.status)),
        (Column::NextAttemptAt, Expr::value(failed.next_attempt_at)),
        (Column::ClaimedUntil, Expr::value(None::<DateTime<Utc>>)),
        (Column::LastError, Expr::value(Some(failed.last_error))),
        (Column::FailureKind, Expr::value(Some(failed.failure))),
        (Column::FirstFailedAt, Expr::value(failed.first_failed_at)),
    ];
    let which = held_by(worker, id);
    rows::set::<digest_deliveries::Entity>(db, set, which, "digest deliveries: mark failed")
        .await?;
    Ok(())
}
