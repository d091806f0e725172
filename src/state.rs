//! What every request handler and background task shares: [`AppState`]
//! (database, its health, search index, mail, match engine, job wake-up,
//! settings, rate limits). Opening it lives in [`crate::app`], which may
//! reach every layer; this module only names the parts.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::jobs::JobsHandle;
use crate::mail::Mailer;
use crate::matching::Matcher;
use crate::search::Search;
use crate::store::health::DbHealth;

/// What every request handler and background task shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// What background work reads through (see
    /// [`crate::store::db::connect_readers`]): read-only connections beside
    /// `db` on an SQLite file, the same pool otherwise.
    pub readers: DatabaseConnection,
    /// Whether the database answers (see [`crate::store::health`]).
    pub db_health: DbHealth,
    /// The search index and its indexer (see [`crate::search::indexer`]).
    pub search: Search,
    pub mailer: Arc<Mailer>,
    /// The match engine (its configuration, text analysis).
    pub matcher: Matcher,
    /// Wakes this process's job worker after a change.
    pub jobs: JobsHandle,
    pub settings: Arc<Settings>,
    /// The rate limits of the guarded use-cases (see
    /// [`crate::policy::guards`]): one limiter per process, shared by every
    /// request.
    pub limiter: Arc<crate::policy::rate_limit::RateLimiter>,
}

impl AppState {
    /// This state's job worker, ready to start: what a serving process runs
    /// (and what tests and benches start on a state of their own).
    pub fn job_worker(&self) -> crate::jobs::Worker {
        crate::jobs::Worker {
            db: self.db.clone(),
            readers: self.readers.clone(),
            search: self.search.clone(),
            matcher: self.matcher.clone(),
            handle: self.jobs.clone(),
            mailer: self.mailer.clone(),
            settings: self.settings.clone(),
        }
    }
}
