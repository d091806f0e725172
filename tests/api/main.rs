//! Trama's integration tests: one binary, the real application on port 0,
//! every data-layer and API test on SQLite and on PostgreSQL.

mod helpers;

mod demo;
mod graphql_api;
mod health;
mod records;
mod shutdown;
