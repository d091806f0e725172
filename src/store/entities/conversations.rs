//! `conversations`: the one conversation of a match or of a project.

use sea_orm::entity::prelude::*;

use crate::domain::ConversationSubject;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What it is about (`match`, `project`); unique with `subject_id`.
    pub subject_type: ConversationSubject,
    pub subject_id: Uuid,
    pub last_message_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
