//! Loading what the match engine knows about needs and offers
//! ([`crate::matching::facts`]) from the database, a batch at a time: one
//! statement per table whatever the number of records.

use std::collections::HashMap;

use uuid::Uuid;

use crate::domain::StoredPlace;
use crate::domain::{OfferKind, OrganizationKind, PostingStatus, VerificationStatus};
use crate::error::AppError;
use crate::matching::{Matcher, MunicipalityRef, NeedFacts, OfferFacts, Party, Place, SectorRef};
use crate::policy::visibility;
use crate::search::GeoPoint;
use crate::services::closed_list_values;
use crate::services::surroundings::{Surroundings, of_postings};
use crate::store::entities::sectors;
use crate::store::listing;
use sea_orm::ConnectionTrait;

// The match engine's view of the surroundings: parties and places.
impl Surroundings {
    fn party(&self, organization_id: Uuid) -> Option<Party> {
        let org = self.organizations.get(&organization_id)?;
        Some(Party {
            organization_id,
            organization_name: org.name.clone(),
            kind: org.kind,
            verified: org.verification_status == VerificationStatus::Verified,
            runts_registered: org.runts_registered,
        })
    }

    /// The place of a record: its own fields, completed with its
    /// neighbourhood's municipality and, failing all, its organisation's seat.
    fn place(
        &self,
        organization_id: Uuid,
        municipality_code: Option<&str>,
        neighbourhood_id: Option<Uuid>,
        point: Option<GeoPoint>,
    ) -> Place {
        let org = self.organizations.get(&organization_id);
        let neighbourhood = neighbourhood_id.and_then(|id| self.neighbourhoods.get(&id));
        let code = municipality_code
            .map(str::to_owned)
            .or_else(|| neighbourhood.map(|n| n.municipality_code.clone()))
            .or_else(|| org.and_then(|o| o.seat_municipality_code.clone()));
        let municipality = code.as_ref().and_then(|c| self.municipalities.get(c));
        let point = point
            .or_else(|| {
                neighbourhood.map(|n| GeoPoint {
                    lat: n.centroid_lat,
                    lon: n.centroid_lon,
                })
            })
            .or_else(|| {
                let m = municipality?;
                Some(GeoPoint {
                    lat: m.lat?,
                    lon: m.lon?,
                })
            })
            .or_else(|| {
                let o = org?;
                Some(GeoPoint {
                    lat: o.lat?,
                    lon: o.lon?,
                })
            });
        Place {
            neighbourhood: neighbourhood.map(|n| (n.id, n.name.clone())),
            municipality: municipality.map(|m| MunicipalityRef {
                code: m.istat_code.clone(),
                name: m.name.clone(),
                province_code: m.province_code.clone(),
                province_name: m.province_name.clone(),
                region_code: m.region_code.clone(),
                region_name: m.region_name.clone(),
            }),
            point,
        }
    }

    /// The places of an `other_places` column (each has its municipality,
    /// so none falls back to the organisation's seat).
    fn other_places(&self, organization_id: Uuid, column: &serde_json::Value) -> Vec<Place> {
        StoredPlace::read_all(column)
            .into_iter()
            .map(|p| {
                let code = Some(p.municipality_code.as_str());
                self.place(organization_id, code, p.neighbourhood_id, None)
            })
            .collect()
    }
}

fn point(lat: Option<f64>, lon: Option<f64>) -> Option<GeoPoint> {
    Some(GeoPoint {
        lat: lat?,
        lon: lon?,
    })
}

fn sector_refs(rows: Option<&Vec<sectors::Model>>) -> Vec<SectorRef> {
    rows.map(|rows| {
        rows.iter()
            .map(|s| SectorRef {
                code: s.code.clone(),
                name_it: s.name_it.clone(),
                name_en: s.name_en.clone(),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The facts of the needs with these ids. Needs that are gone, hidden or
/// drafts, or whose organisation is, are absent; closed ones are present
/// with `open: false`.
#[tracing::instrument(name = "match_facts", level = "debug", skip_all, fields(records = ids.len()))]
pub async fn needs(
    db: &impl ConnectionTrait,
    matcher: &Matcher,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, NeedFacts>, AppError> {
    let rows = visibility::public_needs(db, ids).await?;
    let (around, sectors) = of_postings!(db, rows, listing::sectors_of_needs);
    let mut facts = HashMap::with_capacity(rows.len());
    for row in rows {
        let Some(party) = around.party(row.organization_id) else {
            continue;
        };
        let kind = row.kind;
        // What the need keeps from others is not used: a match's reasons
        // are read by the other side ("a 0,3 km" from an offer's known seat
        // would tell a hidden address). A need that hides its point is
        // measured from its neighbourhood, or its municipality.
        let neighbourhoods = visibility::need_neighbourhoods_shown(row.location_precision);
        let shown_point =
            visibility::shown_need_point(&row).map(|(lat, lon)| GeoPoint { lat, lon });
        let place = around.place(
            row.organization_id,
            row.municipality_code.as_deref(),
            row.neighbourhood_id.filter(|_| neighbourhoods),
            shown_point,
        );
        let mut other_places = around.other_places(row.organization_id, &row.other_places);
        if !neighbourhoods {
            for other in &mut other_places {
                other.neighbourhood = None;
            }
        }
        facts.insert(
            row.id,
            NeedFacts {
                id: row.id,
                party,
                kind,
                text: matcher.need_profile(kind, &row.title, &row.description),
                title: row.title,
                description: row.description,
                budget_cents: row.budget_cents,
                deadline_at: row.deadline_at,
                place,
                other_places,
                scope: row.territory_scope,
                required: closed_list_values::<OfferKind>(&row.required_contributions),
                eligible_kinds: closed_list_values::<OrganizationKind>(
                    &row.eligible_organization_kinds,
                ),
                requires_registration: row.requires_third_sector_registration,
                sectors: sector_refs(sectors.get(&row.id)),
                open: row.status == PostingStatus::Open,
                digest: Default::default(),
            },
        );
    }
    Ok(facts)
}

/// The facts of the offers with these ids (like [`needs`]).
#[tracing::instrument(name = "match_facts", level = "debug", skip_all, fields(records = ids.len()))]
pub async fn offers(
    db: &impl ConnectionTrait,
    matcher: &Matcher,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, OfferFacts>, AppError> {
    let rows = visibility::public_offers(db, ids).await?;
    let (around, sectors) = of_postings!(db, rows, listing::sectors_of_offers);
    let mut facts = HashMap::with_capacity(rows.len());
    for row in rows {
        let Some(party) = around.party(row.organization_id) else {
            continue;
        };
        let (kind, scope) = (row.kind, row.territory_scope);
        let place = around.place(
            row.organization_id,
            row.municipality_code.as_deref(),
            row.neighbourhood_id,
            point(row.lat, row.lon),
        );
        facts.insert(
            row.id,
            OfferFacts {
                id: row.id,
                party,
                kind,
                text: matcher.profile(&row.title, &row.description),
                title: row.title,
                description: row.description,
                amount_min_cents: row.amount_min_cents,
                amount_max_cents: row.amount_max_cents,
                available_from: row.available_from,
                available_until: row.available_until,
                eligible_kinds: closed_list_values::<OrganizationKind>(
                    &row.eligible_organization_kinds,
                ),
                scope,
                place,
                other_places: around.other_places(row.organization_id, &row.other_places),
                sectors: sector_refs(sectors.get(&row.id)),
                open: row.status == PostingStatus::Open,
                digest: Default::default(),
            },
        );
    }
    Ok(facts)
}
