//! The co-design procedures get their full stages (issue 15): a pact goes
//! proposal, review, co-design table, signed, active, reporting, closed;
//! art. 55 co-design goes public notice, applications, admission check,
//! evaluation, co-design table, final project, agreement, delivery,
//! reporting, closed. `first_contact` and `expressions_of_interest`
//! disappear; this migration maps the stored values of `projects.stage`,
//! `project_stages.stage` and `project_approvals.stage`:
//!
//! | procedure | old | new |
//! |---|---|---|
//! | patto_collaborazione | first_contact | proposal |
//! | patto_collaborazione | agreement, signed (`signed_at` set) | signed |
//! | patto_collaborazione | agreement, not signed | codesign_table |
//! | patto_collaborazione | delivery | active |
//! | coprogettazione | first_contact | public_notice |
//! | coprogettazione | expressions_of_interest | applications |
//!
//! Other values keep their meaning. A data migration, not expand/contract:
//! a process older than this one cannot read the new values, so deploy
//! the code and the migration together (`serve` applies it at start).
//! `down` maps back as well as the old lists allow (several new stages
//! fold into one old stage).

use sea_orm_migration::prelude::*;

use crate::refs::{ProjectApprovals, ProjectStages, Projects};

const PATTO: &str = "patto_collaborazione";
const ART55: &str = "coprogettazione";

/// Which projects a mapping applies to, by their signature.
#[derive(Clone, Copy)]
enum Signed {
    Any,
    Yes,
    No,
}

impl Signed {
    /// The condition on `projects.signed_at` that picks these projects, if any.
    fn condition(self) -> Option<Expr> {
        match self {
            Signed::Any => None,
            Signed::Yes => Some(Expr::col(Projects::SignedAt).is_not_null()),
            Signed::No => Some(Expr::col(Projects::SignedAt).is_null()),
        }
    }
}

/// (procedure, signed, old value, new value)
type Mapping = (&'static str, Signed, &'static str, &'static str);

const UP: &[Mapping] = &[
    (PATTO, Signed::Any, "first_contact", "proposal"),
    (PATTO, Signed::Yes, "agreement", "signed"),
    (PATTO, Signed::No, "agreement", "codesign_table"),
    (PATTO, Signed::Any, "delivery", "active"),
    (ART55, Signed::Any, "first_contact", "public_notice"),
    (
        ART55,
        Signed::Any,
        "expressions_of_interest",
        "applications",
    ),
];

const DOWN: &[Mapping] = &[
    (PATTO, Signed::Any, "proposal", "first_contact"),
    (PATTO, Signed::Any, "review", "first_contact"),
    (PATTO, Signed::Any, "codesign_table", "agreement"),
    (PATTO, Signed::Any, "signed", "agreement"),
    (PATTO, Signed::Any, "active", "delivery"),
    (
        ART55,
        Signed::Any,
        "applications",
        "expressions_of_interest",
    ),
    (
        ART55,
        Signed::Any,
        "admission_check",
        "expressions_of_interest",
    ),
    (ART55, Signed::Any, "evaluation", "expressions_of_interest"),
    (ART55, Signed::Any, "final_project", "codesign_table"),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        apply(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        apply(manager, DOWN).await
    }
}

/// The projects of a procedure (and signature state).
fn projects_of(procedure: &str, signed: Signed) -> SelectStatement {
    Query::select()
        .column(Projects::Id)
        .from(Projects::Table)
        .and_where(Expr::col(Projects::Procedure).eq(procedure))
        .and_where_option(signed.condition())
        .to_owned()
}

async fn apply(manager: &SchemaManager<'_>, mappings: &[Mapping]) -> Result<(), DbErr> {
    for (procedure, signed, old, new) in mappings {
        // The history and the approvals first: they find their projects by
        // procedure and signature, which this migration does not change.
        for (table, stage, project_id) in [
            (
                ProjectStages::Table.into_iden(),
                ProjectStages::Stage.into_iden(),
                ProjectStages::ProjectId.into_iden(),
            ),
            (
                ProjectApprovals::Table.into_iden(),
                ProjectApprovals::Stage.into_iden(),
                ProjectApprovals::ProjectId.into_iden(),
            ),
        ] {
            let update = Query::update()
                .table(table)
                .value(stage.clone(), *new)
                .and_where(Expr::col(stage).eq(*old))
                .and_where(Expr::col(project_id).in_subquery(projects_of(procedure, *signed)))
                .to_owned();
            manager.exec_stmt(update).await?;
        }
        let update = Query::update()
            .table(Projects::Table)
            .value(Projects::Stage, *new)
            .and_where(Expr::col(Projects::Stage).eq(*old))
            .and_where(Expr::col(Projects::Procedure).eq(*procedure))
            .and_where_option(signed.condition())
            .to_owned();
        manager.exec_stmt(update).await?;
    }
    Ok(())
}
