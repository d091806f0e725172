//! `projects`: a patto di collaborazione or a co-progettazione; soft-deleted.

use sea_orm::entity::prelude::*;

use crate::domain::{ProjectProcedure, ProjectStage};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// A project procedure (`patto_collaborazione`, `coprogettazione`).
    pub procedure: ProjectProcedure,
    /// The current project stage (`proposal` or `public_notice` ... `closed`).
    pub stage: ProjectStage,
    pub need_id: Option<Uuid>,
    pub lead_organization_id: Uuid,
    pub is_public: bool,
    pub signed_at: Option<DateTimeUtc>,
    /// The agreement's version that was signed, frozen.
    pub agreement_version: Option<i32>,
    /// The SHA-256 of the signed version (see `domain::codesign::agreement`).
    pub agreement_hash: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    /// Hidden by a moderator: seen by its partners and the moderators only.
    pub hidden_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
