//! Postings: offers (what organisations give) and needs (what they look for), with their sectors.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    ISTAT_CODE_LEN, NAME_LEN, TableExt, closed_list, closed_list_default, create_tables,
    deleted_at, drop_created_tables, flag, index, json_doc, sector_tags, table_with_id,
};
use crate::refs::{
    Municipalities, NeedSectors, Needs, Neighbourhoods, OfferSectors, Offers, Organizations, Users,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, tables(), indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_created_tables(manager, tables()).await
    }
}

/// The tables, parents first.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(Offers::Table)
            .references_restrict(uuid(Offers::OrganizationId), Organizations::Table)
            .col(closed_list(Offers::Kind))
            .col(string_len(Offers::Title, NAME_LEN))
            .col(text(Offers::Description))
            .col(big_integer_null(Offers::AmountMinCents))
            .col(big_integer_null(Offers::AmountMaxCents))
            .col(date_null(Offers::AvailableFrom))
            .col(date_null(Offers::AvailableUntil))
            // A JSON array of organisation kinds; empty means anyone.
            .col(json_doc(Offers::EligibleOrganizationKinds))
            .col(closed_list(Offers::TerritoryScope))
            .references_column(
                string_len_null(Offers::MunicipalityCode, ISTAT_CODE_LEN),
                Municipalities::Table,
                Municipalities::IstatCode,
                ForeignKeyAction::Restrict,
            )
            .references_restrict(uuid_null(Offers::NeighbourhoodId), Neighbourhoods::Table)
            .col(double_null(Offers::Lat))
            .col(double_null(Offers::Lon))
            .col(closed_list_default(Offers::Status, "draft"))
            .references_set_null(uuid_null(Offers::CreatedBy), Users::Table)
            .timestamps()
            .col(timestamp_with_time_zone_null(Offers::ClosedAt))
            .col(deleted_at())
            .to_owned(),
        sector_tags(
            OfferSectors::Table,
            OfferSectors::OfferId,
            OfferSectors::SectorCode,
            Offers::Table,
        ),
        table_with_id(Needs::Table)
            .references_restrict(uuid(Needs::OrganizationId), Organizations::Table)
            .col(closed_list(Needs::Kind))
            .col(string_len(Needs::Title, NAME_LEN))
            .col(text(Needs::Description))
            .col(big_integer_null(Needs::BudgetCents))
            .col(timestamp_with_time_zone_null(Needs::DeadlineAt))
            .references_column(
                string_len_null(Needs::MunicipalityCode, ISTAT_CODE_LEN),
                Municipalities::Table,
                Municipalities::IstatCode,
                ForeignKeyAction::Restrict,
            )
            .references_restrict(uuid_null(Needs::NeighbourhoodId), Neighbourhoods::Table)
            .col(double_null(Needs::Lat))
            .col(double_null(Needs::Lon))
            .col(closed_list(Needs::LocationPrecision))
            // JSON arrays of offer kinds and of organisation kinds.
            .col(json_doc(Needs::RequiredContributions))
            .col(json_doc(Needs::EligibleOrganizationKinds))
            // Art. 55 calls are open to registered third-sector bodies only.
            .col(flag(Needs::RequiresThirdSectorRegistration, false))
            .col(closed_list_default(Needs::Status, "draft"))
            .references_set_null(uuid_null(Needs::CreatedBy), Users::Table)
            .timestamps()
            .col(timestamp_with_time_zone_null(Needs::ClosedAt))
            .col(deleted_at())
            .to_owned(),
        sector_tags(
            NeedSectors::Table,
            NeedSectors::NeedId,
            NeedSectors::SectorCode,
            Needs::Table,
        ),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(Offers::Table, [Offers::OrganizationId]),
        index(Offers::Table, [Offers::Status, Offers::Kind]),
        index(Offers::Table, [Offers::MunicipalityCode]),
        index(Offers::Table, [Offers::NeighbourhoodId]),
        index(Offers::Table, [Offers::CreatedBy]),
        index(OfferSectors::Table, [OfferSectors::SectorCode]),
        index(Needs::Table, [Needs::OrganizationId]),
        index(Needs::Table, [Needs::Status, Needs::Kind]),
        index(Needs::Table, [Needs::DeadlineAt]),
        index(Needs::Table, [Needs::MunicipalityCode]),
        index(Needs::Table, [Needs::NeighbourhoodId]),
        index(Needs::Table, [Needs::CreatedBy]),
        index(NeedSectors::Table, [NeedSectors::SectorCode]),
    ]
}
