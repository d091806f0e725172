//! The job runner of a server process: claims due jobs in batches, runs
//! them, marks them done or failed. It polls every [`POLL`], and at once
//! when this process's GraphQL layer nudges it after a mutation; a nudge
//! during a batch claims the prompt jobs of people's changes and runs them
//! beside the batch, so a change's matches are fresh within about a second
//! whatever the backlog of bulk jobs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, watch};
use tracing::Instrument;

use super::{Claimed, Job, Running, claim, claim_prompt, complete, fail, prune_done};
use crate::config::Settings;
use crate::mail::Mailer;
use crate::matching::Matcher;
use crate::search::Search;
use crate::services::conversations;
use crate::services::matches::{Engine, concurrency};
use crate::services::now;

/// How often the worker looks for due jobs when nobody nudges it.
pub const POLL: Duration = Duration::from_millis(200);
/// Jobs claimed at once.
const BATCH: u64 = 32;
/// How often done jobs are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// How long claimed jobs wait for the search index to take in the changes
/// committed with them (well within the jobs' [`super::LEASE`]).
const INDEX_WAIT: Duration = Duration::from_secs(30);
/// The pause after jobs were put back because the index was behind.
const INDEX_BEHIND_PAUSE: Duration = Duration::from_secs(2);

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
    /// What match refreshes read through ([`crate::state::AppState::readers`]).
    pub readers: DatabaseConnection,
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
        Running::spawn("job worker", |stopped| self.run(stopped))
    }

    #[tracing::instrument(name = "job_worker", skip_all, fields(worker = tracing::field::Empty))]
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let name = worker_name();
        tracing::Span::current().record("worker", name.as_str());
        let mut last_prune = Instant::now();
        tracing::info!(worker = %name, "job worker started");
        while !*stopped.borrow() {
            // Match refreshes take their candidates from the search index:
            // while it is missing or rebuilt they would find too few and
            // drop good matches, so the jobs wait for it.
            if self.search.can_serve() {
                match claim(&self.db, &name, BATCH).await {
                    Ok(claimed) if !claimed.is_empty() => {
                        if self.index_has_taken_in(&name, &claimed).await {
                            self.run_batch_beside_prompt_jobs(&name, claimed).await;
                            continue;
                        }
                        tokio::select! {
                            () = tokio::time::sleep(INDEX_BEHIND_PAUSE) => {}
                            _ = stopped.changed() => {}
                        }
                        continue;
                    }
                    Ok(_) => {}
                    Err(error) => {
                        let error = anyhow::Error::from(error);
                        tracing::warn!(error = format!("{error:#}"), "claiming jobs failed");
                    }
                }
            }
            if last_prune.elapsed() >= PRUNE_EVERY {
                last_prune = Instant::now();
                if let Err(error) = prune_done(&self.db).await {
                    let error = anyhow::Error::from(error);
                    tracing::warn!(error = format!("{error:#}"), "pruning done jobs failed");
                }
            }
            tokio::select! {
                () = self.handle.nudge.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = stopped.changed() => {}
            }
        }
        tracing::info!(worker = %name, "job worker stopped");
    }

    /// Brings this process's search index up to the outbox rows committed
    /// with the `claimed` jobs, before a match refresh reads it: run on an
    /// index behind them, a refresh would miss the postings just written
    /// and the pair would be lost for good (each side's refresh would have
    /// run without the other). When the indexer does not get there within
    /// [`INDEX_WAIT`] (a large backlog on a busy machine), the jobs go back
    /// to the queue, their attempt not counted, and says so.
    async fn index_has_taken_in(&self, name: &str, claimed: &[Claimed]) -> bool {
        if self.search.refresh_within(INDEX_WAIT).await {
            return true;
        }
        let ids: Vec<uuid::Uuid> = claimed.iter().map(|job| job.id).collect();
        match super::release(&self.db, name, &ids).await {
            Ok(released) => tracing::warn!(
                released,
                "the search index has not taken in the jobs' changes yet: jobs put back"
            ),
            Err(error) => {
                let error = anyhow::Error::from(error);
                tracing::warn!(
                    error = format!("{error:#}"),
                    "putting back jobs failed (they are claimed again when their lease runs out)"
                );
            }
        }
        false
    }

    /// Runs a batch and, while it runs, the prompt jobs of people's changes
    /// as they are committed (the GraphQL layer nudges the worker after
    /// each mutation): a new posting's matches do not wait for a batch of
    /// bulk jobs (the seed's, an import's) to end. Bulk jobs stay claimed
    /// in batches, one claim and one index refresh for many.
    async fn run_batch_beside_prompt_jobs(&self, name: &str, claimed: Vec<Claimed>) {
        let batch_done = Notify::new();
        let batch = async {
            self.run_batch(claimed).await;
            batch_done.notify_one();
        };
        let prompt_lane = async {
            loop {
                tokio::select! {
                    () = self.handle.nudge.notified() => {}
                    () = batch_done.notified() => return,
                }
                let prompt = match claim_prompt(&self.db, name, BATCH).await {
                    Ok(prompt) => prompt,
                    Err(error) => {
                        let error = anyhow::Error::from(error);
                        tracing::warn!(error = format!("{error:#}"), "claiming prompt jobs failed");
                        continue;
                    }
                };
                if !prompt.is_empty() && self.index_has_taken_in(name, &prompt).await {
                    self.run_batch(prompt).await;
                }
            }
        };
        // The lane ends once the batch has (after the prompt jobs in hand).
        futures_util::future::join(batch, prompt_lane).await;
    }

    /// Runs a batch: the same job claimed several times (a need edited
    /// twice) runs once. Jobs start in the order they were claimed (highest
    /// priority first), a few at a time ([`concurrency`]), so that a prompt
    /// job waits for at most a few bulk ones.
    async fn run_batch(&self, claimed: Vec<Claimed>) {
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
        futures_util::stream::iter(by_job)
            .for_each_concurrent(concurrency(&self.db), |(job, copies)| async move {
                self.run_one(job.as_ref(), &copies)
                    .instrument(job_span(job.as_ref(), &copies))
                    .await;
            })
            .await;
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
                    reads: &self.readers,
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
