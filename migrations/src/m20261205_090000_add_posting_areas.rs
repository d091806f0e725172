//! Postings over more than one place (issue 16): an offer serves two or
//! three neighbourhoods or several municipalities, a need may cover a
//! province or a region (the metropolitan area of Milano is its province).
//! `needs.other_places` and `offers.other_places` hold the places beyond
//! the first as a JSON array of `{"municipalityCode", "neighbourhoodId"}`
//! (checked against the territories by the services on every write, like
//! the first place); `needs.territory_scope` says how far a need reaches
//! from its places (null: as far as its place, a neighbourhood or a
//! municipality). Expand-only: columns with defaults that older processes
//! ignore (and, on PostgreSQL, GIN indexes for the lists by place).

use sea_orm_migration::prelude::*;

use crate::common::{add_columns, closed_list, drop_added_columns, json_doc};
use crate::refs::{Needs, Offers};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns this migration adds to `needs`.
fn needs_columns() -> Vec<ColumnDef> {
    vec![
        json_doc(Needs::OtherPlaces).default("[]").take(),
        closed_list(Needs::TerritoryScope).null().take(),
    ]
}

/// The column this migration adds to `offers`.
fn offers_columns() -> Vec<ColumnDef> {
    vec![json_doc(Offers::OtherPlaces).default("[]").take()]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(manager, Needs::Table, needs_columns()).await?;
        add_columns(manager, Offers::Table, offers_columns()).await?;
        // The lists by place ask PostgreSQL whether a posting's other
        // places contain one (`@>`): a GIN index answers that without
        // reading every row. SQLite reads them (json_each); it serves one
        // machine's worth of postings.
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            let db = manager.get_connection();
            for table in ["needs", "offers"] {
                db.execute_unprepared(&format!(
                    "CREATE INDEX IF NOT EXISTS idx_{table}_other_places ON {table} USING GIN (other_places jsonb_path_ops)"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_added_columns(manager, Offers::Table, offers_columns()).await?;
        drop_added_columns(manager, Needs::Table, needs_columns()).await
    }
}
