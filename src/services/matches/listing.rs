//! Reading matches: how many, a page of them, one by id, and their sides.

use std::collections::HashSet;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::error::{AppError, Entity};
use crate::policy::visibility;
use crate::services::{Actor, id_set, permissions};
use crate::store::entities::{matches, needs, offers};

use super::refresh::rows_of;
use super::{MatchSide, preferences};
use crate::matching::Matcher;

/// How many matches are stored.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(crate::store::matches::count(db).await?)
}

/// The matches of a need or an offer, best first: at most `first`, and
/// whether there are more. Pairs whose other side is not public are left
/// out, and so are those this side dismissed unless `include_dismissed`
/// (the visibility policy's rules, [`visibility::public_offers`] and
/// [`visibility::dismissed_by_own_side`]). With `with_verdicts` (the
/// reader is of the posting's organisation:
/// [`visibility::Reader::sees_verdicts_of`]) scores are moved by that
/// organisation's verdicts on similar proposals ([`super::preferences`]).
#[tracing::instrument(skip_all, fields(?side, %id))]
pub async fn list(
    db: &impl ConnectionTrait,
    matcher: &Matcher,
    side: MatchSide,
    id: Uuid,
    include_dismissed: bool,
    with_verdicts: bool,
    first: usize,
) -> Result<(Vec<matches::Model>, bool), AppError> {
    let mut rows = rows_of(db, side, id).await?;
    if !include_dismissed {
        rows.retain(|row| {
            !visibility::dismissed_by_own_side(
                row,
                side == MatchSide::Need,
                side == MatchSide::Offer,
            )
        });
    }
    // Only the matches whose other side is public.
    let other_side = |row: &matches::Model| match side {
        MatchSide::Need => row.offer_id,
        MatchSide::Offer => row.need_id,
    };
    let others: Vec<Uuid> = rows.iter().map(other_side).collect();
    let visible: HashSet<Uuid> = match side {
        MatchSide::Need => id_set(visibility::public_offers(db, &others).await?, |o| o.id),
        MatchSide::Offer => id_set(visibility::public_needs(db, &others).await?, |n| n.id),
    };
    rows.retain(|row| visible.contains(&other_side(row)));
    if with_verdicts && let Some(owner) = owner_of(db, side, id).await? {
        preferences::apply(db, matcher, side, owner, &mut rows).await?;
    }
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    let more = rows.len() > first;
    rows.truncate(first);
    Ok((rows, more))
}

/// The organisation of the need or offer, if it still exists.
async fn owner_of(
    db: &impl ConnectionTrait,
    side: MatchSide,
    id: Uuid,
) -> Result<Option<Uuid>, AppError> {
    use crate::store::rows::existing_by_id;
    Ok(match side {
        MatchSide::Need => existing_by_id::<needs::Entity>(db, id, "matches: the need's owner")
            .await?
            .map(|n| n.organization_id),
        MatchSide::Offer => existing_by_id::<offers::Entity>(db, id, "matches: the offer's owner")
            .await?
            .map(|o| o.organization_id),
    })
}

/// A match by id. NOT_FOUND on `field`.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    field: &str,
) -> Result<matches::Model, AppError> {
    crate::store::rows::by_id::<matches::Entity>(db, id, "matches: by id")
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Match, field))
}

/// The organisations on each side of a match.
pub(super) async fn sides(
    db: &impl ConnectionTrait,
    row: &matches::Model,
) -> Result<(needs::Model, offers::Model), AppError> {
    let need = crate::services::needs::get(db, row.need_id, "matchId").await?;
    let offer = crate::services::offers::get(db, row.offer_id, "matchId").await?;
    Ok((need, offer))
}

/// Which side the actor speaks for: the one asked, or the one whose
/// organisation they belong to. FORBIDDEN when they belong to neither.
pub(super) async fn side_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    need: &needs::Model,
    offer: &offers::Model,
    asked: Option<MatchSide>,
) -> Result<MatchSide, AppError> {
    let (_, user_id) = permissions::signed_in(Some(actor))?;
    permissions::verified_user(db, Some(actor)).await?;
    let member_of_need = permissions::role_in(db, user_id, need.organization_id)
        .await?
        .is_some();
    let member_of_offer = permissions::role_in(db, user_id, offer.organization_id)
        .await?
        .is_some();
    match asked {
        Some(MatchSide::Need) if member_of_need => Ok(MatchSide::Need),
        Some(MatchSide::Offer) if member_of_offer => Ok(MatchSide::Offer),
        None if member_of_need => Ok(MatchSide::Need),
        None if member_of_offer => Ok(MatchSide::Offer),
        _ => Err(AppError::Forbidden(
            "only members of the need's or the offer's organisation may act on a match",
        )),
    }
}
