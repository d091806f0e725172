//! Turning a planned delivery into the digest e-mail: its match sections,
//! one section per saved search, with one-click links.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::config::Settings;
use crate::domain::{FeedbackVerdict, Lang, NeedKind};
use crate::error::AppError;
use crate::mail::digest::{
    Digest, DigestItem, DigestSection, FoundItem, PostingKind, SearchSection, Side,
};
use crate::matching::Matcher;
use crate::matching::reasons::strongest;
use crate::policy::visibility;
use crate::services::by_id;
use crate::services::matches::{MatchSide, apply_preferences, reasons_of};
use crate::services::saved_searches::{self};
use crate::store::digests as store;
use crate::store::entities::{digest_items, digest_subscriptions, matches, needs, offers, users};
use crate::store::rows::existing_by_ids;

use super::planning::my_postings;
use super::project_events::project_sections;
use super::sending::base;
use super::{ITEM_MATCH_COUNTED, ITEM_SEARCH_NEED, ITEM_SEARCH_OFFER, MATCH_ITEMS, SEARCH_ITEMS};

/// The criteria a digest names for each match (then how the organisation's
/// verdicts moved it, if they did): enough to say why, short enough for an
/// e-mail.
const SHOWN_REASONS: usize = 3;

/// The digest of a planned delivery: its matches grouped by the user's
/// need or offer (one section each, newest first, best match first, with
/// how many more it counts), then a section per saved
/// search and per project, with links carrying `token`.
pub(super) async fn compose(
    db: &impl ConnectionTrait,
    settings: &Settings,
    matcher: &Matcher,
    user: &users::Model,
    sub: &digest_subscriptions::Model,
    delivery_id: Uuid,
    token: &str,
) -> Result<Digest, AppError> {
    let base = base(settings);
    let lang = sub.language;
    let items = store::items::of_delivery(db, delivery_id).await?;
    Ok(Digest {
        lang,
        display_name: user.display_name.clone(),
        sections: match_sections(db, matcher, base, lang, user, &items, token).await?,
        searches: search_sections(db, base, &items).await?,
        projects: project_sections(db, base, lang, &items).await?,
        messages: super::messages::message_sections(db, base, user, &items).await?,
        unsubscribe_url: format!("{base}/digests/unsubscribe?token={token}"),
        settings_url: format!("{base}/account/digest"),
    })
}

/// Organisation names by id.
pub(super) async fn organization_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, AppError> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(store::organization_names(db, ids)
        .await?
        .into_iter()
        .collect())
}

pub(super) fn ids_of<'a>(
    items: &'a [digest_items::Model],
    kinds: &'a [&str],
) -> impl Iterator<Item = Uuid> + 'a {
    items
        .iter()
        .filter(|i| kinds.contains(&i.item_type.as_str()))
        .map(|i| i.item_id)
}

/// The match sections: one per need or offer of the user's organisations.
async fn match_sections(
    db: &impl ConnectionTrait,
    matcher: &Matcher,
    base: &str,
    lang: Lang,
    user: &users::Model,
    items: &[digest_items::Model],
    token: &str,
) -> Result<Vec<DigestSection>, AppError> {
    let item_ids: Vec<Uuid> = ids_of(items, &MATCH_ITEMS).collect();
    let counted: HashSet<Uuid> = ids_of(items, &[ITEM_MATCH_COUNTED]).collect();
    let rows = if item_ids.is_empty() {
        Vec::new()
    } else {
        crate::store::matches::by_ids(db, item_ids).await?
    };
    let (my_needs, my_offers) = my_postings(db, user.id).await?;
    let my_needs: HashMap<Uuid, needs::Model> = by_id(my_needs, |n| n.id);
    let my_offers: HashMap<Uuid, offers::Model> = by_id(my_offers, |o| o.id);
    // What was hidden since planning is left out.
    let shown = visibility::matches_for_members(
        db,
        &rows,
        &my_needs.keys().copied().collect(),
        &my_offers.keys().copied().collect(),
    )
    .await?;
    let need_ids = rows.iter().map(|m| m.need_id);
    let other_needs =
        existing_by_ids::<needs::Entity>(db, need_ids, "digests: existing needs by id")
            .await
            .map(|found| by_id(found, |n| n.id))?;
    let offer_ids = rows.iter().map(|m| m.offer_id);
    let other_offers =
        existing_by_ids::<offers::Entity>(db, offer_ids, "digests: existing offers by id")
            .await
            .map(|found| by_id(found, |o| o.id))?;
    let org_ids: HashSet<Uuid> = other_needs
        .values()
        .map(|n| n.organization_id)
        .chain(other_offers.values().map(|o| o.organization_id))
        .collect();
    let org_names: HashMap<Uuid, String> = crate::store::organizations::by_ids(db, org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let org = |id: Uuid| org_names.get(&id).cloned().unwrap_or_default();
    let rows = as_listed(db, matcher, rows, &my_needs, &my_offers).await?;
    let total_weight = matcher.config().weights.total();
    let feedback = |match_id: Uuid, verdict: &str| {
        format!("{base}/digests/feedback?token={token}&match={match_id}&verdict={verdict}")
    };
    // Section key: (side, posting id).
    let mut sections: BTreeMap<(u8, Uuid), DigestSection> = BTreeMap::new();
    for row in rows.iter().filter(|m| shown.contains(&m.id)) {
        let (Some(need), Some(offer)) = (
            other_needs.get(&row.need_id),
            other_offers.get(&row.offer_id),
        ) else {
            continue;
        };
        // Each posting as a digest shows it: title, organisation, link.
        let need_shown = (
            &need.title,
            org(need.organization_id),
            format!("{base}/needs/{}", need.id),
        );
        let offer_shown = (
            &offer.title,
            org(offer.organization_id),
            format!("{base}/offers/{}", offer.id),
        );
        // A match between two postings of the user's own organisations
        // appears under the need.
        let (key, side, section, item) = if my_needs.contains_key(&row.need_id) {
            ((0, need.id), Side::Need, need_shown, offer_shown)
        } else if my_offers.contains_key(&row.offer_id) {
            ((1, offer.id), Side::Offer, offer_shown, need_shown)
        } else {
            // The user left the organisation since planning.
            continue;
        };
        let entry = sections.entry(key).or_insert_with(|| DigestSection {
            side,
            title: section.0.clone(),
            organization: section.1,
            url: section.2,
            items: Vec::new(),
            more: 0,
        });
        if counted.contains(&row.id) {
            entry.more += 1;
            continue;
        }
        entry.items.push(DigestItem {
            match_id: row.id,
            title: item.0.clone(),
            organization: item.1,
            score: row.score,
            created_at: row.created_at,
            url: item.2,
            reasons: strongest(&reasons_of(row), total_weight, SHOWN_REASONS)
                .into_iter()
                .map(|reason| reason.message(lang))
                .collect(),
            relevant_url: feedback(row.id, FeedbackVerdict::Relevant.as_str()),
            not_relevant_url: feedback(row.id, FeedbackVerdict::NotRelevant.as_str()),
        });
    }
    let mut sections: Vec<DigestSection> = sections.into_values().collect();
    // Newest first: by each section's newest item.
    let newest = |s: &DigestSection| s.items.iter().map(|i| (i.created_at, i.match_id)).max();
    sections.sort_by_key(|s| std::cmp::Reverse(newest(s)));
    for section in &mut sections {
        // Best first.
        section.items.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.match_id.cmp(&a.match_id))
        });
    }
    Ok(sections)
}

/// The matches with the scores and reasons the organisation's own list
/// shows (moved by its verdicts on similar proposals), each under the side
/// that is the user's (the need, for a match of two of their postings).
async fn as_listed(
    db: &impl ConnectionTrait,
    matcher: &Matcher,
    rows: Vec<matches::Model>,
    my_needs: &HashMap<Uuid, needs::Model>,
    my_offers: &HashMap<Uuid, offers::Model>,
) -> Result<Vec<matches::Model>, AppError> {
    let mut groups: HashMap<(MatchSide, Uuid), Vec<matches::Model>> = HashMap::new();
    let mut rest = Vec::new();
    for row in rows {
        let key = if let Some(need) = my_needs.get(&row.need_id) {
            (MatchSide::Need, need.organization_id)
        } else if let Some(offer) = my_offers.get(&row.offer_id) {
            (MatchSide::Offer, offer.organization_id)
        } else {
            rest.push(row);
            continue;
        };
        groups.entry(key).or_default().push(row);
    }
    for ((side, owner), mut group) in groups {
        apply_preferences(db, matcher, side, owner, &mut group).await?;
        rest.extend(group);
    }
    Ok(rest)
}

/// The saved-search sections, in the order the searches were saved; a
/// search deleted since planning takes its section with it.
async fn search_sections(
    db: &impl ConnectionTrait,
    base: &str,
    items: &[digest_items::Model],
) -> Result<Vec<SearchSection>, AppError> {
    let found: Vec<&digest_items::Model> = items
        .iter()
        .filter(|i| SEARCH_ITEMS.contains(&i.item_type.as_str()))
        .collect();
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let mut searches = saved_searches::by_ids(db, found.iter().filter_map(|i| i.group_id)).await?;
    searches.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let need_ids: Vec<Uuid> = ids_of(items, &[ITEM_SEARCH_NEED]).collect();
    let offer_ids: Vec<Uuid> = ids_of(items, &[ITEM_SEARCH_OFFER]).collect();
    let needs: HashMap<Uuid, needs::Model> =
        by_id(visibility::public_needs(db, &need_ids).await?, |n| n.id);
    let offers: HashMap<Uuid, offers::Model> =
        by_id(visibility::public_offers(db, &offer_ids).await?, |o| o.id);
    let names = organization_names(
        db,
        needs
            .values()
            .map(|n| n.organization_id)
            .chain(offers.values().map(|o| o.organization_id)),
    )
    .await?;
    let org = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    let mut sections = Vec::new();
    for search in searches {
        let mut items: Vec<FoundItem> = found
            .iter()
            .filter(|i| i.group_id == Some(search.id))
            .filter_map(|i| {
                if i.item_type == ITEM_SEARCH_NEED {
                    let need = needs.get(&i.item_id)?;
                    Some(FoundItem {
                        kind: if need.kind == NeedKind::CallForProposals {
                            PostingKind::Call
                        } else {
                            PostingKind::Need
                        },
                        id: need.id,
                        title: need.title.clone(),
                        organization: org(need.organization_id),
                        created_at: need.created_at,
                        url: format!("{base}/needs/{}", need.id),
                    })
                } else {
                    let offer = offers.get(&i.item_id)?;
                    Some(FoundItem {
                        kind: PostingKind::Offer,
                        id: offer.id,
                        title: offer.title.clone(),
                        organization: org(offer.organization_id),
                        created_at: offer.created_at,
                        url: format!("{base}/offers/{}", offer.id),
                    })
                }
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        items.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        sections.push(SearchSection {
            name: search.name,
            items,
        });
    }
    Ok(sections)
}
