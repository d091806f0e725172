//! The project workspace (issue 15): partner invitations waiting for an
//! answer, the reason a partner left, contributions measured in a unit
//! (hours, m², pieces), the agreement's numbered versions and the approvals
//! of each version, the signed version and its hash, a moderator's hiding,
//! milestones and each partner's report; for art. 55, the notice, the
//! applications with their admission and scores, and the topic of a
//! document (the evaluation's and the table's minutes, the final project).
//!
//! The agreement's versions are `project_documents` rows of kind
//! `agreement` with their `version` number; an approval of a version is a
//! `project_approvals` row with its `agreement_version` (so both feed the
//! digest's project section as they are). Expand-only: nullable columns
//! and new tables that older processes ignore.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    NAME_LEN, TableExt, add_columns, closed_list, create_tables, created_at, drop_added_columns,
    drop_created_tables, index, json_doc, project_row, unique_index,
};
use crate::refs::{
    ProjectApplications, ProjectApprovals, ProjectContributions, ProjectDocuments,
    ProjectInvitations, ProjectMilestones, ProjectNotices, ProjectPartners, ProjectReports,
    Projects,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every added column, by table.
fn added_columns() -> Vec<(DynIden, Vec<ColumnDef>)> {
    vec![
        (
            Projects::Table.into_iden(),
            vec![
                integer_null(Projects::AgreementVersion),
                string_len_null(Projects::AgreementHash, 64),
                timestamp_with_time_zone_null(Projects::HiddenAt),
            ],
        ),
        (
            ProjectPartners::Table.into_iden(),
            vec![text_null(ProjectPartners::LeftReason)],
        ),
        (
            ProjectContributions::Table.into_iden(),
            vec![
                double_null(ProjectContributions::Quantity),
                string_len_null(ProjectContributions::Unit, 40),
            ],
        ),
        (
            ProjectDocuments::Table.into_iden(),
            vec![
                integer_null(ProjectDocuments::Version),
                string_len_null(ProjectDocuments::Topic, 40),
            ],
        ),
        (
            ProjectApprovals::Table.into_iden(),
            vec![integer_null(ProjectApprovals::AgreementVersion)],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in added_columns() {
            add_columns(manager, table, columns).await?;
        }
        create_tables(manager, tables(), indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_created_tables(manager, tables()).await?;
        for (table, columns) in added_columns().into_iter().rev() {
            drop_added_columns(manager, table, columns).await?;
        }
        Ok(())
    }
}

/// The new tables: a workspace row belongs to its project, and goes when the
/// project goes.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        project_row(ProjectInvitations::Table)
            .col(uuid(ProjectInvitations::OrganizationId))
            .col(closed_list(ProjectInvitations::Role))
            .col(uuid_null(ProjectInvitations::InvitedBy))
            .col(timestamp_with_time_zone(ProjectInvitations::InvitedAt))
            .col(timestamp_with_time_zone_null(
                ProjectInvitations::AnsweredAt,
            ))
            .col(boolean_null(ProjectInvitations::Accepted))
            .to_owned(),
        project_row(ProjectMilestones::Table)
            .col(string_len(ProjectMilestones::Title, NAME_LEN))
            .col(uuid(ProjectMilestones::OwnerOrganizationId))
            .col(date(ProjectMilestones::DueOn))
            .col(timestamp_with_time_zone_null(ProjectMilestones::DoneAt))
            .col(uuid_null(ProjectMilestones::CreatedBy))
            .col(created_at())
            .to_owned(),
        project_row(ProjectReports::Table)
            .col(uuid(ProjectReports::OrganizationId))
            .col(big_integer(ProjectReports::PeopleReached))
            .col(double(ProjectReports::VolunteerHours))
            .col(big_integer(ProjectReports::SpentCents))
            .col(text(ProjectReports::Summary))
            .col(uuid_null(ProjectReports::FiledBy))
            .timestamps()
            .to_owned(),
        project_row(ProjectNotices::Table)
            .col(text(ProjectNotices::Purpose))
            .col(text(ProjectNotices::Object))
            .col(text(ProjectNotices::EconomicFrame))
            .col(text(ProjectNotices::Duration))
            .col(text(ProjectNotices::Requirements))
            .col(json_doc(ProjectNotices::Criteria))
            .col(integer(ProjectNotices::MinOpenDays))
            .col(integer_null(ProjectNotices::MinTotal))
            .col(timestamp_with_time_zone_null(ProjectNotices::OpenedAt))
            .timestamps()
            .to_owned(),
        project_row(ProjectApplications::Table)
            .col(uuid(ProjectApplications::OrganizationId))
            .col(text(ProjectApplications::Proposal))
            .col(boolean_null(ProjectApplications::Admitted))
            .col(string_len_null(ProjectApplications::Role, 40))
            .col(json_binary_null(ProjectApplications::Scores))
            .col(integer_null(ProjectApplications::Total))
            .col(uuid_null(ProjectApplications::AppliedBy))
            .timestamps()
            .to_owned(),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique_index(ProjectNotices::Table, [ProjectNotices::ProjectId]),
        unique_index(
            ProjectApplications::Table,
            [
                ProjectApplications::ProjectId,
                ProjectApplications::OrganizationId,
            ],
        ),
        index(
            ProjectInvitations::Table,
            [
                ProjectInvitations::ProjectId,
                ProjectInvitations::OrganizationId,
            ],
        ),
        index(ProjectMilestones::Table, [ProjectMilestones::ProjectId]),
        unique_index(
            ProjectReports::Table,
            [ProjectReports::ProjectId, ProjectReports::OrganizationId],
        ),
    ]
}
