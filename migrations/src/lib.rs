//! Schema migrations for Trama, shared by SQLite and PostgreSQL (see `docs/data-model.md`).
//!
//! One migration per file, named `mYYYYMMDD_HHMMSS_verb_noun.rs`; an applied
//! migration is never edited. Foreign keys are declared inside `CREATE TABLE`
//! because SQLite cannot add them afterwards.

pub use sea_orm_migration::prelude::*;

mod common;
mod m20261121_000001_create_territories;
mod m20261121_000002_create_accounts;
mod m20261121_000003_create_organizations;
mod m20261121_000004_create_offers_and_needs;
mod m20261121_000005_create_matches;
mod m20261121_000006_create_codesign;
mod m20261121_000007_create_digests;
mod m20261121_000008_create_audit_and_outbox;
mod m20261121_000009_create_jobs;
mod m20261121_000010_add_moderation;
mod m20261122_000001_extend_digests;
mod m20261124_000012_track_digest_outages;
mod m20261203_000001_create_organization_requests;
mod m20261203_120000_create_reference_data_versions;
mod m20261203_180000_create_content_reports;
mod m20261204_090000_rename_project_stages;
mod m20261204_100000_create_conversations;
mod m20261204_100000_extend_project_workspace;
mod m20261204_160000_add_job_priority;
mod m20261205_090000_add_posting_areas;
mod refs;

/// Runs Trama's migrations in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_territories::Migration),
            Box::new(m20261121_000002_create_accounts::Migration),
            Box::new(m20261121_000003_create_organizations::Migration),
            Box::new(m20261121_000004_create_offers_and_needs::Migration),
            Box::new(m20261121_000005_create_matches::Migration),
            Box::new(m20261121_000006_create_codesign::Migration),
            Box::new(m20261121_000007_create_digests::Migration),
            Box::new(m20261121_000008_create_audit_and_outbox::Migration),
            Box::new(m20261121_000009_create_jobs::Migration),
            Box::new(m20261121_000010_add_moderation::Migration),
            Box::new(m20261122_000001_extend_digests::Migration),
            Box::new(m20261124_000012_track_digest_outages::Migration),
            Box::new(m20261203_000001_create_organization_requests::Migration),
            Box::new(m20261203_120000_create_reference_data_versions::Migration),
            Box::new(m20261203_180000_create_content_reports::Migration),
            Box::new(m20261204_090000_rename_project_stages::Migration),
            Box::new(m20261204_100000_create_conversations::Migration),
            Box::new(m20261204_100000_extend_project_workspace::Migration),
            Box::new(m20261204_160000_add_job_priority::Migration),
            Box::new(m20261205_090000_add_posting_areas::Migration),
        ]
    }
}
