//! The running application: [`AppState`] (database, search index, settings)
//! and [`Application::build`], which opens everything, applies migrations and
//! binds the listener. Tests build it on port 0 and talk to it over HTTP.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::jobs::JobsHandle;
use crate::mail::Mailer;
use crate::matching::Matcher;
use crate::search::Search;
use crate::store::db::{self, DbConfig};
use crate::store::health::DbHealth;

pub use crate::state::AppState;

/// How long opening the state waits for the search index to catch up.
const SEARCH_STARTUP_WAIT: Duration = Duration::from_secs(30);

impl AppState {
    /// Connects to the database, applies pending migrations, loads the
    /// reference data that changed and opens the search index. Fails when the database is unreachable, a migration fails
    /// or the index directory cannot be written.
    pub async fn open(settings: Settings) -> anyhow::Result<Self> {
        let db = connect_database(&settings).await?;
        let db_health = DbHealth::start(&db_config(&settings));
        db::migrate(&db)
            .await
            .context("applying database migrations")?;
        // What registration forms need on a fresh install (municipalities,
        // Milano's NIL, sectors); a no-op once the shipped version is in.
        crate::services::reference_data::ensure_loaded(&db)
            .await
            .context("loading the reference data")?;
        // After the migrations: the file exists, in WAL mode.
        let readers = db::connect_readers(&db_config(&settings), &db)
            .await
            .context("opening the database's read-only connections")?;
        let search = Search::start(db.clone(), &settings.index_dir()).with_context(|| {
            format!(
                "opening the search index in {}",
                settings.index_dir().display()
            )
        })?;
        // A small index catches up (or rebuilds) in well under a second, and
        // then the first search is complete; a big rebuild goes on in the
        // background, with /readyz saying so.
        if !search.wait_until_current(SEARCH_STARTUP_WAIT).await {
            tracing::warn!(
                "the search index is still rebuilding: /readyz reports it down until it is done"
            );
        }
        let mailer = Mailer::from_settings(&settings)
            .await
            .context("setting up outgoing mail")?;
        let matcher = Matcher::from_file_or_builtin(settings.matching_config.as_deref())?;
        Ok(Self {
            db,
            readers,
            db_health,
            search,
            mailer: Arc::new(mailer),
            matcher,
            jobs: JobsHandle::new(),
            settings: Arc::new(settings),
            limiter: Arc::default(),
        })
    }
}

fn db_config(settings: &Settings) -> DbConfig {
    DbConfig {
        url: settings.database_url(),
        max_connections: settings.database_max_connections,
        schema: settings.database_schema.clone(),
        timeout: settings.database_timeout(),
    }
}

/// Opens the configured database without migrating it.
pub async fn connect_database(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    db::connect(&db_config(settings))
        .await
        .with_context(|| format!("connecting to {}", settings.database_url_for_log()))
}

/// A built server, bound to its port but not yet serving.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the state (see [`AppState::open`]) and binds the listen address.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = AppState::open(settings).await?;
        Self::with_state(state).await
    }

    /// Binds the listen address of already opened state. Fails when the
    /// address is in use or not local.
    pub async fn with_state(state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(state.settings.listen)
            .await
            .with_context(|| format!("listening on {}", state.settings.listen))?;
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        // The listener is bound, so it has an address; fall back to the
        // configured one if the OS cannot say.
        self.listener
            .local_addr()
            .unwrap_or(self.state.settings.listen)
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes; then stops accepting connections and
    /// gives in-flight requests up to the configured grace period to finish.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let grace = self.state.settings.shutdown_grace();
        let addr = self.local_addr();
        let router = crate::http::router(self.state.clone());
        let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
        let signal = async move {
            stop.await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = stopping_tx.send(true);
        };
        // Background jobs (match refreshes) run in serving processes; each
        // job is claimed in the database, so several processes share them.
        let worker = self.state.job_worker().start();
        // Digests: planned and sent from the database, claimed per delivery.
        let scheduler = crate::jobs::digests::start(
            self.state.db.clone(),
            self.state.search.clone(),
            self.state.matcher.clone(),
            self.state.mailer.clone(),
            self.state.settings.clone(),
        );
        let limits = crate::http::server::ServerLimits {
            header_read_timeout: self.state.settings.header_read_timeout(),
            max_connections: crate::http::server::effective_max_connections(
                self.state.settings.max_connections,
            ),
        };
        tracing::info!(
            %addr,
            max_connections = limits.max_connections,
            header_read_timeout = ?limits.header_read_timeout,
            "Trama is listening on http://{addr}"
        );
        let server = crate::http::server::serve(self.listener, router, limits, signal);
        let deadline = async move {
            // Wait for the stop signal, then for the grace period.
            while !*stopping_rx.borrow_and_update() {
                if stopping_rx.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            () = server => {},
            () = deadline => tracing::warn!(?grace, "grace period over: closing remaining connections"),
        }
        // Let the job in hand finish; unfinished ones are claimed again later.
        worker.stop().await;
        if let Some(scheduler) = scheduler {
            scheduler.stop().await;
        }
        // Say QUIT to the mail server rather than dropping pooled connections.
        self.state.mailer.shutdown().await;
        // Commit the index and release its directory (a restart in the same
        // process, as tests do, can then take it).
        self.state.search.shutdown().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
