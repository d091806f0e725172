//! How records become [`SearchDocument`]s: the words of their context, their
//! place on the map and their filters, built in batches from the store's
//! reads ([`crate::store::search_docs`]). Only public records get a
//! document, as the visibility policy says ([`visibility::public_offers`]
//! and its kin, then [`visibility::public_among`]); a need is placed where
//! the policy lets it be shown.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{DocType, GeoPoint, SearchDocument};
use crate::domain::StoredPlace;
use crate::domain::closed::closed_list_values;
use crate::domain::{ClosedList, Lang, OfferKind, PostingStatus, VerificationStatus};
use crate::policy::visibility;
use crate::store::StoreResult;
use crate::store::entities::{needs, organizations};
use crate::store::search_docs::{self, Places, Record};

/// The store's name for the records of a document type.
pub fn record(doc_type: DocType) -> Record {
    match doc_type {
        DocType::Organization => Record::Organization,
        DocType::Offer => Record::Offer,
        DocType::Need => Record::Need,
    }
}

fn sector_words(places: &Places, codes: &[String], words: &mut Vec<String>) {
    for code in codes {
        if let Some(sector) = places.sectors.get(code) {
            words.push(sector.name_it.clone());
            words.push(sector.name_en.clone());
        }
    }
}

fn municipality_words(places: &Places, code: Option<&str>, words: &mut Vec<String>) {
    if let Some(m) = code.and_then(|c| places.municipalities.get(c)) {
        words.push(m.name.clone());
        if m.province_name != m.name {
            words.push(m.province_name.clone());
        }
    }
}

fn municipality_point(places: &Places, code: Option<&str>) -> Option<GeoPoint> {
    let m = places.municipalities.get(code?)?;
    Some(GeoPoint {
        lat: m.lat?,
        lon: m.lon?,
    })
}

fn neighbourhood_point(places: &Places, id: Option<Uuid>) -> Option<GeoPoint> {
    let n = places.neighbourhoods.get(&id?)?;
    Some(GeoPoint {
        lat: n.centroid_lat,
        lon: n.centroid_lon,
    })
}

fn label<T: ClosedList>(value: T) -> String {
    value.label(Lang::It).to_owned()
}

fn point(lat: Option<f64>, lon: Option<f64>) -> Option<GeoPoint> {
    Some(GeoPoint {
        lat: lat?,
        lon: lon?,
    })
}

/// The documents of the searchable organisations among `ids`; ids without a
/// document must be removed from the index.
pub async fn organization_documents(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<SearchDocument>> {
    let mut orgs = visibility::public_organizations(db, ids).await?;
    orgs.retain(visibility::organization_is_public);
    let org_ids: Vec<Uuid> = orgs.iter().map(|o| o.id).collect();
    let mut sectors = search_docs::sector_codes(db, Record::Organization, &org_ids).await?;
    let mut served = search_docs::served_neighbourhoods(db, &org_ids).await?;
    let places = search_docs::places(
        db,
        orgs.iter().filter_map(|o| o.seat_municipality_code.clone()),
        served.values().flatten().copied(),
    )
    .await?;
    Ok(orgs
        .into_iter()
        .map(|org| {
            let sectors = sectors.remove(&org.id).unwrap_or_default();
            let neighbourhood_ids = served.remove(&org.id).unwrap_or_default();
            let mut words = Vec::new();
            words.push(label(org.kind));
            sector_words(&places, &sectors, &mut words);
            municipality_words(&places, org.seat_municipality_code.as_deref(), &mut words);
            for id in &neighbourhood_ids {
                if let Some(n) = places.neighbourhoods.get(id) {
                    words.push(n.name.clone());
                }
            }
            let location = point(org.lat, org.lon)
                .or_else(|| municipality_point(&places, org.seat_municipality_code.as_deref()));
            let registered_third_sector = registered_third_sector(&org);
            SearchDocument {
                doc_type: DocType::Organization,
                id: org.id,
                title: org.name,
                body: org.description,
                context: words.join(" · "),
                organization_id: org.id,
                organization_kind: org.kind.as_str().to_owned(),
                kind: None,
                sectors,
                municipality_codes: org.seat_municipality_code.into_iter().collect(),
                neighbourhood_ids,
                status: PostingStatus::Open.as_str().to_owned(),
                verified: org.verification_status == VerificationStatus::Verified,
                registered_third_sector,
                created_at: org.created_at,
                deadline_at: None,
                amount_min_cents: None,
                amount_max_cents: None,
                location,
            }
        })
        .collect())
}

/// Owners of postings, by id (public ones only).
async fn owners(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> StoreResult<HashMap<Uuid, organizations::Model>> {
    let mut unique: Vec<Uuid> = ids.collect();
    unique.sort();
    unique.dedup();
    Ok(visibility::public_organizations(db, &unique)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

/// The words every posting's context has: its owner and where it is.
fn posting_words(
    owner: &organizations::Model,
    places: &Places,
    sectors: &[String],
    at: &PostingPlaces,
    words: &mut Vec<String>,
) {
    words.push(owner.name.clone());
    words.push(label(owner.kind));
    sector_words(places, sectors, words);
    for code in &at.municipality_codes {
        municipality_words(places, Some(code), words);
    }
    for n in at
        .neighbourhood_ids
        .iter()
        .filter_map(|id| places.neighbourhoods.get(id))
    {
        words.push(n.name.clone());
    }
}

/// A posting's municipalities and neighbourhoods: its first place's, then
/// its other places', without repeats.
#[derive(Default)]
struct PostingPlaces {
    municipality_codes: Vec<String>,
    neighbourhood_ids: Vec<Uuid>,
}

impl PostingPlaces {
    fn of(
        municipality_code: Option<&String>,
        neighbourhood_id: Option<Uuid>,
        other_places: &serde_json::Value,
    ) -> Self {
        let mut at = Self::default();
        let others = StoredPlace::read_all(other_places);
        let codes = municipality_code
            .cloned()
            .into_iter()
            .chain(others.iter().map(|p| p.municipality_code.clone()));
        for code in codes {
            if !at.municipality_codes.contains(&code) {
                at.municipality_codes.push(code);
            }
        }
        let ids = neighbourhood_id
            .into_iter()
            .chain(others.iter().filter_map(|p| p.neighbourhood_id));
        for id in ids {
            if !at.neighbourhood_ids.contains(&id) {
                at.neighbourhood_ids.push(id);
            }
        }
        at
    }
}

/// The public postings of a batch and what their documents are built from:
/// their (public) organisations, their sector codes and their places.
struct Postings<M> {
    rows: Vec<M>,
    owners: HashMap<Uuid, organizations::Model>,
    sectors: HashMap<Uuid, Vec<String>>,
    places: Places,
}

impl<M: visibility::Posting> Postings<M> {
    /// Keeps the postings of `rows` that are public among their loaded
    /// organisations, and loads their sectors and places; `place` gives a
    /// posting's id and places.
    async fn load(
        db: &impl ConnectionTrait,
        mut rows: Vec<M>,
        record: Record,
        place: impl Fn(&M) -> (Uuid, PostingPlaces),
    ) -> StoreResult<Self> {
        let owners = owners(db, rows.iter().map(|r| r.organization_id())).await?;
        rows.retain(|posting| visibility::public_among(&owners, posting));
        let placed: Vec<_> = rows.iter().map(place).collect();
        let row_ids: Vec<Uuid> = placed.iter().map(|(id, _)| *id).collect();
        let sectors = search_docs::sector_codes(db, record, &row_ids).await?;
        let places = search_docs::places(
            db,
            placed
                .iter()
                .flat_map(|(_, at)| at.municipality_codes.iter().cloned()),
            placed
                .iter()
                .flat_map(|(_, at)| at.neighbourhood_ids.iter().copied()),
        )
        .await?;
        Ok(Self {
            rows,
            owners,
            sectors,
            places,
        })
    }
}

/// The documents of the searchable offers among `ids`.
pub async fn offer_documents(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<SearchDocument>> {
    let offers = visibility::public_offers(db, ids).await?;
    let Postings {
        rows,
        owners,
        mut sectors,
        places,
    } = Postings::load(db, offers, Record::Offer, |o| {
        let at = PostingPlaces::of(
            o.municipality_code.as_ref(),
            o.neighbourhood_id,
            &o.other_places,
        );
        (o.id, at)
    })
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|offer| {
            let owner = owners.get(&offer.organization_id)?;
            let sectors = sectors.remove(&offer.id).unwrap_or_default();
            let mut words = Vec::new();
            words.push(label(offer.kind));
            let at = PostingPlaces::of(
                offer.municipality_code.as_ref(),
                offer.neighbourhood_id,
                &offer.other_places,
            );
            posting_words(owner, &places, &sectors, &at, &mut words);
            let location = point(offer.lat, offer.lon)
                .or_else(|| neighbourhood_point(&places, offer.neighbourhood_id))
                .or_else(|| municipality_point(&places, offer.municipality_code.as_deref()));
            Some(SearchDocument {
                doc_type: DocType::Offer,
                id: offer.id,
                title: offer.title,
                body: offer.description,
                context: words.join(" · "),
                organization_id: offer.organization_id,
                organization_kind: owner.kind.as_str().to_owned(),
                kind: Some(offer.kind.as_str().to_owned()),
                sectors,
                municipality_codes: at.municipality_codes,
                neighbourhood_ids: at.neighbourhood_ids,
                status: offer.status.as_str().to_owned(),
                verified: owner.verification_status == VerificationStatus::Verified,
                registered_third_sector: registered_third_sector(owner),
                created_at: offer.created_at,
                deadline_at: None,
                amount_min_cents: offer.amount_min_cents,
                amount_max_cents: offer.amount_max_cents,
                location,
            })
        })
        .collect())
}

/// A need's places as everyone may know them: without its neighbourhoods
/// when it chose MUNICIPALITY precision ([`visibility::need_neighbourhoods_shown`]).
fn need_places(need: &needs::Model) -> PostingPlaces {
    let mut at = PostingPlaces::of(
        need.municipality_code.as_ref(),
        need.neighbourhood_id,
        &need.other_places,
    );
    if !visibility::need_neighbourhoods_shown(need.location_precision) {
        at.neighbourhood_ids.clear();
    }
    at
}

/// The documents of the searchable needs among `ids`. A need that shows only
/// its neighbourhood or municipality is placed there, never at its address
/// ([`visibility::shown_need_point`]).
pub async fn need_documents(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<SearchDocument>> {
    let needs = visibility::public_needs(db, ids).await?;
    let Postings {
        rows,
        owners,
        mut sectors,
        places,
    } = Postings::load(db, needs, Record::Need, |n| (n.id, need_places(n))).await?;
    Ok(rows
        .into_iter()
        .filter_map(|need| {
            let owner = owners.get(&need.organization_id)?;
            let sectors = sectors.remove(&need.id).unwrap_or_default();
            let mut words = Vec::new();
            words.push(label(need.kind));
            for contribution in closed_list_values::<OfferKind>(&need.required_contributions) {
                words.push(contribution.label(Lang::It).to_owned());
            }
            let at = need_places(&need);
            posting_words(owner, &places, &sectors, &at, &mut words);
            let location = visibility::shown_need_point(&need)
                .map(|(lat, lon)| GeoPoint { lat, lon })
                .or_else(|| neighbourhood_point(&places, at.neighbourhood_ids.first().copied()))
                .or_else(|| municipality_point(&places, need.municipality_code.as_deref()));
            Some(SearchDocument {
                doc_type: DocType::Need,
                id: need.id,
                title: need.title,
                body: need.description,
                context: words.join(" · "),
                organization_id: need.organization_id,
                organization_kind: owner.kind.as_str().to_owned(),
                kind: Some(need.kind.as_str().to_owned()),
                sectors,
                municipality_codes: at.municipality_codes,
                neighbourhood_ids: at.neighbourhood_ids,
                status: need.status.as_str().to_owned(),
                verified: owner.verification_status == VerificationStatus::Verified,
                registered_third_sector: registered_third_sector(owner),
                created_at: need.created_at,
                deadline_at: need.deadline_at,
                amount_min_cents: need.budget_cents,
                amount_max_cents: need.budget_cents,
                location,
            })
        })
        .collect())
}

/// The documents of these records, whatever their type.
pub async fn documents(
    db: &impl ConnectionTrait,
    doc_type: DocType,
    ids: &[Uuid],
) -> StoreResult<Vec<SearchDocument>> {
    match doc_type {
        DocType::Organization => organization_documents(db, ids).await,
        DocType::Offer => offer_documents(db, ids).await,
        DocType::Need => need_documents(db, ids).await,
    }
}

/// A third-sector body registered in the RUNTS: eligible for co-design
/// under art. 55 (the flag alone is not enough: a kind changed after
/// verification, or a body the Code excludes, does not count).
fn registered_third_sector(org: &organizations::Model) -> bool {
    org.runts_registered && org.kind.is_third_sector()
}
