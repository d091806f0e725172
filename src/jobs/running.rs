//! A background task of this process (the job worker, the digest scheduler)
//! and the way to stop it between two steps.

use std::future::Future;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running background task.
pub struct Running {
    /// What the task is, for the log ("job worker").
    what: &'static str,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Running {
    /// Spawns `body` on the current runtime; the receiver it gets turns
    /// `true` when the task is asked to stop.
    pub(crate) fn spawn<F, Fut>(what: &'static str, body: F) -> Self
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(body(stopped));
        Self { what, stop, task }
    }

    /// Lets the step in hand finish, then stops. Work cut short by a crash
    /// instead (a job, a delivery) is claimed again when its lease runs out.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::warn!(%error, "the {} ended abnormally", self.what);
        }
    }
}
