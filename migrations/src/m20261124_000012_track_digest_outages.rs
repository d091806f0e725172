//! Digests survive mail outages. On `digest_deliveries`:
//! `first_failed_at`, when a delivery first failed for a reason that may
//! pass, so that it is retried for a configured time (48 hours by default)
//! rather than a fixed number of attempts; `failure_kind`, what went wrong
//! in words a person can be told (the server's own reply stays in
//! `last_error`, for operators); `carried_over_at`, when the planner took
//! what was still relevant of a delivery given up (status `given_up`) into
//! the next digest. Expand-only: nullable columns older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CLOSED_LIST_LEN, add_columns, drop_added_columns};
use crate::refs::DigestDeliveries;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns this migration adds to `digest_deliveries`.
fn columns() -> Vec<ColumnDef> {
    vec![
        timestamp_with_time_zone_null(DigestDeliveries::FirstFailedAt),
        string_len_null(DigestDeliveries::FailureKind, CLOSED_LIST_LEN),
        timestamp_with_time_zone_null(DigestDeliveries::CarriedOverAt),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(manager, DigestDeliveries::Table, columns()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_added_columns(manager, DigestDeliveries::Table, columns()).await
    }
}
