//! Conversations: one per match (once either side is interested) and one
//! per project, their messages (plain text, kept: never deleted or edited),
//! and each person's read marker; on `digest_subscriptions`, how each
//! person hears of new messages (`message_notifications`: `immediate` by
//! e-mail, or in the `digest`). Expand-only: new tables, and a column with
//! a default, that older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    closed_list, closed_list_default, create_indexes, created_at, drop_tables, foreign_key, id,
    index, unique_index, updated_at,
};
use crate::refs::{Organizations, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(id())
                    // match / project: no foreign key, the subject is one of
                    // two tables (and neither is ever deleted for real).
                    .col(closed_list(Conversations::SubjectType))
                    .col(uuid(Conversations::SubjectId))
                    .col(timestamp_with_time_zone_null(Conversations::LastMessageAt))
                    .col(created_at())
                    .col(updated_at())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationMessages::Table)
                    .col(id())
                    .col(uuid(ConversationMessages::ConversationId))
                    .col(uuid(ConversationMessages::AuthorId))
                    // The organisation the author wrote for: its members are
                    // "this side", every other party "the other side".
                    .col(uuid(ConversationMessages::OrganizationId))
                    .col(text(ConversationMessages::Body))
                    // When the immediate e-mails went (the job that sends
                    // them runs once per message, even after a crash).
                    .col(timestamp_with_time_zone_null(
                        ConversationMessages::NotifiedAt,
                    ))
                    .col(created_at())
                    .foreign_key(&mut foreign_key(
                        ConversationMessages::Table,
                        ConversationMessages::ConversationId,
                        Conversations::Table,
                        Conversations::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    // Users and organisations are soft-deleted: messages stay.
                    .foreign_key(&mut foreign_key(
                        ConversationMessages::Table,
                        ConversationMessages::AuthorId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        ConversationMessages::Table,
                        ConversationMessages::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationReads::Table)
                    .col(id())
                    .col(uuid(ConversationReads::ConversationId))
                    .col(uuid(ConversationReads::UserId))
                    // Message ids are UUIDv7, ordered by time: what is after
                    // this one is unread.
                    .col(uuid(ConversationReads::LastReadMessageId))
                    .col(timestamp_with_time_zone(ConversationReads::ReadAt))
                    .foreign_key(&mut foreign_key(
                        ConversationReads::Table,
                        ConversationReads::ConversationId,
                        Conversations::Table,
                        Conversations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        ConversationReads::Table,
                        ConversationReads::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
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
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DigestSubscriptions::Table)
                    .add_column(closed_list_default(
                        DigestSubscriptions::MessageNotifications,
                        "immediate",
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DigestSubscriptions::Table)
                    .drop_column(DigestSubscriptions::MessageNotifications)
                    .to_owned(),
            )
            .await?;
        drop_tables(
            manager,
            [
                ConversationReads::Table.into_iden(),
                ConversationMessages::Table.into_iden(),
                Conversations::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    SubjectType,
    SubjectId,
    LastMessageAt,
}

#[derive(DeriveIden)]
enum ConversationMessages {
    Table,
    Id,
    ConversationId,
    AuthorId,
    OrganizationId,
    Body,
    NotifiedAt,
}

#[derive(DeriveIden)]
enum ConversationReads {
    Table,
    ConversationId,
    UserId,
    LastReadMessageId,
    ReadAt,
}

#[derive(DeriveIden)]
enum DigestSubscriptions {
    Table,
    MessageNotifications,
}
