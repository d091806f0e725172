//! Keeping the index in step with the database: one indexer task per process
//! applies the transactional outbox, and [`Search`] is the handle the rest of
//! the application shares (search, refresh, readiness, shutdown).
//!
//! # The outbox
//!
//! Every service writes a `search_outbox` row in the same transaction as its
//! change, so the outbox says exactly what was committed. The indexer reads
//! rows with `seq` above what it has read, loads the *current* state of each
//! record from the database (the row's operation is only a hint: applying is
//! idempotent, and a record that is gone, hidden or a draft is deleted from
//! the index), and upserts or deletes its document. A change to an
//! organisation also reindexes its offers and needs (they carry its name,
//! kind and verification).
//!
//! It commits about every [`TICK`] when something changed, or at once when a
//! writer asks ([`Search::refresh`]: the GraphQL layer does after every
//! mutation, so an author finds their change in their next search). The
//! commit carries the outbox cursor as its payload (see
//! [`super::CommitPayload`]): the documents and the cursor are saved
//! atomically, so after a crash the index resumes exactly where its last
//! commit was, re-applying (harmlessly) what came after.
//!
//! # Out-of-order commits
//!
//! On PostgreSQL a sequence number is taken when a row is inserted, not when
//! its transaction commits: seq 41 can become visible after seq 42. The
//! cursor (the payload) therefore only advances over sequence numbers seen
//! or given up on: a missing number is waited for [`GAP_TIMEOUT`] (a rolled
//! back transaction never fills it), while the rows after it are applied at
//! once. Rows already applied above the cursor are remembered, not
//! re-applied. And as a last net, every [`SWEEP_EVERY`] the indexer lists the
//! sequence numbers of the last [`SWEEP_WINDOW`] rows below its cursor and
//! applies any it has never seen (a transaction that stayed open longer than
//! the gap timeout).
//!
//! # Several processes
//!
//! Each process has its own index directory and its own cursor; nobody
//! deletes a row another might need (rows are pruned after [`OUTBOX_RETENTION`],
//! keeping the newest). A process that finds the outbox pruned past its
//! cursor, or its cursor ahead of the outbox (another database), rebuilds.
//! Two processes pointed at the same directory: the first takes tantivy's
//! writer lock; the second becomes a *follower* that only reads (and reloads
//! every second), so CLI commands run next to a server.
//!
//! # Recovery
//!
//! A missing or corrupt index is replaced by an empty one and rebuilt from
//! the database, at start ([`super::SearchIndex::open_or_create`]) and when
//! the directory disappears or a commit fails under a running process.
//! `/readyz` reports the index down while it rebuilds, and searches answer
//! [`SearchError::Unavailable`] rather than an incomplete list.
//!
//! An error that is not damage (too many open files, no memory, no
//! permission for now) never replaces the index: the indexer waits and
//! retries, resuming from its last commit (see
//! [`SearchError::means_damaged`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

use super::documents;
use super::schema::DocType;
use super::searcher::{SearchRequest, SearchResults, SimilarRequest};
use super::{
    CommitPayload, IndexHealth, OpenOutcome, SearchError, SearchHit, SearchIndex, SearchWriter,
};
use crate::error::AppError;
use crate::store::entities::search_outbox;
use crate::store::search_docs;

/// How often the indexer looks for new outbox rows (and commits).
pub const TICK: Duration = Duration::from_millis(500);
/// How long a missing sequence number holds the cursor back.
pub const GAP_TIMEOUT: Duration = Duration::from_secs(60);
/// How often sequence numbers below the cursor are checked for late commits.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// How many sequence numbers below the cursor the sweep checks.
pub const SWEEP_WINDOW: i64 = 10_000;
/// How long outbox rows are kept.
pub const OUTBOX_RETENTION: chrono::TimeDelta = chrono::TimeDelta::days(1);
/// How often old outbox rows are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Rows read per statement.
const BATCH: u64 = 1_000;
/// Records loaded per batch during a rebuild.
const REBUILD_BATCH: u64 = 500;
/// How long a refresh waits for the indexer.
pub const REFRESH_WAIT: Duration = Duration::from_secs(2);
/// How long the index may look unready before it is rebuilt under a
/// running process.
const UNREADY_GRACE: Duration = Duration::from_secs(2);

/// Where the index of this process stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchStatus {
    /// Applying the outbox since the last commit.
    CatchingUp,
    /// Empty or incomplete: being rebuilt from the database.
    Rebuilding,
    /// In step with the outbox (as of the last pass).
    Current,
    /// Another process holds the writer: this one only reads.
    Follower,
    /// The indexer stopped (shutdown, or an error it could not recover from).
    Stopped,
}

enum Command {
    /// Apply what is pending now, commit, reload; then answer.
    Refresh(oneshot::Sender<()>),
    /// Commit, release the writer, stop; then answer.
    Shutdown(oneshot::Sender<()>),
}

struct Shared {
    current: RwLock<Arc<SearchIndex>>,
    status: watch::Sender<SearchStatus>,
    stopped: AtomicBool,
    /// Counts the batches of changes this process's indexer has applied:
    /// what was read from the database before a change was applied may be
    /// out of date after it (see [`Search::changes_applied`]).
    changes: AtomicU64,
}

impl Shared {
    /// Serves `index`, running, in the state `status` starts with.
    fn new(index: SearchIndex, status: SearchStatus) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(Arc::new(index)),
            status: watch::channel(status).0,
            stopped: AtomicBool::new(false),
            changes: AtomicU64::new(0),
        })
    }

    fn index(&self) -> Arc<SearchIndex> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, index: Arc<SearchIndex>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = index;
    }

    fn set_status(&self, status: SearchStatus) {
        self.status.send_replace(status);
    }
}

/// The application's handle on search: cheap to clone. The indexer task
/// stops when [`Search::shutdown`] is called or every handle is dropped.
#[derive(Clone)]
pub struct Search {
    shared: Arc<Shared>,
    commands: Option<mpsc::Sender<Command>>,
    dir: PathBuf,
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("dir", &self.dir)
            .field("status", &self.status())
            .finish()
    }
}

impl Search {
    /// Opens the index in `dir` and starts its indexer (or, when another
    /// process holds the directory, follows it read-only). Returns at once;
    /// see [`Search::wait_until_current`]. Fails when the directory cannot be
    /// created or written.
    pub fn start(db: DatabaseConnection, dir: &Path) -> Result<Self, SearchError> {
        let (index, outcome) = SearchIndex::open_or_create(dir)?;
        if outcome == OpenOutcome::Created {
            tracing::info!(dir = %dir.display(), "created an empty search index");
        }
        let writer = match index.writer() {
            Ok(writer) => Some(writer),
            Err(SearchError::Locked(_)) => {
                tracing::warn!(dir = %dir.display(), "search index in use by another process: following it read-only");
                None
            }
            Err(error) => return Err(error),
        };
        let initial = if writer.is_some() {
            SearchStatus::CatchingUp
        } else {
            SearchStatus::Follower
        };
        let shared = Shared::new(index, initial);
        let Some(writer) = writer else {
            tokio::spawn(follow(Arc::downgrade(&shared)));
            return Ok(Self {
                shared,
                commands: None,
                dir: dir.to_path_buf(),
            });
        };
        let (commands, receiver) = mpsc::channel(64);
        let indexer = Indexer::new(
            db,
            shared.clone(),
            dir,
            writer,
            outcome == OpenOutcome::Created,
        );
        tokio::spawn(indexer.run(receiver));
        Ok(Self {
            shared,
            commands: Some(commands),
            dir: dir.to_path_buf(),
        })
    }

    /// The index as of the last reload.
    pub fn index(&self) -> Arc<SearchIndex> {
        self.shared.index()
    }

    /// The configured index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn status(&self) -> SearchStatus {
        *self.shared.status.borrow()
    }

    /// Whether searches are complete: the directory is there and the index is
    /// not being rebuilt.
    pub fn is_ready(&self) -> bool {
        !matches!(
            self.status(),
            SearchStatus::Rebuilding | SearchStatus::Stopped
        ) && self.index().is_ready()
    }

    /// Waits until the indexer has caught up with the outbox once (or
    /// follows another process), at most `timeout`. Returns whether it has.
    pub async fn wait_until_current(&self, timeout: Duration) -> bool {
        let mut status = self.shared.status.subscribe();
        tokio::time::timeout(
            timeout,
            status.wait_for(|s| matches!(s, SearchStatus::Current | SearchStatus::Follower)),
        )
        .await
        .is_ok_and(|r| r.is_ok())
    }

    /// Applies the committed outbox rows now and makes them searchable, waiting
    /// at most [`REFRESH_WAIT`]. Returns whether it finished in time (on a
    /// follower, after reloading the reader). Never fails: the indexer catches
    /// up on its own anyway.
    pub async fn refresh(&self) -> bool {
        self.refresh_within(REFRESH_WAIT).await
    }

    /// [`Self::refresh`], waiting at most `wait`: a pass over a large
    /// backlog (the demo's thousand records, an import) outlasts
    /// [`REFRESH_WAIT`] on a busy machine, and the job worker must not run
    /// match refreshes on an index behind their changes.
    pub async fn refresh_within(&self, wait: Duration) -> bool {
        let Some(commands) = &self.commands else {
            return self.index().reload().is_ok();
        };
        let (done, answer) = oneshot::channel();
        let asked = async {
            commands.send(Command::Refresh(done)).await.ok()?;
            answer.await.ok()
        };
        tokio::time::timeout(wait, asked)
            .await
            .ok()
            .flatten()
            .is_some()
    }

    /// Waits until the index's last commit covers every outbox row up to
    /// `seq`, so that a bulk change (an import) is searchable, at most
    /// `timeout`; `on_progress` gets the committed cursor as it moves.
    /// Works whether this process indexes (it asks for passes) or follows
    /// another process's index (it re-reads the commits). Returns whether it
    /// got there.
    pub async fn wait_for_outbox(
        &self,
        seq: i64,
        timeout: Duration,
        on_progress: &mut dyn FnMut(i64),
    ) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let cursor = self
                .index()
                .committed_payload()
                .ok()
                .flatten()
                .map_or(0, |payload| payload.cursor);
            on_progress(cursor);
            if cursor >= seq {
                return self.index().reload().is_ok();
            }
            if Instant::now() >= deadline {
                return false;
            }
            if self.commands.is_some() {
                // A pass over a large backlog outlasts one refresh's wait;
                // asking again simply joins the pass under way.
                self.refresh().await;
            } else {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }

    /// Commits what is pending and stops the indexer, releasing the index
    /// directory. Later searches still work (read-only).
    pub async fn shutdown(&self) {
        let Some(commands) = &self.commands else {
            self.shared.stopped.store(true, Ordering::Relaxed);
            return;
        };
        let (done, answer) = oneshot::channel();
        if commands.send(Command::Shutdown(done)).await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(30), answer).await;
        }
    }

    /// How many batches of committed changes this process's indexer has
    /// taken in (outbox rows applied, rebuilds), or `None` in a process
    /// that follows another's index. Facts read from the database while it
    /// stays the same are as current as the index: the match engine keeps
    /// them in memory that long ([`crate::matching::FactsCache`]).
    pub fn changes_applied(&self) -> Option<u64> {
        let indexing = self.commands.is_some() && self.status() != SearchStatus::Stopped;
        indexing.then(|| self.shared.changes.load(Ordering::Acquire))
    }

    /// Whether a search can be answered completely now: the index is not
    /// being rebuilt and its files are in place. (A process short of file
    /// descriptors still answers from the segments it has open.)
    pub fn can_serve(&self) -> bool {
        self.status() != SearchStatus::Rebuilding && self.index().files_present()
    }

    /// Runs a search off the async threads. Fails with
    /// [`SearchError::Unavailable`] while the index is missing or being
    /// rebuilt: an empty answer would say "nothing found", which is false.
    pub async fn search(&self, request: SearchRequest) -> Result<SearchResults, SearchError> {
        self.read(move |index| index.search(&request)).await
    }

    /// Finds similar open offers or needs off the async threads; fails like
    /// [`Search::search`].
    pub async fn similar(&self, request: SimilarRequest) -> Result<Vec<SearchHit>, SearchError> {
        self.read(move |index| index.similar(&request)).await
    }

    /// Runs `query` on the current index off the async threads, or fails
    /// with [`SearchError::Unavailable`] while the index cannot serve.
    async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        if !self.can_serve() {
            return Err(SearchError::Unavailable);
        }
        let index = self.index();
        tokio::task::spawn_blocking(move || query(&index))
            .await
            .map_err(|e| {
                SearchError::Tantivy(tantivy::TantivyError::InternalError(e.to_string()))
            })?
    }
}

/// Rebuilds the index in `dir` from the database and exits (`trama
/// reindex`). Returns the number of documents. Fails with
/// [`SearchError::Locked`] while a server uses the directory, and on
/// database or index errors.
pub async fn reindex(db: DatabaseConnection, dir: &Path) -> Result<u64, anyhow::Error> {
    let (index, _) = SearchIndex::open_or_create(dir)?;
    let writer = index.writer()?;
    let shared = Shared::new(index, SearchStatus::Rebuilding);
    let mut indexer = Indexer::new(db, shared, dir, writer, true);
    let count = indexer.rebuild().await?;
    indexer.stop().await;
    Ok(count)
}

/// A follower reloads the reader every second until every handle is gone.
async fn follow(shared: std::sync::Weak<Shared>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        if shared.stopped.load(Ordering::Relaxed) {
            return;
        }
        if let Err(error) = shared.index().reload() {
            tracing::debug!(%error, "reloading a followed search index");
        }
    }
}

/// Errors of one indexer pass: the database (retried next tick) or the
/// index (recovered by reopening or rebuilding it).
#[derive(Debug, thiserror::Error)]
enum PassError {
    #[error("reading the database: {0}")]
    Db(#[from] AppError),
    #[error("writing the index: {0}")]
    Index(#[from] SearchError),
}

impl From<crate::store::StoreError> for PassError {
    /// Through [`AppError`], which tells an unreachable database apart.
    fn from(error: crate::store::StoreError) -> Self {
        Self::Db(error.into())
    }
}

/// The indexer task's state.
struct Indexer {
    db: DatabaseConnection,
    shared: Arc<Shared>,
    dir: PathBuf,
    writer: Arc<Mutex<SearchWriter>>,
    /// Every row with `seq <= cursor` is applied (or given up on).
    cursor: i64,
    /// Highest `seq` read; `read_to >= cursor`.
    read_to: i64,
    /// Rows in `(cursor, read_to]` already applied.
    seen_above: BTreeSet<i64>,
    /// Sequence numbers in `(cursor, read_to]` not seen yet, and since when.
    missing: BTreeMap<i64, Instant>,
    /// Rows in `(cursor - SWEEP_WINDOW, cursor]` known to be applied.
    known: BTreeSet<i64>,
    /// The cursor of the last commit.
    committed: Option<i64>,
    /// Documents changed since the last commit.
    dirty: bool,
    needs_rebuild: bool,
    /// The writer was given up (see [`Indexer::recover`]) and reopening the
    /// index failed: try again before anything else.
    needs_reopen: bool,
}

impl Indexer {
    /// An indexer that starts from the beginning of the outbox with nothing
    /// applied yet; `needs_rebuild` when the index must first be rebuilt
    /// from the database.
    fn new(
        db: DatabaseConnection,
        shared: Arc<Shared>,
        dir: &Path,
        writer: SearchWriter,
        needs_rebuild: bool,
    ) -> Self {
        Self {
            db,
            shared,
            dir: dir.to_path_buf(),
            writer: Arc::new(Mutex::new(writer)),
            cursor: 0,
            read_to: 0,
            seen_above: BTreeSet::new(),
            missing: BTreeMap::new(),
            known: BTreeSet::new(),
            committed: None,
            dirty: false,
            needs_rebuild,
            needs_reopen: false,
        }
    }

    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        self.start().await;
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_sweep = Instant::now();
        let mut last_prune: Option<Instant> = None;
        let mut unready_since: Option<Instant> = None;
        // Refreshes are answered only by a pass that applied the outbox: a
        // pass that failed (database busy, index being recovered) leaves
        // them waiting for the next one, so `refresh()` never says "caught
        // up" when it is not (the caller's own timeout bounds the wait).
        let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
        loop {
            waiting.retain(|done| !done.is_closed());
            let mut shutdown: Option<oneshot::Sender<()>> = None;
            tokio::select! {
                _ = tick.tick() => {}
                command = commands.recv() => match command {
                    Some(Command::Refresh(done)) => waiting.push(done),
                    Some(Command::Shutdown(done)) => shutdown = Some(done),
                    // Every handle is gone.
                    None => shutdown = Some(oneshot::channel().0),
                },
            }
            // Answer every refresh already queued with this one pass.
            while let Ok(command) = commands.try_recv() {
                match command {
                    Command::Refresh(done) => waiting.push(done),
                    Command::Shutdown(done) => shutdown = Some(done),
                }
            }

            match self.shared.index().health() {
                IndexHealth::Ready => unready_since = None,
                IndexHealth::Damaged => {
                    let since = *unready_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= UNREADY_GRACE {
                        tracing::warn!(dir = %self.dir.display(), "search index directory gone or damaged: rebuilding");
                        self.recover().await;
                        unready_since = None;
                    }
                }
                // Too many open files, say: the index is not damaged, and
                // replacing it would only make things worse. Wait.
                IndexHealth::Unreadable => {
                    unready_since = None;
                    tracing::warn!(dir = %self.dir.display(), "search index unreadable for now (not damaged): waiting");
                }
            }

            if self.needs_reopen {
                self.recover().await;
            }
            if !self.needs_reopen {
                if self.needs_rebuild {
                    self.rebuild_logged().await;
                }
                let sweep = last_sweep.elapsed() >= SWEEP_EVERY;
                if sweep {
                    last_sweep = Instant::now();
                }
                match self.pass(sweep).await {
                    Ok(()) => {
                        if !self.needs_rebuild {
                            self.shared.set_status(SearchStatus::Current);
                            for done in waiting.drain(..) {
                                let _ = done.send(());
                            }
                        }
                    }
                    Err(PassError::Db(error)) => {
                        tracing::warn!(%error, "search indexer: database unavailable, retrying");
                    }
                    Err(PassError::Index(error)) if error.means_damaged() => {
                        tracing::error!(%error, "search indexer: index damaged, reopening the index");
                        self.recover().await;
                    }
                    Err(PassError::Index(error)) => {
                        tracing::warn!(%error, "search indexer: index error (not damage), retrying from the last commit");
                        self.retry_from_last_commit().await;
                    }
                }
            }
            if last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
                last_prune = Some(Instant::now());
                match search_docs::prune_outbox(&self.db, chrono::Utc::now() - OUTBOX_RETENTION)
                    .await
                {
                    Ok(0) => {}
                    Ok(pruned) => tracing::info!(pruned, "pruned old search outbox rows"),
                    Err(error) => tracing::warn!(%error, "pruning the search outbox"),
                }
            }
            if let Some(done) = shutdown {
                self.stop().await;
                let _ = done.send(());
                return;
            }
        }
    }

    /// Decides where to start: the committed cursor, or a rebuild.
    async fn start(&mut self) {
        if !self.needs_rebuild {
            match self.check_cursor().await {
                Ok(Some(cursor)) => self.resume_at(cursor).await,
                Ok(None) => self.needs_rebuild = true,
                Err(error) => {
                    tracing::warn!(%error, "search indexer: cannot read the outbox yet");
                    self.needs_rebuild = true;
                }
            }
        }
        if self.needs_rebuild {
            self.rebuild_logged().await;
        }
    }

    /// The committed cursor, if the index can resume from it: `None` when it
    /// has none, when the outbox was pruned past it, or when it is ahead of
    /// the outbox (an index of another database).
    async fn check_cursor(&self) -> Result<Option<i64>, PassError> {
        let Some(payload) = self.shared.index().committed_payload()? else {
            return Ok(None);
        };
        let cursor = payload.cursor;
        let bounds = search_docs::outbox_bounds(&self.db).await?;
        let usable = match bounds {
            None => cursor == 0,
            Some((min, max)) => cursor <= max && min <= cursor + 1,
        };
        if !usable {
            tracing::warn!(
                cursor,
                ?bounds,
                "search index is out of step with the outbox: rebuilding"
            );
        }
        Ok(usable.then_some(cursor))
    }

    async fn resume_at(&mut self, cursor: i64) {
        self.cursor = cursor;
        self.read_to = cursor;
        self.committed = Some(cursor);
        self.seen_above.clear();
        self.missing.clear();
        // What the committed cursor covers counts as applied.
        self.known = search_docs::outbox_seqs_between(&self.db, cursor - SWEEP_WINDOW, cursor)
            .await
            .map(|seqs| seqs.into_iter().collect())
            .unwrap_or_default();
    }

    async fn rebuild_logged(&mut self) {
        self.shared.set_status(SearchStatus::Rebuilding);
        let started = Instant::now();
        match self.rebuild().await {
            Ok(count) => {
                self.needs_rebuild = false;
                tracing::info!(documents = count, elapsed = ?started.elapsed(), "search index rebuilt from the database");
                self.shared.set_status(SearchStatus::CatchingUp);
            }
            Err(error) => {
                tracing::error!(%error, "rebuilding the search index failed; retrying");
                if let Ok(mut writer) = self.writer.lock() {
                    let _ = writer.rollback();
                }
            }
        }
    }

    /// Replaces every document with the database's current records.
    async fn rebuild(&mut self) -> Result<u64, PassError> {
        self.shared.changes.fetch_add(1, Ordering::AcqRel);
        // The cursor is read first: rows committed during the rebuild are
        // above it (or, with late commits, caught by the sweep).
        let cursor = search_docs::outbox_bounds(&self.db)
            .await?
            .map(|(_, max)| max)
            .unwrap_or(0);
        self.blocking(|writer| writer.delete_all()).await?;
        let mut count = 0u64;
        for doc_type in DocType::ALL.iter().copied() {
            let mut after: Option<Uuid> = None;
            loop {
                let ids = search_docs::ids_page(
                    &self.db,
                    documents::record(doc_type),
                    after,
                    REBUILD_BATCH,
                )
                .await?;
                let Some(last) = ids.last().copied() else {
                    break;
                };
                after = Some(last);
                let docs = documents::documents(&self.db, doc_type, &ids).await?;
                count += docs.len() as u64;
                self.blocking(move |writer| {
                    for doc in &docs {
                        writer.upsert(doc)?;
                    }
                    Ok(())
                })
                .await?;
                if (ids.len() as u64) < REBUILD_BATCH {
                    break;
                }
            }
        }
        self.blocking(move |writer| writer.commit(CommitPayload { cursor }))
            .await?;
        self.shared.index().reload()?;
        self.resume_at(cursor).await;
        self.dirty = false;
        Ok(count)
    }

    /// Runs writer work on a blocking thread (adding documents can wait for
    /// the indexing threads; commits write files).
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut SearchWriter) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut writer = writer.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut writer)
        })
        .await
        .map_err(|e| SearchError::Tantivy(tantivy::TantivyError::InternalError(e.to_string())))?
    }

    /// One pass: read new rows, apply them, advance the cursor, commit and
    /// reload when anything changed.
    async fn pass(&mut self, sweep: bool) -> Result<(), PassError> {
        loop {
            let rows = search_docs::outbox_after(&self.db, self.read_to, BATCH).await?;
            let full = rows.len() as u64 == BATCH;
            self.take_rows(rows).await?;
            if !full {
                break;
            }
        }
        if !self.missing.is_empty() {
            let seqs: Vec<i64> = self.missing.keys().copied().collect();
            let rows = search_docs::outbox_rows(&self.db, &seqs).await?;
            self.take_rows(rows).await?;
        }
        self.advance();
        if sweep {
            self.sweep().await?;
        }
        if self.dirty || self.committed != Some(self.cursor) {
            let cursor = self.cursor;
            self.blocking(move |writer| writer.commit(CommitPayload { cursor }))
                .await?;
            self.shared.index().reload()?;
            self.committed = Some(cursor);
            self.dirty = false;
        }
        Ok(())
    }

    /// Applies rows not applied yet and records what was seen.
    async fn take_rows(&mut self, rows: Vec<search_outbox::Model>) -> Result<(), PassError> {
        let fresh: Vec<search_outbox::Model> = rows
            .into_iter()
            .filter(|r| r.seq > self.cursor && !self.seen_above.contains(&r.seq))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        self.apply(&fresh).await?;
        let now = Instant::now();
        for row in &fresh {
            self.missing.remove(&row.seq);
            self.seen_above.insert(row.seq);
            if row.seq > self.read_to {
                // Everything between the last row read and this one is a gap.
                // A huge jump (a restored sequence) is not waited for.
                if row.seq - self.read_to <= BATCH as i64 {
                    for gap in self.read_to + 1..row.seq {
                        if !self.seen_above.contains(&gap) {
                            self.missing.entry(gap).or_insert(now);
                        }
                    }
                }
                self.read_to = row.seq;
            }
        }
        Ok(())
    }

    /// Moves the cursor over seen rows and expired gaps.
    fn advance(&mut self) {
        let now = Instant::now();
        self.missing
            .retain(|_, since| now.duration_since(*since) < GAP_TIMEOUT);
        let limit = self
            .missing
            .keys()
            .next()
            .map(|first| first - 1)
            .unwrap_or(self.read_to);
        if limit <= self.cursor {
            return;
        }
        let passed: Vec<i64> = self.seen_above.range(..=limit).copied().collect();
        for seq in passed {
            self.seen_above.remove(&seq);
            self.known.insert(seq);
        }
        self.cursor = limit;
        let floor = self.cursor - SWEEP_WINDOW;
        self.known = self.known.split_off(&(floor + 1));
    }

    /// Applies rows below the cursor that were committed after it passed
    /// them.
    async fn sweep(&mut self) -> Result<(), PassError> {
        let seqs =
            search_docs::outbox_seqs_between(&self.db, self.cursor - SWEEP_WINDOW, self.cursor)
                .await?;
        let late: Vec<i64> = seqs
            .into_iter()
            .filter(|s| !self.known.contains(s))
            .collect();
        if late.is_empty() {
            return Ok(());
        }
        tracing::info!(
            rows = late.len(),
            "search indexer: applying outbox rows committed late"
        );
        let rows = search_docs::outbox_rows(&self.db, &late).await?;
        self.apply(&rows).await?;
        self.known.extend(late);
        Ok(())
    }

    /// Loads the current state of the rows' records and writes it.
    async fn apply(&mut self, rows: &[search_outbox::Model]) -> Result<(), PassError> {
        // Before the records are read: these changes are committed, so what
        // anyone reads from now on includes them.
        self.shared.changes.fetch_add(1, Ordering::AcqRel);
        let mut ids: [Vec<Uuid>; 3] = Default::default();
        for row in rows {
            ids[slot(row.entity_type)].push(row.entity_id);
        }
        let organizations = &ids[slot(DocType::Organization)];
        if !organizations.is_empty() {
            let (offers, needs) =
                search_docs::postings_of_organizations(&self.db, organizations).await?;
            ids[slot(DocType::Offer)].extend(offers);
            ids[slot(DocType::Need)].extend(needs);
        }
        for doc_type in DocType::ALL.iter().copied() {
            let mut wanted = std::mem::take(&mut ids[slot(doc_type)]);
            wanted.sort();
            wanted.dedup();
            if wanted.is_empty() {
                continue;
            }
            let docs = documents::documents(&self.db, doc_type, &wanted).await?;
            tracing::debug!(?doc_type, wanted = wanted.len(), found = docs.len(), seqs = ?rows.iter().map(|r| r.seq).collect::<Vec<_>>(), "DEBUGAPPLY");
            let present: HashSet<Uuid> = docs.iter().map(|d| d.id).collect();
            let gone: Vec<Uuid> = wanted
                .into_iter()
                .filter(|id| !present.contains(id))
                .collect();
            self.blocking(move |writer| {
                for doc in &docs {
                    writer.upsert(doc)?;
                }
                for id in gone {
                    writer.delete(doc_type, id);
                }
                Ok(())
            })
            .await?;
            self.dirty = true;
        }
        Ok(())
    }

    /// After an index error that is not damage (e.g. a commit that could
    /// not open a file): drops the uncommitted work and reads the outbox
    /// again from the last commit, so nothing is lost or skipped. When even
    /// that fails, the writer is reopened.
    async fn retry_from_last_commit(&mut self) {
        if let Err(error) = self.blocking(|writer| writer.rollback()).await {
            tracing::warn!(%error, "search indexer: rollback failed, reopening the index");
            self.recover().await;
            return;
        }
        self.dirty = false;
        match self.committed {
            Some(cursor) => self.resume_at(cursor).await,
            None => self.needs_rebuild = true,
        }
    }

    /// Drops the writer, reopens (or recreates) the index and swaps it in;
    /// a recreated index is rebuilt. When reopening fails (the directory
    /// cannot be written, or files cannot be opened for now), nothing is
    /// swapped and it is tried again at the next tick: searches keep the
    /// old reader meanwhile.
    async fn recover(&mut self) {
        // The old writer must release the directory lock before a new one
        // can take it: swap in a throwaway in-memory writer meanwhile.
        let placeholder = match SearchIndex::in_memory().and_then(|i| i.writer()) {
            Ok(writer) => writer,
            Err(error) => {
                tracing::error!(%error, "search indexer cannot recover");
                self.shared.set_status(SearchStatus::Stopped);
                return;
            }
        };
        let old = {
            let mut guard = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *guard, placeholder)
        };
        let _ = tokio::task::spawn_blocking(move || old.close()).await;
        let dir = self.dir.clone();
        let reopened = tokio::task::spawn_blocking(move || {
            let (index, outcome) = SearchIndex::open_or_create(&dir)?;
            let writer = index.writer()?;
            Ok::<_, SearchError>((index, outcome, writer))
        })
        .await;
        match reopened {
            Ok(Ok((index, outcome, writer))) => {
                // Searches stop before the new (perhaps empty) index is
                // swapped in, until it is known complete.
                self.shared.set_status(SearchStatus::Rebuilding);
                *self.writer.lock().unwrap_or_else(PoisonError::into_inner) = writer;
                self.shared.replace(Arc::new(index));
                self.dirty = false;
                self.needs_reopen = false;
                self.needs_rebuild = true;
                if outcome == OpenOutcome::Opened
                    && let Ok(Some(cursor)) = self.check_cursor().await
                {
                    // Only uncommitted work was lost: resume from the commit.
                    self.resume_at(cursor).await;
                    self.needs_rebuild = false;
                    self.shared.set_status(SearchStatus::CatchingUp);
                }
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "search indexer cannot reopen the index; retrying");
                self.needs_reopen = true;
            }
            Err(error) => {
                tracing::error!(%error, "search indexer cannot reopen the index; retrying");
                self.needs_reopen = true;
            }
        }
    }

    /// Commits and releases the writer.
    async fn stop(self) {
        if let Err(error) = self.final_commit().await {
            tracing::warn!(%error, "search index: last commit failed; the next start catches up");
        }
        self.shared.stopped.store(true, Ordering::Relaxed);
        self.shared.set_status(SearchStatus::Stopped);
        let writer = self.writer;
        let _ = tokio::task::spawn_blocking(move || {
            if let Ok(writer) = Arc::try_unwrap(writer) {
                writer
                    .into_inner()
                    .unwrap_or_else(PoisonError::into_inner)
                    .close();
            }
        })
        .await;
    }

    async fn final_commit(&self) -> Result<(), SearchError> {
        if self.dirty || self.committed != Some(self.cursor) {
            let cursor = self.cursor;
            self.blocking(move |writer| writer.commit(CommitPayload { cursor }))
                .await?;
            self.shared.index().reload()?;
        }
        Ok(())
    }
}

fn slot(doc_type: DocType) -> usize {
    match doc_type {
        DocType::Organization => 0,
        DocType::Offer => 1,
        DocType::Need => 2,
    }
}
