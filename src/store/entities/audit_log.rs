//! `audit_log`: append-only record of who changed what, and when.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub actor_user_id: Option<Uuid>,
    /// Who acted, readable even when the user is gone or is a job.
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    #[sea_orm(column_type = "JsonBinary")]
    pub changes: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
