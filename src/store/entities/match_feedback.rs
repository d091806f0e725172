//! `match_feedback`: verdicts on matches, recorded for tuning.

use sea_orm::entity::prelude::*;

use crate::domain::{FeedbackSource, FeedbackVerdict};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "match_feedback")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub match_id: Uuid,
    pub user_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    /// A feedback verdict (`relevant`, `not_relevant`, `interested`, `dismissed`).
    pub verdict: FeedbackVerdict,
    /// Where the verdict came from (`web`, `email`).
    pub source: FeedbackSource,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
