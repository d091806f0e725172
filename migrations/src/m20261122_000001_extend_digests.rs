//! Digests with saved searches and project activity: each digest item may
//! name the section it belongs to (the saved search or the project), and
//! the planner finds due subscriptions through an index on `next_due_at`.
//! Expand-only: a nullable column older processes ignore, and an index.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::index;

/// The name `common::index` gives the index below.
const DUE_INDEX: &str = "idx_digest_subscriptions_next_due_at";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DigestItems::Table)
                    .add_column(uuid_null(DigestItems::GroupId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                DigestSubscriptions::Table,
                [DigestSubscriptions::NextDueAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(DUE_INDEX)
                    .table(DigestSubscriptions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DigestItems::Table)
                    .drop_column(DigestItems::GroupId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum DigestItems {
    Table,
    GroupId,
}

#[derive(DeriveIden)]
enum DigestSubscriptions {
    Table,
    NextDueAt,
}
