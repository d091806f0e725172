//! Reports of content: a signed-in person tells the moderators that a need,
//! an offer or an organisation is abusive, with a reason; a moderator hides
//! the record (the report is upheld) or dismisses the report.
//! Expand-only: a new table that older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    closed_list, closed_list_default, create_indexes, created_at, drop_tables, foreign_key, id,
    index, updated_at,
};
use crate::refs::Users;

/// At most one open report per person and record.
const ONE_OPEN: &str = "uq_content_reports_open";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContentReports::Table)
                    .col(id())
                    // organization / offer / need: no foreign key, the
                    // record is one of three tables (and is never deleted).
                    .col(closed_list(ContentReports::RecordType))
                    .col(uuid(ContentReports::RecordId))
                    .col(uuid(ContentReports::ReporterId))
                    .col(text(ContentReports::Reason))
                    .col(closed_list_default(ContentReports::Status, "open"))
                    .col(timestamp_with_time_zone_null(ContentReports::DecidedAt))
                    .col(uuid_null(ContentReports::DecidedBy))
                    .col(created_at())
                    .col(updated_at())
                    // Users are soft-deleted: their rows stay.
                    .foreign_key(&mut foreign_key(
                        ContentReports::Table,
                        ContentReports::ReporterId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        ContentReports::Table,
                        ContentReports::DecidedBy,
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
                // The moderators' queue: open reports, oldest first.
                index(
                    ContentReports::Table,
                    [ContentReports::Status, ContentReports::CreatedAt],
                ),
                index(
                    ContentReports::Table,
                    [ContentReports::RecordType, ContentReports::RecordId],
                ),
                index(ContentReports::Table, [ContentReports::ReporterId]),
                index(ContentReports::Table, [ContentReports::DecidedBy]),
                // Both databases have partial indexes: a second open report
                // by the same person fails here even when two arrive at once.
                Index::create()
                    .name(ONE_OPEN)
                    .table(ContentReports::Table)
                    .col(ContentReports::RecordType)
                    .col(ContentReports::RecordId)
                    .col(ContentReports::ReporterId)
                    .unique()
                    .and_where(Expr::col(ContentReports::Status).eq("open"))
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [ContentReports::Table]).await
    }
}

#[derive(DeriveIden)]
enum ContentReports {
    Table,
    RecordType,
    RecordId,
    ReporterId,
    Reason,
    Status,
    DecidedAt,
    DecidedBy,
    CreatedAt,
}
