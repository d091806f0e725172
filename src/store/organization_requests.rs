//! Requests to join or claim an organisation: their rows and the lists the
//! requesters, admins and moderators read.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::entities::organization_requests::{self, Column};
use super::{Context, StoreResult, rows};
use crate::domain::{RequestDecidedVia, RequestKind, RequestStatus};

const PENDING: RequestStatus = RequestStatus::Pending;

/// How many pending requests `requester_id` has for the organisation.
pub async fn count_pending_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    requester_id: Uuid,
) -> StoreResult<u64> {
    let which = Condition::all()
        .add(Column::OrganizationId.eq(organization_id))
        .add(Column::RequesterId.eq(requester_id))
        .add(Column::Status.eq(PENDING));
    let what = "organization requests: count pending of requester";
    rows::count::<organization_requests::Entity>(db, which, what).await
}

/// A new pending request.
pub struct NewRequest {
    pub organization_id: Uuid,
    pub requester_id: Uuid,
    pub kind: RequestKind,
    pub message: Option<String>,
    /// The confirmation link of a claim, when one was sent.
    pub confirmation: Option<Confirmation>,
}

/// The confirmation link a claim sent to the organisation's addresses.
pub struct Confirmation {
    pub token_hash: String,
    pub sent_to: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// Inserts a pending request made at `at`. Fails with a unique violation
/// when the requester already has one pending for the organisation.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewRequest,
    at: DateTime<Utc>,
) -> StoreResult<organization_requests::Model> {
    let (token_hash, sent_to, expires_at) = match new.confirmation {
        Some(c) => (Some(c.token_hash), c.sent_to, Some(c.expires_at)),
        None => (None, Vec::new(), None),
    };
    let row = organization_requests::ActiveModel {
        id: Set(super::new_id()),
        organization_id: Set(new.organization_id),
        requester_id: Set(new.requester_id),
        kind: Set(new.kind),
        status: Set(PENDING),
        message: Set(new.message),
        confirmation_token_hash: Set(token_hash),
        confirmation_sent_to: Set(serde_json::json!(sent_to)),
        confirmation_expires_at: Set(expires_at),
        decided_at: Set(None),
        decided_by: Set(None),
        decided_via: Set(None),
        decline_reason: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    super::rows::insert(db, row, "organization requests: insert").await
}

/// A decision on a request.
pub struct Decision {
    pub status: RequestStatus,
    pub via: RequestDecidedVia,
    pub decided_by: Option<Uuid>,
    pub reason: Option<String>,
}

/// Records the decision on a request at `at`; its confirmation link stops
/// working.
pub async fn record_decision(
    db: &impl ConnectionTrait,
    request: organization_requests::Model,
    decision: Decision,
    at: DateTime<Utc>,
) -> StoreResult<organization_requests::Model> {
    let mut row: organization_requests::ActiveModel = request.into();
    row.status = Set(decision.status);
    row.decided_at = Set(Some(at));
    row.decided_by = Set(decision.decided_by);
    row.decided_via = Set(Some(decision.via));
    row.decline_reason = Set(decision.reason);
    row.confirmation_token_hash = Set(None);
    row.updated_at = Set(at);
    super::rows::update(db, row, "organization requests: record decision").await
}

/// The pending claim whose confirmation link has this token hash (expired or
/// not: the caller compares instants in Rust).
pub async fn find_pending_claim_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> StoreResult<Option<organization_requests::Model>> {
    let which = Condition::all()
        .add(Column::ConfirmationTokenHash.eq(token_hash))
        .add(Column::Status.eq(PENDING))
        .add(Column::Kind.eq(RequestKind::Claim));
    let what = "organization requests: pending claim by token";
    rows::first::<organization_requests::Entity>(db, which, what).await
}

/// Turns the organisation's other pending claims into requests to join
/// (their links stop working): it has an admin now.
pub async fn claims_become_joins(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    except: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let change = [(Column::Kind, Expr::value(RequestKind::Join))];
    let which = Condition::all()
        .add(Column::OrganizationId.eq(organization_id))
        .add(Column::Kind.eq(RequestKind::Claim))
        .add(Column::Id.ne(except));
    let what = "organization requests: claims become joins";
    change_pending(db, change, which, at, what).await
}

/// Writes `change` into the pending requests that `which` selects, at `at`;
/// their links stop working (the confirmation token is cleared).
async fn change_pending(
    db: &impl ConnectionTrait,
    change: impl IntoIterator<Item = (Column, SimpleExpr)>,
    which: Condition,
    at: DateTime<Utc>,
    what: &'static str,
) -> StoreResult<()> {
    let no_token = Expr::value(Option::<String>::None);
    let set = change.into_iter().chain([
        (Column::ConfirmationTokenHash, no_token),
        (Column::UpdatedAt, Expr::value(at)),
    ]);
    let which = which.add(Column::Status.eq(PENDING));
    rows::set::<organization_requests::Entity>(db, set, which, what).await?;
    Ok(())
}

/// Pending requests, oldest first, at most `limit`: of one organisation, or
/// with none every pending claim (the moderators' queue).
pub async fn pending(
    db: &impl ConnectionTrait,
    organization_id: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<organization_requests::Model>> {
    let query = organization_requests::Entity::find().filter(Column::Status.eq(PENDING));
    let query = match organization_id {
        Some(id) => query.filter(Column::OrganizationId.eq(id)),
        None => query.filter(Column::Kind.eq(RequestKind::Claim)),
    };
    query
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("organization requests: pending")
}

/// A requester's requests, newest first, at most `limit`.
pub async fn of_requester(
    db: &impl ConnectionTrait,
    requester_id: Uuid,
    limit: u64,
) -> StoreResult<Vec<organization_requests::Model>> {
    let which = Column::RequesterId.eq(requester_id);
    let what = "organization requests: of requester";
    let mut requests =
        rows::latest::<organization_requests::Entity>(db, which, Column::Id, limit, what).await?;
    // `latest` gives the newest oldest first.
    requests.reverse();
    Ok(requests)
}

/// Withdraws a requester's pending requests; their links stop working.
pub async fn withdraw_pending_of(
    db: &impl ConnectionTrait,
    requester_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let change = [
        (Column::Status, Expr::value(RequestStatus::Withdrawn)),
        (Column::DecidedAt, Expr::value(at)),
    ];
    let which = Condition::all().add(Column::RequesterId.eq(requester_id));
    let what = "organization requests: withdraw pending of requester";
    change_pending(db, change, which, at, what).await
}
