//! The score of one need–offer pair: first the hard rules (any broken one
//! excludes the pair, with the rule as [`Exclusion`]), then the weighted mean
//! of the soft criteria, each with its [`Reason`]. A pure function of the two
//! sides' facts, the configuration and the date: the same pair scores the
//! same from either side and at every recomputation on the same day.

use chrono::{DateTime, Utc};

use super::config::MatchingConfig;
use super::facts::{NeedFacts, OfferFacts, Place};
use super::reasons::{Criterion, Exclusion, Finding, Reason};
use crate::domain::{OfferKind, TerritoryScope};

/// A pair that passed every hard rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    /// 0..1, rounded to four decimals (so that what is stored compares equal
    /// to what is recomputed).
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Scores a pair at `now`. Fails with the first hard rule it breaks.
pub fn score(
    need: &NeedFacts,
    offer: &OfferFacts,
    config: &MatchingConfig,
    now: DateTime<Utc>,
) -> Result<Scored, Exclusion> {
    hard_rules(need, offer, now)?;
    let mut reasons = Vec::with_capacity(8);
    let w = &config.weights;

    let (kind_value, kind_finding) = kind(need, offer, config)?;
    let (territory_value, territory_finding) = territory(need, offer, config)?;
    let (amount_value, amount_finding) = amount(need, offer, config)?;

    let (similarity, words) = need.text.similarity(&offer.text);
    let text_value = (similarity / config.text.full_similarity).min(1.0);
    if text_value < config.text.min_value {
        return Err(Exclusion::Unrelated);
    }
    reasons.push(Reason {
        criterion: Criterion::Text,
        value: text_value,
        weight: w.text,
        finding: if words.is_empty() {
            Finding::DifferentText
        } else {
            Finding::SimilarText {
                words: words.into_iter().take(4).collect(),
            }
        },
    });
    reasons.push(Reason {
        criterion: Criterion::Kind,
        value: kind_value,
        weight: w.kind,
        finding: kind_finding,
    });
    reasons.push(Reason {
        criterion: Criterion::Territory,
        value: territory_value,
        weight: w.territory,
        finding: territory_finding,
    });
    reasons.push(sectors(need, offer, w.sectors));
    reasons.push(Reason {
        criterion: Criterion::Amount,
        value: amount_value,
        weight: w.amount,
        finding: amount_finding,
    });
    reasons.push(time(need, offer, config));
    reasons.push(verification(need, offer, config));
    if need.requires_registration {
        reasons.push(eligibility(Finding::Registered));
    } else if !need.eligible_kinds.is_empty() {
        reasons.push(eligibility(Finding::EligibleKind {
            kind: offer.party.kind,
        }));
    }

    let total = w.total();
    let raw: f64 = reasons.iter().map(|r| r.weight * r.value).sum::<f64>() / total;
    for reason in &mut reasons {
        reason.value = round4(reason.value);
    }
    Ok(Scored {
        score: round4(raw),
        reasons,
    })
}

fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

fn eligibility(finding: Finding) -> Reason {
    Reason {
        criterion: Criterion::Eligibility,
        value: 1.0,
        weight: 0.0,
        finding,
    }
}

/// Who, when and for whom: the rules that exclude whatever the scores.
fn hard_rules(need: &NeedFacts, offer: &OfferFacts, now: DateTime<Utc>) -> Result<(), Exclusion> {
    if need.party.organization_id == offer.party.organization_id {
        return Err(Exclusion::SameOrganization);
    }
    if !need.open {
        return Err(Exclusion::NeedNotOpen);
    }
    if !offer.open {
        return Err(Exclusion::OfferNotOpen);
    }
    if need.deadline_at.is_some_and(|deadline| deadline < now) {
        return Err(Exclusion::NeedDeadlinePassed);
    }
    let today = now.date_naive();
    if offer.available_until.is_some_and(|until| until < today) {
        return Err(Exclusion::OfferExpired);
    }
    if let (Some(from), Some(deadline)) = (offer.available_from, need.deadline_at)
        && from > deadline.date_naive()
    {
        return Err(Exclusion::StartsAfterDeadline);
    }
    if !need.eligible_kinds.is_empty() && !need.eligible_kinds.contains(&offer.party.kind) {
        return Err(Exclusion::KindNotEligible {
            kind: offer.party.kind,
        });
    }
    if need.requires_registration && !offer.party.runts_registered {
        return Err(Exclusion::NotRegistered);
    }
    if !offer.eligible_kinds.is_empty() && !offer.eligible_kinds.contains(&need.party.kind) {
        return Err(Exclusion::OfferConditions {
            kind: need.party.kind,
        });
    }
    Ok(())
}

fn kind(
    need: &NeedFacts,
    offer: &OfferFacts,
    config: &MatchingConfig,
) -> Result<(f64, Finding), Exclusion> {
    if !need.required.is_empty() {
        return if need.required.contains(&offer.kind) {
            Ok((1.0, Finding::RequiredContribution { kind: offer.kind }))
        } else {
            Err(Exclusion::NotRequested { kind: offer.kind })
        };
    }
    let fit = config.kind_fit(offer.kind, need.kind);
    if fit <= 0.0 {
        return Err(Exclusion::IncompatibleKind {
            offer: offer.kind,
            need: need.kind,
        });
    }
    if offer.kind == OfferKind::Funding && need.budget_cents.is_none() {
        return Ok((
            fit.min(config.funding_without_budget),
            Finding::FundingWithoutBudget,
        ));
    }
    let finding = if offer.kind == OfferKind::Competence {
        Finding::CompetenceFor { need: need.kind }
    } else {
        Finding::KindFits {
            offer: offer.kind,
            need: need.kind,
        }
    };
    Ok((fit, finding))
}

/// Whether the need's place is inside the offer's territory, and how close
/// the two are.
fn territory(
    need: &NeedFacts,
    offer: &OfferFacts,
    config: &MatchingConfig,
) -> Result<(f64, Finding), Exclusion> {
    let t = &config.territory;
    let (n, o) = (&need.place, &offer.place);
    let outside = || Exclusion::OutsideTerritory { scope: offer.scope };
    let same_municipality = match (n.municipality_code(), o.municipality_code()) {
        (Some(a), Some(b)) => Some(a == b),
        _ => None,
    };
    let same_neighbourhood = match (n.neighbourhood_id(), o.neighbourhood_id()) {
        (Some(a), Some(b)) => Some(a == b),
        _ => None,
    };
    let (need_m, offer_m) = (n.municipality.as_ref(), o.municipality.as_ref());
    match offer.scope {
        TerritoryScope::Neighbourhood => match (same_neighbourhood, same_municipality) {
            (Some(false), _) => return Err(outside()),
            // A need for a whole municipality may use a neighbourhood's offer
            // of that municipality.
            (None, Some(false)) => return Err(outside()),
            _ => {}
        },
        TerritoryScope::Municipality => {
            if same_municipality == Some(false)
                || (offer_m.is_some() && need_m.is_none() && n.point.is_none())
            {
                return Err(outside());
            }
        }
        TerritoryScope::Province => {
            if let (Some(a), Some(b)) = (need_m, offer_m)
                && a.province_code != b.province_code
            {
                return Err(outside());
            }
        }
        TerritoryScope::Region => {
            if let (Some(a), Some(b)) = (need_m, offer_m)
                && a.region_code != b.region_code
            {
                return Err(outside());
            }
        }
        TerritoryScope::National => {}
    }
    let km = distance(n, o);
    if let (Some(km), Some(max_km)) = (km, config.max_km(offer.kind))
        && km > max_km
    {
        return Err(Exclusion::TooFar {
            km: round1(km),
            max_km,
        });
    }
    if same_neighbourhood == Some(true)
        && let Some((_, name)) = &n.neighbourhood
    {
        return Ok((
            t.same_neighbourhood,
            Finding::SameNeighbourhood { name: name.clone() },
        ));
    }
    if same_municipality == Some(true)
        && let Some(m) = need_m
    {
        return Ok((
            t.same_municipality,
            Finding::SameMunicipality {
                name: m.name.clone(),
            },
        ));
    }
    let nearby = km.map(|km| (t.nearby_max * 0.5f64.powf(km / t.half_distance_km), km));
    let covers = match offer.scope {
        TerritoryScope::Province => offer_m.map(|m| m.province_name.clone()),
        TerritoryScope::Region => offer_m.map(|m| m.region_name.clone()),
        TerritoryScope::National => Some("Italia".to_owned()),
        _ => None,
    };
    match (nearby, covers) {
        (Some((value, _)), Some(area)) if value < t.covers_area => Ok((
            t.covers_area,
            Finding::CoversArea {
                scope: offer.scope,
                area,
            },
        )),
        (Some((value, km)), _) => Ok((value, Finding::Nearby { km: round1(km) })),
        (None, Some(area)) => Ok((
            t.covers_area,
            Finding::CoversArea {
                scope: offer.scope,
                area,
            },
        )),
        (None, None) => Ok((t.unknown, Finding::PlaceUnknown)),
    }
}

fn round1(km: f64) -> f64 {
    (km * 10.0).round() / 10.0
}

fn distance(a: &Place, b: &Place) -> Option<f64> {
    Some(a.point?.distance_km(b.point?))
}

fn sectors(need: &NeedFacts, offer: &OfferFacts, weight: f64) -> Reason {
    let shared: Vec<_> = need
        .sectors
        .iter()
        .filter(|s| offer.sectors.iter().any(|o| o.code == s.code))
        .collect();
    let smaller = need.sectors.len().min(offer.sectors.len());
    let (value, finding) = if shared.is_empty() || smaller == 0 {
        (0.0, Finding::NoSharedSector)
    } else {
        (
            shared.len() as f64 / smaller as f64,
            Finding::SharedSectors {
                it: shared.iter().map(|s| s.name_it.clone()).collect(),
                en: shared.iter().map(|s| s.name_en.clone()).collect(),
            },
        )
    };
    Reason {
        criterion: Criterion::Sectors,
        value,
        weight,
        finding,
    }
}

fn amount(
    need: &NeedFacts,
    offer: &OfferFacts,
    config: &MatchingConfig,
) -> Result<(f64, Finding), Exclusion> {
    if !matches!(offer.kind, OfferKind::Funding | OfferKind::Loan) {
        return Ok((config.amount_unknown, Finding::NotMoney));
    }
    let Some(budget) = need.budget_cents.filter(|b| *b > 0) else {
        return Ok((config.amount_unknown, Finding::AmountUnknown));
    };
    if let Some(min) = offer.amount_min_cents
        && min > budget
    {
        return Err(Exclusion::MinimumAboveBudget {
            min_cents: min,
            budget_cents: budget,
        });
    }
    let Some(max) = offer.amount_max_cents else {
        return Ok((config.amount_unknown, Finding::AmountUnknown));
    };
    let covered = max.min(budget);
    Ok((
        covered as f64 / budget as f64,
        Finding::AmountFits {
            covered_cents: covered,
            budget_cents: budget,
        },
    ))
}

fn time(need: &NeedFacts, offer: &OfferFacts, config: &MatchingConfig) -> Reason {
    let (value, finding) = match need.deadline_at {
        // The start was checked against the deadline by the hard rules.
        Some(deadline) if offer.available_from.is_some() || offer.available_until.is_some() => (
            config.time.fits,
            Finding::AvailableByDeadline {
                deadline: deadline.date_naive(),
            },
        ),
        _ => (config.time.unknown, Finding::DatesUnknown),
    };
    Reason {
        criterion: Criterion::Time,
        value,
        weight: config.weights.time,
        finding,
    }
}

fn verification(need: &NeedFacts, offer: &OfferFacts, config: &MatchingConfig) -> Reason {
    let v = &config.verification;
    let side = |verified: bool| if verified { v.verified } else { v.unverified };
    Reason {
        criterion: Criterion::Verification,
        value: (side(need.party.verified) + side(offer.party.verified)) / 2.0,
        weight: config.weights.verification,
        finding: Finding::Verified {
            need_side: need.party.verified,
            offer_side: offer.party.verified,
        },
    }
}
