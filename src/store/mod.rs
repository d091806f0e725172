//! Persistence: sea-orm entities, the database connection and hand-written queries.

pub mod accounts;
pub mod audit;
pub mod content_reports;
pub mod conversations;
pub mod db;
pub mod digests;
pub mod entities;
pub mod error;
pub mod health;
pub mod import;
pub mod instant;
pub mod invitations;
pub mod jobs;
pub mod lease;
pub mod listing;
pub mod matches;
pub mod memberships;
pub mod observatory;
pub mod opendata;
pub mod organization_requests;
pub mod organizations;
pub mod outbox;
pub mod postings;
pub mod projects;
pub mod reference_data;
pub mod references;
pub mod rows;
pub mod saved_searches;
pub mod scope;
pub mod search_docs;
pub mod seed;
pub mod stats;
pub mod territories;

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
