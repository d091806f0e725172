//! The queries of digests: subscriptions ([`subscriptions`]), deliveries
//! ([`deliveries`]) and their items ([`items`]), the one-click link tokens,
//! and the rows a digest is planned and composed from.

pub mod deliveries;
pub mod items;
pub mod subscriptions;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::scope::Existing;
use super::search_docs::CHUNK;
use super::{Context, StoreResult, rows};
use crate::domain::EmailTokenPurpose;
use crate::store::entities::{email_tokens, matches, needs, offers, organizations, users};

/// Organisation names by id, deleted and hidden ones included (a digest
/// names the organisations of the postings it lists).
pub async fn organization_names(
    db: &impl ConnectionTrait,
    ids: HashSet<Uuid>,
) -> StoreResult<Vec<(Uuid, String)>> {
    let columns = [organizations::Column::Id, organizations::Column::Name];
    let which = organizations::Column::Id.is_in(ids);
    rows::values::<organizations::Entity, _>(db, columns, which, "digests: organisation names")
        .await
}

/// The unsubscribe token of this hash, used or not, expired or not.
pub async fn link_token(
    db: &impl ConnectionTrait,
    token_hash: String,
) -> StoreResult<Option<email_tokens::Model>> {
    let which = Condition::all()
        .add(email_tokens::Column::TokenHash.eq(token_hash))
        .add(email_tokens::Column::Purpose.eq(EmailTokenPurpose::Unsubscribe));
    rows::first::<email_tokens::Entity>(db, which, "digests: link token by hash").await
}

/// Marks the token of this hash used at `at`, unless it already was.
pub async fn mark_token_used(
    db: &impl ConnectionTrait,
    token_hash: String,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let set = [(email_tokens::Column::UsedAt, Expr::value(Some(at)))];
    let which = Condition::all()
        .add(email_tokens::Column::TokenHash.eq(token_hash))
        .add(email_tokens::Column::UsedAt.is_null());
    rows::set::<email_tokens::Entity>(db, set, which, "digests: mark link token used").await?;
    Ok(())
}

/// A user that still exists, by (normalised) e-mail address.
pub async fn existing_user_by_email(
    db: &impl ConnectionTrait,
    email: String,
) -> StoreResult<Option<users::Model>> {
    let which = users::Entity::existing().add(users::Column::Email.eq(email));
    rows::first::<users::Entity>(db, which, "digests: existing user by e-mail").await
}

/// A user that still exists and whose address is verified: only they get
/// digests.
pub async fn verified_user(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Option<users::Model>> {
    let which = users::Entity::existing()
        .add(users::Column::Id.eq(id))
        .add(users::Column::EmailVerifiedAt.is_not_null());
    rows::first::<users::Entity>(db, which, "digests: verified user by id").await
}

/// The need and offer of each of these matches.
pub async fn match_sides(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<(Uuid, Uuid)>> {
    let mut sides = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let columns = [matches::Column::NeedId, matches::Column::OfferId];
        let which = matches::Column::Id.is_in(chunk.iter().copied());
        let what = "digests: sides of matches";
        let found: Vec<(Uuid, Uuid)> =
            rows::values::<matches::Entity, _>(db, columns, which, what).await?;
        sides.extend(found);
    }
    Ok(sides)
}

/// The needs and offers, still existing (any status), of these
/// organisations.
pub async fn postings_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
) -> StoreResult<(Vec<needs::Model>, Vec<offers::Model>)> {
    let needs = needs::Entity::find_existing()
        .filter(needs::Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .all(db)
        .await
        .context("digests: needs of organisations")?;
    let offers = offers::Entity::find_existing()
        .filter(offers::Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .all(db)
        .await
        .context("digests: offers of organisations")?;
    Ok((needs, offers))
}

/// The matches of any of these needs or offers.
pub async fn matches_of_postings(
    db: &impl ConnectionTrait,
    need_ids: &HashSet<Uuid>,
    offer_ids: &HashSet<Uuid>,
) -> StoreResult<Vec<matches::Model>> {
    matches::Entity::find()
        .filter(
            Condition::any()
                .add(matches::Column::NeedId.is_in(need_ids.iter().copied()))
                .add(matches::Column::OfferId.is_in(offer_ids.iter().copied())),
        )
        .all(db)
        .await
        .context("digests: matches of postings")
}
