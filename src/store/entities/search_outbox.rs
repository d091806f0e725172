//! `search_outbox`: changes the search indexer must apply, read in `seq` order.

use sea_orm::entity::prelude::*;

use crate::domain::{OutboxEntityType, OutboxOperation};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// An outbox entity type (`organization`, `offer`, `need`).
    pub entity_type: OutboxEntityType,
    pub entity_id: Uuid,
    /// An outbox operation (`upsert`, `delete`).
    pub operation: OutboxOperation,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
