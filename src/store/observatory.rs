//! The observatory's reads: where the open, public needs and offers are,
//! and which needs have a good match their organisation has not dismissed.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{Context, StoreResult, scope};
use crate::domain::{LocationPrecision, MatchSideStatus, NeedKind, PostingStatus};
use crate::store::entities::{matches, needs, offers};

/// An open need's id, kind, municipality, neighbourhood, other places (the
/// `other_places` column) and the precision it is shown with.
pub type NeedPlace = (
    Uuid,
    NeedKind,
    Option<String>,
    Option<Uuid>,
    serde_json::Value,
    LocationPrecision,
);

/// An open offer's municipality, neighbourhood and other places.
pub type OfferPlace = (Option<String>, Option<Uuid>, serde_json::Value);

/// Open, public needs of public organisations: where they are.
pub async fn open_need_places(db: &impl ConnectionTrait) -> StoreResult<Vec<NeedPlace>> {
    needs::Entity::find()
        .select_only()
        .columns([
            needs::Column::Id,
            needs::Column::Kind,
            needs::Column::MunicipalityCode,
            needs::Column::NeighbourhoodId,
            needs::Column::OtherPlaces,
            needs::Column::LocationPrecision,
        ])
        .filter(needs::Column::Status.eq(PostingStatus::Open))
        .filter(scope::published_needs_of_public_organizations())
        .into_tuple()
        .all(db)
        .await
        .context("observatory: open need places")
}

/// Open, public offers of public organisations: their places.
pub async fn open_offer_places(db: &impl ConnectionTrait) -> StoreResult<Vec<OfferPlace>> {
    offers::Entity::find()
        .select_only()
        .columns([
            offers::Column::MunicipalityCode,
            offers::Column::NeighbourhoodId,
            offers::Column::OtherPlaces,
        ])
        .filter(offers::Column::Status.eq(PostingStatus::Open))
        .filter(scope::published_offers_of_public_organizations())
        .into_tuple()
        .all(db)
        .await
        .context("observatory: open offer places")
}

/// Needs with a match scoring at least `good_score` that their
/// organisation has not dismissed (distinct ids).
pub async fn well_matched_needs(
    db: &impl ConnectionTrait,
    good_score: f64,
) -> StoreResult<Vec<Uuid>> {
    matches::Entity::find()
        .select_only()
        .column(matches::Column::NeedId)
        .filter(matches::Column::Score.gte(good_score))
        .filter(matches::Column::NeedSideStatus.ne(MatchSideStatus::Dismissed))
        .distinct()
        .into_tuple()
        .all(db)
        .await
        .context("observatory: well matched needs")
}
