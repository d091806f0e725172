//! Background jobs, claimed in the database (SKIP LOCKED on PostgreSQL).

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    WORKER_LEN, closed_list_default, counter, create_indexes, created_at, drop_tables, id, index,
    json_doc, updated_at,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(id())
                    .col(string_len(Jobs::Kind, 64))
                    .col(json_doc(Jobs::Payload))
                    .col(closed_list_default(Jobs::Status, "queued"))
                    .col(timestamp_with_time_zone(Jobs::RunAt))
                    .col(counter(Jobs::Attempts, 0))
                    .col(counter(Jobs::MaxAttempts, 5))
                    .col(string_len_null(Jobs::ClaimedBy, WORKER_LEN))
                    .col(timestamp_with_time_zone_null(Jobs::ClaimedUntil))
                    .col(text_null(Jobs::LastError))
                    .col(created_at())
                    .col(updated_at())
                    .to_owned(),
            )
            .await?;

        create_indexes(manager, [index(Jobs::Table, [Jobs::Status, Jobs::RunAt])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [Jobs::Table]).await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Kind,
    Payload,
    Status,
    RunAt,
    Attempts,
    MaxAttempts,
    ClaimedBy,
    ClaimedUntil,
    LastError,
}
