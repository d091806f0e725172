//! The digest scheduler of a server process: every
//! `TRAMA_DIGEST_POLL_SECS` it plans the digests that are due and sends the
//! deliveries it can claim (see [`crate::services::digests`]; all claims are
//! in the database, so any number of processes may run it).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::config::Settings;
use crate::mail::Mailer;
use crate::search::Search;
use crate::services::digests::{self, Sender};
use crate::services::now;

/// A running scheduler.
pub struct RunningScheduler {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningScheduler {
    /// Lets the step in hand finish, then stops. A delivery cut short is
    /// claimed again when its lease runs out.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::warn!(%error, "the digest scheduler ended abnormally");
        }
    }
}

/// Starts the scheduler, or nothing when `digest_poll_secs` is 0.
pub fn start(
    db: DatabaseConnection,
    search: Search,
    mailer: Arc<Mailer>,
    settings: Arc<Settings>,
) -> Option<RunningScheduler> {
    if settings.digest_poll_secs == 0 {
        tracing::info!("digest scheduler off (TRAMA_DIGEST_POLL_SECS=0)");
        return None;
    }
    let every = Duration::from_secs(settings.digest_poll_secs);
    let (stop, mut stopped) = watch::channel(false);
    let worker = super::worker::worker_name();
    // What the digest services log (an internal error among them) says it
    // came from this scheduler, and from which step.
    let span = tracing::info_span!("digest_scheduler", %worker);
    let task = tokio::spawn(
        async move {
            let mut step: u64 = 0;
            while !*stopped.borrow() {
                step += 1;
                let sender = Sender {
                    db: &db,
                    search: &search,
                    mailer: &mailer,
                    settings: &settings,
                    worker: &worker,
                };
                let at = now();
                async {
                    match digests::run_once(sender, at).await {
                        Ok(report) if report != digests::SendReport::default() => {
                            tracing::info!(?report, "digests sent");
                        }
                        Ok(_) => {}
                        Err(error) => tracing::warn!(%error, "digest step failed"),
                    }
                }
                .instrument(tracing::info_span!("digest_step", step, %at))
                .await;
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    _ = stopped.changed() => {}
                }
            }
        }
        .instrument(span),
    );
    Some(RunningScheduler { stop, task })
}
