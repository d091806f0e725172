//! `project_invitations`: an organisation invited into a project, until an
//! admin of it accepts or declines.

use sea_orm::entity::prelude::*;

use crate::domain::PartnerRole;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    /// The role offered (`lead` is never offered).
    pub role: PartnerRole,
    pub invited_by: Option<Uuid>,
    pub invited_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    /// `None` while waiting for an answer.
    pub accepted: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
