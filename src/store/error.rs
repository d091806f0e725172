//! The store's error: a database error together with the query that met it.
//!
//! Store functions return [`StoreResult`]; a failing query says what it was
//! doing (`.context("needs: public page")`), so an INTERNAL line in the log
//! names the query, not just "database error". The services turn a
//! [`StoreError`] into an `AppError` with `?`: an unreachable database
//! becomes UNAVAILABLE, anything else INTERNAL with the context kept for the
//! log (never for the client).

use sea_orm::DbErr;

/// A database error and what the store was doing when it happened.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct StoreError {
    /// What the store was doing, e.g. "needs: load by id".
    pub what: &'static str,
    #[source]
    pub source: DbErr,
}

/// What store functions return.
pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Whether the statement broke a unique constraint (either backend), so
    /// the service can answer CONFLICT on the right field.
    pub fn is_unique_violation(&self) -> bool {
        crate::error::is_unique_violation(&self.source)
    }

    /// Whether the database could not be reached at all.
    pub fn is_unavailable(&self) -> bool {
        super::health::is_unavailable(&self.source)
    }
}

impl From<DbErr> for StoreError {
    /// A query with no context of its own; prefer [`Context::context`].
    fn from(source: DbErr) -> Self {
        Self {
            what: "database query",
            source,
        }
    }
}

/// `.context("what the query does")` on a sea-orm result.
pub trait Context<T> {
    /// Names the query, for the log, if it fails.
    fn context(self, what: &'static str) -> StoreResult<T>;
}

impl<T> Context<T> for Result<T, DbErr> {
    fn context(self, what: &'static str) -> StoreResult<T> {
        self.map_err(|source| StoreError { what, source })
    }
}

impl<T> Context<T> for StoreResult<T> {
    /// Keeps the innermost context: it names the statement that failed.
    fn context(self, _what: &'static str) -> StoreResult<T> {
        self
    }
}
