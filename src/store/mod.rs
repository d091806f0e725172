//! Persistence: sea-orm entities, the database connection and hand-written queries.

pub mod accounts;
pub mod audit;
pub mod db;
pub mod entities;
pub mod error;
pub mod health;
pub mod instant;
pub mod listing;
pub mod lookups;
pub mod memberships;
pub mod observatory;
pub mod opendata;
pub mod organization_requests;
pub mod organizations;
pub mod outbox;
pub mod postings;
pub mod references;
pub mod rows;
pub mod saved_searches;
pub mod scope;
pub mod search_docs;
pub mod stats;
pub mod territories;

pub use error::{Context, StoreError, StoreResult};
