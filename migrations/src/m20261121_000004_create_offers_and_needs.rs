//! Postings: offers (what organisations give) and needs (what they look for), with their sectors.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    ISTAT_CODE_LEN, NAME_LEN, closed_list, closed_list_default, create_indexes, created_at,
    deleted_at, drop_tables, flag, foreign_key, id, index, json_doc, sector_tags, updated_at,
};
use crate::refs::{Municipalities, Neighbourhoods, Organizations, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Offers::Table)
                    .col(id())
                    .col(uuid(Offers::OrganizationId))
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
                    .col(string_len_null(Offers::MunicipalityCode, ISTAT_CODE_LEN))
                    .col(uuid_null(Offers::NeighbourhoodId))
                    .col(double_null(Offers::Lat))
                    .col(double_null(Offers::Lon))
                    .col(closed_list_default(Offers::Status, "draft"))
                    .col(uuid_null(Offers::CreatedBy))
                    .col(created_at())
                    .col(updated_at())
                    .col(timestamp_with_time_zone_null(Offers::ClosedAt))
                    .col(deleted_at())
                    .foreign_key(&mut foreign_key(
                        Offers::Table,
                        Offers::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        Offers::Table,
                        Offers::MunicipalityCode,
                        Municipalities::Table,
                        Municipalities::IstatCode,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        Offers::Table,
                        Offers::NeighbourhoodId,
                        Neighbourhoods::Table,
                        Neighbourhoods::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        Offers::Table,
                        Offers::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(sector_tags(
                OfferSectors::Table,
                OfferSectors::OfferId,
                OfferSectors::SectorCode,
                Offers::Table,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Needs::Table)
                    .col(id())
                    .col(uuid(Needs::OrganizationId))
                    .col(closed_list(Needs::Kind))
                    .col(string_len(Needs::Title, NAME_LEN))
                    .col(text(Needs::Description))
                    .col(big_integer_null(Needs::BudgetCents))
                    .col(timestamp_with_time_zone_null(Needs::DeadlineAt))
                    .col(string_len_null(Needs::MunicipalityCode, ISTAT_CODE_LEN))
                    .col(uuid_null(Needs::NeighbourhoodId))
                    .col(double_null(Needs::Lat))
                    .col(double_null(Needs::Lon))
                    .col(closed_list(Needs::LocationPrecision))
                    // JSON arrays of offer kinds and of organisation kinds.
                    .col(json_doc(Needs::RequiredContributions))
                    .col(json_doc(Needs::EligibleOrganizationKinds))
                    // Art. 55 calls are open to registered third-sector bodies only.
                    .col(flag(Needs::RequiresThirdSectorRegistration, false))
                    .col(closed_list_default(Needs::Status, "draft"))
                    .col(uuid_null(Needs::CreatedBy))
                    .col(created_at())
                    .col(updated_at())
                    .col(timestamp_with_time_zone_null(Needs::ClosedAt))
                    .col(deleted_at())
                    .foreign_key(&mut foreign_key(
                        Needs::Table,
                        Needs::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        Needs::Table,
                        Needs::MunicipalityCode,
                        Municipalities::Table,
                        Municipalities::IstatCode,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        Needs::Table,
                        Needs::NeighbourhoodId,
                        Neighbourhoods::Table,
                        Neighbourhoods::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        Needs::Table,
                        Needs::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(sector_tags(
                NeedSectors::Table,
                NeedSectors::NeedId,
                NeedSectors::SectorCode,
                Needs::Table,
            ))
            .await?;

        create_indexes(
            manager,
            [
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
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                NeedSectors::Table.into_iden(),
                Needs::Table.into_iden(),
                OfferSectors::Table.into_iden(),
                Offers::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    OrganizationId,
    Kind,
    Title,
    Description,
    AmountMinCents,
    AmountMaxCents,
    AvailableFrom,
    AvailableUntil,
    EligibleOrganizationKinds,
    TerritoryScope,
    MunicipalityCode,
    NeighbourhoodId,
    Lat,
    Lon,
    Status,
    CreatedBy,
    ClosedAt,
}

#[derive(DeriveIden)]
enum OfferSectors {
    Table,
    OfferId,
    SectorCode,
}

#[derive(DeriveIden)]
enum Needs {
    Table,
    OrganizationId,
    Kind,
    Title,
    Description,
    BudgetCents,
    DeadlineAt,
    MunicipalityCode,
    NeighbourhoodId,
    Lat,
    Lon,
    LocationPrecision,
    RequiredContributions,
    EligibleOrganizationKinds,
    RequiresThirdSectorRegistration,
    Status,
    CreatedBy,
    ClosedAt,
}

#[derive(DeriveIden)]
enum NeedSectors {
    Table,
    NeedId,
    SectorCode,
}
