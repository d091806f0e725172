//! `conversation_messages`: what a person wrote in a conversation, for their organisation; kept as written.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_messages")]
pub struct Model {
    /// UUIDv7: ordered by time, which read markers rely on.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub author_id: Uuid,
    /// The organisation the author wrote for.
    pub organization_id: Uuid,
    /// Plain text (`domain::MessageBody`).
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// When the immediate e-mails about it went.
    pub notified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
