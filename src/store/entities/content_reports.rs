//! `content_reports`: a person's report of an abusive need, offer or organisation, and what a moderator did with it.

use sea_orm::entity::prelude::*;

use crate::domain::{ReportStatus, ReportedRecord};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "content_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What is reported (`organization`, `offer`, `need`).
    pub record_type: ReportedRecord,
    pub record_id: Uuid,
    pub reporter_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// A report status (`open`, `upheld`, `dismissed`).
    pub status: ReportStatus,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
