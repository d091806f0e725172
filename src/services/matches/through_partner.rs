//! Offers a need receives through a partner: an offer whose conditions
//! leave out the need's poster (a grant reserved to third-sector bodies,
//! for a municipality's need) but admit the kind of body of an
//! organisation proposed for that need. In a co-design the grant goes to
//! the third-sector partner, so the engine proposes the offer "through a
//! partner" and names who may receive it. Computed when asked, not kept in
//! the `matches` table: who the partners are changes with the need's other
//! matches, which a pair's score cannot depend on.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::OrganizationKind;
use crate::error::AppError;
use crate::matching::score::admits_poster;
use crate::matching::{NeedFacts, OfferFacts, Scored};
use crate::store::entities::needs;
use crate::store::matches as store;

use super::refresh::Engine;

/// An offer that reaches a need through one of the need's partners.
#[derive(Clone, Debug, PartialEq)]
pub struct PartnerRoute {
    pub offer_id: Uuid,
    /// The pair scored as the partner would receive the offer; its last
    /// reason names the kinds of body the offer is for.
    pub scored: Scored,
    /// The organisations proposed for the need whose kind the offer
    /// admits, best match first.
    pub partners: Vec<Uuid>,
}

/// An organisation proposed for a need: who could receive an offer on the
/// need's behalf.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Partner {
    organization_id: Uuid,
    kind: OrganizationKind,
    /// Its best match's score for the need.
    score: f64,
}

impl Engine<'_> {
    /// The offers an open need can receive only through a partner, best
    /// first, at most `limit`: among the need's candidates, those whose
    /// conditions exclude the poster's kind of body, that pass every other
    /// rule and reach the minimum score, and that admit the kind of at
    /// least one organisation whose offer is proposed for the need (not
    /// dismissed by the need's side, not a public body). Empty when the
    /// need is not open.
    /// Fails on database or index errors.
    #[tracing::instrument(skip_all, fields(%need_id, limit))]
    pub async fn through_partners(
        &self,
        need_id: Uuid,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Vec<PartnerRoute>, AppError> {
        let Some(need) = self.open_need(need_id, now).await? else {
            return Ok(Vec::new());
        };
        let partners = self.partners_of(&need).await?;
        if partners.is_empty() {
            return Ok(Vec::new());
        }
        let candidates = self.need_candidates(&need, []).await?;
        let mut routes: Vec<PartnerRoute> = candidates
            .values()
            .filter(|offer| excludes_poster(&need, offer))
            .filter_map(|offer| self.route(&need, offer, &partners, now))
            .collect();
        routes.sort_by(|a, b| {
            b.scored
                .score
                .total_cmp(&a.scored.score)
                .then(a.offer_id.cmp(&b.offer_id))
        });
        routes.truncate(limit);
        Ok(routes)
    }

    /// The route by which the need would receive this offer, if the offer's
    /// conditions are what excludes the pair and a partner of the need's
    /// is admitted (for `whyNotMatched`). The pair is scored even when it
    /// stays below the minimum: the caller shows the score against it.
    #[tracing::instrument(skip_all, fields(%need_id, %offer_id))]
    pub async fn explain_through_partner(
        &self,
        need_id: Uuid,
        offer_id: Uuid,
    ) -> Result<Option<PartnerRoute>, AppError> {
        let (need, offer) = self.pair_facts(need_id, offer_id).await?;
        if !excludes_poster(&need, &offer) {
            return Ok(None);
        }
        let partners = self.partners_of(&need).await?;
        let now = crate::services::now();
        let Ok(scored) = self.matcher.score_through_partner(&need, &offer, now) else {
            return Ok(None);
        };
        Ok(PartnerRoute::admitted_by(&offer, scored, &partners))
    }

    /// The organisations whose open offers are proposed for the need and
    /// not dismissed by its side, best match first.
    async fn partners_of(&self, need: &NeedFacts) -> Result<Vec<Partner>, AppError> {
        let proposed = store::undismissed_of::<needs::Entity>(self.db, vec![need.id]).await?;
        let offer_ids: Vec<Uuid> = proposed.iter().map(|m| m.offer_id).collect();
        let offers: HashMap<Uuid, Arc<OfferFacts>> = self.offer_facts(&offer_ids).await?;
        let mut best: HashMap<Uuid, Partner> = HashMap::new();
        for row in &proposed {
            let Some(offer) = offers.get(&row.offer_id).filter(|o| o.open) else {
                continue;
            };
            let party = &offer.party;
            let entry = best.entry(party.organization_id).or_insert(Partner {
                organization_id: party.organization_id,
                kind: party.kind,
                score: row.score,
            });
            entry.score = entry.score.max(row.score);
        }
        let mut partners: Vec<Partner> = best.into_values().collect();
        partners.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.organization_id.cmp(&b.organization_id))
        });
        Ok(partners)
    }

    /// The proposed route for one candidate offer, if any.
    fn route(
        &self,
        need: &NeedFacts,
        offer: &OfferFacts,
        partners: &[Partner],
        now: DateTime<Utc>,
    ) -> Option<PartnerRoute> {
        let scored = self.matcher.score_through_partner(need, offer, now).ok()?;
        if !self.matcher.proposes(&scored) {
            return None;
        }
        PartnerRoute::admitted_by(offer, scored, partners)
    }
}

impl PartnerRoute {
    /// The route to `offer` through the partners it admits, if it admits
    /// any.
    fn admitted_by(offer: &OfferFacts, scored: Scored, partners: &[Partner]) -> Option<Self> {
        let partners = admitted(offer, partners);
        (!partners.is_empty()).then_some(Self {
            offer_id: offer.id,
            scored,
            partners,
        })
    }
}

/// Whether the offer's conditions leave out the need's poster (what a
/// partner can make up for).
fn excludes_poster(need: &NeedFacts, offer: &OfferFacts) -> bool {
    !admits_poster(need, offer)
}

/// The partners the offer admits, never the offering organisation itself
/// nor a public body: in a co-design the public side leads and a
/// third-sector or private partner receives what is reserved to its kind
/// (a municipality named as the go-between for a sports club's gym read as
/// nonsense in the demo; a public body that wants an offer reserved to it
/// posts its own need).
fn admitted(offer: &OfferFacts, partners: &[Partner]) -> Vec<Uuid> {
    partners
        .iter()
        .filter(|p| {
            p.organization_id != offer.party.organization_id
                && !p.kind.is_public_body()
                && offer.eligible_kinds.contains(&p.kind)
        })
        .map(|p| p.organization_id)
        .collect()
}
