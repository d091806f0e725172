//! `digest_items`: the items a digest delivery contained, so that none is sent twice.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "digest_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub delivery_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_type: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: Uuid,
    /// The section the item was planned in: the saved search of a
    /// `saved_search_*` item, the project of a `project_*` item, the
    /// reader's need or offer of a `match` or `match_counted` item.
    pub group_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
