//! The digest scheduler of a server process: every
//! `TRAMA_DIGEST_POLL_SECS` it plans the digests that are due and sends the
//! deliveries it can claim (see [`crate::services::digests`]; all claims are
//! in the database, so any number of processes may run it).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tracing::Instrument;

use super::Running;
use crate::config::Settings;
use crate::mail::Mailer;
use crate::matching::Matcher;
use crate::search::Search;
use crate::services::digests::{self, Sender};
use crate::services::now;

/// A running scheduler: [`Running::stop`] lets the step in hand finish.
pub type RunningScheduler = Running;

/// Starts the scheduler, or nothing when `digest_poll_secs` is 0.
pub fn start(
    db: DatabaseConnection,
    search: Search,
    matcher: Matcher,
    mailer: Arc<Mailer>,
    settings: Arc<Settings>,
) -> Option<RunningScheduler> {
    if settings.digest_poll_secs == 0 {
        tracing::info!("digest scheduler off (TRAMA_DIGEST_POLL_SECS=0)");
        return None;
    }
    let every = Duration::from_secs(settings.digest_poll_secs);
    let worker = super::worker::worker_name();
    // What the digest services log (an internal error among them) says it
    // came from this scheduler, and from which step.
    let span = tracing::info_span!("digest_scheduler", %worker);
    Some(Running::spawn("digest scheduler", |mut stopped| {
        async move {
            let mut step: u64 = 0;
            while !*stopped.borrow() {
                step += 1;
                let sender = Sender {
                    db: &db,
                    search: &search,
                    matcher: &matcher,
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
        .instrument(span)
    }))
}
