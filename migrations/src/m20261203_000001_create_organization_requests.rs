//! Requests to join or claim an organisation: who asked, what was decided,
//! by whom and how (an admin, a moderator, the organisation's registered
//! address through a confirmation link, or the requester's own address).
//! Expand-only: a new table that older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    CLOSED_LIST_LEN, TOKEN_HASH_LEN, TableExt, closed_list, closed_list_default, index, json_doc,
    table_with_id, tables_migration, unique_index, unique_while,
};
use crate::refs::{OrganizationRequests, Organizations, Users};

tables_migration!();

/// The table this migration creates.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(OrganizationRequests::Table)
            .references_cascade(
                uuid(OrganizationRequests::OrganizationId),
                Organizations::Table,
            )
            // Users are soft-deleted: their rows stay.
            .references_restrict(uuid(OrganizationRequests::RequesterId), Users::Table)
            .col(closed_list(OrganizationRequests::Kind))
            .col(closed_list_default(OrganizationRequests::Status, "pending"))
            .col(text_null(OrganizationRequests::Message))
            .col(string_len_null(
                OrganizationRequests::ConfirmationTokenHash,
                TOKEN_HASH_LEN,
            ))
            // The registered addresses the confirmation link went to.
            .col(json_doc(OrganizationRequests::ConfirmationSentTo))
            .col(timestamp_with_time_zone_null(
                OrganizationRequests::ConfirmationExpiresAt,
            ))
            .col(timestamp_with_time_zone_null(
                OrganizationRequests::DecidedAt,
            ))
            .references_set_null(uuid_null(OrganizationRequests::DecidedBy), Users::Table)
            .col(string_len_null(
                OrganizationRequests::DecidedVia,
                CLOSED_LIST_LEN,
            ))
            .col(text_null(OrganizationRequests::DeclineReason))
            .timestamps()
            .to_owned(),
    ]
}

/// Its indexes.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(
            OrganizationRequests::Table,
            [
                OrganizationRequests::OrganizationId,
                OrganizationRequests::Status,
            ],
        ),
        index(
            OrganizationRequests::Table,
            [OrganizationRequests::RequesterId],
        ),
        // The moderators' queue: pending claims, oldest first.
        index(
            OrganizationRequests::Table,
            [
                OrganizationRequests::Status,
                OrganizationRequests::Kind,
                OrganizationRequests::CreatedAt,
            ],
        ),
        index(
            OrganizationRequests::Table,
            [OrganizationRequests::DecidedBy],
        ),
        unique_index(
            OrganizationRequests::Table,
            [OrganizationRequests::ConfirmationTokenHash],
        ),
        // At most one pending request per person and organisation.
        unique_while(
            OrganizationRequests::Table,
            [
                OrganizationRequests::OrganizationId,
                OrganizationRequests::RequesterId,
            ],
            OrganizationRequests::Status,
            "pending",
        ),
    ]
}
