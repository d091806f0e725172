//! E-mail digests: saved searches that feed them, subscriptions, the sent log and its items.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    NAME_LEN, TableExt, WORKER_LEN, closed_list, closed_list_default, counter, created_at, flag,
    index, json_doc, table_with_id, tables_migration, unique_index,
};
use crate::refs::{DigestDeliveries, DigestItems, DigestSubscriptions, SavedSearches, Users};

tables_migration!();

/// The tables, parents first. A user's own rows go when the user row goes.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(SavedSearches::Table)
            .references_cascade(uuid(SavedSearches::UserId), Users::Table)
            .col(string_len(SavedSearches::Name, NAME_LEN))
            .col(text(SavedSearches::Query))
            .col(json_doc(SavedSearches::Filter))
            .timestamps()
            .to_owned(),
        table_with_id(DigestSubscriptions::Table)
            .references_cascade(uuid(DigestSubscriptions::UserId), Users::Table)
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
            .timestamps()
            .to_owned(),
        table_with_id(DigestDeliveries::Table)
            .references_cascade(uuid(DigestDeliveries::UserId), Users::Table)
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
            .to_owned(),
        Table::create()
            .table(DigestItems::Table)
            .references_cascade(uuid(DigestItems::DeliveryId), DigestDeliveries::Table)
            .col(closed_list(DigestItems::ItemType))
            .col(uuid(DigestItems::ItemId))
            .primary_key(
                Index::create()
                    .col(DigestItems::DeliveryId)
                    .col(DigestItems::ItemType)
                    .col(DigestItems::ItemId),
            )
            .to_owned(),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
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
    ]
}
