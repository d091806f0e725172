//! Requests to join or claim an organisation: their rows and the lists the
//! requesters, admins and moderators read.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::entities::organization_requests::{self, Column};
use super::{Context, StoreResult};
use crate::domain::{RequestKind, RequestStatus};

const PENDING: RequestStatus = RequestStatus::Pending;

/// How many pending requests `requester_id` has for the organisation.
pub async fn count_pending_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    requester_id: Uuid,
) -> StoreResult<u64> {
    organization_requests::Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::RequesterId.eq(requester_id))
        .filter(Column::Status.eq(PENDING.as_str()))
        .count(db)
        .await
        .context("organization requests: count pending of requester")
}

/// Inserts a request.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: organization_requests::ActiveModel,
) -> StoreResult<organization_requests::Model> {
    super::rows::insert(db, row, "organization requests: insert").await
}

/// Writes the changed columns of a request.
pub async fn update(
    db: &impl ConnectionTrait,
    row: organization_requests::ActiveModel,
) -> StoreResult<organization_requests::Model> {
    super::rows::update(db, row, "organization requests: update").await
}

/// The request with this id.
pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Option<organization_requests::Model>> {
    organization_requests::Entity::find_by_id(id)
        .one(db)
        .await
        .context("organization requests: find by id")
}

/// The pending claim whose confirmation link has this token hash (expired or
/// not: the caller compares instants in Rust).
pub async fn find_pending_claim_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> StoreResult<Option<organization_requests::Model>> {
    organization_requests::Entity::find()
        .filter(Column::ConfirmationTokenHash.eq(token_hash))
        .filter(Column::Status.eq(PENDING.as_str()))
        .filter(Column::Kind.eq(RequestKind::Claim.as_str()))
        .one(db)
        .await
        .context("organization requests: pending claim by token")
}

/// Turns the organisation's other pending claims into requests to join
/// (their links stop working): it has an admin now.
pub async fn claims_become_joins(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    except: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    organization_requests::Entity::update_many()
        .col_expr(Column::Kind, Expr::value(RequestKind::Join.as_str()))
        .col_expr(
            Column::ConfirmationTokenHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(Column::UpdatedAt, Expr::value(at))
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Status.eq(PENDING.as_str()))
        .filter(Column::Kind.eq(RequestKind::Claim.as_str()))
        .filter(Column::Id.ne(except))
        .exec(db)
        .await
        .context("organization requests: claims become joins")?;
    Ok(())
}

/// Pending requests, oldest first, at most `limit`: of one organisation, or
/// with none every pending claim (the moderators' queue).
pub async fn pending(
    db: &impl ConnectionTrait,
    organization_id: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<organization_requests::Model>> {
    let query = organization_requests::Entity::find().filter(Column::Status.eq(PENDING.as_str()));
    let query = match organization_id {
        Some(id) => query.filter(Column::OrganizationId.eq(id)),
        None => query.filter(Column::Kind.eq(RequestKind::Claim.as_str())),
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
    organization_requests::Entity::find()
        .filter(Column::RequesterId.eq(requester_id))
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("organization requests: of requester")
}

/// Withdraws a requester's pending requests; their links stop working.
pub async fn withdraw_pending_of(
    db: &impl ConnectionTrait,
    requester_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    organization_requests::Entity::update_many()
        .col_expr(
            Column::Status,
            Expr::value(RequestStatus::Withdrawn.as_str()),
        )
        .col_expr(
            Column::ConfirmationTokenHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(Column::DecidedAt, Expr::value(at))
        .col_expr(Column::UpdatedAt, Expr::value(at))
        .filter(Column::RequesterId.eq(requester_id))
        .filter(Column::Status.eq(PENDING.as_str()))
        .exec(db)
        .await
        .context("organization requests: withdraw pending of requester")?;
    Ok(())
}
