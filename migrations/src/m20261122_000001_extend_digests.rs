//! Digests with saved searches and project activity: each digest item may
//! name the section it belongs to (the saved search or the project), and
//! the planner finds due subscriptions through an index on `next_due_at`.
//! Expand-only: a nullable column older processes ignore, and an index.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{add_columns, drop_added_columns, index};
use crate::refs::{DigestItems, DigestSubscriptions};

/// The name `common::index` gives the index below.
const DUE_INDEX: &str = "idx_digest_subscriptions_next_due_at";

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The section a digest item belongs to.
fn group_id() -> Vec<ColumnDef> {
    vec![uuid_null(DigestItems::GroupId)]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(manager, DigestItems::Table, group_id()).await?;
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
        drop_added_columns(manager, DigestItems::Table, group_id()).await
    }
}
