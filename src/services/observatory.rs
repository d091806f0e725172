//! The observatory: for each neighbourhood and municipality, the open needs
//! by kind, the open offers, and the needs still without a good match, so a
//! metropolitan table sees where needs go unmet.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::{NeedKind, StoredPlace};
use crate::error::AppError;
use crate::policy::visibility;
use crate::store;

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
#[tracing::instrument(skip_all)]
pub async fn figures(
    db: &impl ConnectionTrait,
    good_score: f64,
) -> Result<BTreeMap<Area, Figures>, AppError> {
    let need_rows = store::observatory::open_need_places(db).await?;
    let offer_rows = store::observatory::open_offer_places(db).await?;
    let good = store::observatory::well_matched_needs(db, good_score).await?;
    let well_matched: HashMap<Uuid, ()> = good.into_iter().map(|id| (id, ())).collect();

    let mut areas: BTreeMap<Area, Figures> = BTreeMap::new();
    for (id, kind, municipality, neighbourhood, others, precision) in &need_rows {
        // A need known by its municipalities only counts there.
        let neighbourhoods = visibility::need_neighbourhoods_shown(*precision);
        for area in areas_of(municipality, neighbourhood, others, neighbourhoods) {
            let figures = areas.entry(area).or_default();
            figures.open_needs += 1;
            *figures.needs_by_kind.entry(*kind).or_default() += 1;
            if !well_matched.contains_key(id) {
                figures.unmatched_needs += 1;
            }
        }
    }
    for (municipality, neighbourhood, others) in &offer_rows {
        for area in areas_of(municipality, neighbourhood, others, true) {
            areas.entry(area).or_default().open_offers += 1;
        }
    }
    Ok(areas)
}

/// The areas a posting counts in, each once: its first place's
/// neighbourhood and municipality, then its other places' (neighbourhoods
/// only when `neighbourhoods`).
fn areas_of(
    municipality: &Option<String>,
    neighbourhood: &Option<Uuid>,
    others: &serde_json::Value,
    neighbourhoods: bool,
) -> BTreeSet<Area> {
    let others = StoredPlace::read_all(others);
    let places = std::iter::once((municipality.clone(), *neighbourhood)).chain(
        others
            .into_iter()
            .map(|p| (Some(p.municipality_code), p.neighbourhood_id)),
    );
    let mut areas = BTreeSet::new();
    for (municipality, neighbourhood) in places {
        if let Some(id) = neighbourhood.filter(|_| neighbourhoods) {
            areas.insert(Area::Neighbourhood(id));
        }
        if let Some(code) = municipality {
            areas.insert(Area::Municipality(code));
        }
    }
    areas
}
