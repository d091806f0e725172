//! Conversations: one per match (once either side is interested) and one
//! per project, their messages (plain text, kept: never deleted or edited),
//! and each person's read marker; on `digest_subscriptions`, how each
//! person hears of new messages (`message_notifications`: `immediate` by
//! e-mail, or in the `digest`). Expand-only: new tables, and a column with
//! a default, that older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    TableExt, add_columns, closed_list, closed_list_default, create_tables, created_at,
    drop_added_columns, drop_created_tables, index, table_with_id, unique_index,
};
use crate::refs::{
    ConversationMessages, ConversationReads, Conversations, DigestSubscriptions, Organizations,
    Users,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, tables(), indexes()).await?;
        add_columns(manager, DigestSubscriptions::Table, notifications()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_added_columns(manager, DigestSubscriptions::Table, notifications()).await?;
        drop_created_tables(manager, tables()).await
    }
}

/// The tables, parents first.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(Conversations::Table)
            // match / project: no foreign key, the subject is one of
            // two tables (and neither is ever deleted for real).
            .col(closed_list(Conversations::SubjectType))
            .col(uuid(Conversations::SubjectId))
            .col(timestamp_with_time_zone_null(Conversations::LastMessageAt))
            .timestamps()
            .to_owned(),
        table_with_id(ConversationMessages::Table)
            .references_restrict(
                uuid(ConversationMessages::ConversationId),
                Conversations::Table,
            )
            // Users and organisations are soft-deleted: messages stay.
            .references_restrict(uuid(ConversationMessages::AuthorId), Users::Table)
            // The organisation the author wrote for: its members are
            // "this side", every other party "the other side".
            .references_restrict(
                uuid(ConversationMessages::OrganizationId),
                Organizations::Table,
            )
            .col(text(ConversationMessages::Body))
            // When the immediate e-mails went (the job that sends
            // them runs once per message, even after a crash).
            .col(timestamp_with_time_zone_null(
                ConversationMessages::NotifiedAt,
            ))
            .col(created_at())
            .to_owned(),
        table_with_id(ConversationReads::Table)
            .references_cascade(
                uuid(ConversationReads::ConversationId),
                Conversations::Table,
            )
            .references_cascade(uuid(ConversationReads::UserId), Users::Table)
            // Message ids are UUIDv7, ordered by time: what is after
            // this one is unread.
            .col(uuid(ConversationReads::LastReadMessageId))
            .col(timestamp_with_time_zone(ConversationReads::ReadAt))
            .to_owned(),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        // One conversation per match or project, even when two
        // people open it at once.
        unique_index(
            Conversations::Table,
            [Conversations::SubjectType, Conversations::SubjectId],
        ),
        index(
            ConversationMessages::Table,
            [
                ConversationMessages::ConversationId,
                ConversationMessages::Id,
            ],
        ),
        index(
            ConversationMessages::Table,
            [ConversationMessages::AuthorId],
        ),
        index(
            ConversationMessages::Table,
            [ConversationMessages::OrganizationId],
        ),
        unique_index(
            ConversationReads::Table,
            [ConversationReads::ConversationId, ConversationReads::UserId],
        ),
        index(ConversationReads::Table, [ConversationReads::UserId]),
    ]
}

/// How each person hears of new messages.
fn notifications() -> Vec<ColumnDef> {
    vec![closed_list_default(
        DigestSubscriptions::MessageNotifications,
        "immediate",
    )]
}
