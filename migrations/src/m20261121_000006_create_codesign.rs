//! Co-design: projects (patti di collaborazione, co-progettazioni) with their partners,
//! contributions, stage history, approvals and documents.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    NAME_LEN, closed_list, closed_list_default, create_indexes, created_at, deleted_at,
    drop_tables, flag, foreign_key, id, index, unique_index, updated_at,
};
use crate::refs::{Matches, Needs, Offers, Organizations, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(id())
                    .col(string_len(Projects::Title, NAME_LEN))
                    .col(text(Projects::Description))
                    .col(closed_list(Projects::Procedure))
                    .col(closed_list(Projects::Stage))
                    .col(uuid_null(Projects::NeedId))
                    .col(uuid(Projects::LeadOrganizationId))
                    .col(flag(Projects::IsPublic, false))
                    .col(timestamp_with_time_zone_null(Projects::SignedAt))
                    .col(uuid_null(Projects::CreatedBy))
                    .col(created_at())
                    .col(updated_at())
                    .col(deleted_at())
                    .foreign_key(&mut foreign_key(
                        Projects::Table,
                        Projects::NeedId,
                        Needs::Table,
                        Needs::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        Projects::Table,
                        Projects::LeadOrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign_key(
                        Projects::Table,
                        Projects::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectPartners::Table)
                    .col(id())
                    .col(uuid(ProjectPartners::ProjectId))
                    .col(uuid(ProjectPartners::OrganizationId))
                    .col(closed_list(ProjectPartners::Role))
                    .col(uuid_null(ProjectPartners::MatchId))
                    .col(timestamp_with_time_zone(ProjectPartners::JoinedAt))
                    .col(timestamp_with_time_zone_null(ProjectPartners::LeftAt))
                    .foreign_key(&mut project_fk(
                        ProjectPartners::Table,
                        ProjectPartners::ProjectId,
                    ))
                    .foreign_key(&mut organization_fk(
                        ProjectPartners::Table,
                        ProjectPartners::OrganizationId,
                    ))
                    .foreign_key(&mut foreign_key(
                        ProjectPartners::Table,
                        ProjectPartners::MatchId,
                        Matches::Table,
                        Matches::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectContributions::Table)
                    .col(id())
                    .col(uuid(ProjectContributions::ProjectId))
                    .col(uuid(ProjectContributions::OrganizationId))
                    .col(closed_list(ProjectContributions::Kind))
                    .col(text(ProjectContributions::Description))
                    .col(big_integer_null(ProjectContributions::AmountCents))
                    .col(uuid_null(ProjectContributions::OfferId))
                    .col(closed_list_default(
                        ProjectContributions::Status,
                        "proposed",
                    ))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut project_fk(
                        ProjectContributions::Table,
                        ProjectContributions::ProjectId,
                    ))
                    .foreign_key(&mut organization_fk(
                        ProjectContributions::Table,
                        ProjectContributions::OrganizationId,
                    ))
                    .foreign_key(&mut foreign_key(
                        ProjectContributions::Table,
                        ProjectContributions::OfferId,
                        Offers::Table,
                        Offers::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectStages::Table)
                    .col(id())
                    .col(uuid(ProjectStages::ProjectId))
                    .col(closed_list(ProjectStages::Stage))
                    .col(timestamp_with_time_zone(ProjectStages::StartedAt))
                    .col(timestamp_with_time_zone_null(ProjectStages::CompletedAt))
                    .col(text_null(ProjectStages::Notes))
                    .foreign_key(&mut project_fk(
                        ProjectStages::Table,
                        ProjectStages::ProjectId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectApprovals::Table)
                    .col(id())
                    .col(uuid(ProjectApprovals::ProjectId))
                    .col(closed_list(ProjectApprovals::Stage))
                    .col(uuid(ProjectApprovals::OrganizationId))
                    .col(uuid_null(ProjectApprovals::UserId))
                    .col(closed_list(ProjectApprovals::Decision))
                    .col(text_null(ProjectApprovals::Comment))
                    .col(timestamp_with_time_zone(ProjectApprovals::DecidedAt))
                    .foreign_key(&mut project_fk(
                        ProjectApprovals::Table,
                        ProjectApprovals::ProjectId,
                    ))
                    .foreign_key(&mut organization_fk(
                        ProjectApprovals::Table,
                        ProjectApprovals::OrganizationId,
                    ))
                    .foreign_key(&mut foreign_key(
                        ProjectApprovals::Table,
                        ProjectApprovals::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectDocuments::Table)
                    .col(id())
                    .col(uuid(ProjectDocuments::ProjectId))
                    .col(closed_list(ProjectDocuments::Kind))
                    .col(string_len(ProjectDocuments::Title, NAME_LEN))
                    .col(text(ProjectDocuments::Body))
                    .col(uuid_null(ProjectDocuments::CreatedBy))
                    .col(created_at())
                    .foreign_key(&mut project_fk(
                        ProjectDocuments::Table,
                        ProjectDocuments::ProjectId,
                    ))
                    .foreign_key(&mut foreign_key(
                        ProjectDocuments::Table,
                        ProjectDocuments::CreatedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            [
                index(Projects::Table, [Projects::NeedId]),
                index(Projects::Table, [Projects::LeadOrganizationId]),
                index(Projects::Table, [Projects::CreatedBy]),
                // Also serves the foreign key on project_id.
                unique_index(
                    ProjectPartners::Table,
                    [ProjectPartners::ProjectId, ProjectPartners::OrganizationId],
                ),
                index(ProjectPartners::Table, [ProjectPartners::OrganizationId]),
                index(ProjectPartners::Table, [ProjectPartners::MatchId]),
                index(
                    ProjectContributions::Table,
                    [ProjectContributions::ProjectId],
                ),
                index(
                    ProjectContributions::Table,
                    [ProjectContributions::OrganizationId],
                ),
                index(ProjectContributions::Table, [ProjectContributions::OfferId]),
                index(ProjectStages::Table, [ProjectStages::ProjectId]),
                // Also serves the foreign key on project_id.
                unique_index(
                    ProjectApprovals::Table,
                    [
                        ProjectApprovals::ProjectId,
                        ProjectApprovals::Stage,
                        ProjectApprovals::OrganizationId,
                    ],
                ),
                index(ProjectApprovals::Table, [ProjectApprovals::OrganizationId]),
                index(ProjectApprovals::Table, [ProjectApprovals::UserId]),
                index(ProjectDocuments::Table, [ProjectDocuments::ProjectId]),
                index(ProjectDocuments::Table, [ProjectDocuments::CreatedBy]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                ProjectDocuments::Table.into_iden(),
                ProjectApprovals::Table.into_iden(),
                ProjectStages::Table.into_iden(),
                ProjectContributions::Table.into_iden(),
                ProjectPartners::Table.into_iden(),
                Projects::Table.into_iden(),
            ],
        )
        .await
    }
}

/// A project's child row: it goes when the project goes.
fn project_fk<T: IntoIden, C: IntoIden>(table: T, column: C) -> ForeignKeyCreateStatement {
    foreign_key(
        table,
        column,
        Projects::Table,
        Projects::Id,
        ForeignKeyAction::Cascade,
    )
}

/// An organisation taking part in a project: organisations are soft-deleted, so it stays.
fn organization_fk<T: IntoIden, C: IntoIden>(table: T, column: C) -> ForeignKeyCreateStatement {
    foreign_key(
        table,
        column,
        Organizations::Table,
        Organizations::Id,
        ForeignKeyAction::Restrict,
    )
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    Title,
    Description,
    Procedure,
    Stage,
    NeedId,
    LeadOrganizationId,
    IsPublic,
    SignedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum ProjectPartners {
    Table,
    ProjectId,
    OrganizationId,
    Role,
    MatchId,
    JoinedAt,
    LeftAt,
}

#[derive(DeriveIden)]
enum ProjectContributions {
    Table,
    ProjectId,
    OrganizationId,
    Kind,
    Description,
    AmountCents,
    OfferId,
    Status,
}

#[derive(DeriveIden)]
enum ProjectStages {
    Table,
    ProjectId,
    Stage,
    StartedAt,
    CompletedAt,
    Notes,
}

#[derive(DeriveIden)]
enum ProjectApprovals {
    Table,
    ProjectId,
    Stage,
    OrganizationId,
    UserId,
    Decision,
    Comment,
    DecidedAt,
}

#[derive(DeriveIden)]
enum ProjectDocuments {
    Table,
    ProjectId,
    Kind,
    Title,
    Body,
    CreatedBy,
}
