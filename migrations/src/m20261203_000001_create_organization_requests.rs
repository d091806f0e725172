//! Requests to join or claim an organisation: who asked, what was decided,
//! by whom and how (an admin, a moderator, the organisation's registered
//! address through a confirmation link, or the requester's own address).
//! Expand-only: a new table that older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    CLOSED_LIST_LEN, TOKEN_HASH_LEN, closed_list, closed_list_default, create_indexes, created_at,
    drop_tables, foreign_key, id, index, json_doc, updated_at,
};
use crate::refs::{Organizations, Users};

/// At most one pending request per person and organisation.
const ONE_PENDING: &str = "uq_organization_requests_pending";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrganizationRequests::Table)
                    .col(id())
                    .col(uuid(OrganizationRequests::OrganizationId))
                    .col(uuid(OrganizationRequests::RequesterId))
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
                    .col(uuid_null(OrganizationRequests::DecidedBy))
                    .col(string_len_null(
                        OrganizationRequests::DecidedVia,
                        CLOSED_LIST_LEN,
                    ))
                    .col(text_null(OrganizationRequests::DeclineReason))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut foreign_key(
                        OrganizationRequests::Table,
                        OrganizationRequests::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    // Users are soft-deleted: their rows stay.
                    .foreign_key(&mut foreign_key(
                        OrganizationRequests::Table,
                        OrganizationRequests::RequesterId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        OrganizationRequests::Table,
                        OrganizationRequests::DecidedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
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
                Index::create()
                    .name("uq_organization_requests_confirmation_token_hash")
                    .table(OrganizationRequests::Table)
                    .col(OrganizationRequests::ConfirmationTokenHash)
                    .unique()
                    .to_owned(),
                // Both databases have partial indexes: a second pending
                // request by the same person fails here even when two
                // arrive at once.
                Index::create()
                    .name(ONE_PENDING)
                    .table(OrganizationRequests::Table)
                    .col(OrganizationRequests::OrganizationId)
                    .col(OrganizationRequests::RequesterId)
                    .unique()
                    .and_where(Expr::col(OrganizationRequests::Status).eq("pending"))
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [OrganizationRequests::Table]).await
    }
}

#[derive(DeriveIden)]
enum OrganizationRequests {
    Table,
    OrganizationId,
    RequesterId,
    Kind,
    Status,
    Message,
    ConfirmationTokenHash,
    ConfirmationSentTo,
    ConfirmationExpiresAt,
    DecidedAt,
    DecidedBy,
    DecidedVia,
    DeclineReason,
    CreatedAt,
}
