//! Moderation: moderators hide abusive organisations, offers and needs from
//! public view without deleting them (the record and its audit trail stay).
//! Expand-only: nullable columns that older processes simply ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{add_columns, drop_added_columns};
use crate::refs::{Needs, Offers, Organizations};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables a moderator hides rows of.
fn tables() -> [DynIden; 3] {
    [
        Organizations::Table.into_iden(),
        Offers::Table.into_iden(),
        Needs::Table.into_iden(),
    ]
}

/// The columns each of those tables gets.
fn columns() -> Vec<ColumnDef> {
    vec![
        timestamp_with_time_zone_null(Moderation::HiddenAt),
        text_null(Moderation::HiddenReason),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            add_columns(manager, table, columns()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            drop_added_columns(manager, table, columns()).await?;
        }
        Ok(())
    }
}

/// The names of those columns.
#[derive(DeriveIden)]
enum Moderation {
    HiddenAt,
    HiddenReason,
}
