//! The job runner of a server process: claims due jobs, runs them, marks
//! them done or failed. It polls every [`POLL`], and at once when this
//! process's GraphQL layer nudges it after a mutation, so a change's matches
//! are fresh well within a second.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::{Claimed, Job, Running, claim, complete, fail, prune_done};
use crate::config::Settings;
use crate::mail::Mailer;
use crate::matching::Matcher;
use crate::search::Search;
use crate::services::conversations;
use crate::services::matches::{Engine, concurrency};
use crate::services::now;

/// How often the worker looks for due jobs when nobody nudges it.
pub const POLL: Duration = Duration::from_millis(200);
/// How often done jobs are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Lets request handlers wake the worker. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct JobsHandle {
    nudge: Arc<Notify>,
}

impl JobsHandle {
    pub fn new() -> Self {
        Self::default()
    }

    /// Wakes the worker: jobs were just committed.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }
}

/// A worker, ready to start.
pub struct Worker {
    pub db: DatabaseConnection,
    pub search: Search,
    pub matcher: Matcher,
    pub handle: JobsHandle,
    /// For the e-mails jobs send (new messages in conversations).
    pub mailer: Arc<Mailer>,
    pub settings: Arc<Settings>,
}

/// A running worker: [`Running::stop`] lets the job in hand finish.
pub type RunningWorker = Running;

/// This process's name in `jobs.claimed_by`.
pub(crate) fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "trama".to_owned());
    let mut name = format!(
        "{host}:{}:{}",
        std::process::id(),
        &uuid::Uuid::now_v7().simple().to_string()[24..]
    );
    name.truncate(100);
    name
}

impl Worker {
    /// Starts the worker on the current runtime.
    pub fn start(self) -> RunningWorker {
        Running::spawn("job worker", |stopped| Arc::new(self).run(stopped))
    }

    /// Keeps up to [`concurrency`] jobs running: whenever one ends, the
    /// next due job is claimed. A prompt job (a new posting's matches)
    /// queued behind thousands of bulk ones therefore waits for one job to
    /// end, not for a whole batch; claiming in larger batches made it wait
    /// for up to 32 bulk refreshes (about 1.7 s in the matching bench).
    #[tracing::instrument(name = "job_worker", skip_all, fields(worker = tracing::field::Empty))]
    async fn run(self: Arc<Self>, mut stopped: watch::Receiver<bool>) {
        let name = worker_name();
        tracing::Span::current().record("worker", name.as_str());
        let slots = concurrency();
        let mut running: JoinSet<()> = JoinSet::new();
        let mut last_prune = Instant::now();
        tracing::info!(worker = %name, "job worker started");
        while !*stopped.borrow() {
            // Match refreshes take their candidates from the search index:
            // while it is missing or rebuilt they would find too few and
            // drop good matches, so the jobs wait for it.
            let free = slots.saturating_sub(running.len());
            if free > 0 && self.search.can_serve() {
                match claim(&self.db, &name, free as u64).await {
                    Ok(claimed) if !claimed.is_empty() => {
                        self.start_claimed(claimed, &mut running).await;
                        continue;
                    }
                    Ok(_) => {}
                    Err(error) => {
                        let error = anyhow::Error::from(error);
                        tracing::warn!(error = format!("{error:#}"), "claiming jobs failed");
                    }
                }
            }
            if running.is_empty() && last_prune.elapsed() >= PRUNE_EVERY {
                last_prune = Instant::now();
                if let Err(error) = prune_done(&self.db).await {
                    let error = anyhow::Error::from(error);
                    tracing::warn!(error = format!("{error:#}"), "pruning done jobs failed");
                }
            }
            // Wait for a slot to free (a job ended), a nudge (jobs were
            // committed), the next poll, or the stop.
            tokio::select! {
                Some(ended) = running.join_next(), if !running.is_empty() => {
                    if let Err(error) = ended {
                        tracing::warn!(%error, "a job's task ended abnormally");
                    }
                }
                () = self.handle.nudge.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = stopped.changed() => {}
            }
        }
        // Let the jobs in hand finish.
        while let Some(ended) = running.join_next().await {
            if let Err(error) = ended {
                tracing::warn!(%error, "a job's task ended abnormally");
            }
        }
        tracing::info!(worker = %name, "job worker stopped");
    }

    /// Starts the jobs of one claim, each on its own task: the same job
    /// claimed several times (a need edited twice) runs once. The same job
    /// claimed again while an earlier copy still runs is run too: a
    /// refresh writes what the engine computes now, in one transaction, so
    /// two at once leave the table as one would.
    async fn start_claimed(self: &Arc<Self>, claimed: Vec<Claimed>, running: &mut JoinSet<()>) {
        // The jobs were committed with their changes' outbox rows: bring this
        // process's index up to them before matching reads it.
        if !self.search.refresh().await {
            tracing::debug!("search index not refreshed in time before running jobs");
        }
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut by_job: Vec<(Option<Job>, Vec<Claimed>)> = Vec::new();
        for job in claimed {
            let key = match &job.job {
                Some(parsed) => serde_json::to_string(parsed).unwrap_or_default(),
                None => format!("unreadable:{}", job.id),
            };
            let at = *position.entry(key).or_insert_with(|| {
                by_job.push((job.job.clone(), Vec::new()));
                by_job.len() - 1
            });
            by_job[at].1.push(job);
        }
        for (job, copies) in by_job {
            let worker = Arc::clone(self);
            let span = job_span(job.as_ref(), &copies);
            running
                .spawn(async move { worker.run_one(job.as_ref(), &copies).await }.instrument(span));
        }
    }

    /// Runs one job (claimed as `copies`, usually one) and records its
    /// outcome on each copy.
    async fn run_one(&self, job: Option<&Job>, copies: &[Claimed]) {
        let outcome = match job {
            Some(job) => self.execute(job).await,
            None => Err(anyhow::anyhow!("the job's payload cannot be read")),
        };
        for copy in copies {
            let recorded = match &outcome {
                Ok(()) => complete(&self.db, copy.id).await,
                Err(error) => {
                    tracing::warn!(job = %copy.id, attempt = copy.attempt, error = format!("{error:#}"), "job failed");
                    fail(&self.db, copy, &format!("{error:#}")).await
                }
            };
            if let Err(error) = recorded {
                let error = anyhow::Error::from(error);
                tracing::warn!(job = %copy.id, error = format!("{error:#}"), "recording a job's outcome failed");
            }
        }
    }

    async fn execute(&self, job: &Job) -> anyhow::Result<()> {
        match job {
            Job::RefreshMatches { target } => {
                let engine = Engine {
                    db: &self.db,
                    search: &self.search,
                    matcher: &self.matcher,
                };
                engine.refresh(*target, now()).await?;
                Ok(())
            }
            Job::NotifyMessage { message_id } => {
                conversations::notify(&self.db, &self.mailer, &self.settings, *message_id).await?;
                Ok(())
            }
        }
    }
}

/// The span of one job's run: what it is and which attempt, so that what
/// the services it calls log (an internal error among them) says which job
/// it was. `job` is the first copy's id; `copies` is more than one when the
/// same job was queued several times and runs once for all.
fn job_span(job: Option<&Job>, copies: &[Claimed]) -> tracing::Span {
    let first = copies.first();
    tracing::info_span!(
        "job",
        kind = job.map_or("unreadable", Job::kind),
        payload = job.map(|job| format!("{job:?}")).unwrap_or_default(),
        job = first.map(|c| c.id.to_string()).unwrap_or_default(),
        attempt = first.map_or(0, |c| c.attempt),
        copies = copies.len(),
    )
}
