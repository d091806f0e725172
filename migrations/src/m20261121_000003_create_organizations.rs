//! Organisations and what hangs off them: sectors, neighbourhoods served, contacts,
//! memberships and invitations.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    EMAIL_LEN, ISTAT_CODE_LEN, NAME_LEN, TOKEN_HASH_LEN, TableExt, URL_LEN, closed_list,
    closed_list_default, counter, created_at, deleted_at, flag, index, sector_tags, table_with_id,
    tables_migration, unique_index,
};
use crate::refs::{
    Invitations, Memberships, Neighbourhoods, OrganizationContacts, OrganizationNeighbourhoods,
    OrganizationSectors, Organizations, Users,
};

tables_migration!();

/// The tables, parents first.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(Organizations::Table)
            .col(string_len(Organizations::Name, NAME_LEN))
            .col(closed_list(Organizations::Kind))
            // Codice fiscale: 16 characters for people, 11 digits for entities.
            .col(string_len_null(Organizations::TaxCode, 16))
            .col(string_len_null(Organizations::VatNumber, 16))
            .col(text(Organizations::Description))
            .col(string_len_null(Organizations::Website, URL_LEN))
            .references_municipality(string_len_null(
                Organizations::SeatMunicipalityCode,
                ISTAT_CODE_LEN,
            ))
            .col(text_null(Organizations::Address))
            .col(double_null(Organizations::Lat))
            .col(double_null(Organizations::Lon))
            .col(closed_list_default(
                Organizations::VerificationStatus,
                "unverified",
            ))
            .col(string_len_null(Organizations::VerificationSource, NAME_LEN))
            .col(timestamp_with_time_zone_null(Organizations::VerifiedAt))
            .col(flag(Organizations::RuntsRegistered, false))
            .references_set_null(uuid_null(Organizations::CreatedBy), Users::Table)
            .timestamps()
            .col(deleted_at())
            .to_owned(),
        sector_tags(
            OrganizationSectors::Table,
            OrganizationSectors::OrganizationId,
            OrganizationSectors::SectorCode,
            Organizations::Table,
        ),
        Table::create()
            .table(OrganizationNeighbourhoods::Table)
            .references_cascade(
                uuid(OrganizationNeighbourhoods::OrganizationId),
                Organizations::Table,
            )
            .references_cascade(
                uuid(OrganizationNeighbourhoods::NeighbourhoodId),
                Neighbourhoods::Table,
            )
            .primary_key(
                Index::create()
                    .col(OrganizationNeighbourhoods::OrganizationId)
                    .col(OrganizationNeighbourhoods::NeighbourhoodId),
            )
            .to_owned(),
        table_with_id(OrganizationContacts::Table)
            .references_cascade(
                uuid(OrganizationContacts::OrganizationId),
                Organizations::Table,
            )
            .col(closed_list(OrganizationContacts::Kind))
            .col(string_len(OrganizationContacts::Value, URL_LEN))
            .col(string_len_null(OrganizationContacts::Label, NAME_LEN))
            .col(closed_list(OrganizationContacts::Visibility))
            .col(counter(OrganizationContacts::Position, 0))
            .timestamps()
            .to_owned(),
        table_with_id(Memberships::Table)
            .references_cascade(uuid(Memberships::UserId), Users::Table)
            .references_cascade(uuid(Memberships::OrganizationId), Organizations::Table)
            .col(closed_list(Memberships::Role))
            .timestamps()
            .to_owned(),
        table_with_id(Invitations::Table)
            .references_cascade(uuid(Invitations::OrganizationId), Organizations::Table)
            .col(string_len(Invitations::Email, EMAIL_LEN))
            .col(closed_list(Invitations::Role))
            .col(string_len(Invitations::TokenHash, TOKEN_HASH_LEN))
            // Users are soft-deleted, so the inviter row always stays.
            .references_restrict(uuid(Invitations::InvitedBy), Users::Table)
            .col(created_at())
            .col(timestamp_with_time_zone(Invitations::ExpiresAt))
            .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
            .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
            .to_owned(),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        // Several informal groups may have no tax code: NULLs never collide.
        unique_index(Organizations::Table, [Organizations::TaxCode]),
        index(Organizations::Table, [Organizations::Kind]),
        index(Organizations::Table, [Organizations::SeatMunicipalityCode]),
        index(Organizations::Table, [Organizations::CreatedBy]),
        index(
            OrganizationSectors::Table,
            [OrganizationSectors::SectorCode],
        ),
        index(
            OrganizationNeighbourhoods::Table,
            [OrganizationNeighbourhoods::NeighbourhoodId],
        ),
        index(
            OrganizationContacts::Table,
            [OrganizationContacts::OrganizationId],
        ),
        // Also serves the foreign key on user_id.
        unique_index(
            Memberships::Table,
            [Memberships::UserId, Memberships::OrganizationId],
        ),
        index(Memberships::Table, [Memberships::OrganizationId]),
        unique_index(Invitations::Table, [Invitations::TokenHash]),
        index(Invitations::Table, [Invitations::OrganizationId]),
        index(Invitations::Table, [Invitations::InvitedBy]),
    ]
}
