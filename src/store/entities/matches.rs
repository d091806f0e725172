//! `matches`: a scored pairing of a need and an offer, with each side's status.

use sea_orm::entity::prelude::*;

use crate::domain::MatchSideStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "matches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub need_id: Uuid,
    pub offer_id: Uuid,
    pub score: f64,
    #[sea_orm(column_type = "JsonBinary")]
    pub reasons: Json,
    /// A match side status (`suggested`, ..., `partnership`).
    pub need_side_status: MatchSideStatus,
    /// A match side status (`suggested`, ..., `partnership`).
    pub offer_side_status: MatchSideStatus,
    /// Changes when either side's content changes.
    pub content_fingerprint: String,
    pub computed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
