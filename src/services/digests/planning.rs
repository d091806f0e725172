//! Planning the digests that are due: locking each due subscription,
//! choosing its items (matches, saved-search results, project events, what a
//! given-up delivery carries over) and recording them with a pending
//! delivery, in one transaction.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::domain::{DeliveryStatus, DigestFrequency, PostingStatus};
use crate::error::AppError;
use crate::policy::visibility;
use crate::search::{DocType, MatchMode, Search, SearchRequest, SearchSort};
use crate::services::saved_searches::{self, SavedSearch};
use crate::services::{new_id, now};
use crate::store::entities::{
    digest_deliveries, digest_items, digest_subscriptions, matches, memberships, needs, offers,
    users,
};

use super::operator::delivery_row;
use super::project_events::new_project_items;
use super::settings::{default_subscription, frequency_of, interval};
use super::{
    BATCH, ITEM_MATCH, ITEM_SEARCH_NEED, ITEM_SEARCH_OFFER, LATE_WINDOW, MAX_ITEMS, PER_SEARCH,
    PROJECT_ITEMS, SEARCH_ITEMS,
};
use crate::codesign::activity;

/// An item chosen for a digest, as `digest_items` records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Planned {
    pub(super) item_type: &'static str,
    pub(super) item_id: Uuid,
    /// The saved search or project whose section it is in.
    pub(super) group_id: Option<Uuid>,
}

impl Planned {
    fn row(self, delivery_id: Uuid) -> digest_items::ActiveModel {
        digest_items::ActiveModel {
            delivery_id: Set(delivery_id),
            item_type: Set(self.item_type.to_owned()),
            item_id: Set(self.item_id),
            group_id: Set(self.group_id),
        }
    }
}

// ---------------------------------------------------------------- planning

/// Creates the default subscription of verified users who have none, so the
/// weekly digest reaches everyone. Returns how many were created. One
/// query that finds nobody in the steady state (`NOT IN` over the unique
/// index on `digest_subscriptions.user_id`), then one insert per batch.
async fn create_default_subscriptions(db: &DatabaseConnection) -> Result<u64, AppError> {
    let missing: Vec<(Uuid, String)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Locale)
        .filter(users::Column::DeletedAt.is_null())
        .filter(users::Column::EmailVerifiedAt.is_not_null())
        .filter(
            users::Column::Id.not_in_subquery(
                Query::select()
                    .column(digest_subscriptions::Column::UserId)
                    .from(digest_subscriptions::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let at = now();
    for chunk in missing.chunks(500) {
        let rows = chunk
            .iter()
            .map(|(user_id, locale)| default_subscription(*user_id, locale, at));
        // A user may have opened their settings meanwhile: theirs stays.
        digest_subscriptions::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(digest_subscriptions::Column::UserId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(missing.len() as u64)
}

/// Plans every digest due at `at`: items chosen and recorded, a delivery
/// row to send. Only subscriptions whose `next_due_at` has come are read
/// (an index serves it). Returns how many deliveries with items were
/// planned.
pub async fn plan_due(
    db: &DatabaseConnection,
    search: &Search,
    at: DateTime<Utc>,
) -> Result<u64, AppError> {
    create_default_subscriptions(db).await?;
    // Postings published a moment ago are searchable before planning.
    search.refresh().await;
    let mut planned = 0;
    loop {
        let (done, with_items) = plan_batch(db, search, at).await?;
        planned += with_items;
        if done < BATCH {
            return Ok(planned);
        }
    }
}

/// Plans up to [`BATCH`] due subscriptions in one transaction; returns how
/// many subscriptions it handled and how many digests have items.
async fn plan_batch(
    db: &DatabaseConnection,
    search: &Search,
    at: DateTime<Utc>,
) -> Result<(u64, u64), AppError> {
    let txn = db.begin().await?;
    let mut select = digest_subscriptions::Entity::find()
        .filter(digest_subscriptions::Column::NextDueAt.lte(at))
        .filter(digest_subscriptions::Column::Frequency.ne(DigestFrequency::Off.as_str()))
        .order_by_asc(digest_subscriptions::Column::NextDueAt)
        .order_by_asc(digest_subscriptions::Column::Id)
        .limit(BATCH);
    if txn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = select.all(&txn).await?;
    let mut with_items = 0;
    for sub in &due {
        if plan_one(&txn, search, sub, at).await? {
            with_items += 1;
        }
    }
    txn.commit().await?;
    Ok((due.len() as u64, with_items))
}

async fn plan_one(
    txn: &impl ConnectionTrait,
    search: &Search,
    sub: &digest_subscriptions::Model,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let frequency = frequency_of(sub);
    let mut next: digest_subscriptions::ActiveModel = sub.clone().into();
    next.next_due_at = Set(interval(frequency).map(|d| at + d));
    next.updated_at = Set(now());
    next.update(txn).await?;

    let user = users::Entity::find_by_id(sub.user_id)
        .filter(users::Column::DeletedAt.is_null())
        .filter(users::Column::EmailVerifiedAt.is_not_null())
        .one(txn)
        .await?;
    let previous_end = previous_end(txn, sub.user_id).await?;
    let planned = match user {
        Some(_) => planned_items(txn, search, sub, previous_end, at).await?,
        None => PlannedDigest {
            items: Vec::new(),
            carried_from: Vec::new(),
        },
    };
    if !planned.carried_from.is_empty() {
        digest_deliveries::Entity::update_many()
            .col_expr(
                digest_deliveries::Column::CarriedOverAt,
                Expr::value(Some(at)),
            )
            .filter(digest_deliveries::Column::Id.is_in(planned.carried_from))
            .exec(txn)
            .await?;
    }
    let items = planned.items;
    if items.is_empty() && frequency == DigestFrequency::Immediate {
        return Ok(false);
    }
    let id = new_id();
    let empty = items.is_empty();
    // A digest with nothing in it is recorded as sent, and sends nothing.
    let status = if empty {
        DeliveryStatus::Sent
    } else {
        DeliveryStatus::Pending
    };
    delivery_row(
        id,
        sub.user_id,
        (previous_end.unwrap_or(sub.created_at), at),
        status,
        items.len(),
        now(),
    )
    .insert(txn)
    .await?;
    record_items(txn, id, &items).await?;
    Ok(!empty)
}

pub(super) async fn record_items(
    txn: &impl ConnectionTrait,
    delivery_id: Uuid,
    items: &[Planned],
) -> Result<(), AppError> {
    for chunk in items.chunks(500) {
        digest_items::Entity::insert_many(chunk.iter().map(|i| i.row(delivery_id)))
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The end of the user's latest digest, if any.
pub(super) async fn previous_end(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::UserId.eq(user_id))
        .order_by_desc(digest_deliveries::Column::PeriodEnd)
        .one(db)
        .await?
        .map(|d| d.period_end))
}

/// What a digest planned for this user at `at` holds, each kind when the
/// settings include it (see the module docs): what is new, and what is
/// still relevant of deliveries given up; and those deliveries, which the
/// digest takes over.
pub(super) struct PlannedDigest {
    pub(super) items: Vec<Planned>,
    carried_from: Vec<Uuid>,
}

pub(super) async fn planned_items(
    txn: &impl ConnectionTrait,
    search: &Search,
    sub: &digest_subscriptions::Model,
    previous_end: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<PlannedDigest, AppError> {
    let since = Ord::max(
        previous_end.map_or(sub.created_at, |end| end - LATE_WINDOW),
        sub.created_at,
    );
    let match_ids = if sub.include_matches {
        new_match_items(txn, sub, at).await?
    } else {
        Vec::new()
    };
    let (carried, carried_from) = carried_items(txn, sub).await?;
    let mut items: Vec<Planned> = match_ids
        .iter()
        .map(|&item_id| Planned {
            item_type: ITEM_MATCH,
            item_id,
            group_id: None,
        })
        .collect();
    items.extend(carried);
    if sub.include_saved_searches {
        items.extend(new_search_items(txn, search, sub.user_id, &match_ids, since, at).await?);
    }
    if sub.include_projects {
        items.extend(new_project_items(txn, sub.user_id, since, at).await?);
    }
    // A carried item the window finds again is one item.
    let mut seen = HashSet::new();
    items.retain(|i| seen.insert((i.item_type, i.item_id)));
    Ok(PlannedDigest {
        items,
        carried_from,
    })
}

/// The saved-search and project items of the user's given-up deliveries
/// that no later planning took over yet, in no other digest of theirs and
/// still relevant (a posting still open and visible, of another
/// organisation, for a saved search still there; an event of a project the
/// user's organisations are still in), with those deliveries. Their matches
/// need no carrying: unsent, they are new to [`new_match_items`].
async fn carried_items(
    txn: &impl ConnectionTrait,
    sub: &digest_subscriptions::Model,
) -> Result<(Vec<Planned>, Vec<Uuid>), AppError> {
    let user_id = sub.user_id;
    let given_up: Vec<Uuid> = digest_deliveries::Entity::find()
        .select_only()
        .column(digest_deliveries::Column::Id)
        .filter(digest_deliveries::Column::UserId.eq(user_id))
        .filter(digest_deliveries::Column::Status.eq(DeliveryStatus::GivenUp.as_str()))
        .filter(digest_deliveries::Column::CarriedOverAt.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    if given_up.is_empty() {
        return Ok((Vec::new(), given_up));
    }
    let kinds: Vec<&str> = SEARCH_ITEMS.iter().chain(&PROJECT_ITEMS).copied().collect();
    let rows = digest_items::Entity::find()
        .filter(digest_items::Column::DeliveryId.is_in(given_up.iter().copied()))
        .filter(digest_items::Column::ItemType.is_in(kinds.iter().copied()))
        .order_by_asc(digest_items::Column::DeliveryId)
        .all(txn)
        .await?;
    let sent = sent_pairs(
        txn,
        user_id,
        &kinds,
        Some(rows.iter().map(|r| r.item_id).collect()),
    )
    .await?;
    let mut seen = HashSet::new();
    let candidates: Vec<Planned> = rows
        .into_iter()
        .filter(|r| !sent.contains(&(r.item_type.clone(), r.item_id)))
        .filter_map(|r| {
            let item_type = *kinds.iter().find(|k| **k == r.item_type)?;
            seen.insert((item_type, r.item_id)).then_some(Planned {
                item_type,
                item_id: r.item_id,
                group_id: r.group_id,
            })
        })
        .collect();
    let mut kept = Vec::new();
    if sub.include_saved_searches {
        let searches: HashSet<Uuid> = saved_searches::of_user(txn, user_id)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let mine = my_organizations(txn, user_id).await?;
        let open = PostingStatus::Open.as_str();
        let ids = |kind: &str| -> Vec<Uuid> {
            candidates
                .iter()
                .filter(|p| p.item_type == kind)
                .map(|p| p.item_id)
                .collect()
        };
        let mut still: HashSet<Uuid> = HashSet::new();
        for need in visibility::public_needs(txn, &ids(ITEM_SEARCH_NEED)).await? {
            if need.status == open && !mine.contains(&need.organization_id) {
                still.insert(need.id);
            }
        }
        for offer in visibility::public_offers(txn, &ids(ITEM_SEARCH_OFFER)).await? {
            if offer.status == open && !mine.contains(&offer.organization_id) {
                still.insert(offer.id);
            }
        }
        kept.extend(candidates.iter().filter(|p| {
            SEARCH_ITEMS.contains(&p.item_type)
                && p.group_id.is_some_and(|g| searches.contains(&g))
                && still.contains(&p.item_id)
        }));
    }
    if sub.include_projects {
        let mine = my_organizations(txn, user_id).await?;
        let projects: HashSet<Uuid> = activity::projects_of(txn, &mine)
            .await?
            .into_iter()
            .collect();
        kept.extend(candidates.iter().filter(|p| {
            PROJECT_ITEMS.contains(&p.item_type)
                && p.group_id.is_some_and(|g| projects.contains(&g))
        }));
    }
    Ok((kept, given_up))
}

/// The organisations the user belongs to.
pub(super) async fn my_organizations(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<HashSet<Uuid>, AppError> {
    Ok(memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect())
}

/// Postings the user's saved searches find, published in `(since, at]`
/// and after the search was saved: one group per saved search, newest
/// first. `match_ids` are the matches of the digest being planned.
async fn new_search_items(
    txn: &impl ConnectionTrait,
    search: &Search,
    user_id: Uuid,
    match_ids: &[Uuid],
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<Planned>, AppError> {
    let saved = saved_searches::of_user(txn, user_id).await?;
    if saved.is_empty() {
        return Ok(Vec::new());
    }
    let mine = my_organizations(txn, user_id).await?;
    // Shown already: found by a search before, or the other side of a
    // match (in this digest or an earlier one).
    let mut shown = sent_items(txn, user_id, &SEARCH_ITEMS, None).await?;
    let mut all_matches: Vec<Uuid> = sent_items(txn, user_id, &[ITEM_MATCH], None)
        .await?
        .into_iter()
        .collect();
    all_matches.extend_from_slice(match_ids);
    for chunk in all_matches.chunks(500) {
        let sides: Vec<(Uuid, Uuid)> = matches::Entity::find()
            .select_only()
            .column(matches::Column::NeedId)
            .column(matches::Column::OfferId)
            .filter(matches::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        for (need_id, offer_id) in sides {
            shown.insert(need_id);
            shown.insert(offer_id);
        }
    }
    let mut items = Vec::new();
    for saved in &saved {
        let from = Ord::max(since, saved.created_at);
        let found = run_saved_search(txn, search, saved, &mine, from, at).await?;
        let fresh: Vec<(DocType, Uuid)> = found
            .into_iter()
            .filter(|(_, id)| !shown.contains(id))
            .take(PER_SEARCH)
            .collect();
        for (doc_type, id) in fresh {
            shown.insert(id);
            items.push(Planned {
                item_type: if doc_type == DocType::Need {
                    ITEM_SEARCH_NEED
                } else {
                    ITEM_SEARCH_OFFER
                },
                item_id: id,
                group_id: Some(saved.id),
            });
        }
    }
    Ok(items)
}

/// A saved search run for a digest: its offers and needs published in
/// `(from, at]`, not of the organisations `mine`, newest first. A search
/// that fails is logged and brings nothing this time.
async fn run_saved_search(
    txn: &impl ConnectionTrait,
    search: &Search,
    saved: &SavedSearch,
    mine: &HashSet<Uuid>,
    from: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<(DocType, Uuid)>, AppError> {
    let mut filter = saved.filter.clone();
    filter.types = if filter.types.is_empty() {
        vec![DocType::Need, DocType::Offer]
    } else {
        filter
            .types
            .into_iter()
            .filter(|t| *t != DocType::Organization)
            .collect()
    };
    if filter.types.is_empty() {
        return Ok(Vec::new());
    }
    let mut request = SearchRequest::new(saved.query.clone());
    request.filter = filter;
    request.sort = SearchSort::Newest;
    request.limit = crate::search::searcher::MAX_LIMIT;
    request.highlights = false;
    request.facets = false;
    // Every word: a digest is no place for the relaxed "any word" results.
    request.options.match_mode = MatchMode::All;
    let results = match search.search(request).await {
        Ok(results) => results,
        Err(error) => {
            tracing::warn!(saved_search = %saved.id, %error, "saved search failed: not in this digest");
            return Ok(Vec::new());
        }
    };
    let ids = |doc_type: DocType| -> Vec<Uuid> {
        results
            .hits
            .iter()
            .filter(|h| h.doc_type == doc_type)
            .map(|h| h.id)
            .collect()
    };
    let fits =
        |created: DateTime<Utc>, org: Uuid| created > from && created <= at && !mine.contains(&org);
    let mut found: Vec<(DateTime<Utc>, DocType, Uuid)> = Vec::new();
    for need in visibility::public_needs(txn, &ids(DocType::Need)).await? {
        if fits(need.created_at, need.organization_id) {
            found.push((need.created_at, DocType::Need, need.id));
        }
    }
    for offer in visibility::public_offers(txn, &ids(DocType::Offer)).await? {
        if fits(offer.created_at, offer.organization_id) {
            found.push((offer.created_at, DocType::Offer, offer.id));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.cmp(&a.2)));
    Ok(found.into_iter().map(|(_, t, id)| (t, id)).collect())
}

/// The user's organisations' open needs and offers.
pub(super) async fn my_postings(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<(Vec<needs::Model>, Vec<offers::Model>), AppError> {
    let orgs: Vec<Uuid> = memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    if orgs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let my_needs = needs::Entity::find()
        .filter(needs::Column::OrganizationId.is_in(orgs.clone()))
        .filter(needs::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let my_offers = offers::Entity::find()
        .filter(offers::Column::OrganizationId.is_in(orgs))
        .filter(offers::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    Ok((my_needs, my_offers))
}

/// Matches new for this user at `at`, newest first: on their organisations'
/// needs or offers, created after the subscription and by `at`, not
/// dismissed by their side, in no earlier digest of theirs.
async fn new_match_items(
    txn: &impl ConnectionTrait,
    sub: &digest_subscriptions::Model,
    at: DateTime<Utc>,
) -> Result<Vec<Uuid>, AppError> {
    let (my_needs, my_offers) = my_postings(txn, sub.user_id).await?;
    let need_ids: HashSet<Uuid> = my_needs.iter().map(|n| n.id).collect();
    let offer_ids: HashSet<Uuid> = my_offers.iter().map(|o| o.id).collect();
    if need_ids.is_empty() && offer_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Instants are compared in Rust: on SQLite they are text whose
    // fractional digits vary (see docs/data-model.md).
    let mut rows: Vec<matches::Model> = matches::Entity::find()
        .filter(
            Condition::any()
                .add(matches::Column::NeedId.is_in(need_ids.iter().copied()))
                .add(matches::Column::OfferId.is_in(offer_ids.iter().copied())),
        )
        .all(txn)
        .await?
        .into_iter()
        .filter(|m| m.created_at > sub.created_at && m.created_at <= at)
        .filter(|m| {
            !visibility::dismissed_by_own_side(
                m,
                need_ids.contains(&m.need_id),
                offer_ids.contains(&m.offer_id),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // News only while both sides are open and visible to the public (a
    // draft, hidden, or of a hidden organisation never is): a match of a need
    // closed since (while a digest waited out a mail outage, say) is not.
    let open = PostingStatus::Open.as_str();
    let open_needs: HashSet<Uuid> =
        visibility::public_needs(txn, &rows.iter().map(|m| m.need_id).collect::<Vec<_>>())
            .await?
            .into_iter()
            .filter(|n| n.status == open)
            .map(|n| n.id)
            .collect();
    let open_offers: HashSet<Uuid> =
        visibility::public_offers(txn, &rows.iter().map(|m| m.offer_id).collect::<Vec<_>>())
            .await?
            .into_iter()
            .filter(|o| o.status == open)
            .map(|o| o.id)
            .collect();
    rows.retain(|m| open_needs.contains(&m.need_id) && open_offers.contains(&m.offer_id));
    let sent = sent_items(
        txn,
        sub.user_id,
        &[ITEM_MATCH],
        Some(rows.iter().map(|m| m.id).collect()),
    )
    .await?;
    rows.retain(|m| !sent.contains(&m.id));
    rows.sort_by_key(|m| std::cmp::Reverse(m.id));
    rows.truncate(MAX_ITEMS);
    Ok(rows.into_iter().map(|m| m.id).collect())
}

/// Which items of these kinds, among `ids` (or all when `None`), were in a
/// digest of this user (sent, or still to be sent), as (kind, id).
pub(super) async fn sent_pairs(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    item_types: &[&str],
    ids: Option<Vec<Uuid>>,
) -> Result<HashSet<(String, Uuid)>, AppError> {
    // A delivery given up was never read: its items were not sent.
    let of_user = Query::select()
        .column(digest_deliveries::Column::Id)
        .from(digest_deliveries::Entity)
        .and_where(digest_deliveries::Column::UserId.eq(user_id))
        .and_where(digest_deliveries::Column::Status.ne(DeliveryStatus::GivenUp.as_str()))
        .to_owned();
    let select = || {
        digest_items::Entity::find()
            .select_only()
            .column(digest_items::Column::ItemType)
            .column(digest_items::Column::ItemId)
            .filter(digest_items::Column::DeliveryId.in_subquery(of_user.clone()))
            .filter(digest_items::Column::ItemType.is_in(item_types.iter().copied()))
    };
    let mut found = HashSet::new();
    match ids {
        None => found.extend(select().into_tuple::<(String, Uuid)>().all(db).await?),
        Some(ids) => {
            for chunk in ids.chunks(500) {
                found.extend(
                    select()
                        .filter(digest_items::Column::ItemId.is_in(chunk.iter().copied()))
                        .into_tuple::<(String, Uuid)>()
                        .all(db)
                        .await?,
                );
            }
        }
    }
    Ok(found)
}

/// Which items of these kinds, among `ids` (or all when `None`), were in a
/// digest of this user.
pub(super) async fn sent_items(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    item_types: &[&str],
    ids: Option<Vec<Uuid>>,
) -> Result<HashSet<Uuid>, AppError> {
    Ok(sent_pairs(db, user_id, item_types, ids)
        .await?
        .into_iter()
        .map(|(_, id)| id)
        .collect())
}
