//! `matches`: a scored pairing of a need and an offer, with each side's status.

use sea_orm::entity::prelude::*;

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
    pub need_side_status: String,
    /// A match side status (`suggested`, ..., `partnership`).
    pub offer_side_status: String,
    /// Changes when either side's content changes.
    pub content_fingerprint: String,
    pub computed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::needs::Entity",
        from = "Column::NeedId",
        to = "super::needs::Column::Id",
        on_delete = "Cascade"
    )]
    Need,
    #[sea_orm(
        belongs_to = "super::offers::Entity",
        from = "Column::OfferId",
        to = "super::offers::Column::Id",
        on_delete = "Cascade"
    )]
    Offer,
    #[sea_orm(has_many = "super::match_feedback::Entity")]
    Feedback,
}

impl Related<super::needs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Need.def()
    }
}

impl Related<super::offers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Offer.def()
    }
}

impl Related<super::match_feedback::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Feedback.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
