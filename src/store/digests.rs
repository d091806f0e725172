//! The queries of digests: subscriptions, deliveries and their items, the
//! one-click link tokens, and the rows a digest is composed from.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::scope::Existing;
use super::{Context, StoreResult};
use crate::domain::{DigestFrequency, EmailTokenPurpose};
use crate::store::entities::{
    digest_deliveries, digest_items, digest_subscriptions, email_tokens, matches, needs, offers,
    organizations, users,
};

/// The items recorded for a delivery.
pub async fn items_of_delivery(
    db: &impl ConnectionTrait,
    delivery_id: Uuid,
) -> StoreResult<Vec<digest_items::Model>> {
    digest_items::Entity::find()
        .filter(digest_items::Column::DeliveryId.eq(delivery_id))
        .all(db)
        .await
        .context("digests: items of a delivery")
}

/// Organisation names by id, deleted and hidden ones included (a digest
/// names the organisations of the postings it lists).
pub async fn organization_names(
    db: &impl ConnectionTrait,
    ids: HashSet<Uuid>,
) -> StoreResult<Vec<(Uuid, String)>> {
    organizations::Entity::find()
        .select_only()
        .column(organizations::Column::Id)
        .column(organizations::Column::Name)
        .filter(organizations::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await
        .context("digests: organisation names")
}

/// Organisations by id, deleted and hidden ones included.
pub async fn organizations_by_ids(
    db: &impl ConnectionTrait,
    ids: HashSet<Uuid>,
) -> StoreResult<Vec<organizations::Model>> {
    organizations::Entity::find()
        .filter(organizations::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("digests: organisations by id")
}

/// Matches by id.
pub async fn matches_by_ids(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> StoreResult<Vec<matches::Model>> {
    matches::Entity::find()
        .filter(matches::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("digests: matches by id")
}

/// The needs of these ids that still exist (hidden and drafts included:
/// the visibility policy decides what is shown).
pub async fn existing_needs(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<needs::Model>> {
    needs::Entity::find_existing()
        .filter(needs::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("digests: existing needs by id")
}

/// The offers of these ids that still exist.
pub async fn existing_offers(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<offers::Model>> {
    offers::Entity::find_existing()
        .filter(offers::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("digests: existing offers by id")
}

/// The unsubscribe token of this hash, used or not, expired or not.
pub async fn link_token(
    db: &impl ConnectionTrait,
    token_hash: String,
) -> StoreResult<Option<email_tokens::Model>> {
    email_tokens::Entity::find()
        .filter(email_tokens::Column::TokenHash.eq(token_hash))
        .filter(email_tokens::Column::Purpose.eq(EmailTokenPurpose::Unsubscribe.as_str()))
        .one(db)
        .await
        .context("digests: link token by hash")
}

/// Marks the token of this hash used at `at`, unless it already was.
pub async fn mark_token_used(
    db: &impl ConnectionTrait,
    token_hash: String,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    email_tokens::Entity::update_many()
        .col_expr(email_tokens::Column::UsedAt, Expr::value(Some(at)))
        .filter(email_tokens::Column::TokenHash.eq(token_hash))
        .filter(email_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await
        .context("digests: mark link token used")
        .map(|_| ())
}

/// A user that still exists.
pub async fn existing_user(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Option<users::Model>> {
    users::Entity::find_existing()
        .filter(users::Column::Id.eq(id))
        .one(db)
        .await
        .context("digests: existing user by id")
}

/// A user that still exists, by (normalised) e-mail address.
pub async fn existing_user_by_email(
    db: &impl ConnectionTrait,
    email: String,
) -> StoreResult<Option<users::Model>> {
    users::Entity::find_existing()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await
        .context("digests: existing user by e-mail")
}

/// The users, still existing, whose digests are on and due at `at`, by
/// e-mail address.
pub async fn due_users(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
) -> StoreResult<Vec<users::Model>> {
    let ids: Vec<Uuid> = digest_subscriptions::Entity::find()
        .filter(digest_subscriptions::Column::Frequency.ne(DigestFrequency::Off.as_str()))
        .filter(digest_subscriptions::Column::NextDueAt.lte(at))
        .all(db)
        .await
        .context("digests: due subscriptions")?
        .into_iter()
        .map(|s| s.user_id)
        .collect();
    users::Entity::find_existing()
        .filter(users::Column::Id.is_in(ids))
        .order_by_asc(users::Column::Email)
        .all(db)
        .await
        .context("digests: users of due subscriptions")
}

/// Writes a changed subscription.
pub async fn update_subscription(
    db: &impl ConnectionTrait,
    active: digest_subscriptions::ActiveModel,
) -> StoreResult<digest_subscriptions::Model> {
    active
        .update(db)
        .await
        .context("digests: update subscription")
}

/// Inserts a delivery.
pub async fn insert_delivery(
    db: &impl ConnectionTrait,
    row: digest_deliveries::ActiveModel,
) -> StoreResult<digest_deliveries::Model> {
    row.insert(db).await.context("digests: insert delivery")
}
