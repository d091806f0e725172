//! The append-only audit log and the search outbox the indexer reads in order.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    NAME_LEN, TableExt, closed_list, created_at, index, json_doc, table_with_id, tables_migration,
};
use crate::refs::{AuditLog, SearchOutbox, Users};

tables_migration!();

/// The tables, parents first.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(AuditLog::Table)
            .references_set_null(uuid_null(AuditLog::ActorUserId), Users::Table)
            // Kept even when the actor is gone, and for system actors (jobs, CLI).
            .col(string_len(AuditLog::ActorLabel, NAME_LEN))
            .col(string_len(AuditLog::Action, 64))
            .col(string_len(AuditLog::EntityType, 64))
            .col(uuid(AuditLog::EntityId))
            .col(json_doc(AuditLog::Changes))
            .col(created_at())
            .to_owned(),
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
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(AuditLog::Table, [AuditLog::ActorUserId]),
        index(AuditLog::Table, [AuditLog::EntityType, AuditLog::EntityId]),
        index(SearchOutbox::Table, [SearchOutbox::CreatedAt]),
    ]
}
