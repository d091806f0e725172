//! `digest_subscriptions`: how often and in which language a user gets the digest.

use sea_orm::entity::prelude::*;

use crate::domain::{DigestFrequency, Lang, MessageNotifications};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "digest_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub user_id: Uuid,
    /// A digest frequency (`immediate`, `daily`, `weekly`, `off`).
    pub frequency: DigestFrequency,
    /// A language (`it`, `en`).
    pub language: Lang,
    pub include_matches: bool,
    pub include_saved_searches: bool,
    pub include_projects: bool,
    /// How new messages in their conversations reach them (`immediate`, `digest`).
    pub message_notifications: MessageNotifications,
    pub last_sent_at: Option<DateTimeUtc>,
    pub next_due_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
