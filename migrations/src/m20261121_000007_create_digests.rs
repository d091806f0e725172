//! E-mail digests: saved searches that feed them, subscriptions, the sent log and its items.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    NAME_LEN, WORKER_LEN, closed_list, closed_list_default, counter, create_indexes, created_at,
    drop_tables, flag, foreign_key, id, index, json_doc, unique_index, updated_at,
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
                    .table(SavedSearches::Table)
                    .col(id())
                    .col(uuid(SavedSearches::UserId))
                    .col(string_len(SavedSearches::Name, NAME_LEN))
                    .col(text(SavedSearches::Query))
                    .col(json_doc(SavedSearches::Filter))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut user_fk(SavedSearches::Table, SavedSearches::UserId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DigestSubscriptions::Table)
                    .col(id())
                    .col(uuid(DigestSubscriptions::UserId))
                    .col(closed_list(DigestSubscriptions::Frequency))
                    .col(closed_list_default(DigestSubscriptions::Language, "it"))
                    .col(flag(DigestSubscriptions::IncludeMatches, true))
                    .col(flag(DigestSubscriptions::IncludeSavedSearches, true))
                    .col(flag(DigestSubscriptions::IncludeProjects, true))
                    .col(timestamp_with_time_zone_null(
                        DigestSubscriptions::LastSentAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        DigestSubscriptions::NextDueAt,
                    ))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut user_fk(
                        DigestSubscriptions::Table,
                        DigestSubscriptions::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DigestDeliveries::Table)
                    .col(id())
                    .col(uuid(DigestDeliveries::UserId))
                    // Instants, not days: an "immediate" digest covers minutes.
                    .col(timestamp_with_time_zone(DigestDeliveries::PeriodStart))
                    .col(timestamp_with_time_zone(DigestDeliveries::PeriodEnd))
                    .col(closed_list_default(DigestDeliveries::Status, "pending"))
                    .col(counter(DigestDeliveries::Attempts, 0))
                    .col(timestamp_with_time_zone_null(
                        DigestDeliveries::NextAttemptAt,
                    ))
                    .col(string_len_null(DigestDeliveries::ClaimedBy, WORKER_LEN))
                    .col(timestamp_with_time_zone_null(
                        DigestDeliveries::ClaimedUntil,
                    ))
                    .col(text_null(DigestDeliveries::MessageId))
                    .col(text_null(DigestDeliveries::LastError))
                    .col(counter(DigestDeliveries::ItemCount, 0))
                    .col(created_at())
                    .col(timestamp_with_time_zone_null(DigestDeliveries::SentAt))
                    .foreign_key(&mut user_fk(
                        DigestDeliveries::Table,
                        DigestDeliveries::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DigestItems::Table)
                    .col(uuid(DigestItems::DeliveryId))
                    .col(closed_list(DigestItems::ItemType))
                    .col(uuid(DigestItems::ItemId))
                    .primary_key(
                        Index::create()
                            .col(DigestItems::DeliveryId)
                            .col(DigestItems::ItemType)
                            .col(DigestItems::ItemId),
                    )
                    .foreign_key(&mut foreign_key(
                        DigestItems::Table,
                        DigestItems::DeliveryId,
                        DigestDeliveries::Table,
                        DigestDeliveries::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            [
                index(SavedSearches::Table, [SavedSearches::UserId]),
                unique_index(DigestSubscriptions::Table, [DigestSubscriptions::UserId]),
                // Also serves the foreign key on user_id.
                unique_index(
                    DigestDeliveries::Table,
                    [DigestDeliveries::UserId, DigestDeliveries::PeriodEnd],
                ),
                index(
                    DigestDeliveries::Table,
                    [DigestDeliveries::Status, DigestDeliveries::NextAttemptAt],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                DigestItems::Table.into_iden(),
                DigestDeliveries::Table.into_iden(),
                DigestSubscriptions::Table.into_iden(),
                SavedSearches::Table.into_iden(),
            ],
        )
        .await
    }
}

/// A user's own row: it goes when the user row goes.
fn user_fk<T: IntoIden, C: IntoIden>(table: T, column: C) -> ForeignKeyCreateStatement {
    foreign_key(
        table,
        column,
        Users::Table,
        Users::Id,
        ForeignKeyAction::Cascade,
    )
}

#[derive(DeriveIden)]
enum SavedSearches {
    Table,
    UserId,
    Name,
    Query,
    Filter,
}

#[derive(DeriveIden)]
enum DigestSubscriptions {
    Table,
    UserId,
    Frequency,
    Language,
    IncludeMatches,
    IncludeSavedSearches,
    IncludeProjects,
    LastSentAt,
    NextDueAt,
}

#[derive(DeriveIden)]
enum DigestDeliveries {
    Table,
    Id,
    UserId,
    PeriodStart,
    PeriodEnd,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    ClaimedUntil,
    MessageId,
    LastError,
    ItemCount,
    SentAt,
}

#[derive(DeriveIden)]
enum DigestItems {
    Table,
    DeliveryId,
    ItemType,
    ItemId,
}
