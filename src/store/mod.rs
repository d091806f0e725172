//! Persistence: sea-orm entities, the database connection and hand-written queries.

pub mod db;
pub mod entities;
pub mod error;
pub mod health;
pub mod scope;

pub use error::{Context, StoreError, StoreResult};
