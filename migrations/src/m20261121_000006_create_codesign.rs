//! Co-design: projects (patti di collaborazione, co-progettazioni) with their partners,
//! contributions, stage history, approvals and documents.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    NAME_LEN, TableExt, closed_list, closed_list_default, created_at, deleted_at, flag, index,
    project_row, table_with_id, tables_migration, unique_index,
};
use crate::refs::{
    Matches, Needs, Offers, Organizations, ProjectApprovals, ProjectContributions,
    ProjectDocuments, ProjectPartners, ProjectStages, Projects, Users,
};

tables_migration!();

/// The tables, parents first. A project's child rows go when the project
/// goes; an organisation taking part stays (organisations are soft-deleted).
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(Projects::Table)
            .col(string_len(Projects::Title, NAME_LEN))
            .col(text(Projects::Description))
            .col(closed_list(Projects::Procedure))
            .col(closed_list(Projects::Stage))
            .references_set_null(uuid_null(Projects::NeedId), Needs::Table)
            .references_restrict(uuid(Projects::LeadOrganizationId), Organizations::Table)
            .col(flag(Projects::IsPublic, false))
            .col(timestamp_with_time_zone_null(Projects::SignedAt))
            .references_set_null(uuid_null(Projects::CreatedBy), Users::Table)
            .timestamps()
            .col(deleted_at())
            .to_owned(),
        project_row(ProjectPartners::Table)
            .references_restrict(uuid(ProjectPartners::OrganizationId), Organizations::Table)
            .col(closed_list(ProjectPartners::Role))
            .references_set_null(uuid_null(ProjectPartners::MatchId), Matches::Table)
            .col(timestamp_with_time_zone(ProjectPartners::JoinedAt))
            .col(timestamp_with_time_zone_null(ProjectPartners::LeftAt))
            .to_owned(),
        project_row(ProjectContributions::Table)
            .references_restrict(
                uuid(ProjectContributions::OrganizationId),
                Organizations::Table,
            )
            .col(closed_list(ProjectContributions::Kind))
            .col(text(ProjectContributions::Description))
            .col(big_integer_null(ProjectContributions::AmountCents))
            .references_set_null(uuid_null(ProjectContributions::OfferId), Offers::Table)
            .col(closed_list_default(
                ProjectContributions::Status,
                "proposed",
            ))
            .timestamps()
            .to_owned(),
        project_row(ProjectStages::Table)
            .col(closed_list(ProjectStages::Stage))
            .col(timestamp_with_time_zone(ProjectStages::StartedAt))
            .col(timestamp_with_time_zone_null(ProjectStages::CompletedAt))
            .col(text_null(ProjectStages::Notes))
            .to_owned(),
        project_row(ProjectApprovals::Table)
            .col(closed_list(ProjectApprovals::Stage))
            .references_restrict(uuid(ProjectApprovals::OrganizationId), Organizations::Table)
            .references_set_null(uuid_null(ProjectApprovals::UserId), Users::Table)
            .col(closed_list(ProjectApprovals::Decision))
            .col(text_null(ProjectApprovals::Comment))
            .col(timestamp_with_time_zone(ProjectApprovals::DecidedAt))
            .to_owned(),
        project_row(ProjectDocuments::Table)
            .col(closed_list(ProjectDocuments::Kind))
            .col(string_len(ProjectDocuments::Title, NAME_LEN))
            .col(text(ProjectDocuments::Body))
            .references_set_null(uuid_null(ProjectDocuments::CreatedBy), Users::Table)
            .col(created_at())
            .to_owned(),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
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
    ]
}
