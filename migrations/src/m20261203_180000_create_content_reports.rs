//! Reports of content: a signed-in person tells the moderators that a need,
//! an offer or an organisation is abusive, with a reason; a moderator hides
//! the record (the report is upheld) or dismisses the report.
//! Expand-only: a new table that older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    TableExt, closed_list, closed_list_default, index, table_with_id, tables_migration,
    unique_while,
};
use crate::refs::{ContentReports, Users};

tables_migration!();

/// The table this migration creates.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(ContentReports::Table)
            // organization / offer / need: no foreign key, the
            // record is one of three tables (and is never deleted).
            .col(closed_list(ContentReports::RecordType))
            .col(uuid(ContentReports::RecordId))
            // Users are soft-deleted: their rows stay.
            .references_restrict(uuid(ContentReports::ReporterId), Users::Table)
            .col(text(ContentReports::Reason))
            .col(closed_list_default(ContentReports::Status, "open"))
            .col(timestamp_with_time_zone_null(ContentReports::DecidedAt))
            .references_set_null(uuid_null(ContentReports::DecidedBy), Users::Table)
            .timestamps()
            .to_owned(),
    ]
}

/// Its indexes.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
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
        // At most one open report per person and record.
        unique_while(
            ContentReports::Table,
            [
                ContentReports::RecordType,
                ContentReports::RecordId,
                ContentReports::ReporterId,
            ],
            ContentReports::Status,
            "open",
        ),
    ]
}
