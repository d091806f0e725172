//! `project_notices`: the public notice of an art. 55 co-design (one per
//! project), and when it was (last) opened for applications.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub purpose: String,
    #[sea_orm(column_type = "Text")]
    pub object: String,
    #[sea_orm(column_type = "Text")]
    pub economic_frame: String,
    #[sea_orm(column_type = "Text")]
    pub duration: String,
    #[sea_orm(column_type = "Text")]
    pub requirements: String,
    /// `[{"name": .., "maxPoints": .., "weight": ..}]`
    #[sea_orm(column_type = "JsonBinary")]
    pub criteria: Json,
    pub min_open_days: i32,
    pub min_total: Option<i32>,
    pub opened_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
