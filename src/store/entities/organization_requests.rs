//! `organization_requests`: requests to join or claim an organisation, and their decision.

use sea_orm::entity::prelude::*;

use crate::domain::{RequestDecidedVia, RequestKind, RequestStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub requester_id: Uuid,
    /// A request kind (`join`, `claim`).
    pub kind: RequestKind,
    /// A request status (`pending`, `approved`, `declined`, `withdrawn`).
    pub status: RequestStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub message: Option<String>,
    /// The confirmation link's token, hashed; cleared once used.
    #[sea_orm(unique)]
    pub confirmation_token_hash: Option<String>,
    /// The registered addresses the confirmation link went to (a JSON array).
    pub confirmation_sent_to: Json,
    pub confirmation_expires_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    /// How it was decided (`admin`, `moderator`, `confirmation_link`,
    /// `registered_address`, `email_domain`).
    pub decided_via: Option<RequestDecidedVia>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decline_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
