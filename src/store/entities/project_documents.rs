//! `project_documents`: a project's documents: agreement text, minutes, reports.

use sea_orm::entity::prelude::*;

use crate::domain::DocumentKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    /// A document kind (`agreement`, `minutes`, `report`, `other`).
    pub kind: DocumentKind,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// For the agreement (kind `agreement`): the version's number, from 1.
    pub version: Option<i32>,
    /// What an art. 55 document is for (`evaluation_minutes`,
    /// `table_minutes`, `final_project`); see `codesign::workspace::Topic`.
    pub topic: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
