//! Multi-party proposals: for a need that asks for several kinds of
//! contribution (know-how *and* volunteers), the set of organisations that
//! covers them with the best total score. Each kind asked for is covered by
//! one offer; the set's value is the sum of those offers' scores, less a
//! small cost for each partner beyond the first (one partner bringing two
//! things nearly as well beats two partners: fewer people to coordinate).
//! A need asks for a handful of kinds, so the best set is found exactly, by
//! trying the best few offers of each kind (a greedy cover would take an
//! organisation offering both kinds poorly over two that each offer one
//! well).

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::domain::OfferKind;

/// Offers of each kind considered (the best ones, one per organisation).
const PER_KIND: usize = 4;

/// A scored offer that could join the set.
#[derive(Clone, Debug, PartialEq)]
pub struct CoverCandidate {
    pub offer_id: Uuid,
    pub organization_id: Uuid,
    pub kind: OfferKind,
    pub score: f64,
}

/// One organisation of the proposed set and what it brings.
#[derive(Clone, Debug, PartialEq)]
pub struct CoverMember {
    pub organization_id: Uuid,
    /// Its best offer for each kind it covers.
    pub offers: Vec<CoverCandidate>,
    pub kinds: Vec<OfferKind>,
    pub score: f64,
}

/// The proposed set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cover {
    pub members: Vec<CoverMember>,
    /// Kinds asked for that nobody covers.
    pub uncovered: Vec<OfferKind>,
    pub total_score: f64,
}

/// Chooses the set covering `required` from `candidates`; each partner
/// beyond the first costs `extra_partner_cost` of score.
pub fn cover(
    required: &[OfferKind],
    candidates: &[CoverCandidate],
    extra_partner_cost: f64,
) -> Cover {
    let kinds: Vec<OfferKind> = required
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Per kind: the best offer of each organisation, best first, a few.
    let mut options: Vec<Vec<&CoverCandidate>> = Vec::new();
    let mut uncovered = Vec::new();
    for kind in &kinds {
        let mut best: BTreeMap<Uuid, &CoverCandidate> = BTreeMap::new();
        for candidate in candidates.iter().filter(|c| c.kind == *kind) {
            let slot = best.entry(candidate.organization_id).or_insert(candidate);
            if better(candidate, slot) {
                *slot = candidate;
            }
        }
        let mut ranked: Vec<&CoverCandidate> = best.into_values().collect();
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.offer_id.cmp(&b.offer_id))
        });
        ranked.truncate(PER_KIND);
        if ranked.is_empty() {
            uncovered.push(*kind);
        } else {
            options.push(ranked);
        }
    }
    let mut search = Search {
        options: &options,
        cost: extra_partner_cost,
        chosen: Vec::with_capacity(options.len()),
        best: None,
    };
    search.run();
    let mut result = Cover {
        uncovered: required
            .iter()
            .copied()
            .filter(|k| uncovered.contains(k))
            .collect(),
        ..Cover::default()
    };
    let Some((_, chosen)) = search.best else {
        return result;
    };
    // Group the chosen offers by organisation, in the order they were chosen.
    for offer in chosen {
        result.total_score += offer.score;
        match result
            .members
            .iter_mut()
            .find(|m| m.organization_id == offer.organization_id)
        {
            Some(member) => {
                member.kinds.push(offer.kind);
                member.score += offer.score;
                member.offers.push(offer.clone());
            }
            None => result.members.push(CoverMember {
                organization_id: offer.organization_id,
                offers: vec![offer.clone()],
                kinds: vec![offer.kind],
                score: offer.score,
            }),
        }
    }
    result.members.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.organization_id.cmp(&b.organization_id))
    });
    result
}

fn better(candidate: &CoverCandidate, than: &CoverCandidate) -> bool {
    candidate.score > than.score
        || (candidate.score == than.score && candidate.offer_id < than.offer_id)
}

/// Exhaustive search over one offer per kind.
struct Search<'a> {
    options: &'a [Vec<&'a CoverCandidate>],
    cost: f64,
    chosen: Vec<&'a CoverCandidate>,
    /// The best value found and its offers.
    best: Option<(f64, Vec<&'a CoverCandidate>)>,
}

impl<'a> Search<'a> {
    fn run(&mut self) {
        let depth = self.chosen.len();
        if depth == self.options.len() {
            if depth == 0 {
                return;
            }
            let partners: BTreeSet<Uuid> = self.chosen.iter().map(|c| c.organization_id).collect();
            let value = self.chosen.iter().map(|c| c.score).sum::<f64>()
                - self.cost * (partners.len() as f64 - 1.0);
            // Strictly better only: the first found among equals wins, and
            // options are tried best first, so the outcome is deterministic.
            if self
                .best
                .as_ref()
                .is_none_or(|(best, _)| value > *best + 1e-12)
            {
                self.best = Some((value, self.chosen.clone()));
            }
            return;
        }
        for option in &self.options[depth] {
            self.chosen.push(option);
            self.run();
            self.chosen.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(org: u128, kind: OfferKind, score: f64) -> CoverCandidate {
        CoverCandidate {
            offer_id: Uuid::from_u128(org * 100 + kind as u128),
            organization_id: Uuid::from_u128(org),
            kind,
            score,
        }
    }

    #[test]
    fn covers_know_how_and_volunteers_with_two_partners() {
        use OfferKind::{Competence, Materials, Volunteers};
        let onlus = candidate(1, Competence, 0.8);
        let tenants = candidate(2, Volunteers, 0.7);
        let weaker = candidate(3, Competence, 0.5);
        let paint = candidate(4, Materials, 0.9);
        // One organisation offering both, each a little worse: a greedy
        // cover would take it; the best set is the ONLUS and the tenants.
        let both_a = candidate(5, Competence, 0.56);
        let both_b = candidate(5, Volunteers, 0.55);
        let cover = cover(
            &[Competence, Volunteers],
            &[
                weaker,
                paint,
                both_a,
                both_b,
                onlus.clone(),
                tenants.clone(),
            ],
            0.15,
        );
        let members: Vec<Uuid> = cover.members.iter().map(|m| m.organization_id).collect();
        assert_eq!(
            members,
            vec![onlus.organization_id, tenants.organization_id]
        );
        assert_eq!(cover.members[0].kinds, vec![Competence]);
        assert!(cover.uncovered.is_empty());
        assert!((cover.total_score - 1.5).abs() < 1e-9);
    }

    #[test]
    fn one_partner_bringing_both_wins_over_two_weaker_halves() {
        use OfferKind::{Competence, Volunteers};
        let both_a = candidate(1, Competence, 0.7);
        let both_b = candidate(1, Volunteers, 0.7);
        let half = candidate(2, Competence, 0.8);
        let cover = cover(&[Competence, Volunteers], &[both_a, both_b, half], 0.15);
        assert_eq!(cover.members.len(), 1);
        assert_eq!(cover.members[0].kinds.len(), 2);
    }

    #[test]
    fn says_what_nobody_covers() {
        use OfferKind::{Competence, Space};
        let cover = cover(&[Competence, Space], &[candidate(1, Competence, 0.6)], 0.15);
        assert_eq!(cover.uncovered, vec![Space]);
    }
}
