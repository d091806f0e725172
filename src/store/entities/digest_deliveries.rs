//! `digest_deliveries`: the sent log of digests, claimed and retried by workers.

use sea_orm::entity::prelude::*;

use crate::domain::{DeliveryFailure, DeliveryStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "digest_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub period_start: DateTimeUtc,
    pub period_end: DateTimeUtc,
    /// A delivery status (`pending`, `sending`, `sent`, `retry`, `failed`,
    /// `given_up`).
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub message_id: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub item_count: i32,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// When a failure that may pass first stopped it (the retries run from
    /// here).
    pub first_failed_at: Option<DateTimeUtc>,
    /// A delivery failure (`unreachable`, `deferred`, `recipient_refused`,
    /// `message_refused`): what people are told; `last_error` keeps the
    /// server's words for operators.
    pub failure_kind: Option<DeliveryFailure>,
    /// When the planner took what was still relevant of this given-up
    /// delivery into the next digest.
    pub carried_over_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
