//! Claiming rows of work with a lease, the one implementation the job queue
//! ([`super::jobs`]) and the digest deliveries use.
//!
//! A claim takes due rows (waiting ones whose time has come, and held ones
//! whose lease ran out: their holder died), marks them held by a worker
//! until `at + lease` and counts the attempt, in one transaction. On
//! PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED`, so two processes
//! never claim the same row and neither waits for the other; SQLite has a
//! single writer, which serialises claims. Only the holder may settle a row
//! ([`held_by`]): a worker whose lease ran out and was taken over writes
//! nothing.
//!
//! On SQLite instants are RFC 3339 text in UTC; within a second the whole
//! second ("…:05+00:00") sorts before its fractions ("…:05.2+00:00"), so
//! text order is time order for these comparisons.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    ModelTrait, Order, QueryFilter, QueryOrder, QuerySelect, TransactionTrait, Value,
};

use super::{Context, StoreResult};

/// The columns and statuses of a table of leased work; `S` is the table's
/// status list (`JobStatus`, `DeliveryStatus`).
pub struct LeaseTable<E: EntityTrait, S: 'static> {
    /// For the log: "jobs", "digest deliveries".
    pub name: &'static str,
    pub id: E::Column,
    pub status: E::Column,
    /// The statuses of rows waiting for their time.
    pub waiting: &'static [S],
    /// The status of a claimed row.
    pub held: S,
    /// When a waiting row is due.
    pub due_at: E::Column,
    pub claimed_by: E::Column,
    pub claimed_until: E::Column,
    pub attempts: E::Column,
    /// Set to the claim's time, when the table has such a column.
    pub updated_at: Option<E::Column>,
    /// The order rows are claimed (and returned) in.
    pub order: Vec<(E::Column, Order)>,
    /// Rows outside it are never claimed (`Condition::all()`: every row).
    pub scope: Condition,
}

impl<E: EntityTrait, S: Copy + Into<Value>> LeaseTable<E, S> {
    /// The rows a claim at `at` may take.
    fn due(&self, at: DateTime<Utc>) -> Condition {
        let due = Condition::any()
            .add(
                Condition::all()
                    .add(self.status.is_in(self.waiting.iter().copied()))
                    .add(self.due_at.lte(at)),
            )
            .add(
                Condition::all()
                    .add(self.status.eq(self.held))
                    .add(self.claimed_until.lt(at)),
            );
        Condition::all().add(self.scope.clone()).add(due)
    }

    /// The row `id` while `worker` holds it.
    pub fn held_by(&self, worker: &str, id: impl Into<Value>) -> Condition {
        Condition::all()
            .add(self.id.eq(id))
            .add(self.claimed_by.eq(worker))
            .add(self.status.eq(self.held))
    }
}

/// Claims up to `limit` rows due at `at` for `worker`, held until
/// `at + lease`; returns them as they were before the claim (the caller
/// adds the attempt it counted). Fails on database errors.
pub async fn claim<E, S>(
    db: &DatabaseConnection,
    table: &LeaseTable<E, S>,
    worker: &str,
    at: DateTime<Utc>,
    lease: TimeDelta,
    limit: u64,
) -> StoreResult<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    S: Copy + Into<Value> + Sync,
{
    let txn = db.begin().await.context("lease: begin a claim")?;
    let mut select = E::find().filter(table.due(at));
    for (column, order) in &table.order {
        select = select.order_by(*column, order.clone());
    }
    select = select.limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = select.all(&txn).await.context(table.name)?;
    if rows.is_empty() {
        txn.commit().await.context("lease: commit an empty claim")?;
        return Ok(Vec::new());
    }
    let ids: Vec<Value> = rows.iter().map(|row| row.get(table.id)).collect();
    let mut update = E::update_many()
        .col_expr(table.status, Expr::value(table.held))
        .col_expr(table.claimed_by, Expr::value(worker.to_owned()))
        .col_expr(table.claimed_until, Expr::value(at + lease))
        .col_expr(table.attempts, Expr::col(table.attempts).add(1));
    if let Some(updated_at) = table.updated_at {
        update = update.col_expr(updated_at, Expr::value(at));
    }
    update
        .filter(table.id.is_in(ids))
        .exec(&txn)
        .await
        .context("lease: mark claimed rows held")?;
    txn.commit().await.context("lease: commit a claim")?;
    Ok(rows)
}
