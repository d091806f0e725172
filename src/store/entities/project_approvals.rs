//! `project_approvals`: each partner's decision on a project stage.

use sea_orm::entity::prelude::*;

use crate::domain::{ApprovalDecision, ProjectStage};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub stage: ProjectStage,
    pub organization_id: Uuid,
    pub user_id: Option<Uuid>,
    /// An approval decision (`approved`, `rejected`).
    pub decision: ApprovalDecision,
    #[sea_orm(column_type = "Text")]
    pub comment: Option<String>,
    pub decided_at: DateTimeUtc,
    /// The agreement's version approved, when the approval is of the
    /// agreement's text rather than of a stage.
    pub agreement_version: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
