//! The append-only audit log and the search outbox the indexer reads in order.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    NAME_LEN, closed_list, create_indexes, created_at, drop_tables, foreign_key, id, index,
    json_doc,
};
use crate::refs::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(id())
                    .col(uuid_null(AuditLog::ActorUserId))
                    // Kept even when the actor is gone, and for system actors (jobs, CLI).
                    .col(string_len(AuditLog::ActorLabel, NAME_LEN))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::EntityType, 64))
                    .col(uuid(AuditLog::EntityId))
                    .col(json_doc(AuditLog::Changes))
                    .col(created_at())
                    .foreign_key(&mut foreign_key(
                        AuditLog::Table,
                        AuditLog::ActorUserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    // bigint identity on PostgreSQL; on SQLite this is exactly
                    // `integer NOT NULL PRIMARY KEY AUTOINCREMENT`, the rowid alias.
                    .col(big_pk_auto(SearchOutbox::Seq))
                    .col(closed_list(SearchOutbox::EntityType))
                    .col(uuid(SearchOutbox::EntityId))
                    .col(closed_list(SearchOutbox::Operation))
                    .col(created_at())
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            [
                index(AuditLog::Table, [AuditLog::ActorUserId]),
                index(AuditLog::Table, [AuditLog::EntityType, AuditLog::EntityId]),
                index(SearchOutbox::Table, [SearchOutbox::CreatedAt]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [SearchOutbox::Table.into_iden(), AuditLog::Table.into_iden()],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    ActorUserId,
    ActorLabel,
    Action,
    EntityType,
    EntityId,
    Changes,
}

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Seq,
    EntityType,
    EntityId,
    Operation,
    CreatedAt,
}
