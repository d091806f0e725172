//! Job priorities (issue 17): a job someone waits for (the matches of the
//! posting they just published) is claimed before bulk work queued earlier
//! (an import, the seed, a registry's verifications). `jobs.priority`,
//! higher first; existing and older processes' jobs get 0, the bulk level.
//! Expand-only: a column with a default that older processes ignore.

use sea_orm_migration::prelude::*;

use crate::common::{add_columns, counter, drop_added_columns};
use crate::refs::Jobs;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `jobs.priority`, 0 (bulk) for the jobs already queued.
fn priority() -> Vec<ColumnDef> {
    vec![counter(Jobs::Priority, 0)]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(manager, Jobs::Table, priority()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_added_columns(manager, Jobs::Table, priority()).await
    }
}
