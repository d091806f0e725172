//! What a batch of needs, offers or projects refers to: its public
//! organisations, municipalities and neighbourhoods, read in three
//! statements whatever the size of the batch. Open data writes them as
//! cells, the match engine as parties and places.

use std::collections::{HashMap, HashSet};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::error::AppError;
use crate::policy::visibility;
use crate::services::by_id;
use crate::store::entities::{municipalities, neighbourhoods, organizations};
use crate::store::listing;

/// Organisations (public ones only), municipalities and neighbourhoods a
/// batch refers to, by id or code.
pub struct Surroundings {
    pub organizations: HashMap<Uuid, organizations::Summary>,
    pub municipalities: HashMap<String, municipalities::Model>,
    pub neighbourhoods: HashMap<Uuid, neighbourhoods::Model>,
}

impl Surroundings {
    /// Loads what the ids and codes name, with the municipalities of the
    /// organisations' seats and of the neighbourhoods too (a record without
    /// a place of its own is placed at its organisation's seat).
    pub async fn load(
        db: &impl ConnectionTrait,
        organization_ids: impl IntoIterator<Item = Uuid>,
        municipality_codes: impl IntoIterator<Item = Option<String>>,
        neighbourhood_ids: impl IntoIterator<Item = Option<Uuid>>,
    ) -> Result<Self, AppError> {
        let organization_ids: Vec<Uuid> = distinct(organization_ids.into_iter());
        let organizations: HashMap<Uuid, organizations::Summary> = by_id(
            visibility::public_organization_summaries(db, &organization_ids).await?,
            |o| o.id,
        );
        let neighbourhood_ids: Vec<Uuid> = distinct(neighbourhood_ids.into_iter().flatten());
        let neighbourhoods: HashMap<Uuid, neighbourhoods::Model> = by_id(
            listing::neighbourhoods_by_id(db, &neighbourhood_ids).await?,
            |n| n.id,
        );
        let seats = organizations
            .values()
            .filter_map(|o| o.seat_municipality_code.clone());
        let of_neighbourhoods = neighbourhoods.values().map(|n| n.municipality_code.clone());
        let codes: Vec<String> = distinct(
            municipality_codes
                .into_iter()
                .flatten()
                .chain(seats)
                .chain(of_neighbourhoods),
        );
        let municipalities = listing::municipalities_by_code(db, &codes)
            .await?
            .into_iter()
            .map(|m| (m.istat_code.clone(), m))
            .collect();
        Ok(Self {
            organizations,
            municipalities,
            neighbourhoods,
        })
    }
}

fn distinct<T: Eq + std::hash::Hash>(items: impl Iterator<Item = T>) -> Vec<T> {
    items.collect::<HashSet<_>>().into_iter().collect()
}

/// The surroundings (other places included) and the sectors of a batch of
/// needs or offers, as `(Surroundings, sectors by record id)`. Needs and offers keep the same
/// column names; a macro reads either model. `$sectors_of` is
/// `listing::sectors_of_needs` or `listing::sectors_of_offers`.
macro_rules! of_postings {
    ($db:expr, $rows:expr, $sectors_of:path) => {{
        use $crate::domain::StoredPlace;
        let ids: Vec<uuid::Uuid> = $rows.iter().map(|r| r.id).collect();
        let sectors = $sectors_of($db, &ids).await?;
        let others: Vec<StoredPlace> = $rows
            .iter()
            .flat_map(|r| StoredPlace::read_all(&r.other_places))
            .collect();
        let around = $crate::services::surroundings::Surroundings::load(
            $db,
            $rows.iter().map(|r| r.organization_id),
            $rows
                .iter()
                .map(|r| r.municipality_code.clone())
                .chain(others.iter().map(|p| Some(p.municipality_code.clone()))),
            $rows
                .iter()
                .map(|r| r.neighbourhood_id)
                .chain(others.iter().map(|p| p.neighbourhood_id)),
        )
        .await?;
        (around, sectors)
    }};
}
pub(crate) use of_postings;
