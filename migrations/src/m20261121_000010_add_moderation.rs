//! Moderation: moderators hide abusive organisations, offers and needs from
//! public view without deleting them (the record and its audit trail stay).
//! Expand-only: nullable columns that older processes simply ignore.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [Moderated; 3] = [
    Moderated::Organizations,
    Moderated::Offers,
    Moderated::Needs,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(timestamp_with_time_zone_null(Moderated::HiddenAt))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(text_null(Moderated::HiddenReason))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for column in [Moderated::HiddenReason, Moderated::HiddenAt] {
                manager
                    .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Moderated {
    Organizations,
    Offers,
    Needs,
    HiddenAt,
    HiddenReason,
}
