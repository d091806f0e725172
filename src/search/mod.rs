//! Italian full-text search over organisations, offers and needs: a tantivy
//! index derived from the database and kept in step by the outbox.
//!
//! # Pieces
//!
//! - [`analysis`]: the Italian analyzers (words, lower case, accent folding,
//!   elision, stop words, Snowball stemming); every text field is indexed
//!   stemmed and exact.
//! - [`synonyms`]: the acronym and synonym dictionary, expanded at query time.
//! - [`schema`]: the fields and [`SearchDocument`], what the index holds about
//!   one record.
//! - [`query`]: the query language (words, `"quoted phrases"`, `-exclusions`)
//!   and how it becomes a tantivy query (synonyms, typo tolerance, field
//!   boosts).
//! - [`collector`]: one pass over the matching documents that applies the
//!   filters, counts the facets and keeps the best page for the chosen sort.
//! - [`searcher`]: the API: [`SearchRequest`] in, [`SearchResults`] out
//!   ([`SearchIndex::search`], [`SearchIndex::similar`]); no HTTP, no
//!   database, so benchmarks and relevance judgements call it directly.
//! - [`documents`]: how a record of the database becomes a
//!   [`SearchDocument`].
//! - [`indexer`]: the one writer task per process that applies the outbox,
//!   and [`Search`], the handle the application shares.
//!
//! # Life of the index
//!
//! The database is the source of truth. Each process keeps its own index
//! directory; [`SearchIndex::open_or_create`] replaces a missing, corrupt or
//! outdated one (its version file holds [`SCHEMA_VERSION`] and a fingerprint
//! of the analysis word lists) with an empty one, which the indexer then
//! rebuilds from the database. The outbox position the index reflects is
//! stored in the commit itself (tantivy's commit payload), so after a crash
//! the index and its cursor always agree. See [`indexer`] for the details.

pub mod analysis;
pub mod candidates;
pub mod collector;
pub mod concepts;
pub mod documents;
mod facet_table;
pub mod indexer;
pub mod query;
pub mod schema;
pub mod searcher;
pub mod synonyms;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::indexer::IndexWriterOptions;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, Warmer};
use uuid::Uuid;

pub use self::analysis::Analyzers;
pub use self::candidates::{CandidateRequest, MAX_CANDIDATES};
use self::facet_table::FacetTables;
pub use self::indexer::{Search, SearchStatus};
pub use self::query::{Analysis, MatchMode, QueryOptions};
pub use self::schema::{DocType, Fields, GeoPoint, SearchDocument};
pub use self::searcher::{
    Facet, FacetValue, Facets, Highlight, Near, Ranking, SearchFilter, SearchHit, SearchRequest,
    SearchResults, SearchSort, SimilarRequest,
};
pub use self::synonyms::Synonyms;

/// Bumped whenever the schema or the analysis changes; a different version on
/// disk makes the index rebuild itself.
pub const SCHEMA_VERSION: u32 = 5;
const VERSION_FILE: &str = "trama-schema-version";

/// Memory the writer may buffer before it flushes a segment: tantivy needs at
/// least ~15 MB per thread; 50 MB keeps big rebuilds to few segments.
const WRITER_MEMORY_BYTES: usize = 50_000_000;
/// tantivy's bounds on a writer thread's memory budget (15 MB, under 4 GiB).
const WRITER_MEMORY_MIN_BYTES: usize = 15_000_000;
const WRITER_MEMORY_MAX_BYTES: usize = 4_000_000_000;

/// Errors opening or using the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index I/O in {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Another process (or another writer in this one) holds the index.
    #[error("the search index in {0} is in use by another process")]
    Locked(PathBuf),
    /// A request that cannot be served (e.g. a distance sort without a point).
    #[error("invalid search request: {0}")]
    Invalid(&'static str),
    /// The index is missing or being rebuilt: an answer now would be
    /// incomplete (or empty), so none is given.
    #[error("the search index is missing or being rebuilt")]
    Unavailable,
}

impl SearchError {
    /// Whether the error says the index on disk is missing or damaged (then
    /// it is rebuilt), rather than that the system is short of something
    /// (file descriptors, memory, disk space) or refuses access for now:
    /// throwing a healthy index away for those would turn a passing
    /// shortage into a rebuild.
    pub fn means_damaged(&self) -> bool {
        match self {
            Self::Io { source, .. } => io_means_damaged(source),
            Self::Tantivy(error) => tantivy_means_damaged(error),
            Self::Locked(_) | Self::Invalid(_) | Self::Unavailable => false,
        }
    }
}

/// See [`SearchError::means_damaged`].
fn io_means_damaged(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::NotFound
            | ErrorKind::NotADirectory
            | ErrorKind::InvalidData
            | ErrorKind::UnexpectedEof
    )
}

/// See [`SearchError::means_damaged`].
fn tantivy_means_damaged(error: &tantivy::TantivyError) -> bool {
    use tantivy::TantivyError;
    use tantivy::directory::error::{OpenDirectoryError, OpenReadError, OpenWriteError};
    match error {
        TantivyError::DataCorruption(_)
        | TantivyError::IncompatibleIndex(_)
        | TantivyError::SchemaError(_)
        | TantivyError::DeserializeError(_) => true,
        TantivyError::IoError(io) => io_means_damaged(io),
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => {
            io_means_damaged(io_error)
        }
        TantivyError::OpenReadError(_) => true,
        TantivyError::OpenDirectoryError(
            OpenDirectoryError::DoesNotExist(_) | OpenDirectoryError::NotADirectory(_),
        ) => true,
        TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => {
            io_means_damaged(io_error)
        }
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => {
            io_means_damaged(io_error)
        }
        _ => false,
    }
}

/// Sorts a result of reading the index: its value, `None` when the index
/// is missing or damaged, or the error when it is neither.
fn unless_damaged<T>(result: tantivy::Result<T>) -> Result<Option<T>, SearchError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) if tantivy_means_damaged(&error) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// What a look at the index's files finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexHealth {
    /// Present and readable.
    Ready,
    /// Missing or damaged: to be replaced and rebuilt.
    Damaged,
    /// Cannot be read for now (e.g. too many open files): not damaged.
    Unreadable,
}

/// What opening the index found on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenOutcome {
    /// A usable index of the current version was opened.
    Opened,
    /// The index was missing, corrupt or outdated and is now empty: rebuild it.
    Created,
}

/// The text of the version file: the schema version and the fingerprint of
/// the word lists that decide the indexed terms.
fn version_tag() -> String {
    format!("{SCHEMA_VERSION}:{}", analysis::fingerprint())
}

/// What a commit records besides the documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitPayload {
    /// Every outbox row with `seq <= cursor` is reflected in the index.
    pub cursor: i64,
}

/// An open index with its shared reader, analyzers and synonyms.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: Option<PathBuf>,
    analyzers: Analyzers,
    synonyms: Arc<Synonyms>,
    /// Each live segment's facet values, as numbers of one register, kept
    /// by the reader's warmer.
    facet_tables: Arc<FacetTables>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, replacing it with an empty one when it is
    /// missing, damaged or of another schema version. Fails when the
    /// directory cannot be created or written, and when the index cannot be
    /// read for a reason that is not damage (too many open files, no
    /// memory, no permission): then nothing is replaced.
    pub fn open_or_create(dir: &Path) -> Result<(Self, OpenOutcome), SearchError> {
        let io = |source| SearchError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let (schema, fields) = schema::build();
        if let Some(index) = Self::try_open_current(dir, &schema)? {
            return Ok((
                Self::from_index(index, fields, Some(dir))?,
                OpenOutcome::Opened,
            ));
        }
        if dir.exists() {
            tracing::warn!(dir = %dir.display(), "search index missing, corrupt or outdated: rebuilding");
            std::fs::remove_dir_all(dir).map_err(io)?;
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let index = Index::create_in_dir(dir, schema)?;
        std::fs::write(dir.join(VERSION_FILE), version_tag()).map_err(io)?;
        Ok((
            Self::from_index(index, fields, Some(dir))?,
            OpenOutcome::Created,
        ))
    }

    /// An empty index in memory, for tests and benchmarks.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        Self::from_index(Index::create_in_ram(schema), fields, None)
    }

    /// The index in `dir` if it is present, undamaged and of this version;
    /// `None` when it is missing, damaged or outdated. Fails when it cannot
    /// be read for another reason.
    fn try_open_current(
        dir: &Path,
        schema: &tantivy::schema::Schema,
    ) -> Result<Option<Index>, SearchError> {
        let version = match std::fs::read_to_string(dir.join(VERSION_FILE)) {
            Ok(version) => version,
            Err(error) if io_means_damaged(&error) => return Ok(None),
            Err(source) => {
                return Err(SearchError::Io {
                    path: dir.to_path_buf(),
                    source,
                });
            }
        };
        if version.trim() != version_tag() {
            return Ok(None);
        }
        let Some(index) = unless_damaged(Index::open_in_dir(dir))? else {
            return Ok(None);
        };
        if index.schema() != *schema {
            return Ok(None);
        }
        // Opening a searcher reads every segment's metadata: a damaged
        // segment list fails here rather than at the first query.
        let Some(reader) = unless_damaged(index.reader())? else {
            return Ok(None);
        };
        let _ = reader.searcher().num_docs();
        if unless_damaged(index.load_metas())?.is_none() {
            return Ok(None);
        }
        Ok(Some(index))
    }

    fn from_index(index: Index, fields: Fields, dir: Option<&Path>) -> Result<Self, SearchError> {
        let analyzers = Analyzers::builtin();
        index
            .tokenizers()
            .register(analysis::STEM_ANALYZER, analyzers.stem.clone());
        index
            .tokenizers()
            .register(analysis::EXACT_ANALYZER, analyzers.exact.clone());
        let facet_tables = Arc::new(FacetTables::default());
        let warmer: Arc<dyn Warmer> = facet_tables.clone();
        let reader = index
            .reader_builder()
            // The indexer reloads the reader itself after each commit so that
            // a change is visible to its author at once.
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![Arc::downgrade(&warmer)])
            .try_into()?;
        Ok(Self {
            index,
            reader,
            fields,
            dir: dir.map(Path::to_path_buf),
            analyzers,
            synonyms: Synonyms::builtin(),
            facet_tables,
        })
    }

    /// The facet tables, for the collector.
    pub(crate) fn facet_tables(&self) -> Arc<FacetTables> {
        self.facet_tables.clone()
    }

    /// Memory held by the facet tables of the live segments, in bytes.
    pub fn facet_table_bytes(&self) -> usize {
        self.facet_tables.bytes()
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn reader(&self) -> &IndexReader {
        &self.reader
    }

    pub fn fields(&self) -> Fields {
        self.fields
    }

    pub fn analyzers(&self) -> &Analyzers {
        &self.analyzers
    }

    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    /// Replaces the synonym dictionary (e.g. to compare dictionaries in a
    /// relevance test).
    pub fn set_synonyms(&mut self, synonyms: Arc<Synonyms>) {
        self.synonyms = synonyms;
    }

    /// The index directory; `None` in memory.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Number of documents visible to searchers.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Makes the last commit visible to searchers.
    pub fn reload(&self) -> Result<(), SearchError> {
        Ok(self.reader.reload()?)
    }

    /// The payload of the last commit: where in the outbox the index is.
    /// `None` for an index never committed with a payload.
    pub fn committed_payload(&self) -> Result<Option<CommitPayload>, SearchError> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|raw| serde_json::from_str(raw).ok()))
    }

    /// Takes the index's single writer. Fails with [`SearchError::Locked`]
    /// when another writer (usually another process) holds it.
    pub fn writer(&self) -> Result<SearchWriter, SearchError> {
        self.writer_with(1, WRITER_MEMORY_BYTES)
    }

    /// A writer for bulk loads (a rebuild, the benchmark): `threads` indexing
    /// threads (at least 1), each buffering up to `memory_per_thread` bytes
    /// (clamped to tantivy's bounds, 15 MB to 4 GB) before it flushes a segment. More
    /// threads index faster on more cores and leave more segments for the
    /// background merges. Otherwise the same as [`SearchIndex::writer`].
    pub fn bulk_writer(
        &self,
        threads: usize,
        memory_per_thread: usize,
    ) -> Result<SearchWriter, SearchError> {
        self.writer_with(
            threads.max(1),
            memory_per_thread.clamp(WRITER_MEMORY_MIN_BYTES, WRITER_MEMORY_MAX_BYTES),
        )
    }

    fn writer_with(
        &self,
        threads: usize,
        memory_per_thread: usize,
    ) -> Result<SearchWriter, SearchError> {
        let options = IndexWriterOptions::builder()
            .memory_budget_per_thread(memory_per_thread)
            .num_worker_threads(threads)
            .num_merge_threads(1)
            .build();
        match self.index.writer_with_options(options) {
            Ok(writer) => Ok(SearchWriter {
                writer,
                fields: self.fields,
            }),
            Err(tantivy::TantivyError::LockFailure(..)) => Err(SearchError::Locked(
                self.dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("<memory>")),
            )),
            Err(error) => Err(error.into()),
        }
    }

    /// Whether the index can serve a search: its directory is still there and
    /// its segment list can be read.
    pub fn is_ready(&self) -> bool {
        self.health() == IndexHealth::Ready
    }

    /// Looks at the files: reads meta.json from disk, so a directory removed
    /// or damaged under a running process shows; an error that is not
    /// damage (too many open files) is [`IndexHealth::Unreadable`].
    pub fn health(&self) -> IndexHealth {
        let Some(dir) = &self.dir else {
            return IndexHealth::Ready;
        };
        match dir.join(VERSION_FILE).try_exists() {
            Ok(true) => {}
            Ok(false) => return IndexHealth::Damaged,
            Err(error) if io_means_damaged(&error) => return IndexHealth::Damaged,
            Err(_) => return IndexHealth::Unreadable,
        }
        match unless_damaged(self.index.searchable_segment_ids()) {
            Ok(Some(_)) => IndexHealth::Ready,
            Ok(None) => IndexHealth::Damaged,
            Err(_) => IndexHealth::Unreadable,
        }
    }

    /// Whether the index's files are in place (one `stat`, no file opened:
    /// cheap enough for every search).
    pub fn files_present(&self) -> bool {
        self.dir
            .as_ref()
            .is_none_or(|dir| dir.join(VERSION_FILE).exists())
    }
}

/// The index's writer: upserts and deletes documents, commits with the
/// outbox cursor. Changes are visible after [`SearchWriter::commit`] and a
/// reader reload.
pub struct SearchWriter {
    writer: IndexWriter,
    fields: Fields,
}

impl SearchWriter {
    /// Replaces (or adds) a record's document.
    pub fn upsert(&self, doc: &SearchDocument) -> Result<(), SearchError> {
        self.writer
            .delete_term(Term::from_field_text(self.fields.key, &doc.key()));
        self.writer.add_document(self.fields.document(doc))?;
        Ok(())
    }

    /// Removes a record's document, if any.
    pub fn delete(&self, doc_type: DocType, id: Uuid) {
        self.writer.delete_term(Term::from_field_text(
            self.fields.key,
            &schema::doc_key(doc_type, id),
        ));
    }

    /// Removes every document (before a rebuild).
    pub fn delete_all(&self) -> Result<(), SearchError> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Commits the pending changes together with the outbox cursor they
    /// reach, atomically.
    pub fn commit(&mut self, payload: CommitPayload) -> Result<(), SearchError> {
        let mut prepared = self.writer.prepare_commit()?;
        let payload = serde_json::to_string(&payload).unwrap_or_else(|_| "{}".to_owned());
        prepared.set_payload(&payload);
        prepared.commit()?;
        Ok(())
    }

    /// Drops uncommitted changes.
    pub fn rollback(&mut self) -> Result<(), SearchError> {
        self.writer.rollback()?;
        Ok(())
    }

    /// Waits for background merges and releases the writer (and its lock).
    pub fn close(self) {
        if let Err(error) = self.writer.wait_merging_threads() {
            tracing::warn!(%error, "search index merges did not finish cleanly");
        }
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn a_missing_or_corrupt_index_is_recreated_empty() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("index");
        let (_, outcome) = SearchIndex::open_or_create(&dir).expect("create");
        assert_eq!(outcome, OpenOutcome::Created);
        let (index, outcome) = SearchIndex::open_or_create(&dir).expect("reopen");
        assert_eq!(outcome, OpenOutcome::Opened);
        assert!(index.is_ready());
        drop(index);

        std::fs::write(dir.join("meta.json"), b"{ not json").expect("corrupt");
        let (index, outcome) = SearchIndex::open_or_create(&dir).expect("recover");
        assert_eq!(outcome, OpenOutcome::Created);
        assert_eq!(index.num_docs(), 0);

        std::fs::write(dir.join(VERSION_FILE), b"0").expect("old version");
        let (_, outcome) = SearchIndex::open_or_create(&dir).expect("upgrade");
        assert_eq!(outcome, OpenOutcome::Created);
    }

    #[test]
    fn shortages_are_not_damage() {
        let io = |source| SearchError::Io {
            path: PathBuf::from("index"),
            source,
        };
        // Too many open files (per process, then system-wide), no memory.
        for errno in [24, 23, 12] {
            assert!(!io(std::io::Error::from_raw_os_error(errno)).means_damaged());
            let tantivy = tantivy::TantivyError::OpenReadError(
                tantivy::directory::error::OpenReadError::wrap_io_error(
                    std::io::Error::from_raw_os_error(errno),
                    PathBuf::from("meta.json"),
                ),
            );
            assert!(!SearchError::Tantivy(tantivy).means_damaged());
        }
        assert!(io(std::io::Error::from(std::io::ErrorKind::NotFound)).means_damaged());
        assert!(
            SearchError::Tantivy(tantivy::TantivyError::DataCorruption(
                tantivy::error::DataCorruption::comment_only("bad meta.json")
            ))
            .means_damaged()
        );
    }

    #[test]
    fn the_cursor_is_committed_with_the_documents() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("index");
        let (index, _) = SearchIndex::open_or_create(&dir).expect("create");
        assert_eq!(index.committed_payload().expect("payload"), None);
        let mut writer = index.writer().expect("writer");
        assert!(matches!(index.writer(), Err(SearchError::Locked(_))));
        writer.commit(CommitPayload { cursor: 42 }).expect("commit");
        writer.close();
        drop(index);
        let (index, outcome) = SearchIndex::open_or_create(&dir).expect("reopen");
        assert_eq!(outcome, OpenOutcome::Opened);
        assert_eq!(
            index.committed_payload().expect("payload"),
            Some(CommitPayload { cursor: 42 })
        );
    }
}
