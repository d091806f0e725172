//! The score of one need–offer pair: first the hard rules (any broken one
//! excludes the pair, with the rule as [`Exclusion`]), then the weighted mean
//! of the soft criteria, each with its [`Reason`]. A pure function of the two
//! sides' facts, the configuration and the date: the same pair scores the
//! same from either side and at every recomputation on the same day.

use chrono::{DateTime, Utc};

use super::config::MatchingConfig;
use super::facts::{MunicipalityRef, NeedFacts, OfferFacts, Place};
use super::reasons::{Criterion, Exclusion, Finding, Reason};
use crate::domain::{OfferKind, TerritoryScope};

/// Shared words an explanation names at most.
const SHOWN_WORDS: usize = 4;

/// A pair that passed every hard rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    /// 0..1, rounded to four decimals (so that what is stored compares equal
    /// to what is recomputed).
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Who receives what the offer gives: the offer's own conditions (the
/// kinds of body it is for) are checked against that party.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// The need's poster, as in every proposed match.
    Poster,
    /// A partner of the poster's, whom the offer admits: in a co-design a
    /// grant reserved to third-sector bodies goes to the third-sector
    /// partner, not to the municipality that posted the need. Only the
    /// offer's conditions change; every other rule, the need's own
    /// included, holds as for the poster.
    Partner,
}

/// Scores a pair at `now`. Fails with the first hard rule it breaks.
pub fn score(
    need: &NeedFacts,
    offer: &OfferFacts,
    config: &MatchingConfig,
    now: DateTime<Utc>,
) -> Result<Scored, Exclusion> {
    score_for(need, offer, config, now, Recipient::Poster)
}

/// Scores a pair whose offer is received by `recipient` (see
/// [`Recipient`]). For [`Recipient::Partner`] the offer's conditions must
/// exclude the poster (else the pair is an ordinary match and this fails
/// with [`Exclusion::PosterEligible`]) and the reasons end with the kinds
/// of partner the offer admits.
pub fn score_for(
    need: &NeedFacts,
    offer: &OfferFacts,
    config: &MatchingConfig,
    now: DateTime<Utc>,
    recipient: Recipient,
) -> Result<Scored, Exclusion> {
    hard_rules(need, offer, now, recipient)?;
    let mut reasons = Vec::with_capacity(8);
    let w = &config.weights;

    let (kind_value, kind_finding) = kind(need, offer, config)?;
    let (territory_value, territory_finding) = territory(need, offer, config)?;
    let (amount_value, amount_finding) = amount(need, offer, config)?;

    let (similarity, words) = need.text.similarity(&offer.text, SHOWN_WORDS);
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
            Finding::SimilarText { words }
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
    if recipient == Recipient::Partner {
        reasons.push(eligibility(Finding::ThroughPartner {
            kinds: offer.eligible_kinds.clone(),
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

/// Whether the offer's conditions (the kinds of body it is for) admit the
/// need's poster.
pub fn admits_poster(need: &NeedFacts, offer: &OfferFacts) -> bool {
    offer.eligible_kinds.is_empty() || offer.eligible_kinds.contains(&need.party.kind)
}

/// Who, when and for whom: the rules that exclude whatever the scores.
fn hard_rules(
    need: &NeedFacts,
    offer: &OfferFacts,
    now: DateTime<Utc>,
    recipient: Recipient,
) -> Result<(), Exclusion> {
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
    let poster_eligible = admits_poster(need, offer);
    match recipient {
        Recipient::Poster if !poster_eligible => Err(Exclusion::OfferConditions {
            kind: need.party.kind,
        }),
        Recipient::Partner if poster_eligible => Err(Exclusion::PosterEligible),
        _ => Ok(()),
    }
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

/// Whether the need's places and the offer's territory meet, and how close
/// the two are: the best of every pair of a need's place and an offer's
/// place (their first places first, whose refusal is the one reported when
/// no pair meets).
fn territory(
    need: &NeedFacts,
    offer: &OfferFacts,
    config: &MatchingConfig,
) -> Result<(f64, Finding), Exclusion> {
    let mut best: Option<(f64, Finding)> = None;
    let mut first_refusal = None;
    for n in need.places() {
        for o in offer.places() {
            match territory_between(n, need.scope, o, offer, config) {
                Ok(found) => {
                    if best.as_ref().is_none_or(|(value, _)| found.0 > *value) {
                        best = Some(found);
                    }
                }
                Err(refusal) => {
                    first_refusal.get_or_insert(refusal);
                }
            }
        }
    }
    match (best, first_refusal) {
        (Some(found), _) => Ok(found),
        (None, Some(refusal)) => Err(refusal),
        (None, None) => Ok((config.territory.unknown, Finding::PlaceUnknown)),
    }
}

/// How far a scope reaches, finest first.
fn reach(scope: TerritoryScope) -> u8 {
    match scope {
        TerritoryScope::Neighbourhood => 0,
        TerritoryScope::Municipality => 1,
        TerritoryScope::Province => 2,
        TerritoryScope::Region => 3,
        TerritoryScope::National => 4,
    }
}

/// One place of the need `n` (reaching as far as `need_scope`) against one
/// place of the offer `o`: the two areas meet when they agree at the wider
/// of the two scopes (an offer of one municipality meets a need over its
/// province). A need over a province or wider is not measured in km: its
/// point says little about where the work is.
fn territory_between(
    n: &Place,
    need_scope: Option<TerritoryScope>,
    o: &Place,
    offer: &OfferFacts,
    config: &MatchingConfig,
) -> Result<(f64, Finding), Exclusion> {
    let t = &config.territory;
    let outside = || Exclusion::OutsideTerritory { scope: offer.scope };
    let need_wider = need_scope.filter(|s| reach(*s) > reach(offer.scope));
    let scope = need_wider.unwrap_or(offer.scope);
    let same_municipality = match (n.municipality_code(), o.municipality_code()) {
        (Some(a), Some(b)) => Some(a == b),
        _ => None,
    };
    let same_neighbourhood = match (n.neighbourhood_id(), o.neighbourhood_id()) {
        (Some(a), Some(b)) => Some(a == b),
        _ => None,
    };
    let (need_m, offer_m) = (n.municipality.as_ref(), o.municipality.as_ref());
    match scope {
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
    let need_is_wide = need_scope.is_some_and(|s| reach(s) >= reach(TerritoryScope::Province));
    let km = distance(n, o).filter(|_| !need_is_wide);
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
    let area_of = |m: Option<&MunicipalityRef>, scope| match scope {
        TerritoryScope::Province => m.map(|m| m.province_name.clone()),
        TerritoryScope::Region => m.map(|m| m.region_name.clone()),
        TerritoryScope::National => Some("Italia".to_owned()),
        _ => None,
    };
    let covers = match need_wider {
        Some(scope) => area_of(need_m, scope).map(|area| Finding::InNeedArea { scope, area }),
        None => area_of(offer_m, offer.scope).map(|area| Finding::CoversArea {
            scope: offer.scope,
            area,
        }),
    };
    match (nearby, covers) {
        (Some((value, _)), Some(covers)) if value < t.covers_area => Ok((t.covers_area, covers)),
        (Some((value, km)), _) => Ok((value, Finding::Nearby { km: round1(km) })),
        (None, Some(covers)) => Ok((t.covers_area, covers)),
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeDelta, TimeZone};
    use uuid::Uuid;

    use super::*;
    use crate::domain::{Lang, NeedKind, OrganizationKind};
    use crate::matching::Matcher;
    use crate::matching::facts::{MunicipalityRef, Party, SectorRef};
    use crate::search::GeoPoint;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0)
            .single()
            .expect("a valid instant")
    }

    fn milano() -> MunicipalityRef {
        MunicipalityRef {
            code: "015146".to_owned(),
            name: "Milano".to_owned(),
            province_code: "MI".to_owned(),
            province_name: "Milano".to_owned(),
            region_code: "03".to_owned(),
            region_name: "Lombardia".to_owned(),
        }
    }

    fn bologna() -> MunicipalityRef {
        MunicipalityRef {
            code: "037006".to_owned(),
            name: "Bologna".to_owned(),
            province_code: "BO".to_owned(),
            province_name: "Bologna".to_owned(),
            region_code: "08".to_owned(),
            region_name: "Emilia-Romagna".to_owned(),
        }
    }

    fn place(municipality: MunicipalityRef, lat: f64, lon: f64) -> Place {
        Place {
            neighbourhood: None,
            municipality: Some(municipality),
            point: Some(GeoPoint { lat, lon }),
        }
    }

    fn party(id: u128, kind: OrganizationKind) -> Party {
        Party {
            organization_id: Uuid::from_u128(id),
            organization_name: format!("Ente {id}"),
            kind,
            verified: false,
            runts_registered: false,
        }
    }

    fn sector(code: &str) -> SectorRef {
        SectorRef {
            code: code.to_owned(),
            name_it: format!("settore {code}"),
            name_en: format!("sector {code}"),
        }
    }

    /// A concierge need in Milano and a funding offer for the province that
    /// talks about the same thing: a pair every hard rule lets through.
    fn pair(matcher: &Matcher) -> (NeedFacts, OfferFacts) {
        let need_title = "Portierato sociale a San Siro";
        let need_text = "Cerchiamo chi sostenga un servizio di portineria sociale nelle case ERP.";
        let offer_title = "Fondi per la custodia sociale";
        let offer_text =
            "Finanziamo progetti di custodia sociale nell'edilizia residenziale pubblica.";
        let need = NeedFacts {
            id: Uuid::from_u128(10),
            party: party(1, OrganizationKind::Aps),
            kind: NeedKind::SocialConcierge,
            title: need_title.to_owned(),
            description: need_text.to_owned(),
            text: matcher.profile(need_title, need_text),
            budget_cents: Some(1_000_000),
            deadline_at: Some(now() + TimeDelta::days(60)),
            place: place(milano(), 45.478, 9.122),
            other_places: Vec::new(),
            scope: None,
            required: Vec::new(),
            eligible_kinds: Vec::new(),
            requires_registration: false,
            sectors: vec![sector("housing"), sector("welfare")],
            open: true,
            digest: Default::default(),
        };
        let offer = OfferFacts {
            id: Uuid::from_u128(20),
            party: party(2, OrganizationKind::Foundation),
            kind: OfferKind::Funding,
            title: offer_title.to_owned(),
            description: offer_text.to_owned(),
            text: matcher.profile(offer_title, offer_text),
            amount_min_cents: None,
            amount_max_cents: Some(400_000),
            available_from: None,
            available_until: Some(NaiveDate::from_ymd_opt(2026, 12, 31).expect("a date")),
            eligible_kinds: Vec::new(),
            scope: TerritoryScope::Province,
            place: place(milano(), 45.464, 9.190),
            other_places: Vec::new(),
            sectors: vec![sector("housing")],
            open: true,
            digest: Default::default(),
        };
        (need, offer)
    }

    fn scored(need: &NeedFacts, offer: &OfferFacts) -> Result<Scored, Exclusion> {
        let matcher = Matcher::builtin().expect("the built-in configuration");
        score(need, offer, matcher.config(), now())
    }

    fn value_of(scored: &Scored, criterion: Criterion) -> f64 {
        scored
            .reasons
            .iter()
            .find(|r| r.criterion == criterion)
            .map(|r| r.value)
            .unwrap_or_else(|| panic!("no {criterion:?} reason in {:?}", scored.reasons))
    }

    #[test]
    fn a_fitting_pair_scores_the_weighted_mean_of_its_criteria() {
        let matcher = Matcher::builtin().expect("config");
        let (need, offer) = pair(&matcher);
        let scored = scored(&need, &offer).expect("the pair passes the hard rules");
        assert!((0.0..=1.0).contains(&scored.score), "{}", scored.score);
        assert_eq!(scored.score, round4(scored.score));
        let criteria: Vec<Criterion> = scored.reasons.iter().map(|r| r.criterion).collect();
        assert_eq!(
            criteria,
            [
                Criterion::Text,
                Criterion::Kind,
                Criterion::Territory,
                Criterion::Sectors,
                Criterion::Amount,
                Criterion::Time,
                Criterion::Verification,
            ]
        );
        // The mean of the rounded values is the score, up to the rounding.
        let weights = &matcher.config().weights;
        let mean = scored
            .reasons
            .iter()
            .map(|r| r.weight * r.value)
            .sum::<f64>()
            / weights.total();
        assert!(
            (mean - scored.score).abs() < 1e-3,
            "{mean} {}",
            scored.score
        );
        // 4 000 of a 10 000 euro budget, one of the need's two sectors
        // (the offer has one), same municipality, nobody verified.
        assert_eq!(value_of(&scored, Criterion::Amount), 0.4);
        assert_eq!(value_of(&scored, Criterion::Sectors), 1.0);
        assert_eq!(
            value_of(&scored, Criterion::Territory),
            matcher.config().territory.same_municipality
        );
        assert_eq!(value_of(&scored, Criterion::Verification), 0.0);
        assert_eq!(value_of(&scored, Criterion::Kind), 1.0);
    }

    #[test]
    fn the_same_pair_scores_the_same_every_time() {
        let matcher = Matcher::builtin().expect("config");
        let (need, offer) = pair(&matcher);
        assert_eq!(scored(&need, &offer), scored(&need, &offer));
    }

    #[test]
    fn verification_raises_the_score() {
        let matcher = Matcher::builtin().expect("config");
        let (need, mut offer) = pair(&matcher);
        let before = scored(&need, &offer).expect("scored").score;
        offer.party.verified = true;
        let after = scored(&need, &offer).expect("scored");
        assert!(after.score > before, "{} <= {before}", after.score);
        assert_eq!(value_of(&after, Criterion::Verification), 0.5);
    }

    #[test]
    fn hard_rules_exclude_whatever_the_scores() {
        let matcher = Matcher::builtin().expect("config");
        let (need, offer) = pair(&matcher);
        let excluded = |change: &dyn Fn(&mut NeedFacts, &mut OfferFacts)| {
            let (mut n, mut o) = (need.clone(), offer.clone());
            change(&mut n, &mut o);
            scored(&n, &o).expect_err("the pair breaks a hard rule")
        };
        assert_eq!(
            excluded(&|_, o| o.party.organization_id = need.party.organization_id),
            Exclusion::SameOrganization
        );
        assert_eq!(excluded(&|n, _| n.open = false), Exclusion::NeedNotOpen);
        assert_eq!(excluded(&|_, o| o.open = false), Exclusion::OfferNotOpen);
        assert_eq!(
            excluded(&|n, _| n.deadline_at = Some(now() - TimeDelta::hours(1))),
            Exclusion::NeedDeadlinePassed
        );
        assert_eq!(
            excluded(&|_, o| o.available_until = NaiveDate::from_ymd_opt(2026, 3, 9)),
            Exclusion::OfferExpired
        );
        assert_eq!(
            excluded(&|_, o| o.available_from = NaiveDate::from_ymd_opt(2026, 9, 1)),
            Exclusion::StartsAfterDeadline
        );
        assert_eq!(
            excluded(&|n, _| n.eligible_kinds = vec![OrganizationKind::Odv]),
            Exclusion::KindNotEligible {
                kind: OrganizationKind::Foundation
            }
        );
        assert_eq!(
            excluded(&|n, _| n.requires_registration = true),
            Exclusion::NotRegistered
        );
        assert_eq!(
            excluded(&|_, o| o.eligible_kinds = vec![OrganizationKind::Odv]),
            Exclusion::OfferConditions {
                kind: OrganizationKind::Aps
            }
        );
        assert_eq!(
            excluded(&|n, _| n.required = vec![OfferKind::Space]),
            Exclusion::NotRequested {
                kind: OfferKind::Funding
            }
        );
        assert_eq!(
            excluded(&|_, o| o.amount_min_cents = Some(2_000_000)),
            Exclusion::MinimumAboveBudget {
                min_cents: 2_000_000,
                budget_cents: 1_000_000
            }
        );
    }

    #[test]
    fn an_offer_for_other_kinds_of_body_reaches_the_need_through_a_partner() {
        let matcher = Matcher::builtin().expect("config");
        let (mut need, mut offer) = pair(&matcher);
        need.party.kind = OrganizationKind::Municipality;
        offer.eligible_kinds = vec![OrganizationKind::Aps, OrganizationKind::Odv];
        let partner = |n: &NeedFacts, o: &OfferFacts| {
            score_for(n, o, matcher.config(), now(), Recipient::Partner)
        };
        assert_eq!(
            scored(&need, &offer),
            Err(Exclusion::OfferConditions {
                kind: OrganizationKind::Municipality
            })
        );
        let through = partner(&need, &offer).expect("through a partner");
        let last = through.reasons.last().expect("reasons");
        assert_eq!(
            last.finding,
            Finding::ThroughPartner {
                kinds: vec![OrganizationKind::Aps, OrganizationKind::Odv]
            }
        );
        assert_eq!(last.weight, 0.0);
        assert_eq!(
            last.message(Lang::It),
            "tramite un partner: l'offerta è per associazione di promozione sociale (APS) o \
             organizzazione di volontariato (ODV)"
        );
        // The same score as if the poster were admitted: only who receives
        // the offer changes.
        let mut admitted = offer.clone();
        admitted.eligible_kinds.push(OrganizationKind::Municipality);
        let direct = scored(&need, &admitted).expect("direct");
        assert_eq!(through.score, direct.score);
        // Every other rule still holds, the need's own included.
        need.eligible_kinds = vec![OrganizationKind::SocialCooperativeA];
        assert_eq!(
            partner(&need, &offer),
            Err(Exclusion::KindNotEligible {
                kind: OrganizationKind::Foundation
            })
        );
        need.eligible_kinds.clear();
        offer.available_until = NaiveDate::from_ymd_opt(2026, 3, 9);
        assert_eq!(partner(&need, &offer), Err(Exclusion::OfferExpired));
        // An offer the poster may receive is an ordinary match.
        assert_eq!(partner(&need, &admitted), Err(Exclusion::PosterEligible));
    }

    #[test]
    fn a_registered_party_passes_the_registration_rule_and_says_so() {
        let matcher = Matcher::builtin().expect("config");
        let (mut need, mut offer) = pair(&matcher);
        need.requires_registration = true;
        offer.party.runts_registered = true;
        let scored = scored(&need, &offer).expect("scored");
        let last = scored.reasons.last().expect("reasons");
        assert_eq!(last.criterion, Criterion::Eligibility);
        assert_eq!(last.weight, 0.0);
    }

    #[test]
    fn the_offer_territory_bounds_where_it_is_proposed() {
        let matcher = Matcher::builtin().expect("config");
        let (mut need, mut offer) = pair(&matcher);
        need.place = place(bologna(), 44.494, 11.342);
        assert_eq!(
            scored(&need, &offer),
            Err(Exclusion::OutsideTerritory {
                scope: TerritoryScope::Province
            })
        );
        // A nationwide offer reaches Bologna, as covering the area.
        offer.scope = TerritoryScope::National;
        let scored = scored(&need, &offer).expect("scored");
        assert_eq!(
            value_of(&scored, Criterion::Territory),
            matcher.config().territory.covers_area
        );
    }

    fn territory_of(scored: &Scored) -> &Reason {
        scored
            .reasons
            .iter()
            .find(|r| r.criterion == Criterion::Territory)
            .expect("a territory reason")
    }

    fn in_neighbourhood(id: u128, name: &str, lat: f64, lon: f64) -> Place {
        Place {
            neighbourhood: Some((Uuid::from_u128(id), name.to_owned())),
            ..place(milano(), lat, lon)
        }
    }

    fn sesto() -> MunicipalityRef {
        MunicipalityRef {
            code: "015209".to_owned(),
            name: "Sesto San Giovanni".to_owned(),
            ..milano()
        }
    }

    fn bergamo() -> MunicipalityRef {
        MunicipalityRef {
            code: "016024".to_owned(),
            name: "Bergamo".to_owned(),
            province_code: "BG".to_owned(),
            province_name: "Bergamo".to_owned(),
            ..milano()
        }
    }

    #[test]
    fn an_offer_serving_several_neighbourhoods_reaches_a_need_in_any_of_them() {
        let matcher = Matcher::builtin().expect("config");
        let (mut need, mut offer) = pair(&matcher);
        offer.scope = TerritoryScope::Neighbourhood;
        offer.place = in_neighbourhood(1, "Giambellino", 45.452, 9.137);
        need.place = in_neighbourhood(2, "Barona", 45.436, 9.155);
        assert_eq!(
            scored(&need, &offer),
            Err(Exclusion::OutsideTerritory {
                scope: TerritoryScope::Neighbourhood
            })
        );
        offer.other_places = vec![
            in_neighbourhood(3, "Lorenteggio", 45.449, 9.125),
            in_neighbourhood(2, "Barona", 45.436, 9.155),
        ];
        let scored = scored(&need, &offer).expect("Barona is one of the offer's places");
        let territory = territory_of(&scored);
        assert_eq!(
            territory.finding,
            Finding::SameNeighbourhood {
                name: "Barona".to_owned()
            }
        );
        assert_eq!(
            territory.value,
            matcher.config().territory.same_neighbourhood
        );
    }

    #[test]
    fn a_need_over_several_municipalities_meets_an_offer_in_any_of_them() {
        let matcher = Matcher::builtin().expect("config");
        let (mut need, mut offer) = pair(&matcher);
        offer.scope = TerritoryScope::Municipality;
        offer.place = place(sesto(), 45.534, 9.230);
        let scored_ = scored(&need, &offer);
        assert!(
            matches!(scored_, Err(Exclusion::OutsideTerritory { .. })),
            "{scored_:?}"
        );
        need.other_places = vec![place(sesto(), 45.534, 9.230)];
        let scored = scored(&need, &offer).expect("the need is in Sesto too");
        assert_eq!(
            value_of(&scored, Criterion::Territory),
            matcher.config().territory.same_municipality
        );
    }

    #[test]
    fn a_need_over_a_province_meets_the_offers_of_its_municipalities_and_no_others() {
        let matcher = Matcher::builtin().expect("config");
        let (mut need, mut offer) = pair(&matcher);
        offer.kind = OfferKind::Space;
        offer.amount_max_cents = None;
        offer.scope = TerritoryScope::Neighbourhood;
        offer.place = Place {
            neighbourhood: Some((Uuid::from_u128(9), "Centro".to_owned())),
            ..place(sesto(), 45.534, 9.230)
        };
        assert!(scored(&need, &offer).is_err(), "Milano alone is not Sesto");
        need.scope = Some(TerritoryScope::Province);
        let scored_ = scored(&need, &offer).expect("Sesto is in the province of Milano");
        let territory = territory_of(&scored_);
        assert_eq!(
            territory.finding,
            Finding::InNeedArea {
                scope: TerritoryScope::Province,
                area: "Milano".to_owned()
            }
        );
        assert_eq!(
            territory.finding.message(crate::domain::Lang::It),
            "nel territorio del bisogno: Milano"
        );
        // A province's need is not measured in km from its point: a space in
        // the province is as good as the province covers.
        need.place.point = Some(GeoPoint {
            lat: 45.0,
            lon: 8.5,
        });
        assert!(scored(&need, &offer).is_ok());
        // Another province stays outside.
        offer.place = place(bergamo(), 45.698, 9.677);
        assert_eq!(
            scored(&need, &offer),
            Err(Exclusion::OutsideTerritory {
                scope: TerritoryScope::Neighbourhood
            })
        );
        // A region's need reaches Bergamo.
        need.scope = Some(TerritoryScope::Region);
        assert!(scored(&need, &offer).is_ok());
    }

    #[test]
    fn things_given_in_person_are_not_proposed_far_away() {
        let matcher = Matcher::builtin().expect("config");
        let (mut need, mut offer) = pair(&matcher);
        offer.kind = OfferKind::Space;
        offer.scope = TerritoryScope::National;
        offer.amount_max_cents = None;
        need.place = place(bologna(), 44.494, 11.342);
        match scored(&need, &offer) {
            Err(Exclusion::TooFar { km, max_km }) => {
                assert_eq!(Some(max_km), matcher.config().max_km(OfferKind::Space));
                assert!(km > 150.0, "{km}");
            }
            other => panic!("expected TooFar, got {other:?}"),
        }
    }

    #[test]
    fn unrelated_texts_are_not_proposed() {
        let matcher = Matcher::builtin().expect("config");
        let (need, mut offer) = pair(&matcher);
        let (title, text) = (
            "Campi da calcio",
            "Prestiamo palloni e porte per il torneo.",
        );
        offer.title = title.to_owned();
        offer.description = text.to_owned();
        offer.text = matcher.profile(title, text);
        assert_eq!(scored(&need, &offer), Err(Exclusion::Unrelated));
    }

    #[test]
    fn funding_without_a_budget_counts_less() {
        let matcher = Matcher::builtin().expect("config");
        let (mut need, offer) = pair(&matcher);
        need.budget_cents = None;
        let scored = scored(&need, &offer).expect("scored");
        let kind = scored
            .reasons
            .iter()
            .find(|r| r.criterion == Criterion::Kind)
            .expect("a kind reason");
        assert_eq!(kind.value, matcher.config().funding_without_budget);
        assert_eq!(kind.finding, Finding::FundingWithoutBudget);
        assert_eq!(
            value_of(&scored, Criterion::Amount),
            matcher.config().amount_unknown
        );
    }
}
