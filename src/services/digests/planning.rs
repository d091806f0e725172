//! Planning the digests that are due: locking each due subscription,
//! choosing its items (matches, saved-search results, project events, what a
//! given-up delivery carries over) and recording them with a pending
//! delivery, in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use crate::domain::{DeliveryStatus, DigestFrequency, PostingStatus};
use crate::error::AppError;
use crate::matching::Matcher;
use crate::policy::visibility;
use crate::search::{DocType, MatchMode, Search, SearchRequest, SearchSort};
use crate::services::matches::{MatchSide, apply_preferences};
use crate::services::saved_searches::{self, SavedSearch};
use crate::services::{id_set, now};
use crate::store::digests::deliveries::{self, NewDelivery};
use crate::store::digests::items::{self, NewItem};
use crate::store::digests::subscriptions::{self, SubscriptionChange};
use crate::store::digests::{self as store};
use crate::store::entities::{digest_subscriptions, matches, needs, offers};
use crate::store::memberships;

use super::project_events::new_project_items;
use super::settings::{default_subscription, frequency_of, interval};
use super::{
    BATCH, ITEM_MATCH, ITEM_MATCH_COUNTED, ITEM_SEARCH_NEED, ITEM_SEARCH_OFFER, LATE_WINDOW,
    MATCH_ITEMS, MAX_ITEMS, PER_SEARCH, PROJECT_ITEMS, SEARCH_ITEMS,
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
    fn row(self) -> NewItem<'static> {
        NewItem {
            item_type: self.item_type,
            item_id: self.item_id,
            group_id: self.group_id,
        }
    }
}

// ---------------------------------------------------------------- planning

/// What planning needs besides the database.
#[derive(Clone, Copy)]
pub struct Planner<'a> {
    /// Runs the saved searches.
    pub search: &'a Search,
    /// Orders each posting's new matches as the organisation's own lists
    /// do (its verdicts on similar proposals move them).
    pub matcher: &'a Matcher,
    /// New matches listed per need or offer; the others are counted.
    pub per_posting: usize,
}

/// Creates the default subscription of verified users who have none, so the
/// weekly digest reaches everyone. Returns how many were created. One
/// query that finds nobody in the steady state, then one insert per batch.
async fn create_default_subscriptions(db: &DatabaseConnection) -> Result<u64, AppError> {
    let missing = subscriptions::verified_users_without(db).await?;
    let at = now();
    for chunk in missing.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|&(user_id, locale)| default_subscription(user_id, locale, at))
            .collect();
        // A user may have opened their settings meanwhile: theirs stays.
        subscriptions::insert_unless_present(db, &rows, at).await?;
    }
    Ok(missing.len() as u64)
}

/// Plans every digest due at `at`: items chosen and recorded, a delivery
/// row to send. Only subscriptions whose `next_due_at` has come are read
/// (an index serves it). Returns how many deliveries with items were
/// planned.
#[tracing::instrument(skip_all, fields(%at))]
pub async fn plan_due(
    db: &DatabaseConnection,
    planner: Planner<'_>,
    at: DateTime<Utc>,
) -> Result<u64, AppError> {
    create_default_subscriptions(db).await?;
    // Postings published a moment ago are searchable before planning.
    planner.search.refresh().await;
    let mut planned = 0;
    loop {
        let (done, with_items) = plan_batch(db, planner, at).await?;
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
    planner: Planner<'_>,
    at: DateTime<Utc>,
) -> Result<(u64, u64), AppError> {
    let txn = db.begin().await?;
    let due = subscriptions::lock_due(&txn, at, BATCH).await?;
    let mut with_items = 0;
    for sub in &due {
        if plan_one(&txn, planner, sub, at).await? {
            with_items += 1;
        }
    }
    txn.commit().await?;
    Ok((due.len() as u64, with_items))
}

async fn plan_one(
    txn: &impl ConnectionTrait,
    planner: Planner<'_>,
    sub: &digest_subscriptions::Model,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let frequency = frequency_of(sub);
    let next = SubscriptionChange {
        next_due_at: Some(interval(frequency).map(|d| at + d)),
        updated_at: Some(now()),
        ..SubscriptionChange::default()
    };
    subscriptions::update(txn, sub.clone(), next).await?;

    let user = store::verified_user(txn, sub.user_id).await?;
    let previous_end = deliveries::latest_end(txn, sub.user_id).await?;
    let planned = match user {
        Some(_) => planned_items(txn, planner, sub, previous_end, at).await?,
        None => PlannedDigest {
            items: Vec::new(),
            carried_from: Vec::new(),
        },
    };
    if !planned.carried_from.is_empty() {
        deliveries::mark_carried_over(txn, planned.carried_from, at).await?;
    }
    let items = planned.items;
    if items.is_empty() && frequency == DigestFrequency::Immediate {
        return Ok(false);
    }
    let empty = items.is_empty();
    // A digest with nothing in it is recorded as sent, and sends nothing.
    let status = if empty {
        DeliveryStatus::Sent
    } else {
        DeliveryStatus::Pending
    };
    let delivery = NewDelivery {
        user_id: sub.user_id,
        period: (previous_end.unwrap_or(sub.created_at), at),
        status,
        item_count: items.len(),
    };
    let delivery = deliveries::insert(txn, delivery, now()).await?;
    record_items(txn, delivery.id, &items).await?;
    Ok(!empty)
}

pub(super) async fn record_items(
    txn: &impl ConnectionTrait,
    delivery_id: Uuid,
    planned: &[Planned],
) -> Result<(), AppError> {
    let rows: Vec<NewItem> = planned.iter().map(|p| p.row()).collect();
    Ok(items::insert(txn, delivery_id, &rows).await?)
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
    planner: Planner<'_>,
    sub: &digest_subscriptions::Model,
    previous_end: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<PlannedDigest, AppError> {
    let since = Ord::max(
        previous_end.map_or(sub.created_at, |end| end - LATE_WINDOW),
        sub.created_at,
    );
    let mut items = if sub.include_matches {
        new_match_items(txn, planner, sub, at).await?
    } else {
        Vec::new()
    };
    // The other sides of the listed matches are not news to saved searches.
    let match_ids: Vec<Uuid> = items
        .iter()
        .filter(|i| i.item_type == ITEM_MATCH)
        .map(|i| i.item_id)
        .collect();
    let (carried, carried_from) = carried_items(txn, sub).await?;
    items.extend(carried);
    if sub.include_saved_searches {
        items.extend(
            new_search_items(txn, planner.search, sub.user_id, &match_ids, since, at).await?,
        );
    }
    if sub.include_projects {
        items.extend(new_project_items(txn, sub.user_id, since, at).await?);
    }
    items.extend(super::messages::new_message_items(txn, sub, since, at).await?);
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
    let given_up = deliveries::given_up_not_carried(txn, user_id).await?;
    if given_up.is_empty() {
        return Ok((Vec::new(), given_up));
    }
    let kinds: Vec<&str> = SEARCH_ITEMS.iter().chain(&PROJECT_ITEMS).copied().collect();
    let rows = items::of_deliveries(txn, &given_up, &kinds).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.item_id).collect();
    let sent = sent_pairs(txn, user_id, &kinds, Some(&ids)).await?;
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
        let open = PostingStatus::Open;
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
    Ok(memberships::of_user(db, user_id)
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
    for (need_id, offer_id) in store::match_sides(txn, &all_matches).await? {
        shown.insert(need_id);
        shown.insert(offer_id);
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
    let orgs: Vec<Uuid> = memberships::of_user(db, user_id)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    if orgs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    Ok(store::postings_of_organizations(db, &orgs).await?)
}

/// Matches new for this user at `at`: on their organisations' needs or
/// offers, created after the subscription and by `at`, not dismissed by
/// their side, in no earlier digest of theirs. Grouped by the user's need
/// or offer (a match of two of their own postings goes under the need),
/// each group's best [`Planner::per_posting`] are listed ([`ITEM_MATCH`]),
/// ordered as the organisation's own list orders them (the score moved by
/// its verdicts on similar proposals), and the others counted
/// ([`ITEM_MATCH_COUNTED`]); groups go newest first until [`MAX_ITEMS`]
/// are listed, the rest wait for the next digest.
async fn new_match_items(
    txn: &impl ConnectionTrait,
    planner: Planner<'_>,
    sub: &digest_subscriptions::Model,
    at: DateTime<Utc>,
) -> Result<Vec<Planned>, AppError> {
    let (my_needs, my_offers) = my_postings(txn, sub.user_id).await?;
    let need_ids: HashSet<Uuid> = my_needs.iter().map(|n| n.id).collect();
    let offer_ids: HashSet<Uuid> = my_offers.iter().map(|o| o.id).collect();
    if need_ids.is_empty() && offer_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Instants are compared in Rust: on SQLite they are text whose
    // fractional digits vary (see docs/data-model.md).
    let mut rows: Vec<matches::Model> = store::matches_of_postings(txn, &need_ids, &offer_ids)
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
    let open = PostingStatus::Open;
    let matched_needs: Vec<Uuid> = rows.iter().map(|m| m.need_id).collect();
    let mut open_needs = visibility::public_needs(txn, &matched_needs).await?;
    open_needs.retain(|n| n.status == open);
    let open_needs = id_set(open_needs, |n| n.id);
    let matched_offers: Vec<Uuid> = rows.iter().map(|m| m.offer_id).collect();
    let mut open_offers = visibility::public_offers(txn, &matched_offers).await?;
    open_offers.retain(|o| o.status == open);
    let open_offers = id_set(open_offers, |o| o.id);
    rows.retain(|m| open_needs.contains(&m.need_id) && open_offers.contains(&m.offer_id));
    let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
    let sent = sent_items(txn, sub.user_id, &MATCH_ITEMS, Some(&ids)).await?;
    rows.retain(|m| !sent.contains(&m.id));
    let mut sections: HashMap<Uuid, Vec<matches::Model>> = HashMap::new();
    for row in rows {
        let section = if need_ids.contains(&row.need_id) {
            row.need_id
        } else {
            row.offer_id
        };
        sections.entry(section).or_default().push(row);
    }
    let owners: HashMap<Uuid, (MatchSide, Uuid)> = my_needs
        .iter()
        .map(|n| (n.id, (MatchSide::Need, n.organization_id)))
        .chain(
            my_offers
                .iter()
                .map(|o| (o.id, (MatchSide::Offer, o.organization_id))),
        )
        .collect();
    // Each organisation's verdicts are read once for all its sections:
    // the rows of one organisation and side go through together.
    let mut regrouped: HashMap<Uuid, Vec<matches::Model>> = HashMap::new();
    let mut by_owner: HashMap<(MatchSide, Uuid), (Vec<Uuid>, Vec<matches::Model>)> = HashMap::new();
    for (section, rows) in sections {
        let Some(&key) = owners.get(&section) else {
            regrouped.entry(section).or_default().extend(rows);
            continue;
        };
        let (of_section, all) = by_owner.entry(key).or_default();
        of_section.extend(std::iter::repeat_n(section, rows.len()));
        all.extend(rows);
    }
    for ((side, owner), (of_section, mut rows)) in by_owner {
        apply_preferences(txn, planner.matcher, side, owner, &mut rows).await?;
        for (section, row) in of_section.into_iter().zip(rows) {
            regrouped.entry(section).or_default().push(row);
        }
    }
    Ok(match_sections(regrouped, planner.per_posting))
}

/// The items of these sections of new matches (by the user's need or
/// offer): see [`new_match_items`].
fn match_sections(
    sections: HashMap<Uuid, Vec<matches::Model>>,
    per_posting: usize,
) -> Vec<Planned> {
    let mut sections: Vec<(Uuid, Vec<matches::Model>)> = sections.into_iter().collect();
    for (_, rows) in &mut sections {
        rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.id.cmp(&a.id)));
    }
    // Newest first: by each section's newest match (ids grow with time).
    let newest = |rows: &[matches::Model]| rows.iter().map(|m| m.id).max();
    sections.sort_by(|a, b| newest(&b.1).cmp(&newest(&a.1)).then(a.0.cmp(&b.0)));
    let mut items = Vec::new();
    let mut listed = 0;
    for (section, rows) in sections {
        let shown = rows.len().min(per_posting);
        if listed > 0 && listed + shown > MAX_ITEMS {
            break;
        }
        listed += shown;
        items.extend(rows.iter().enumerate().map(|(rank, m)| Planned {
            item_type: if rank < per_posting {
                ITEM_MATCH
            } else {
                ITEM_MATCH_COUNTED
            },
            item_id: m.id,
            group_id: Some(section),
        }));
    }
    items
}

/// Which items of these kinds, among `ids` (or all when `None`), were in a
/// digest of this user (sent, or still to be sent), as (kind, id).
pub(super) async fn sent_pairs(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    item_types: &[&str],
    ids: Option<&[Uuid]>,
) -> Result<HashSet<(String, Uuid)>, AppError> {
    Ok(items::in_digests_of(db, user_id, item_types, ids).await?)
}

/// Which items of these kinds, among `ids` (or all when `None`), were in a
/// digest of this user.
pub(super) async fn sent_items(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    item_types: &[&str],
    ids: Option<&[Uuid]>,
) -> Result<HashSet<Uuid>, AppError> {
    Ok(sent_pairs(db, user_id, item_types, ids)
        .await?
        .into_iter()
        .map(|(_, id)| id)
        .collect())
}
