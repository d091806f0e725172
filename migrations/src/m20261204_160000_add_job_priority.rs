//! Job priorities (issue 17): a job someone waits for (the matches of the
//! posting they just published) is claimed before bulk work queued earlier
//! (an import, the seed, a registry's verifications). `jobs.priority`,
//! higher first; existing and older processes' jobs get 0, the bulk level.
//! Expand-only: a column with a default that older processes ignore.

use sea_orm_migration::prelude::*;

use crate::common::counter;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .add_column(counter(Jobs::Priority, 0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .drop_column(Jobs::Priority)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Priority,
}
