//! Background jobs, claimed in the database (SKIP LOCKED on PostgreSQL).

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    TableExt, WORKER_LEN, closed_list_default, counter, index, json_doc, table_with_id,
    tables_migration,
};
use crate::refs::Jobs;

tables_migration!();

/// The table this migration creates.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(Jobs::Table)
            .col(string_len(Jobs::Kind, 64))
            .col(json_doc(Jobs::Payload))
            .col(closed_list_default(Jobs::Status, "queued"))
            .col(timestamp_with_time_zone(Jobs::RunAt))
            .col(counter(Jobs::Attempts, 0))
            .col(counter(Jobs::MaxAttempts, 5))
            .col(string_len_null(Jobs::ClaimedBy, WORKER_LEN))
            .col(timestamp_with_time_zone_null(Jobs::ClaimedUntil))
            .col(text_null(Jobs::LastError))
            .timestamps()
            .to_owned(),
    ]
}

/// Its indexes.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![index(Jobs::Table, [Jobs::Status, Jobs::RunAt])]
}
