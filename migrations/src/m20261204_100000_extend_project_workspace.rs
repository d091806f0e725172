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
    NAME_LEN, closed_list, create_indexes, created_at, drop_tables, foreign_key, id, index,
    json_doc, unique_index, updated_at,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, column definition) of every added column; SQLite adds one
/// column per ALTER TABLE.
fn added_columns() -> Vec<(Alias, ColumnDef)> {
    vec![
        (Alias::new("projects"), integer_null(W::AgreementVersion)),
        (
            Alias::new("projects"),
            string_len_null(W::AgreementHash, 64),
        ),
        (
            Alias::new("projects"),
            timestamp_with_time_zone_null(W::HiddenAt),
        ),
        (Alias::new("project_partners"), text_null(W::LeftReason)),
        (
            Alias::new("project_contributions"),
            double_null(W::Quantity),
        ),
        (
            Alias::new("project_contributions"),
            string_len_null(W::Unit, 40),
        ),
        (Alias::new("project_documents"), integer_null(W::Version)),
        (
            Alias::new("project_documents"),
            string_len_null(W::Topic, 40),
        ),
        (
            Alias::new("project_approvals"),
            integer_null(W::AgreementVersion),
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in added_columns() {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(W::ProjectInvitations)
                    .col(id())
                    .col(uuid(W::ProjectId))
                    .col(uuid(W::OrganizationId))
                    .col(closed_list(W::Role))
                    .col(uuid_null(W::InvitedBy))
                    .col(timestamp_with_time_zone(W::InvitedAt))
                    .col(timestamp_with_time_zone_null(W::AnsweredAt))
                    .col(boolean_null(W::Accepted))
                    .foreign_key(&mut project_fk(W::ProjectInvitations))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(W::ProjectMilestones)
                    .col(id())
                    .col(uuid(W::ProjectId))
                    .col(string_len(W::Title, NAME_LEN))
                    .col(uuid(W::OwnerOrganizationId))
                    .col(date(W::DueOn))
                    .col(timestamp_with_time_zone_null(W::DoneAt))
                    .col(uuid_null(W::CreatedBy))
                    .col(created_at())
                    .foreign_key(&mut project_fk(W::ProjectMilestones))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(W::ProjectReports)
                    .col(id())
                    .col(uuid(W::ProjectId))
                    .col(uuid(W::OrganizationId))
                    .col(big_integer(W::PeopleReached))
                    .col(double(W::VolunteerHours))
                    .col(big_integer(W::SpentCents))
                    .col(text(W::Summary))
                    .col(uuid_null(W::FiledBy))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut project_fk(W::ProjectReports))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(W::ProjectNotices)
                    .col(id())
                    .col(uuid(W::ProjectId))
                    .col(text(W::Purpose))
                    .col(text(W::Object))
                    .col(text(W::EconomicFrame))
                    .col(text(W::Duration))
                    .col(text(W::Requirements))
                    .col(json_doc(W::Criteria))
                    .col(integer(W::MinOpenDays))
                    .col(integer_null(W::MinTotal))
                    .col(timestamp_with_time_zone_null(W::OpenedAt))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut project_fk(W::ProjectNotices))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(W::ProjectApplications)
                    .col(id())
                    .col(uuid(W::ProjectId))
                    .col(uuid(W::OrganizationId))
                    .col(text(W::Proposal))
                    .col(boolean_null(W::Admitted))
                    .col(string_len_null(W::Role, 40))
                    .col(json_binary_null(W::Scores))
                    .col(integer_null(W::Total))
                    .col(uuid_null(W::AppliedBy))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut project_fk(W::ProjectApplications))
                    .to_owned(),
            )
            .await?;
        create_indexes(
            manager,
            [
                unique_index(W::ProjectNotices, [W::ProjectId]),
                unique_index(W::ProjectApplications, [W::ProjectId, W::OrganizationId]),
                index(W::ProjectInvitations, [W::ProjectId, W::OrganizationId]),
                index(W::ProjectMilestones, [W::ProjectId]),
                unique_index(W::ProjectReports, [W::ProjectId, W::OrganizationId]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                W::ProjectReports,
                W::ProjectMilestones,
                W::ProjectInvitations,
            ],
        )
        .await?;
        for (table, column) in added_columns().into_iter().rev() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Alias::new(column.get_column_name()))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// A workspace row belongs to its project: it goes when the project goes.
fn project_fk(table: W) -> ForeignKeyCreateStatement {
    foreign_key(
        table,
        W::ProjectId,
        W::Projects,
        W::Id,
        ForeignKeyAction::Cascade,
    )
}

#[derive(DeriveIden, Clone, Copy)]
enum W {
    Projects,
    Id,
    AgreementVersion,
    AgreementHash,
    HiddenAt,
    LeftReason,
    Quantity,
    Unit,
    Version,
    ProjectInvitations,
    ProjectId,
    OrganizationId,
    Role,
    InvitedBy,
    InvitedAt,
    AnsweredAt,
    Accepted,
    ProjectMilestones,
    Title,
    OwnerOrganizationId,
    DueOn,
    DoneAt,
    CreatedBy,
    ProjectReports,
    PeopleReached,
    VolunteerHours,
    SpentCents,
    Summary,
    FiledBy,
    Topic,
    ProjectNotices,
    Purpose,
    Object,
    EconomicFrame,
    Duration,
    Requirements,
    Criteria,
    MinOpenDays,
    MinTotal,
    OpenedAt,
    ProjectApplications,
    Proposal,
    Admitted,
    Scores,
    Total,
    AppliedBy,
}
