//! Territories and taxonomy: the ISTAT municipalities, their neighbourhoods and the sectors tree.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    CODE_LEN, ISTAT_CODE_LEN, NAME_LEN, counter, create_indexes, drop_tables, flag, foreign_key,
    id, index, unique_index,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Municipalities::Table)
                    .col(string_len(Municipalities::IstatCode, ISTAT_CODE_LEN).primary_key())
                    .col(string_len(Municipalities::Name, NAME_LEN))
                    .col(string_len(Municipalities::ProvinceCode, 2))
                    .col(string_len(Municipalities::ProvinceName, NAME_LEN))
                    .col(string_len(Municipalities::RegionCode, 2))
                    .col(string_len(Municipalities::RegionName, NAME_LEN))
                    .col(string_len(Municipalities::CadastralCode, 4))
                    .col(integer_null(Municipalities::Population))
                    .col(double_null(Municipalities::Lat))
                    .col(double_null(Municipalities::Lon))
                    .col(flag(Municipalities::CoordinatesApproximate, true))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Neighbourhoods::Table)
                    .col(id())
                    .col(string_len(Neighbourhoods::MunicipalityCode, ISTAT_CODE_LEN))
                    .col(string_len(Neighbourhoods::Code, CODE_LEN))
                    .col(string_len(Neighbourhoods::Name, NAME_LEN))
                    .col(double(Neighbourhoods::CentroidLat))
                    .col(double(Neighbourhoods::CentroidLon))
                    .col(text_null(Neighbourhoods::BoundaryGeojson))
                    .col(double_null(Neighbourhoods::AreaM2))
                    .col(string_len(Neighbourhoods::Source, NAME_LEN))
                    .foreign_key(&mut foreign_key(
                        Neighbourhoods::Table,
                        Neighbourhoods::MunicipalityCode,
                        Municipalities::Table,
                        Municipalities::IstatCode,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sectors::Table)
                    .col(string_len(Sectors::Code, CODE_LEN).primary_key())
                    .col(string_len(Sectors::NameIt, NAME_LEN))
                    .col(string_len(Sectors::NameEn, NAME_LEN))
                    .col(string_len_null(Sectors::ParentCode, CODE_LEN))
                    .col(counter(Sectors::Position, 0))
                    .foreign_key(&mut foreign_key(
                        Sectors::Table,
                        Sectors::ParentCode,
                        Sectors::Table,
                        Sectors::Code,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            [
                // Also serves the foreign key on municipality_code.
                unique_index(
                    Neighbourhoods::Table,
                    [Neighbourhoods::MunicipalityCode, Neighbourhoods::Code],
                ),
                index(Sectors::Table, [Sectors::ParentCode]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                Sectors::Table.into_iden(),
                Neighbourhoods::Table.into_iden(),
                Municipalities::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Municipalities {
    Table,
    IstatCode,
    Name,
    ProvinceCode,
    ProvinceName,
    RegionCode,
    RegionName,
    CadastralCode,
    Population,
    Lat,
    Lon,
    CoordinatesApproximate,
}

#[derive(DeriveIden)]
enum Neighbourhoods {
    Table,
    MunicipalityCode,
    Code,
    Name,
    CentroidLat,
    CentroidLon,
    BoundaryGeojson,
    #[sea_orm(iden = "area_m2")]
    AreaM2,
    Source,
}

#[derive(DeriveIden)]
enum Sectors {
    Table,
    Code,
    NameIt,
    NameEn,
    ParentCode,
    Position,
}
