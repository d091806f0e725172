//! The tantivy index of organisations, offers and needs: its schema, where it
//! lives on disk, and its recovery. The database is the source of truth; the
//! index is derived from it and may be deleted at any time.
//!
//! A process opens its own index directory. A missing, corrupt or outdated
//! index (its schema version differs from [`SCHEMA_VERSION`]) is replaced by an
//! empty one and reported as [`OpenOutcome::Created`] so the caller rebuilds it
//! from the database.

use std::path::{Path, PathBuf};

use tantivy::schema::{Field, STORED, STRING, Schema, TEXT};
use tantivy::{Index, IndexReader, ReloadPolicy};

/// Bumped whenever the schema or the analysis changes; a different version on
/// disk makes the index rebuild itself.
pub const SCHEMA_VERSION: u32 = 1;
const VERSION_FILE: &str = "trama-schema-version";

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
}

/// What opening the index found on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenOutcome {
    /// A usable index of the current version was opened.
    Opened,
    /// The index was missing, corrupt or outdated and is now empty: rebuild it.
    Created,
}

/// The fields of a search document.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `organization:<uuid>`, `offer:<uuid>` or `need:<uuid>`: the unique key.
    pub key: Field,
    /// `organization`, `offer` or `need`.
    pub doc_type: Field,
    pub title: Field,
    pub body: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        doc_type: builder.add_text_field("doc_type", STRING | STORED),
        title: builder.add_text_field("title", TEXT | STORED),
        body: builder.add_text_field("body", TEXT),
    };
    (builder.build(), fields)
}

/// An open index with its shared reader.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: PathBuf,
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
    /// missing, unreadable or of another schema version. Fails only when the
    /// directory cannot be created or written.
    pub fn open_or_create(dir: &Path) -> Result<(Self, OpenOutcome), SearchError> {
        let io = |source| SearchError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let (schema, fields) = schema();
        if let Some(index) = Self::try_open_current(dir, &schema) {
            return Ok((Self::from_index(index, fields, dir)?, OpenOutcome::Opened));
        }
        if dir.exists() {
            tracing::warn!(dir = %dir.display(), "search index missing, corrupt or outdated: rebuilding");
            std::fs::remove_dir_all(dir).map_err(io)?;
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let index = Index::create_in_dir(dir, schema)?;
        std::fs::write(dir.join(VERSION_FILE), SCHEMA_VERSION.to_string()).map_err(io)?;
        Ok((Self::from_index(index, fields, dir)?, OpenOutcome::Created))
    }

    fn try_open_current(dir: &Path, schema: &Schema) -> Option<Index> {
        let version = std::fs::read_to_string(dir.join(VERSION_FILE)).ok()?;
        if version.trim() != SCHEMA_VERSION.to_string() {
            return None;
        }
        let index = Index::open_in_dir(dir).ok()?;
        if index.schema() != *schema {
            return None;
        }
        // Opening a searcher reads every segment's metadata: a damaged
        // segment list fails here rather than at the first query.
        let reader = index.reader().ok()?;
        let _ = reader.searcher().num_docs();
        Some(index)
    }

    fn from_index(index: Index, fields: Fields, dir: &Path) -> Result<Self, SearchError> {
        let reader = index
            .reader_builder()
            // Writers reload the reader themselves after each commit so that a
            // change is visible to its author at once.
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            fields,
            dir: dir.to_path_buf(),
        })
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

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of documents visible to searchers.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index can serve a search: its directory is still there and
    /// a searcher can be taken.
    pub fn is_ready(&self) -> bool {
        // Reads meta.json from disk: fails when the directory was removed or
        // damaged under a running process.
        self.dir.join(VERSION_FILE).exists() && self.index.searchable_segment_ids().is_ok()
    }
}

#[cfg(test)]
mod tests {
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
}
