//! Background work claimed in the database, so that with several processes
//! on one PostgreSQL each job runs once: services enqueue a job in the same
//! transaction as the change that needs it; the [`worker`] of every server
//! process claims due jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite
//! has one writer, which serialises claims), runs them, and marks them done,
//! or queues them again with exponential backoff after a failure. A job
//! whose worker died is claimed again when its lease runs out, so a crash
//! loses nothing; jobs are idempotent, so running one twice after a crash
//! harms nothing.
//!
//! The queue's table (enqueue, claim, complete, fail, release) is
//! [`crate::store::jobs`]: services enqueue through the store and never
//! import this module; the runners here call services.
//!
//! Error policy: job code returns `anyhow` errors; they are logged and
//! stored in `jobs.last_error`, never shown to users.

pub mod digests;
pub mod running;
pub mod worker;

pub use self::running::Running;
pub use self::worker::{JobsHandle, RunningWorker, Worker};
pub use crate::store::jobs::{
    Claimed, DONE_RETENTION, Job, LEASE, MAX_ATTEMPTS, MatchTarget, Priority, backoff,
    capped_backoff, claim, claim_prompt, complete, enqueue, enqueue_at, fail, pending, prune_done,
    release,
};
