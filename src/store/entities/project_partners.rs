//! `project_partners`: the organisations taking part in a project.

use sea_orm::entity::prelude::*;

use crate::domain::PartnerRole;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_partners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    /// A partner role (`lead`, `partner`).
    pub role: PartnerRole,
    /// The match the partnership came from, if any.
    pub match_id: Option<Uuid>,
    pub joined_at: DateTimeUtc,
    pub left_at: Option<DateTimeUtc>,
    /// Why the partner left (required when it does).
    #[sea_orm(column_type = "Text")]
    pub left_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
