//! Postings: offers (what organisations give) and needs (what they look for), with their sectors.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    ISTAT_CODE_LEN, NAME_LEN, TableExt, closed_list, closed_list_default, deleted_at, flag, index,
    json_doc, sector_tags, table_with_id, tables_migration,
};
use crate::refs::{
    NeedSectors, Needs, Neighbourhoods, OfferSectors, Offers, Organizations, Postings, Users,
};

tables_migration!();

/// The tables, parents first.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        posting(
            Offers::Table,
            vec![
                big_integer_null(Offers::AmountMinCents),
                big_integer_null(Offers::AmountMaxCents),
                date_null(Offers::AvailableFrom),
                date_null(Offers::AvailableUntil),
                // A JSON array of organisation kinds; empty means anyone.
                json_doc(Offers::EligibleOrganizationKinds),
                closed_list(Offers::TerritoryScope),
            ],
            vec![],
        ),
        sector_tags(
            OfferSectors::Table,
            OfferSectors::OfferId,
            OfferSectors::SectorCode,
            Offers::Table,
        ),
        posting(
            Needs::Table,
            vec![
                big_integer_null(Needs::BudgetCents),
                timestamp_with_time_zone_null(Needs::DeadlineAt),
            ],
            vec![
                closed_list(Needs::LocationPrecision),
                // JSON arrays of offer kinds and of organisation kinds.
                json_doc(Needs::RequiredContributions),
                json_doc(Needs::EligibleOrganizationKinds),
                // Art. 55 calls are open to registered third-sector bodies only.
                flag(Needs::RequiresThirdSectorRegistration, false),
            ],
        ),
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
    let mut indexes = posting_indexes(Offers::Table, None);
    indexes.push(index(OfferSectors::Table, [OfferSectors::SectorCode]));
    indexes.extend(posting_indexes(
        Needs::Table,
        Some(index(Needs::Table, [Needs::DeadlineAt])),
    ));
    indexes.push(index(NeedSectors::Table, [NeedSectors::SectorCode]));
    indexes
}

/// An offer or a need: what both have, with the posting's `own` columns
/// after its description and its `placed` ones after its place.
fn posting<T: IntoIden>(
    table: T,
    own: Vec<ColumnDef>,
    placed: Vec<ColumnDef>,
) -> TableCreateStatement {
    let mut posting = table_with_id(table);
    posting
        .references_restrict(uuid(Postings::OrganizationId), Organizations::Table)
        .col(closed_list(Postings::Kind))
        .col(string_len(Postings::Title, NAME_LEN))
        .col(text(Postings::Description));
    for column in own {
        posting.col(column);
    }
    posting
        .references_municipality(string_len_null(Postings::MunicipalityCode, ISTAT_CODE_LEN))
        .references_restrict(uuid_null(Postings::NeighbourhoodId), Neighbourhoods::Table)
        .col(double_null(Postings::Lat))
        .col(double_null(Postings::Lon));
    for column in placed {
        posting.col(column);
    }
    posting
        .col(closed_list_default(Postings::Status, "draft"))
        .references_set_null(uuid_null(Postings::CreatedBy), Users::Table)
        .timestamps()
        .col(timestamp_with_time_zone_null(Postings::ClosedAt))
        .col(deleted_at())
        .take()
}

/// The indexes every posting has, with the posting's `own` one after the
/// one on its status and kind.
fn posting_indexes<T: IntoIden>(
    table: T,
    own: Option<IndexCreateStatement>,
) -> Vec<IndexCreateStatement> {
    let table = table.into_iden();
    let on = |columns: &[Postings]| index(table.clone(), columns.iter().copied());
    let mut indexes = vec![
        on(&[Postings::OrganizationId]),
        on(&[Postings::Status, Postings::Kind]),
    ];
    indexes.extend(own);
    indexes.extend([
        on(&[Postings::MunicipalityCode]),
        on(&[Postings::NeighbourhoodId]),
        on(&[Postings::CreatedBy]),
    ]);
    indexes
}
