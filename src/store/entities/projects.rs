//! `projects`: a patto di collaborazione or a co-progettazione; soft-deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// A project procedure (`patto_collaborazione`, `coprogettazione`).
    pub procedure: String,
    /// The current project stage (`first_contact` ... `closed`).
    pub stage: String,
    pub need_id: Option<Uuid>,
    pub lead_organization_id: Uuid,
    pub is_public: bool,
    pub signed_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::needs::Entity",
        from = "Column::NeedId",
        to = "super::needs::Column::Id",
        on_delete = "SetNull"
    )]
    Need,
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::LeadOrganizationId",
        to = "super::organizations::Column::Id",
        on_delete = "Restrict"
    )]
    LeadOrganization,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::CreatedBy",
        to = "super::users::Column::Id",
        on_delete = "SetNull"
    )]
    Creator,
    #[sea_orm(has_many = "super::project_partners::Entity")]
    Partners,
    #[sea_orm(has_many = "super::project_contributions::Entity")]
    Contributions,
    #[sea_orm(has_many = "super::project_stages::Entity")]
    Stages,
    #[sea_orm(has_many = "super::project_approvals::Entity")]
    Approvals,
    #[sea_orm(has_many = "super::project_documents::Entity")]
    Documents,
}

impl Related<super::needs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Need.def()
    }
}

impl Related<super::project_partners::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partners.def()
    }
}

impl Related<super::project_contributions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contributions.def()
    }
}

impl Related<super::project_stages::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Stages.def()
    }
}

impl Related<super::project_approvals::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Approvals.def()
    }
}

impl Related<super::project_documents::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Documents.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
