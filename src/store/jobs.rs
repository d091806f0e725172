//! The job queue's table: enqueueing a job in the caller's transaction,
//! claiming due jobs with a lease ([`super::lease`]), and recording how
//! each ended. Services enqueue through here; the runners of
//! [`crate::jobs`] claim and run.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, Order, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::lease::{self, LeaseTable};
use super::{Context, StoreResult, new_id, now, rows};
use crate::domain::JobStatus;
use crate::store::entities::jobs;

/// What a job does, with its arguments (stored as `jobs.kind` + `payload`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Recompute the matches of a need, an offer, or every posting of an
    /// organisation.
    RefreshMatches { target: MatchTarget },
    /// Tell the other parties of a conversation of a new message, by
    /// e-mail, those who chose to hear of messages at once.
    NotifyMessage { message_id: Uuid },
}

/// What a match refresh is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum MatchTarget {
    Need(Uuid),
    Offer(Uuid),
    Organization(Uuid),
}

impl Job {
    /// The `jobs.kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RefreshMatches { .. } => "refresh_matches",
            Self::NotifyMessage { .. } => "notify_message",
        }
    }
}

/// How soon a job should run: due jobs are claimed highest priority first,
/// then in the order they fell due, so that a job someone waits for does
/// not queue behind bulk work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Work nobody is waiting on: the seed, imports, a registry's
    /// verifications (often thousands of jobs at once).
    Bulk,
    /// A change someone just made and waits to see the effect of: the
    /// matches of the posting they published, a message's notification.
    Prompt,
}

impl Priority {
    /// The `jobs.priority` column (jobs queued before priorities existed
    /// read 0, bulk).
    pub fn value(self) -> i32 {
        match self {
            Self::Bulk => 0,
            Self::Prompt => 10,
        }
    }
}

/// How long a claim lasts before another worker may take the job over.
pub const LEASE: TimeDelta = TimeDelta::seconds(120);
/// Attempts before a job is given up (status `failed`).
pub const MAX_ATTEMPTS: i32 = 5;
/// Done jobs are kept this long, for inspection.
pub const DONE_RETENTION: TimeDelta = TimeDelta::hours(24);

/// Queues a job to run now, in the caller's transaction.
pub async fn enqueue(txn: &impl ConnectionTrait, job: &Job, priority: Priority) -> StoreResult<()> {
    enqueue_at(txn, job, priority, now()).await
}

/// Queues a job to run at `run_at`, in the caller's transaction.
pub async fn enqueue_at(
    txn: &impl ConnectionTrait,
    job: &Job,
    priority: Priority,
    run_at: DateTime<Utc>,
) -> StoreResult<()> {
    let at = now();
    // A job is plain data: it always serialises.
    let payload = serde_json::to_value(job).unwrap_or_default();
    jobs::ActiveModel {
        id: Set(new_id()),
        kind: Set(job.kind().to_owned()),
        payload: Set(payload),
        status: Set(JobStatus::Queued),
        run_at: Set(run_at),
        attempts: Set(0),
        max_attempts: Set(MAX_ATTEMPTS),
        claimed_by: Set(None),
        claimed_until: Set(None),
        last_error: Set(None),
        priority: Set(priority.value()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(txn)
    .await
    .context("jobs: enqueue")?;
    Ok(())
}

/// A claimed job.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: Uuid,
    /// `None` when the payload no longer parses (a job of an older version):
    /// the worker marks it failed.
    pub job: Option<Job>,
    /// This attempt's number, from 1.
    pub attempt: i32,
    pub max_attempts: i32,
}

/// The queue as a table of leased work, the jobs in `scope`.
fn table(scope: Condition) -> LeaseTable<jobs::Entity, JobStatus> {
    LeaseTable {
        name: "jobs: claim due",
        id: jobs::Column::Id,
        status: jobs::Column::Status,
        waiting: &[JobStatus::Queued],
        held: JobStatus::Running,
        due_at: jobs::Column::RunAt,
        claimed_by: jobs::Column::ClaimedBy,
        claimed_until: jobs::Column::ClaimedUntil,
        attempts: jobs::Column::Attempts,
        updated_at: Some(jobs::Column::UpdatedAt),
        order: vec![
            (jobs::Column::Priority, Order::Desc),
            (jobs::Column::RunAt, Order::Asc),
            (jobs::Column::Id, Order::Asc),
        ],
        scope,
    }
}

/// Claims up to `limit` due jobs for `worker`: queued ones whose time has
/// come, and running ones whose lease ran out, highest [`Priority`] first,
/// then oldest first; returned in that order. Two workers never claim the
/// same job. Fails on database errors.
pub async fn claim(db: &DatabaseConnection, worker: &str, limit: u64) -> StoreResult<Vec<Claimed>> {
    claim_in(db, Condition::all(), worker, limit).await
}

/// Claims up to `limit` due [`Priority::Prompt`] jobs only, like [`claim`]:
/// a worker busy with a batch of bulk jobs takes a person's change beside
/// it.
pub async fn claim_prompt(
    db: &DatabaseConnection,
    worker: &str,
    limit: u64,
) -> StoreResult<Vec<Claimed>> {
    let prompt = Condition::all().add(jobs::Column::Priority.gte(Priority::Prompt.value()));
    claim_in(db, prompt, worker, limit).await
}

async fn claim_in(
    db: &DatabaseConnection,
    scope: Condition,
    worker: &str,
    limit: u64,
) -> StoreResult<Vec<Claimed>> {
    let rows = lease::claim(db, &table(scope), worker, now(), LEASE, limit).await?;
    Ok(rows
        .into_iter()
        .map(|row| Claimed {
            id: row.id,
            job: serde_json::from_value(row.payload).ok(),
            attempt: row.attempts + 1,
            max_attempts: row.max_attempts,
        })
        .collect())
}

/// Marks a claimed job done.
pub async fn complete(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<()> {
    let set = [
        (jobs::Column::Status, Expr::value(JobStatus::Done)),
        (
            jobs::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        ),
        (jobs::Column::UpdatedAt, Expr::value(now())),
    ];
    let which = jobs::Column::Id.eq(id);
    rows::set::<jobs::Entity>(db, set, which, "jobs: complete").await?;
    Ok(())
}

/// Puts jobs claimed by `worker` back in the queue as they were before the
/// claim (same place, the attempt not counted): the worker could not run
/// them yet, which is not their failure (its search index had not caught
/// up with their changes). Rows another worker has taken over are left
/// alone. Returns how many were put back.
pub async fn release(db: &impl ConnectionTrait, worker: &str, ids: &[Uuid]) -> StoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let set = [
        (jobs::Column::Status, Expr::value(JobStatus::Queued)),
        (jobs::Column::ClaimedBy, Expr::value(None::<String>)),
        (
            jobs::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        ),
        (
            jobs::Column::Attempts,
            Expr::col(jobs::Column::Attempts).sub(1),
        ),
        (jobs::Column::UpdatedAt, Expr::value(now())),
    ];
    let which = Condition::all()
        .add(jobs::Column::Id.is_in(ids.iter().copied()))
        .add(jobs::Column::ClaimedBy.eq(worker))
        .add(jobs::Column::Status.eq(JobStatus::Running));
    rows::set::<jobs::Entity>(db, set, which, "jobs: release claimed jobs").await
}

/// The wait before attempt `attempt + 1`: 2, 4, 8, 16... seconds, at most
/// ten minutes.
pub fn backoff(attempt: i32) -> TimeDelta {
    capped_backoff(attempt, TimeDelta::seconds(2), TimeDelta::minutes(10))
}

/// The wait before attempt `attempt + 1` when the first retry comes after
/// `first` and each wait doubles the one before, up to `cap`.
pub fn capped_backoff(attempt: i32, first: TimeDelta, cap: TimeDelta) -> TimeDelta {
    // 2^30 times any sensible first wait is beyond any sensible cap.
    let doublings = attempt.saturating_sub(1).clamp(0, 30);
    first
        .checked_mul(1 << doublings)
        .map_or(cap, |wait| wait.min(cap))
}

/// Records a failed attempt: queued again after [`backoff`], or `failed`
/// for good after its last attempt.
pub async fn fail(db: &impl ConnectionTrait, claimed: &Claimed, error: &str) -> StoreResult<()> {
    let at = now();
    let given_up = claimed.job.is_none() || claimed.attempt >= claimed.max_attempts;
    let (status, run_at) = if given_up {
        (JobStatus::Failed, at)
    } else {
        (JobStatus::Queued, at + backoff(claimed.attempt))
    };
    let set = [
        (jobs::Column::Status, Expr::value(status)),
        (jobs::Column::RunAt, Expr::value(run_at)),
        (
            jobs::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        ),
        (jobs::Column::LastError, Expr::value(error.to_owned())),
        (jobs::Column::UpdatedAt, Expr::value(at)),
    ];
    let which = jobs::Column::Id.eq(claimed.id);
    rows::set::<jobs::Entity>(db, set, which, "jobs: record a failure").await?;
    Ok(())
}

/// Deletes done jobs older than [`DONE_RETENTION`]. Returns how many.
pub async fn prune_done(db: &impl ConnectionTrait) -> StoreResult<u64> {
    let which = Condition::all()
        .add(jobs::Column::Status.eq(JobStatus::Done))
        .add(jobs::Column::UpdatedAt.lt(now() - DONE_RETENTION));
    rows::delete::<jobs::Entity>(db, which, "jobs: prune done").await
}

/// How many jobs are queued or running (for tests and `/readyz`-like checks).
pub async fn pending(db: &impl ConnectionTrait) -> StoreResult<u64> {
    let which = jobs::Column::Status.is_in([JobStatus::Queued, JobStatus::Running]);
    rows::count::<jobs::Entity>(db, which, "jobs: count pending").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_round_trip_through_their_payload() {
        let job = Job::RefreshMatches {
            target: MatchTarget::Need(Uuid::from_u128(7)),
        };
        let json = serde_json::to_value(&job).expect("serialise");
        assert_eq!(json["kind"], "refresh_matches");
        assert_eq!(json["target"]["type"], "need");
        assert_eq!(serde_json::from_value::<Job>(json).expect("parse"), job);
    }

    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        assert_eq!(backoff(1), TimeDelta::seconds(2));
        assert_eq!(backoff(3), TimeDelta::seconds(8));
        assert_eq!(backoff(30), TimeDelta::seconds(600));
    }

    #[test]
    fn capped_backoff_starts_at_the_first_wait_and_stops_at_the_cap() {
        let minute = TimeDelta::minutes(1);
        let cap = TimeDelta::minutes(30);
        let waits: Vec<i64> = (1..=8)
            .map(|a| capped_backoff(a, minute, cap).num_minutes())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(capped_backoff(i32::MAX, minute, cap), cap);
        assert_eq!(capped_backoff(0, minute, cap), minute);
    }
}
