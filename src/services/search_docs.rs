//! What the search index reads from the database: the outbox rows in order,
//! the current state of records as [`SearchDocument`]s (in batches, a few
//! statements per batch whatever its size), the ids to rebuild from, and the
//! rows of search hits. Read-only, except pruning old outbox rows.
//!
//! Visibility is decided here, once for indexing and for hits: an
//! organisation is searchable unless deleted or hidden by a moderator; an
//! offer or need unless deleted, hidden or a draft, or its organisation is
//! not searchable.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::listing;
use crate::domain::{
    ClosedList, Lang, LocationPrecision, NeedKind, OfferKind, OrganizationKind, PostingStatus,
    VerificationStatus,
};
use crate::error::AppError;
use crate::search::{DocType, GeoPoint, SearchDocument};
use crate::store::entities::{
    municipalities, needs, neighbourhoods, offers, organization_neighbourhoods, organizations,
    search_outbox, sectors,
};

/// Largest `IN (...)` list sent in one statement.
const CHUNK: usize = 500;

/// Outbox rows with `seq > after`, in order, at most `limit`.
pub async fn outbox_after(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<search_outbox::Model>, AppError> {
    Ok(search_outbox::Entity::find()
        .filter(search_outbox::Column::Seq.gt(after))
        .order_by_asc(search_outbox::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}

/// The outbox rows with these sequence numbers (those that exist).
pub async fn outbox_rows(
    db: &impl ConnectionTrait,
    seqs: &[i64],
) -> Result<Vec<search_outbox::Model>, AppError> {
    let mut rows = Vec::new();
    for chunk in seqs.chunks(CHUNK) {
        rows.extend(
            search_outbox::Entity::find()
                .filter(search_outbox::Column::Seq.is_in(chunk.iter().copied()))
                .order_by_asc(search_outbox::Column::Seq)
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// Sequence numbers in `(after, up_to]`, in order.
pub async fn outbox_seqs_between(
    db: &impl ConnectionTrait,
    after: i64,
    up_to: i64,
) -> Result<Vec<i64>, AppError> {
    Ok(search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Seq)
        .filter(search_outbox::Column::Seq.gt(after))
        .filter(search_outbox::Column::Seq.lte(up_to))
        .order_by_asc(search_outbox::Column::Seq)
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// The lowest and highest sequence numbers in the outbox, if it has rows.
pub async fn outbox_bounds(db: &impl ConnectionTrait) -> Result<Option<(i64, i64)>, AppError> {
    let min = search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Seq)
        .order_by_asc(search_outbox::Column::Seq)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    let max = search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Seq)
        .order_by_desc(search_outbox::Column::Seq)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    Ok(min.zip(max))
}

/// Deletes outbox rows written before `before`, except the newest row: it
/// keeps the sequence from restarting on SQLite and lets a process that was
/// away longer notice the rows it missed (and rebuild). Returns how many rows
/// went. Every process's indexer reads far newer rows, so pruning by age is
/// safe for all of them.
pub async fn prune_outbox(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, AppError> {
    let Some((_, newest)) = outbox_bounds(db).await? else {
        return Ok(0);
    };
    // Compared in Rust: SQLite stores instants as text of varying precision.
    let mut doomed = Vec::new();
    let candidates = search_outbox::Entity::find()
        .filter(search_outbox::Column::Seq.lt(newest))
        .order_by_asc(search_outbox::Column::Seq)
        .limit(10_000)
        .all(db)
        .await?;
    for row in candidates {
        if row.created_at >= before {
            break;
        }
        doomed.push(row.seq);
    }
    let mut deleted = 0;
    for chunk in doomed.chunks(CHUNK) {
        deleted += search_outbox::Entity::delete_many()
            .filter(search_outbox::Column::Seq.is_in(chunk.iter().copied()))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(deleted)
}

/// A page of ids of one record type (every row, visible or not), in id
/// order after `after`: the rebuild walks all records with it.
pub async fn ids_page(
    db: &impl ConnectionTrait,
    doc_type: DocType,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Uuid>, AppError> {
    macro_rules! page {
        ($entity:ident) => {{
            let mut query = $entity::Entity::find()
                .select_only()
                .column($entity::Column::Id)
                .order_by_asc($entity::Column::Id)
                .limit(limit);
            if let Some(after) = after {
                query = query.filter($entity::Column::Id.gt(after));
            }
            query.into_tuple::<Uuid>().all(db).await?
        }};
    }
    Ok(match doc_type {
        DocType::Organization => page!(organizations),
        DocType::Offer => page!(offers),
        DocType::Need => page!(needs),
    })
}

/// Ids of the offers and needs of these organisations (any state): they
/// carry their organisation's name, kind and verification, so they are
/// reindexed with it.
pub async fn postings_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
) -> Result<(Vec<Uuid>, Vec<Uuid>), AppError> {
    let mut offer_ids = Vec::new();
    let mut need_ids = Vec::new();
    for chunk in organization_ids.chunks(CHUNK) {
        offer_ids.extend(
            offers::Entity::find()
                .select_only()
                .column(offers::Column::Id)
                .filter(offers::Column::OrganizationId.is_in(chunk.iter().copied()))
                .into_tuple::<Uuid>()
                .all(db)
                .await?,
        );
        need_ids.extend(
            needs::Entity::find()
                .select_only()
                .column(needs::Column::Id)
                .filter(needs::Column::OrganizationId.is_in(chunk.iter().copied()))
                .into_tuple::<Uuid>()
                .all(db)
                .await?,
        );
    }
    Ok((offer_ids, need_ids))
}

/// Searchable organisations with these ids (in no particular order).
pub async fn visible_organizations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<organizations::Model>, AppError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            organizations::Entity::find()
                .filter(organizations::Column::Id.is_in(chunk.iter().copied()))
                .filter(organizations::Column::DeletedAt.is_null())
                .filter(organizations::Column::HiddenAt.is_null())
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// Searchable offers with these ids (in no particular order).
pub async fn visible_offers(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<offers::Model>, AppError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            offers::Entity::find()
                .filter(offers::Column::Id.is_in(chunk.iter().copied()))
                .filter(offers::Column::DeletedAt.is_null())
                .filter(offers::Column::HiddenAt.is_null())
                .filter(offers::Column::Status.ne(PostingStatus::Draft.as_str()))
                .all(db)
                .await?,
        );
    }
    let owners = visible_owner_ids(db, rows.iter().map(|r| r.organization_id)).await?;
    rows.retain(|r| owners.contains(&r.organization_id));
    Ok(rows)
}

/// Searchable needs with these ids (in no particular order).
pub async fn visible_needs(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<needs::Model>, AppError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            needs::Entity::find()
                .filter(needs::Column::Id.is_in(chunk.iter().copied()))
                .filter(needs::Column::DeletedAt.is_null())
                .filter(needs::Column::HiddenAt.is_null())
                .filter(needs::Column::Status.ne(PostingStatus::Draft.as_str()))
                .all(db)
                .await?,
        );
    }
    let owners = visible_owner_ids(db, rows.iter().map(|r| r.organization_id)).await?;
    rows.retain(|r| owners.contains(&r.organization_id));
    Ok(rows)
}

async fn visible_owner_ids(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashSet<Uuid>, AppError> {
    let mut unique: Vec<Uuid> = ids.collect();
    unique.sort();
    unique.dedup();
    Ok(visible_organizations(db, &unique)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect())
}

/// Names and places the documents of a batch refer to, loaded once.
#[derive(Default)]
struct Lookups {
    sectors: HashMap<String, sectors::Model>,
    municipalities: HashMap<String, municipalities::Model>,
    neighbourhoods: HashMap<Uuid, neighbourhoods::Model>,
}

impl Lookups {
    async fn load(
        db: &impl ConnectionTrait,
        municipality_codes: impl Iterator<Item = String>,
        neighbourhood_ids: impl Iterator<Item = Uuid>,
    ) -> Result<Self, AppError> {
        let sectors = sectors::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect();
        let mut codes: Vec<String> = municipality_codes.collect();
        codes.sort();
        codes.dedup();
        let mut municipalities = HashMap::new();
        for chunk in codes.chunks(CHUNK) {
            for m in municipalities::Entity::find()
                .filter(municipalities::Column::IstatCode.is_in(chunk.iter().cloned()))
                .all(db)
                .await?
            {
                municipalities.insert(m.istat_code.clone(), m);
            }
        }
        let mut ids: Vec<Uuid> = neighbourhood_ids.collect();
        ids.sort();
        ids.dedup();
        let mut neighbourhoods = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            for n in neighbourhoods::Entity::find()
                .filter(neighbourhoods::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?
            {
                neighbourhoods.insert(n.id, n);
            }
        }
        Ok(Self {
            sectors,
            municipalities,
            neighbourhoods,
        })
    }

    fn sector_words(&self, codes: &[String], words: &mut Vec<String>) {
        for code in codes {
            if let Some(sector) = self.sectors.get(code) {
                words.push(sector.name_it.clone());
                words.push(sector.name_en.clone());
            }
        }
    }

    fn municipality_words(&self, code: Option<&str>, words: &mut Vec<String>) {
        if let Some(m) = code.and_then(|c| self.municipalities.get(c)) {
            words.push(m.name.clone());
            if m.province_name != m.name {
                words.push(m.province_name.clone());
            }
        }
    }

    fn municipality_point(&self, code: Option<&str>) -> Option<GeoPoint> {
        let m = self.municipalities.get(code?)?;
        Some(GeoPoint {
            lat: m.lat?,
            lon: m.lon?,
        })
    }

    fn neighbourhood_point(&self, id: Option<Uuid>) -> Option<GeoPoint> {
        let n = self.neighbourhoods.get(&id?)?;
        Some(GeoPoint {
            lat: n.centroid_lat,
            lon: n.centroid_lon,
        })
    }
}

fn label<T: ClosedList>(raw: &str) -> Option<&'static str> {
    T::parse(raw).ok().map(|v| v.label(Lang::It))
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
) -> Result<Vec<SearchDocument>, AppError> {
    let orgs = visible_organizations(db, ids).await?;
    let org_ids: Vec<Uuid> = orgs.iter().map(|o| o.id).collect();
    let mut sectors: HashMap<Uuid, Vec<String>> = HashMap::new();
    let mut served: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for chunk in org_ids.chunks(CHUNK) {
        sectors.extend(codes(listing::sectors_of_organizations(db, chunk).await?));
        for row in organization_neighbourhoods::Entity::find()
            .filter(
                organization_neighbourhoods::Column::OrganizationId.is_in(chunk.iter().copied()),
            )
            .all(db)
            .await?
        {
            served
                .entry(row.organization_id)
                .or_default()
                .push(row.neighbourhood_id);
        }
    }
    let lookups = Lookups::load(
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
            words.extend(label::<OrganizationKind>(&org.kind).map(str::to_owned));
            lookups.sector_words(&sectors, &mut words);
            lookups.municipality_words(org.seat_municipality_code.as_deref(), &mut words);
            for id in &neighbourhood_ids {
                if let Some(n) = lookups.neighbourhoods.get(id) {
                    words.push(n.name.clone());
                }
            }
            let location = point(org.lat, org.lon)
                .or_else(|| lookups.municipality_point(org.seat_municipality_code.as_deref()));
            let registered_third_sector = registered_third_sector(&org);
            SearchDocument {
                doc_type: DocType::Organization,
                id: org.id,
                title: org.name,
                body: org.description,
                context: words.join(" · "),
                organization_id: org.id,
                organization_kind: org.kind,
                kind: None,
                sectors,
                municipality_code: org.seat_municipality_code,
                neighbourhood_ids,
                status: PostingStatus::Open.as_str().to_owned(),
                verified: org.verification_status == VerificationStatus::Verified.as_str(),
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

/// Owners of postings, by id.
async fn owners(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, organizations::Model>, AppError> {
    let mut unique: Vec<Uuid> = ids.collect();
    unique.sort();
    unique.dedup();
    Ok(visible_organizations(db, &unique)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

/// The words every posting's context has: its owner and where it is.
fn posting_words(
    owner: &organizations::Model,
    lookups: &Lookups,
    sectors: &[String],
    municipality: Option<&str>,
    neighbourhood: Option<Uuid>,
    words: &mut Vec<String>,
) {
    words.push(owner.name.clone());
    words.extend(label::<OrganizationKind>(&owner.kind).map(str::to_owned));
    lookups.sector_words(sectors, words);
    lookups.municipality_words(municipality, words);
    if let Some(n) = neighbourhood.and_then(|id| lookups.neighbourhoods.get(&id)) {
        words.push(n.name.clone());
    }
}

/// Sector codes per record, from the listing queries' sector models.
fn codes(
    by_owner: HashMap<Uuid, Vec<sectors::Model>>,
) -> impl Iterator<Item = (Uuid, Vec<String>)> {
    by_owner
        .into_iter()
        .map(|(owner, sectors)| (owner, sectors.into_iter().map(|s| s.code).collect()))
}

/// The documents of the searchable offers among `ids`.
pub async fn offer_documents(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<SearchDocument>, AppError> {
    let rows = visible_offers(db, ids).await?;
    let owners = owners(db, rows.iter().map(|r| r.organization_id)).await?;
    let row_ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut sectors: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in row_ids.chunks(CHUNK) {
        sectors.extend(codes(listing::sectors_of_offers(db, chunk).await?));
    }
    let lookups = Lookups::load(
        db,
        rows.iter().filter_map(|r| r.municipality_code.clone()),
        rows.iter().filter_map(|r| r.neighbourhood_id),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|offer| {
            let owner = owners.get(&offer.organization_id)?;
            let sectors = sectors.remove(&offer.id).unwrap_or_default();
            let mut words = Vec::new();
            words.extend(label::<OfferKind>(&offer.kind).map(str::to_owned));
            posting_words(
                owner,
                &lookups,
                &sectors,
                offer.municipality_code.as_deref(),
                offer.neighbourhood_id,
                &mut words,
            );
            let location = point(offer.lat, offer.lon)
                .or_else(|| lookups.neighbourhood_point(offer.neighbourhood_id))
                .or_else(|| lookups.municipality_point(offer.municipality_code.as_deref()));
            Some(SearchDocument {
                doc_type: DocType::Offer,
                id: offer.id,
                title: offer.title,
                body: offer.description,
                context: words.join(" · "),
                organization_id: offer.organization_id,
                organization_kind: owner.kind.clone(),
                kind: Some(offer.kind),
                sectors,
                municipality_code: offer.municipality_code,
                neighbourhood_ids: offer.neighbourhood_id.into_iter().collect(),
                status: offer.status,
                verified: owner.verification_status == VerificationStatus::Verified.as_str(),
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

/// The documents of the searchable needs among `ids`. A need that shows only
/// its neighbourhood or municipality is placed there, never at its address.
pub async fn need_documents(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<SearchDocument>, AppError> {
    let rows = visible_needs(db, ids).await?;
    let owners = owners(db, rows.iter().map(|r| r.organization_id)).await?;
    let row_ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut sectors: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in row_ids.chunks(CHUNK) {
        sectors.extend(codes(listing::sectors_of_needs(db, chunk).await?));
    }
    let lookups = Lookups::load(
        db,
        rows.iter().filter_map(|r| r.municipality_code.clone()),
        rows.iter().filter_map(|r| r.neighbourhood_id),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|need| {
            let owner = owners.get(&need.organization_id)?;
            let sectors = sectors.remove(&need.id).unwrap_or_default();
            let mut words = Vec::new();
            words.extend(label::<NeedKind>(&need.kind).map(str::to_owned));
            for contribution in super::closed_list_values::<OfferKind>(&need.required_contributions)
            {
                words.push(contribution.label(Lang::It).to_owned());
            }
            posting_words(
                owner,
                &lookups,
                &sectors,
                need.municipality_code.as_deref(),
                need.neighbourhood_id,
                &mut words,
            );
            let exact = need.location_precision == LocationPrecision::Exact.as_str();
            let location = exact
                .then(|| point(need.lat, need.lon))
                .flatten()
                .or_else(|| lookups.neighbourhood_point(need.neighbourhood_id))
                .or_else(|| lookups.municipality_point(need.municipality_code.as_deref()));
            Some(SearchDocument {
                doc_type: DocType::Need,
                id: need.id,
                title: need.title,
                body: need.description,
                context: words.join(" · "),
                organization_id: need.organization_id,
                organization_kind: owner.kind.clone(),
                kind: Some(need.kind),
                sectors,
                municipality_code: need.municipality_code,
                neighbourhood_ids: need.neighbourhood_id.into_iter().collect(),
                status: need.status,
                verified: owner.verification_status == VerificationStatus::Verified.as_str(),
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
) -> Result<Vec<SearchDocument>, AppError> {
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
    org.runts_registered
        && OrganizationKind::parse(&org.kind).is_ok_and(OrganizationKind::is_third_sector)
}
