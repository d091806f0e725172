//! Territories and taxonomy: the ISTAT municipalities, their neighbourhoods and the sectors tree.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    CODE_LEN, ISTAT_CODE_LEN, NAME_LEN, TableExt, counter, flag, index, table_with_id,
    tables_migration, unique_index,
};
use crate::refs::{Municipalities, Neighbourhoods, Sectors};

tables_migration!();

/// The tables, parents first.
fn tables() -> Vec<TableCreateStatement> {
    vec![
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
        table_with_id(Neighbourhoods::Table)
            .references_municipality(string_len(Neighbourhoods::MunicipalityCode, ISTAT_CODE_LEN))
            .col(string_len(Neighbourhoods::Code, CODE_LEN))
            .col(string_len(Neighbourhoods::Name, NAME_LEN))
            .col(double(Neighbourhoods::CentroidLat))
            .col(double(Neighbourhoods::CentroidLon))
            .col(text_null(Neighbourhoods::BoundaryGeojson))
            .col(double_null(Neighbourhoods::AreaM2))
            .col(string_len(Neighbourhoods::Source, NAME_LEN))
            .to_owned(),
        Table::create()
            .table(Sectors::Table)
            .col(string_len(Sectors::Code, CODE_LEN).primary_key())
            .col(string_len(Sectors::NameIt, NAME_LEN))
            .col(string_len(Sectors::NameEn, NAME_LEN))
            .references_column(
                string_len_null(Sectors::ParentCode, CODE_LEN),
                Sectors::Table,
                Sectors::Code,
                ForeignKeyAction::Restrict,
            )
            .col(counter(Sectors::Position, 0))
            .to_owned(),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        // Also serves the foreign key on municipality_code.
        unique_index(
            Neighbourhoods::Table,
            [Neighbourhoods::MunicipalityCode, Neighbourhoods::Code],
        ),
        index(Sectors::Table, [Sectors::ParentCode]),
    ]
}
