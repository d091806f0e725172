//! `project_applications`: an organisation's application to an art. 55
//! notice, its admission and its scores.

use sea_orm::entity::prelude::*;

use crate::domain::PartnerRole;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub proposal: String,
    /// `None` until the admission check decides.
    pub admitted: Option<bool>,
    /// The role it was admitted in.
    pub role: Option<PartnerRole>,
    /// The points per criterion, in the notice's order.
    #[sea_orm(column_type = "JsonBinary")]
    pub scores: Option<Json>,
    /// The weighted total.
    pub total: Option<i32>,
    pub applied_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
