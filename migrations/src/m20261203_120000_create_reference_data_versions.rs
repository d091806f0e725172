//! `reference_data_versions`: which version of each shipped reference data
//! set (sectors, Italy's municipalities, Milano's NIL) a database holds, so
//! that a start loads them once and again only when the shipped files change.
//! Expand-only: a new table older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CODE_LEN, TOKEN_HASH_LEN, create_tables, drop_created_tables};
use crate::refs::ReferenceDataVersions;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, tables(), []).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_created_tables(manager, tables()).await
    }
}

/// The table this migration creates.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(ReferenceDataVersions::Table)
            .col(string_len(ReferenceDataVersions::Dataset, CODE_LEN).primary_key())
            .col(string_len(ReferenceDataVersions::Version, TOKEN_HASH_LEN))
            .col(integer(ReferenceDataVersions::Rows))
            .col(timestamp_with_time_zone(ReferenceDataVersions::LoadedAt))
            .to_owned(),
    ]
}
