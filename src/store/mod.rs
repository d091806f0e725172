//! Persistence: sea-orm entities, the database connection and hand-written queries.

pub mod db;
pub mod entities;
pub mod health;
