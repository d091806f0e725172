//! The observatory's reads: where the open, public needs and offers are,
//! and which needs have a good match their organisation has not dismissed.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, TryGetableMany};
use uuid::Uuid;

use super::postings::PostingTable;
use super::{StoreResult, rows, scope};
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
    let columns = [
        needs::Column::Id,
        needs::Column::Kind,
        needs::Column::MunicipalityCode,
        needs::Column::NeighbourhoodId,
        needs::Column::OtherPlaces,
        needs::Column::LocationPrecision,
    ];
    let published = scope::published_needs_of_public_organizations();
    open_places::<needs::Entity, _>(db, columns, published, "observatory: open need places").await
}

/// Open, public offers of public organisations: their places.
pub async fn open_offer_places(db: &impl ConnectionTrait) -> StoreResult<Vec<OfferPlace>> {
    let columns = [
        offers::Column::MunicipalityCode,
        offers::Column::NeighbourhoodId,
        offers::Column::OtherPlaces,
    ];
    let published = scope::published_offers_of_public_organizations();
    open_places::<offers::Entity, _>(db, columns, published, "observatory: open offer places").await
}

/// The `columns` of the open postings of `P` among the `published` ones.
async fn open_places<P: PostingTable, T: TryGetableMany>(
    db: &impl ConnectionTrait,
    columns: impl IntoIterator<Item = P::Column>,
    published: Condition,
    what: &'static str,
) -> StoreResult<Vec<T>> {
    let which = published.add(P::status_column().eq(PostingStatus::Open));
    rows::values::<P, T>(db, columns, which, what).await
}

/// Needs with a match scoring at least `good_score` that their
/// organisation has not dismissed (distinct ids).
pub async fn well_matched_needs(
    db: &impl ConnectionTrait,
    good_score: f64,
) -> StoreResult<Vec<Uuid>> {
    let which = Condition::all()
        .add(matches::Column::Score.gte(good_score))
        .add(matches::Column::NeedSideStatus.ne(MatchSideStatus::Dismissed));
    let need_id = matches::Column::NeedId;
    let what = "observatory: well matched needs";
    rows::distinct_values::<matches::Entity, _>(db, need_id, which, what).await
}
