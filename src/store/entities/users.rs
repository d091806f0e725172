//! `users`: people who sign in; a deleted user keeps the row with personal data erased.

use sea_orm::entity::prelude::*;

use crate::domain::Lang;

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
    pub locale: Lang,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

// `store::memberships` joins users to their memberships; the foreign key is the
// membership's, so the relation is its `User` relation read backwards.
impl Related<super::memberships::Entity> for Entity {
    fn to() -> RelationDef {
        super::memberships::Relation::User.def().rev()
    }
}

impl ActiveModelBehavior for ActiveModel {}
