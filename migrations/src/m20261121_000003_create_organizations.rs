//! Organisations and what hangs off them: sectors, neighbourhoods served, contacts,
//! memberships and invitations.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    EMAIL_LEN, ISTAT_CODE_LEN, NAME_LEN, TOKEN_HASH_LEN, URL_LEN, closed_list, closed_list_default,
    counter, create_indexes, created_at, deleted_at, drop_tables, flag, foreign_key, id, index,
    sector_tags, unique_index, updated_at,
};
use crate::refs::{Municipalities, Neighbourhoods, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(id())
                    .col(string_len(Organizations::Name, NAME_LEN))
                    .col(closed_list(Organizations::Kind))
                    // Codice fiscale: 16 characters for people, 11 digits for entities.
                    .col(string_len_null(Organizations::TaxCode, 16))
                    .col(string_len_null(Organizations::VatNumber, 16))
                    .col(text(Organizations::Description))
                    .col(string_len_null(Organizations::Website, URL_LEN))
                    .col(string_len_null(
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
                    .col(uuid_null(Organizations::CreatedBy))
                    .col(created_at())
                    .col(updated_at())
                    .col(deleted_at())
                    .foreign_key(&mut foreign_key(
                        Organizations::Table,
                        Organizations::SeatMunicipalityCode,
                        Municipalities::Table,
                        Municipalities::IstatCode,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        Organizations::Table,
                        Organizations::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(sector_tags(
                OrganizationSectors::Table,
                OrganizationSectors::OrganizationId,
                OrganizationSectors::SectorCode,
                Organizations::Table,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganizationNeighbourhoods::Table)
                    .col(uuid(OrganizationNeighbourhoods::OrganizationId))
                    .col(uuid(OrganizationNeighbourhoods::NeighbourhoodId))
                    .primary_key(
                        Index::create()
                            .col(OrganizationNeighbourhoods::OrganizationId)
                            .col(OrganizationNeighbourhoods::NeighbourhoodId),
                    )
                    .foreign_key(&mut foreign_key(
                        OrganizationNeighbourhoods::Table,
                        OrganizationNeighbourhoods::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        OrganizationNeighbourhoods::Table,
                        OrganizationNeighbourhoods::NeighbourhoodId,
                        Neighbourhoods::Table,
                        Neighbourhoods::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganizationContacts::Table)
                    .col(id())
                    .col(uuid(OrganizationContacts::OrganizationId))
                    .col(closed_list(OrganizationContacts::Kind))
                    .col(string_len(OrganizationContacts::Value, URL_LEN))
                    .col(string_len_null(OrganizationContacts::Label, NAME_LEN))
                    .col(closed_list(OrganizationContacts::Visibility))
                    .col(counter(OrganizationContacts::Position, 0))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut foreign_key(
                        OrganizationContacts::Table,
                        OrganizationContacts::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(id())
                    .col(uuid(Memberships::UserId))
                    .col(uuid(Memberships::OrganizationId))
                    .col(closed_list(Memberships::Role))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut foreign_key(
                        Memberships::Table,
                        Memberships::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        Memberships::Table,
                        Memberships::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(id())
                    .col(uuid(Invitations::OrganizationId))
                    .col(string_len(Invitations::Email, EMAIL_LEN))
                    .col(closed_list(Invitations::Role))
                    .col(string_len(Invitations::TokenHash, TOKEN_HASH_LEN))
                    .col(uuid(Invitations::InvitedBy))
                    .col(created_at())
                    .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                    .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                    .foreign_key(&mut foreign_key(
                        Invitations::Table,
                        Invitations::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    // Users are soft-deleted, so the inviter row always stays.
                    .foreign_key(&mut foreign_key(
                        Invitations::Table,
                        Invitations::InvitedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            [
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
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                Invitations::Table.into_iden(),
                Memberships::Table.into_iden(),
                OrganizationContacts::Table.into_iden(),
                OrganizationNeighbourhoods::Table.into_iden(),
                OrganizationSectors::Table.into_iden(),
                Organizations::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Kind,
    TaxCode,
    VatNumber,
    Description,
    Website,
    SeatMunicipalityCode,
    Address,
    Lat,
    Lon,
    VerificationStatus,
    VerificationSource,
    VerifiedAt,
    RuntsRegistered,
    CreatedBy,
}

#[derive(DeriveIden)]
enum OrganizationSectors {
    Table,
    OrganizationId,
    SectorCode,
}

#[derive(DeriveIden)]
enum OrganizationNeighbourhoods {
    Table,
    OrganizationId,
    NeighbourhoodId,
}

#[derive(DeriveIden)]
enum OrganizationContacts {
    Table,
    OrganizationId,
    Kind,
    Value,
    Label,
    Visibility,
    Position,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    UserId,
    OrganizationId,
    Role,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    OrganizationId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
}
