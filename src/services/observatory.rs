//! The observatory: for each neighbourhood and municipality, the open needs
//! by kind, the open offers, and the needs still without a good match, so a
//! metropolitan table sees where needs go unmet.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::listing;
use crate::domain::{MatchSideStatus, NeedKind, PostingStatus};
use crate::error::AppError;
use crate::store::entities::{matches, needs, offers};

/// A neighbourhood (by id) or a municipality (by ISTAT code).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Neighbourhood(Uuid),
    Municipality(String),
}

/// The figures of one area.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub open_needs: u64,
    pub needs_by_kind: BTreeMap<NeedKind, u64>,
    pub open_offers: u64,
    /// Open needs with no match scoring at least the "good" score that
    /// their organisation has not dismissed.
    pub unmatched_needs: u64,
}

/// Figures per area: every neighbourhood and municipality with at least
/// one open need or offer. Counts only published, visible records.
pub async fn figures(
    db: &impl ConnectionTrait,
    good_score: f64,
) -> Result<BTreeMap<Area, Figures>, AppError> {
    let open = PostingStatus::Open.as_str();
    let need_rows: Vec<(Uuid, String, Option<String>, Option<Uuid>)> = needs::Entity::find()
        .select_only()
        .columns([
            needs::Column::Id,
            needs::Column::Kind,
            needs::Column::MunicipalityCode,
            needs::Column::NeighbourhoodId,
        ])
        .filter(needs::Column::Status.eq(open))
        .filter(needs::Column::DeletedAt.is_null())
        .filter(needs::Column::HiddenAt.is_null())
        .filter(needs::Column::OrganizationId.in_subquery(listing::live_organizations()))
        .into_tuple()
        .all(db)
        .await?;
    let offer_rows: Vec<(Option<String>, Option<Uuid>)> = offers::Entity::find()
        .select_only()
        .columns([
            offers::Column::MunicipalityCode,
            offers::Column::NeighbourhoodId,
        ])
        .filter(offers::Column::Status.eq(open))
        .filter(offers::Column::DeletedAt.is_null())
        .filter(offers::Column::HiddenAt.is_null())
        .filter(offers::Column::OrganizationId.in_subquery(listing::live_organizations()))
        .into_tuple()
        .all(db)
        .await?;
    let good: Vec<Uuid> = matches::Entity::find()
        .select_only()
        .column(matches::Column::NeedId)
        .filter(matches::Column::Score.gte(good_score))
        .filter(matches::Column::NeedSideStatus.ne(MatchSideStatus::Dismissed.as_str()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let well_matched: HashMap<Uuid, ()> = good.into_iter().map(|id| (id, ())).collect();

    let mut areas: BTreeMap<Area, Figures> = BTreeMap::new();
    let places = |municipality: &Option<String>, neighbourhood: &Option<Uuid>| {
        let mut out = Vec::with_capacity(2);
        if let Some(id) = neighbourhood {
            out.push(Area::Neighbourhood(*id));
        }
        if let Some(code) = municipality {
            out.push(Area::Municipality(code.clone()));
        }
        out
    };
    for (id, kind, municipality, neighbourhood) in &need_rows {
        let kind = NeedKind::parse(kind).ok();
        for area in places(municipality, neighbourhood) {
            let figures = areas.entry(area).or_default();
            figures.open_needs += 1;
            if let Some(kind) = kind {
                *figures.needs_by_kind.entry(kind).or_default() += 1;
            }
            if !well_matched.contains_key(id) {
                figures.unmatched_needs += 1;
            }
        }
    }
    for (municipality, neighbourhood) in &offer_rows {
        for area in places(municipality, neighbourhood) {
            areas.entry(area).or_default().open_offers += 1;
        }
    }
    Ok(areas)
}
