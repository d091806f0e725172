//! Persistence: sea-orm entities, the database connection and hand-written queries.

pub mod accounts;
pub mod audit;
pub mod db;
pub mod entities;
pub mod error;
pub mod health;
pub mod memberships;
pub mod organization_requests;
pub mod organizations;
pub mod outbox;
pub mod postings;
pub mod rows;
pub mod saved_searches;
pub mod scope;

pub use error::{Context, StoreError, StoreResult};
