//! `users`: people who sign in; a deleted user keeps the row with personal data erased.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-case; unique.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// Absent for accounts that only sign in by e-mail link.
    pub password_hash: Option<String>,
    pub email_verified_at: Option<DateTimeUtc>,
    pub is_moderator: bool,
    /// A language (`it`, `en`).
    pub locale: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::auth_sessions::Entity")]
    AuthSessions,
    #[sea_orm(has_many = "super::email_tokens::Entity")]
    EmailTokens,
    #[sea_orm(has_many = "super::memberships::Entity")]
    Memberships,
    #[sea_orm(has_many = "super::saved_searches::Entity")]
    SavedSearches,
    #[sea_orm(has_one = "super::digest_subscriptions::Entity")]
    DigestSubscription,
    #[sea_orm(has_many = "super::digest_deliveries::Entity")]
    DigestDeliveries,
}

impl Related<super::auth_sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AuthSessions.def()
    }
}

impl Related<super::email_tokens::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::EmailTokens.def()
    }
}

impl Related<super::memberships::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Memberships.def()
    }
}

impl Related<super::saved_searches::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SavedSearches.def()
    }
}

impl Related<super::digest_subscriptions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DigestSubscription.def()
    }
}

impl Related<super::digest_deliveries::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DigestDeliveries.def()
    }
}

impl Related<super::organizations::Entity> for Entity {
    fn to() -> RelationDef {
        super::memberships::Relation::Organization.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::memberships::Relation::User.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
