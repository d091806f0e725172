//! Suggested partners for a need, and the multi-party partner set that
//! covers what it asks for.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::OfferKind;
use crate::error::{AppError, Entity};
use crate::matching::Matcher;
use crate::matching::cover::{self, Cover, CoverCandidate};
use crate::policy::visibility;
use crate::services::by_id;
use crate::store::entities::{matches, needs, offers};
use crate::store::matches::{self as store, OwnPostings};

use super::MatchSide;
use super::listing::list;

/// An organisation suggested as a partner, with the matches that make it one.
#[derive(Clone, Debug)]
pub struct PartnerSuggestion {
    pub organization_id: Uuid,
    /// The best match's score.
    pub score: f64,
    /// The matches between the two, best first (at most five).
    pub matches: Vec<matches::Model>,
    /// How many of its offers match my needs, and of its needs my offers.
    pub offers_for_my_needs: u64,
    pub needs_for_my_offers: u64,
}

/// Organisations whose offers match this organisation's open needs or whose
/// needs match its open offers, best first, leaving out matches it
/// dismissed.
#[tracing::instrument(skip_all, fields(%organization_id))]
pub async fn suggested_partners(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    first: usize,
) -> Result<Vec<PartnerSuggestion>, AppError> {
    let my_needs =
        store::posting_ids_of_organization::<needs::Entity>(db, organization_id, OwnPostings::Open)
            .await?;
    let my_offers = store::posting_ids_of_organization::<offers::Entity>(
        db,
        organization_id,
        OwnPostings::Open,
    )
    .await?;
    let for_my_needs = store::undismissed_of::<needs::Entity>(db, my_needs).await?;
    let for_my_offers = store::undismissed_of::<offers::Entity>(db, my_offers).await?;
    let offer_ids: Vec<Uuid> = for_my_needs.iter().map(|m| m.offer_id).collect();
    let need_ids: Vec<Uuid> = for_my_offers.iter().map(|m| m.need_id).collect();
    let offer_owner: HashMap<Uuid, Uuid> = visibility::public_offers(db, &offer_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.organization_id))
        .collect();
    let need_owner: HashMap<Uuid, Uuid> = visibility::public_needs(db, &need_ids)
        .await?
        .into_iter()
        .map(|n| (n.id, n.organization_id))
        .collect();
    let mut by_partner: BTreeMap<Uuid, PartnerSuggestion> = BTreeMap::new();
    let mut add = |partner: Uuid, row: matches::Model, offers_side: bool| {
        let entry = by_partner
            .entry(partner)
            .or_insert_with(|| PartnerSuggestion {
                organization_id: partner,
                score: 0.0,
                matches: Vec::new(),
                offers_for_my_needs: 0,
                needs_for_my_offers: 0,
            });
        if offers_side {
            entry.offers_for_my_needs += 1;
        } else {
            entry.needs_for_my_offers += 1;
        }
        entry.score = entry.score.max(row.score);
        entry.matches.push(row);
    };
    for row in for_my_needs {
        if let Some(owner) = offer_owner.get(&row.offer_id).copied()
            && owner != organization_id
        {
            add(owner, row, true);
        }
    }
    for row in for_my_offers {
        if let Some(owner) = need_owner.get(&row.need_id).copied()
            && owner != organization_id
        {
            add(owner, row, false);
        }
    }
    let mut suggestions: Vec<PartnerSuggestion> = by_partner.into_values().collect();
    for s in &mut suggestions {
        s.matches
            .sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        s.matches.truncate(5);
    }
    suggestions.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(
                (b.offers_for_my_needs + b.needs_for_my_offers)
                    .cmp(&(a.offers_for_my_needs + a.needs_for_my_offers)),
            )
            .then(a.organization_id.cmp(&b.organization_id))
    });
    suggestions.truncate(first);
    Ok(suggestions)
}

/// The partner set proposed for a need (see [`crate::matching::cover`]),
/// with the match behind each offer chosen. The kinds to cover are the
/// contributions the need asks for. The caller decides whether the reader
/// may see the need ([`crate::policy::visibility::need`]): drafts and hidden needs
/// are found here too. NOT_FOUND on `needId` when it does not exist.
#[tracing::instrument(skip_all, fields(%need_id))]
pub async fn partner_set(
    db: &impl ConnectionTrait,
    matcher: &Matcher,
    need_id: Uuid,
) -> Result<(Cover, HashMap<Uuid, matches::Model>), AppError> {
    let need =
        crate::store::rows::existing_by_id::<needs::Entity>(db, need_id, "matches: existing need")
            .await?
            .ok_or_else(|| AppError::not_found(Entity::Need, "needId"))?;
    let required: Vec<OfferKind> =
        crate::services::closed_list_values::<OfferKind>(&need.required_contributions);
    // The set anyone who sees the need may read: the pairs' own scores,
    // not its organisation's verdicts.
    let (rows, _) = list(
        db,
        matcher,
        MatchSide::Need,
        need.id,
        false,
        false,
        usize::MAX,
    )
    .await?;
    let offer_ids: Vec<Uuid> = rows.iter().map(|r| r.offer_id).collect();
    let offers: HashMap<Uuid, offers::Model> =
        by_id(visibility::public_offers(db, &offer_ids).await?, |o| o.id);
    let candidates: Vec<CoverCandidate> = rows
        .iter()
        .filter_map(|row| {
            let offer = offers.get(&row.offer_id)?;
            Some(CoverCandidate {
                offer_id: offer.id,
                organization_id: offer.organization_id,
                kind: offer.kind,
                score: row.score,
            })
        })
        .collect();
    let cover = cover::cover(
        &required,
        &candidates,
        matcher.config().partners.extra_partner_cost,
    );
    let chosen: HashSet<Uuid> = cover
        .members
        .iter()
        .flat_map(|m| m.offers.iter().map(|o| o.offer_id))
        .collect();
    let by_offer = rows
        .into_iter()
        .filter(|r| chosen.contains(&r.offer_id))
        .map(|r| (r.offer_id, r))
        .collect();
    Ok((cover, by_offer))
}
