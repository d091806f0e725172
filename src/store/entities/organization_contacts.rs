//! `organization_contacts`: an organisation's contacts, each with its own visibility.

use sea_orm::entity::prelude::*;

use crate::domain::{ContactKind, ContactVisibility};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// A contact kind (`email`, `pec`, `phone`, `website`, `address`).
    pub kind: ContactKind,
    pub value: String,
    pub label: Option<String>,
    /// A contact visibility (`public`, `signed_in`, `members`).
    pub visibility: ContactVisibility,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
