//! Persistence: sea-orm entities, the database connection and hand-written queries.

pub mod db;
pub mod entities;
pub mod error;
pub mod health;
pub mod import;
pub mod jobs;
pub mod lease;
pub mod projects;
pub mod reference_data;
pub mod scope;

pub use error::{Context, StoreError, StoreResult};

/// A new sortable id (UUIDv7: time-ordered).
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// The current time, truncated to microseconds so that what is stored (both
/// databases keep microseconds) equals what was returned.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
