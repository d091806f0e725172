//! Trama: matchmaking for the social economy of a metropolitan area.
//!
//! Public administrations post **needs**, organisations post **offers**; Trama
//! finds them with Italian full-text search, matches them and explains why,
//! and supports the co-design of projects. The crate is layered:
//!
//! - [`http`]: axum only (router, health, GraphQL endpoint, middleware);
//! - [`graphql`]: async-graphql only, translates to services, never writes SQL;
//! - [`services`]: use-cases, one transaction each, audit log and outbox;
//! - [`policy`]: who may see what, and rate limits: asked by every reader;
//! - [`domain`]: validated types and rules, no I/O;
//! - [`store`]: sea-orm entities and queries;
//! - [`search`]: the tantivy index derived from the database;
//! - [`mail`]: outgoing e-mail (pooled SMTP, or .eml files) and templates;
//! - [`templates`]: the template engine and the templates of e-mails and pages;
//! - [`matching`]: the match engine's rules (scores and reasons, no I/O);
//! - [`jobs`]: background work claimed in the database (match refreshes,
//!   digests); the queue's table is the store's;
//! - [`codesign`]: co-design projects: opening one from a partnership,
//!   the signed pacts of the demo, and the project events digests report
//!   (the workspace that edits projects is still to come; its data model
//!   is in place, see `docs/data-model.md`).

pub mod app;
pub mod cli;
pub mod codesign;
pub mod config;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod matching;
pub mod policy;
pub mod search;
pub mod seed;
pub mod services;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod templates;
