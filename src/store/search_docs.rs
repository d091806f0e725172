//! What the search index reads from the database: the outbox rows in order,
//! the records a batch of documents is built from (a few statements per
//! batch whatever its size, see [`crate::search::documents`]), the ids to
//! rebuild from, and the rows of search hits. Read-only, except pruning old
//! outbox rows.
//!
//! Which records are searchable is the public-record scope
//! ([`super::scope`]): an organisation unless deleted or hidden by a
//! moderator; an offer or need unless deleted, hidden or a draft, or its
//! organisation is not searchable.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    Selector, SelectorTrait,
};
use uuid::Uuid;

use super::scope::{self, Existing};
use super::{Context, StoreResult, instant};
use crate::store::entities::{
    municipalities, needs, neighbourhoods, offers, organization_neighbourhoods, organizations,
    search_outbox, sectors,
};

/// Largest `IN (...)` list sent in one statement.
pub const CHUNK: usize = 500;

/// Outbox rows with `seq > after`, in order, at most `limit`.
pub async fn outbox_after(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> StoreResult<Vec<search_outbox::Model>> {
    search_outbox::Entity::find()
        .filter(search_outbox::Column::Seq.gt(after))
        .order_by_asc(search_outbox::Column::Seq)
        .limit(limit)
        .all(db)
        .await
        .context("search outbox: after")
}

/// The outbox rows with these sequence numbers (those that exist).
pub async fn outbox_rows(
    db: &impl ConnectionTrait,
    seqs: &[i64],
) -> StoreResult<Vec<search_outbox::Model>> {
    let mut rows = Vec::new();
    for chunk in seqs.chunks(CHUNK) {
        rows.extend(
            search_outbox::Entity::find()
                .filter(search_outbox::Column::Seq.is_in(chunk.iter().copied()))
                .order_by_asc(search_outbox::Column::Seq)
                .all(db)
                .await
                .context("search outbox: rows")?,
        );
    }
    Ok(rows)
}

/// Sequence numbers in `(after, up_to]`, in order.
pub async fn outbox_seqs_between(
    db: &impl ConnectionTrait,
    after: i64,
    up_to: i64,
) -> StoreResult<Vec<i64>> {
    search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Seq)
        .filter(search_outbox::Column::Seq.gt(after))
        .filter(search_outbox::Column::Seq.lte(up_to))
        .order_by_asc(search_outbox::Column::Seq)
        .into_tuple::<i64>()
        .all(db)
        .await
        .context("search outbox: seqs between")
}

/// The lowest and highest sequence numbers in the outbox, if it has rows.
pub async fn outbox_bounds(db: &impl ConnectionTrait) -> StoreResult<Option<(i64, i64)>> {
    let min = search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Seq)
        .order_by_asc(search_outbox::Column::Seq)
        .into_tuple::<i64>()
        .one(db)
        .await
        .context("search outbox: lowest")?;
    let max = search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Seq)
        .order_by_desc(search_outbox::Column::Seq)
        .into_tuple::<i64>()
        .one(db)
        .await
        .context("search outbox: highest")?;
    Ok(min.zip(max))
}

/// Deletes outbox rows written before `before`, except the newest row: it
/// keeps the sequence from restarting on SQLite and lets a process that was
/// away longer notice the rows it missed (and rebuild). Returns how many rows
/// went. Every process's indexer reads far newer rows, so pruning by age is
/// safe for all of them.
pub async fn prune_outbox(db: &impl ConnectionTrait, before: DateTime<Utc>) -> StoreResult<u64> {
    let Some((_, newest)) = outbox_bounds(db).await? else {
        return Ok(0);
    };
    let doomed: Vec<i64> = search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Seq)
        .filter(search_outbox::Column::Seq.lt(newest))
        .filter(instant::earlier_than(
            db.get_database_backend(),
            search_outbox::Column::CreatedAt,
            before,
        ))
        .order_by_asc(search_outbox::Column::Seq)
        .limit(10_000)
        .into_tuple::<i64>()
        .all(db)
        .await
        .context("search outbox: rows to prune")?;
    let mut deleted = 0;
    for chunk in doomed.chunks(CHUNK) {
        deleted += search_outbox::Entity::delete_many()
            .filter(search_outbox::Column::Seq.is_in(chunk.iter().copied()))
            .exec(db)
            .await
            .context("search outbox: prune")?
            .rows_affected;
    }
    Ok(deleted)
}

/// Pages of ids of one table, for [`ids_page`].
macro_rules! ids_page {
    ($($name:ident: $entity:ident, $what:literal;)+) => {$(
        async fn $name(
            db: &impl ConnectionTrait,
            after: Option<Uuid>,
            limit: u64,
        ) -> StoreResult<Vec<Uuid>> {
            let mut query = $entity::Entity::find()
                .select_only()
                .column($entity::Column::Id)
                .order_by_asc($entity::Column::Id)
                .limit(limit);
            if let Some(after) = after {
                query = query.filter($entity::Column::Id.gt(after));
            }
            query.into_tuple::<Uuid>().all(db).await.context($what)
        }
    )+};
}

ids_page! {
    organization_ids_page: organizations, "organizations: ids page";
    offer_ids_page: offers, "offers: ids page";
    need_ids_page: needs, "needs: ids page";
}

/// Ids of the offers and needs of these organisations (any state): they
/// carry their organisation's name, kind and verification, so they are
/// reindexed with it.
pub async fn postings_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
) -> StoreResult<(Vec<Uuid>, Vec<Uuid>)> {
    let offers = offers::Entity::find()
        .select_only()
        .column(offers::Column::Id);
    let offer_ids = in_chunks(
        db,
        offers,
        offers::Column::OrganizationId,
        organization_ids,
        |rows| rows.into_tuple(),
        "offers: ids of organizations",
    );
    let needs = needs::Entity::find()
        .select_only()
        .column(needs::Column::Id);
    let need_ids = in_chunks(
        db,
        needs,
        needs::Column::OrganizationId,
        organization_ids,
        |rows| rows.into_tuple(),
        "needs: ids of organizations",
    );
    Ok((offer_ids.await?, need_ids.await?))
}

/// The rows of `rows` whose `column` is one of `ids`, asked `CHUNK` ids at a
/// time and read by `read` (as models, or as a tuple of the selected columns).
async fn in_chunks<E: EntityTrait, S: SelectorTrait>(
    db: &impl ConnectionTrait,
    rows: Select<E>,
    column: E::Column,
    ids: &[Uuid],
    read: fn(Select<E>) -> Selector<S>,
    what: &'static str,
) -> StoreResult<Vec<S::Item>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        found.extend(
            read(rows.clone().filter(column.is_in(chunk.iter().copied())))
                .all(db)
                .await
                .context(what)?,
        );
    }
    Ok(found)
}

/// Searchable organisations with these ids (in no particular order).
pub async fn visible_organizations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<organizations::Model>> {
    let what = "organizations: public by id";
    public_organizations_read(db, ids, Select::into_model, what).await
}

/// [`visible_organizations`], summarised (see [`organizations::Summary`]).
pub async fn visible_organization_summaries(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<organizations::Summary>> {
    let what = "organizations: public summaries by id";
    public_organizations_read(db, ids, Select::into_partial_model, what).await
}

async fn public_organizations_read<S: SelectorTrait>(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    read: fn(Select<organizations::Entity>) -> Selector<S>,
    what: &'static str,
) -> StoreResult<Vec<S::Item>> {
    let public = organizations::Entity::find_public();
    in_chunks(db, public, organizations::Column::Id, ids, read, what).await
}

/// Searchable offers with these ids (in no particular order).
pub async fn visible_offers(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<offers::Model>> {
    let published = offers::Entity::find().filter(scope::published_offers());
    let mut rows: Vec<offers::Model> = in_chunks(
        db,
        published,
        offers::Column::Id,
        ids,
        Select::into_model,
        "offers: published by id",
    )
    .await?;
    let owners = visible_owner_ids(db, rows.iter().map(|r| r.organization_id)).await?;
    rows.retain(|r| owners.contains(&r.organization_id));
    Ok(rows)
}

/// Searchable needs with these ids (in no particular order).
pub async fn visible_needs(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<needs::Model>> {
    let published = needs::Entity::find().filter(scope::published_needs());
    let mut rows: Vec<needs::Model> = in_chunks(
        db,
        published,
        needs::Column::Id,
        ids,
        Select::into_model,
        "needs: published by id",
    )
    .await?;
    let owners = visible_owner_ids(db, rows.iter().map(|r| r.organization_id)).await?;
    rows.retain(|r| owners.contains(&r.organization_id));
    Ok(rows)
}

async fn visible_owner_ids(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> StoreResult<HashSet<Uuid>> {
    let mut unique: Vec<Uuid> = ids.collect();
    unique.sort();
    unique.dedup();
    Ok(visible_organizations(db, &unique)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect())
}

/// Names and places a batch of documents refers to, loaded once per batch.
#[derive(Default)]
pub struct Places {
    /// The whole taxonomy, by code.
    pub sectors: HashMap<String, sectors::Model>,
    pub municipalities: HashMap<String, municipalities::Model>,
    pub neighbourhoods: HashMap<Uuid, neighbourhoods::Model>,
}

/// The sectors, and the municipalities and neighbourhoods named, of a batch.
pub async fn places(
    db: &impl ConnectionTrait,
    municipality_codes: impl Iterator<Item = String>,
    neighbourhood_ids: impl Iterator<Item = Uuid>,
) -> StoreResult<Places> {
    let sectors = sectors::Entity::find()
        .all(db)
        .await
        .context("sectors: all")?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let mut codes: Vec<String> = municipality_codes.collect();
    codes.sort();
    codes.dedup();
    let mut municipalities = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        for m in super::listing::municipalities_by_code(db, chunk).await? {
            municipalities.insert(m.istat_code.clone(), m);
        }
    }
    let mut ids: Vec<Uuid> = neighbourhood_ids.collect();
    ids.sort();
    ids.dedup();
    let mut neighbourhoods = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for n in super::listing::neighbourhoods_by_id(db, chunk).await? {
            neighbourhoods.insert(n.id, n);
        }
    }
    Ok(Places {
        sectors,
        municipalities,
        neighbourhoods,
    })
}

/// The neighbourhoods each of these organisations serves (ids, any order).
pub async fn served_neighbourhoods(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<Uuid>>> {
    let mut served: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for chunk in organization_ids.chunks(CHUNK) {
        for row in organization_neighbourhoods::Entity::find()
            .filter(
                organization_neighbourhoods::Column::OrganizationId.is_in(chunk.iter().copied()),
            )
            .all(db)
            .await
            .context("organization neighbourhoods: of organizations")?
        {
            served
                .entry(row.organization_id)
                .or_default()
                .push(row.neighbourhood_id);
        }
    }
    Ok(served)
}

/// Which table a batch of records comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    Organization,
    Offer,
    Need,
}

/// Sector codes of each record of a batch, in taxonomy order (chunked).
pub async fn sector_codes(
    db: &impl ConnectionTrait,
    record: Record,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<String>>> {
    let mut codes = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let sectors = match record {
            Record::Organization => super::listing::sectors_of_organizations(db, chunk).await?,
            Record::Offer => super::listing::sectors_of_offers(db, chunk).await?,
            Record::Need => super::listing::sectors_of_needs(db, chunk).await?,
        };
        codes.extend(
            sectors
                .into_iter()
                .map(|(owner, sectors)| (owner, sectors.into_iter().map(|s| s.code).collect())),
        );
    }
    Ok(codes)
}

/// A page of ids of one table (every row, visible or not), in id order
/// after `after`: the rebuild walks all records with it.
pub async fn ids_page(
    db: &impl ConnectionTrait,
    record: Record,
    after: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<Uuid>> {
    match record {
        Record::Organization => organization_ids_page(db, after, limit).await,
        Record::Offer => offer_ids_page(db, after, limit).await,
        Record::Need => need_ids_page(db, after, limit).await,
    }
}
