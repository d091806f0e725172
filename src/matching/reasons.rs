//! Why a pair matches (or does not), in words a person reads: each criterion
//! of the score keeps its value, its weight and what it found, and renders
//! itself in Italian and English ("stesso quartiere: San Siro", "importo
//! compatibile: 20.000 EUR su 25.000 EUR"). Stored as JSON in
//! `matches.reasons`, so what a user reads is what the score was made of.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{
    EuroCents, FeedbackVerdict, Lang, NeedKind, OfferKind, OrganizationKind, TerritoryScope,
};

/// The criteria of the score, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    Text,
    Kind,
    Territory,
    Sectors,
    Amount,
    Time,
    Verification,
    /// Not weighed (a hard rule that held), shown because it matters to the
    /// reader, e.g. "iscritto al RUNTS".
    Eligibility,
    /// Not part of the pair's score: how the organisation's verdicts on
    /// similar proposals move it in that organisation's lists. Its value
    /// is the change itself (negative lowers).
    Feedback,
}

impl Criterion {
    /// The criterion's name, as the explanations write it.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Text, Lang::It) => "testo",
            (Self::Text, Lang::En) => "text",
            (Self::Kind, Lang::It) => "tipo di contributo",
            (Self::Kind, Lang::En) => "kind of contribution",
            (Self::Territory, Lang::It) => "territorio",
            (Self::Territory, Lang::En) => "territory",
            (Self::Sectors, Lang::It) => "settori",
            (Self::Sectors, Lang::En) => "sectors",
            (Self::Amount, Lang::It) => "importo",
            (Self::Amount, Lang::En) => "amount",
            (Self::Time, Lang::It) => "tempi",
            (Self::Time, Lang::En) => "timing",
            (Self::Verification, Lang::It) => "verifica dell'ente",
            (Self::Verification, Lang::En) => "verification of the body",
            (Self::Eligibility, Lang::It) => "requisiti",
            (Self::Eligibility, Lang::En) => "requirements",
            (Self::Feedback, Lang::It) => "le vostre valutazioni",
            (Self::Feedback, Lang::En) => "your verdicts",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Kind => "kind",
            Self::Territory => "territory",
            Self::Sectors => "sectors",
            Self::Amount => "amount",
            Self::Time => "time",
            Self::Verification => "verification",
            Self::Eligibility => "eligibility",
            Self::Feedback => "feedback",
        }
    }
}

/// What a criterion found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Finding {
    SimilarText {
        words: Vec<String>,
    },
    DifferentText,
    RequiredContribution {
        kind: OfferKind,
    },
    CompetenceFor {
        need: NeedKind,
    },
    KindFits {
        offer: OfferKind,
        need: NeedKind,
    },
    FundingWithoutBudget,
    SameNeighbourhood {
        name: String,
    },
    SameMunicipality {
        name: String,
    },
    Nearby {
        km: f64,
    },
    CoversArea {
        scope: TerritoryScope,
        area: String,
    },
    /// The offer's place lies in the wider area the need covers (its
    /// province, its region).
    InNeedArea {
        scope: TerritoryScope,
        area: String,
    },
    PlaceUnknown,
    SharedSectors {
        it: Vec<String>,
        en: Vec<String>,
    },
    NoSharedSector,
    AmountFits {
        covered_cents: i64,
        budget_cents: i64,
    },
    AmountUnknown,
    NotMoney,
    AvailableByDeadline {
        deadline: NaiveDate,
    },
    DatesUnknown,
    Verified {
        need_side: bool,
        offer_side: bool,
    },
    Registered,
    EligibleKind {
        kind: OrganizationKind,
    },
    /// The offer is for these kinds of body, not the poster's: it reaches
    /// the need through a partner of one of them.
    ThroughPartner {
        kinds: Vec<OrganizationKind>,
    },
    /// Like a proposal the organisation gave this verdict on.
    LikeJudged {
        title: String,
        verdict: FeedbackVerdict,
    },
    /// The same posting, judged when proposed for another of the
    /// organisation's postings.
    AlreadyJudged {
        verdict: FeedbackVerdict,
    },
}

/// One criterion's part in a score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub criterion: Criterion,
    /// What the criterion is worth here, 0..1.
    pub value: f64,
    /// Its weight in the score (0 for [`Criterion::Eligibility`]).
    pub weight: f64,
    #[serde(flatten)]
    pub finding: Finding,
}

impl Reason {
    /// Its share of the score: `weight * value / sum of weights`; for
    /// [`Criterion::Feedback`], the change it makes.
    pub fn contribution(&self, total_weight: f64) -> f64 {
        if self.criterion == Criterion::Feedback {
            self.value
        } else if total_weight <= 0.0 {
            0.0
        } else {
            self.weight * self.value / total_weight
        }
    }

    /// The finding as a person reads it.
    pub fn message(&self, lang: Lang) -> String {
        self.finding.message(lang)
    }

    /// The finding's code (`same_neighbourhood`...).
    pub fn code(&self) -> &'static str {
        self.finding.code()
    }
}

/// What a short list (a digest) shows of a score: the `n` criteria that
/// do most for it, strongest first, then how the organisation's verdicts
/// moved it, if they did.
pub fn strongest(reasons: &[Reason], total_weight: f64, n: usize) -> Vec<&Reason> {
    let mut weighed: Vec<&Reason> = reasons
        .iter()
        .filter(|r| r.weight > 0.0 && r.value > 0.0)
        .collect();
    weighed.sort_by(|a, b| {
        b.contribution(total_weight)
            .total_cmp(&a.contribution(total_weight))
            .then(a.criterion.cmp(&b.criterion))
    });
    weighed.truncate(n);
    weighed.extend(
        reasons
            .iter()
            .filter(|r| r.criterion == Criterion::Feedback),
    );
    weighed
}

fn money(cents: i64, lang: Lang) -> String {
    EuroCents::new(cents)
        .map(|c| c.format_whole(lang))
        .unwrap_or_else(|_| cents.to_string())
}

/// What an amount is worth to a budget: "fits" from half of it up, else
/// the share it covers.
fn amount_message(covered_cents: i64, budget_cents: i64, lang: Lang) -> String {
    let (covered, budget) = (money(covered_cents, lang), money(budget_cents, lang));
    match (share_percent(covered_cents, budget_cents), lang) {
        (None, Lang::It) => format!("importo compatibile: {covered} su {budget}"),
        (None, Lang::En) => format!("amount fits: {covered} of {budget}"),
        (Some(0), Lang::It) => {
            format!("copre meno dell'1% del budget: {covered} su {budget}")
        }
        (Some(0), Lang::En) => {
            format!("covers less than 1% of the budget: {covered} of {budget}")
        }
        (Some(percent), Lang::It) => {
            format!("copre solo il {percent}% del budget: {covered} su {budget}")
        }
        (Some(percent), Lang::En) => {
            format!("covers only {percent}% of the budget: {covered} of {budget}")
        }
    }
}

/// The share of the budget an amount covers, in whole percent rounded
/// down, when it is less than half: a contribution that small is part of
/// the money, not an amount that fits (`None` from half up).
fn share_percent(covered_cents: i64, budget_cents: i64) -> Option<i64> {
    if budget_cents <= 0 || covered_cents.saturating_mul(2) >= budget_cents {
        return None;
    }
    // i128: cents times 100 cannot overflow.
    i64::try_from(i128::from(covered_cents) * 100 / i128::from(budget_cents)).ok()
}

fn date(day: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::It => day.format("%d/%m/%Y").to_string(),
        Lang::En => day.format("%-d %B %Y").to_string(),
    }
}

/// "associazione di promozione sociale o organizzazione di volontariato".
fn kind_list(kinds: &[OrganizationKind], lang: Lang) -> String {
    let names: Vec<String> = kinds.iter().map(|k| lower(k.label(lang))).collect();
    let or = match lang {
        Lang::It => " o ",
        Lang::En => " or ",
    };
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{or}{last}", rest.join(", ")),
    }
}

/// A label inside a sentence: its first letter in lower case, the rest as
/// written ("tipo A", "(APS)" keep their capitals).
fn lower(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Finding {
    pub fn code(&self) -> &'static str {
        match self {
            Self::SimilarText { .. } => "similar_text",
            Self::DifferentText => "different_text",
            Self::RequiredContribution { .. } => "required_contribution",
            Self::CompetenceFor { .. } => "competence_for",
            Self::KindFits { .. } => "kind_fits",
            Self::FundingWithoutBudget => "funding_without_budget",
            Self::SameNeighbourhood { .. } => "same_neighbourhood",
            Self::SameMunicipality { .. } => "same_municipality",
            Self::Nearby { .. } => "nearby",
            Self::CoversArea { .. } => "covers_area",
            Self::InNeedArea { .. } => "in_need_area",
            Self::PlaceUnknown => "place_unknown",
            Self::SharedSectors { .. } => "shared_sectors",
            Self::NoSharedSector => "no_shared_sector",
            Self::AmountFits { .. } => "amount_fits",
            Self::AmountUnknown => "amount_unknown",
            Self::NotMoney => "not_money",
            Self::AvailableByDeadline { .. } => "available_by_deadline",
            Self::DatesUnknown => "dates_unknown",
            Self::Verified { .. } => "verified",
            Self::Registered => "registered",
            Self::EligibleKind { .. } => "eligible_kind",
            Self::ThroughPartner { .. } => "through_partner",
            Self::LikeJudged { .. } => "like_judged",
            Self::AlreadyJudged { .. } => "already_judged",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use Lang::{En, It};
        match (self, lang) {
            (Self::SimilarText { words }, It) => {
                format!("parole in comune: {}", words.join(", "))
            }
            (Self::SimilarText { words }, En) => format!("words in common: {}", words.join(", ")),
            (Self::DifferentText, It) => "testi diversi".into(),
            (Self::DifferentText, En) => "texts differ".into(),
            (Self::RequiredContribution { kind }, It) => {
                format!("contributo richiesto: {}", lower(kind.label(It)))
            }
            (Self::RequiredContribution { kind }, En) => {
                format!("contribution asked for: {}", lower(kind.label(En)))
            }
            (Self::CompetenceFor { need }, It) => {
                format!("competenza richiesta: {}", lower(need.label(It)))
            }
            (Self::CompetenceFor { need }, En) => {
                format!("expertise needed: {}", lower(need.label(En)))
            }
            (Self::KindFits { offer, need }, It) => {
                format!(
                    "contributo adatto a {}: {}",
                    lower(need.label(It)),
                    lower(offer.label(It))
                )
            }
            (Self::KindFits { offer, need }, En) => {
                format!(
                    "a contribution suited to {}: {}",
                    lower(need.label(En)),
                    lower(offer.label(En))
                )
            }
            (Self::FundingWithoutBudget, It) => {
                "finanziamento, ma il bisogno non indica un budget".into()
            }
            (Self::FundingWithoutBudget, En) => "funding, but the need gives no budget".into(),
            (Self::SameNeighbourhood { name }, It) => format!("stesso quartiere: {name}"),
            (Self::SameNeighbourhood { name }, En) => format!("same neighbourhood: {name}"),
            (Self::SameMunicipality { name }, It) => format!("stesso comune: {name}"),
            (Self::SameMunicipality { name }, En) => format!("same municipality: {name}"),
            (Self::Nearby { km }, It) => format!("a {} km", format_km(*km, It)),
            (Self::Nearby { km }, En) => format!("{} km away", format_km(*km, En)),
            (Self::CoversArea { scope, area }, It) => match scope {
                TerritoryScope::National => "disponibile in tutta Italia".into(),
                _ => format!("copre il territorio: {area}"),
            },
            (Self::CoversArea { scope, area }, En) => match scope {
                TerritoryScope::National => "available nationwide".into(),
                _ => format!("covers the area: {area}"),
            },
            (Self::InNeedArea { scope, area }, It) => match scope {
                TerritoryScope::National => "il bisogno riguarda tutta Italia".into(),
                _ => format!("nel territorio del bisogno: {area}"),
            },
            (Self::InNeedArea { scope, area }, En) => match scope {
                TerritoryScope::National => "the need covers all of Italy".into(),
                _ => format!("within the need's area: {area}"),
            },
            (Self::PlaceUnknown, It) => "luogo non indicato".into(),
            (Self::PlaceUnknown, En) => "place not given".into(),
            (Self::SharedSectors { it, .. }, It) => {
                format!("settore in comune: {}", it.join(", "))
            }
            (Self::SharedSectors { en, .. }, En) => {
                format!("sector in common: {}", en.join(", "))
            }
            (Self::NoSharedSector, It) => "nessun settore in comune".into(),
            (Self::NoSharedSector, En) => "no sector in common".into(),
            (
                Self::AmountFits {
                    covered_cents,
                    budget_cents,
                },
                lang,
            ) => amount_message(*covered_cents, *budget_cents, lang),
            (Self::AmountUnknown, It) => "importo non indicato".into(),
            (Self::AmountUnknown, En) => "amount not given".into(),
            (Self::NotMoney, It) => "contributo non economico".into(),
            (Self::NotMoney, En) => "not a money contribution".into(),
            (Self::AvailableByDeadline { deadline }, It) => {
                format!("disponibile entro la scadenza del {}", date(*deadline, It))
            }
            (Self::AvailableByDeadline { deadline }, En) => {
                format!("available by the deadline of {}", date(*deadline, En))
            }
            (Self::DatesUnknown, It) => "date non indicate".into(),
            (Self::DatesUnknown, En) => "dates not given".into(),
            (
                Self::Verified {
                    need_side,
                    offer_side,
                },
                It,
            ) => match (need_side, offer_side) {
                (true, true) => "entrambe le organizzazioni sono verificate".into(),
                (false, true) => "chi offre è un'organizzazione verificata".into(),
                (true, false) => "chi cerca è un'organizzazione verificata".into(),
                (false, false) => "organizzazioni non ancora verificate".into(),
            },
            (
                Self::Verified {
                    need_side,
                    offer_side,
                },
                En,
            ) => match (need_side, offer_side) {
                (true, true) => "both organisations are verified".into(),
                (false, true) => "the offering organisation is verified".into(),
                (true, false) => "the organisation in need is verified".into(),
                (false, false) => "organisations not verified yet".into(),
            },
            (Self::Registered, It) => "ente iscritto al RUNTS: può partecipare".into(),
            (Self::Registered, En) => "registered in the RUNTS: may take part".into(),
            (Self::EligibleKind { kind }, It) => {
                format!("tipo di ente ammesso: {}", lower(kind.label(It)))
            }
            (Self::EligibleKind { kind }, En) => {
                format!("kind of body admitted: {}", lower(kind.label(En)))
            }
            (Self::ThroughPartner { kinds }, It) => format!(
                "tramite un partner: l'offerta è per {}",
                kind_list(kinds, It)
            ),
            (Self::ThroughPartner { kinds }, En) => format!(
                "through a partner: the offer is for {}",
                kind_list(kinds, En)
            ),
            (Self::AlreadyJudged { verdict }, It) => match verdict {
                FeedbackVerdict::Interested => {
                    "vi interessa già per un altro vostro annuncio".into()
                }
                FeedbackVerdict::Relevant => {
                    "già giudicata pertinente per un altro vostro annuncio".into()
                }
                FeedbackVerdict::Dismissed => "già scartata per un altro vostro annuncio".into(),
                FeedbackVerdict::NotRelevant => {
                    "già giudicata non pertinente per un altro vostro annuncio".into()
                }
            },
            (Self::AlreadyJudged { verdict }, En) => match verdict {
                FeedbackVerdict::Interested => {
                    "already of interest to you for another of your postings".into()
                }
                FeedbackVerdict::Relevant => {
                    "already marked relevant for another of your postings".into()
                }
                FeedbackVerdict::Dismissed => {
                    "already dismissed for another of your postings".into()
                }
                FeedbackVerdict::NotRelevant => {
                    "already marked not relevant for another of your postings".into()
                }
            },
            (Self::LikeJudged { title, verdict }, It) => match verdict {
                FeedbackVerdict::Interested => format!("simile a «{title}», che vi interessa"),
                FeedbackVerdict::Relevant => {
                    format!("simile a «{title}», che avete giudicato pertinente")
                }
                FeedbackVerdict::Dismissed => format!("simile a «{title}», che avete scartato"),
                FeedbackVerdict::NotRelevant => {
                    format!("simile a «{title}», che avete giudicato non pertinente")
                }
            },
            (Self::LikeJudged { title, verdict }, En) => match verdict {
                FeedbackVerdict::Interested => {
                    format!("like “{title}”, which you were interested in")
                }
                FeedbackVerdict::Relevant => format!("like “{title}”, which you marked relevant"),
                FeedbackVerdict::Dismissed => format!("like “{title}”, which you dismissed"),
                FeedbackVerdict::NotRelevant => {
                    format!("like “{title}”, which you marked not relevant")
                }
            },
        }
    }
}

fn format_km(km: f64, lang: Lang) -> String {
    let text = if km < 10.0 {
        format!("{km:.1}")
    } else {
        format!("{km:.0}")
    };
    match lang {
        Lang::It => text.replace('.', ","),
        Lang::En => text,
    }
}

/// Why a pair is never proposed (a hard rule it breaks).
#[derive(Clone, Debug, PartialEq)]
pub enum Exclusion {
    SameOrganization,
    NeedNotOpen,
    OfferNotOpen,
    NeedDeadlinePassed,
    OfferExpired,
    StartsAfterDeadline,
    OutsideTerritory {
        scope: TerritoryScope,
    },
    TooFar {
        km: f64,
        max_km: f64,
    },
    KindNotEligible {
        kind: OrganizationKind,
    },
    NotRegistered,
    OfferConditions {
        kind: OrganizationKind,
    },
    NotRequested {
        kind: OfferKind,
    },
    IncompatibleKind {
        offer: OfferKind,
        need: NeedKind,
    },
    MinimumAboveBudget {
        min_cents: i64,
        budget_cents: i64,
    },
    /// The texts have (almost) nothing in common.
    Unrelated,
    /// Asked to reach the need through a partner, but the offer admits the
    /// poster itself: the pair is an ordinary match.
    PosterEligible,
}

impl Exclusion {
    /// The rule's stable name (`outside_territory`...), for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SameOrganization => "same_organization",
            Self::NeedNotOpen => "need_not_open",
            Self::OfferNotOpen => "offer_not_open",
            Self::NeedDeadlinePassed => "need_deadline_passed",
            Self::OfferExpired => "offer_expired",
            Self::StartsAfterDeadline => "starts_after_deadline",
            Self::OutsideTerritory { .. } => "outside_territory",
            Self::TooFar { .. } => "too_far",
            Self::KindNotEligible { .. } => "kind_not_eligible",
            Self::NotRegistered => "not_registered",
            Self::OfferConditions { .. } => "offer_conditions",
            Self::NotRequested { .. } => "not_requested",
            Self::IncompatibleKind { .. } => "incompatible_kind",
            Self::MinimumAboveBudget { .. } => "minimum_above_budget",
            Self::Unrelated => "unrelated",
            Self::PosterEligible => "poster_eligible",
        }
    }

    /// The rule broken, as a person reads it.
    pub fn message(&self, lang: Lang) -> String {
        use Lang::{En, It};
        match (self, lang) {
            (Self::Unrelated, It) => "offerta e bisogno parlano di cose diverse".into(),
            (Self::Unrelated, En) => "the offer and the need are about different things".into(),
            (Self::PosterEligible, It) => {
                "l'offerta è rivolta anche a chi ha pubblicato il bisogno".into()
            }
            (Self::PosterEligible, En) => "the offer is open to the need's poster itself".into(),
            (Self::SameOrganization, It) => "offerta e bisogno della stessa organizzazione".into(),
            (Self::SameOrganization, En) => "offer and need of the same organisation".into(),
            (Self::NeedNotOpen, It) => "il bisogno non è aperto".into(),
            (Self::NeedNotOpen, En) => "the need is not open".into(),
            (Self::OfferNotOpen, It) => "l'offerta non è aperta".into(),
            (Self::OfferNotOpen, En) => "the offer is not open".into(),
            (Self::NeedDeadlinePassed, It) => "la scadenza del bisogno è passata".into(),
            (Self::NeedDeadlinePassed, En) => "the need's deadline has passed".into(),
            (Self::OfferExpired, It) => "l'offerta è scaduta".into(),
            (Self::OfferExpired, En) => "the offer has expired".into(),
            (Self::StartsAfterDeadline, It) => {
                "l'offerta è disponibile solo dopo la scadenza".into()
            }
            (Self::StartsAfterDeadline, En) => "the offer starts after the deadline".into(),
            (Self::OutsideTerritory { scope }, It) => format!(
                "fuori dal territorio dell'offerta ({})",
                lower(scope.label(It))
            ),
            (Self::OutsideTerritory { scope }, En) => {
                format!("outside the offer's territory ({})", lower(scope.label(En)))
            }
            (Self::TooFar { km, max_km }, It) => format!(
                "troppo lontano: {} km (al massimo {} km)",
                format_km(*km, It),
                format_km(*max_km, It)
            ),
            (Self::TooFar { km, max_km }, En) => format!(
                "too far: {} km (at most {} km)",
                format_km(*km, En),
                format_km(*max_km, En)
            ),
            (Self::KindNotEligible { kind }, It) => format!(
                "tipo di ente non ammesso dal bisogno: {}",
                lower(kind.label(It))
            ),
            (Self::KindNotEligible { kind }, En) => format!(
                "kind of body not admitted by the need: {}",
                lower(kind.label(En))
            ),
            (Self::NotRegistered, It) => "riservato agli enti iscritti al RUNTS (art. 55)".into(),
            (Self::NotRegistered, En) => {
                "reserved to bodies registered in the RUNTS (art. 55)".into()
            }
            (Self::OfferConditions { kind }, It) => {
                format!("l'offerta non è rivolta a: {}", lower(kind.label(It)))
            }
            (Self::OfferConditions { kind }, En) => {
                format!("the offer is not for: {}", lower(kind.label(En)))
            }
            (Self::NotRequested { kind }, It) => {
                format!("il bisogno non chiede: {}", lower(kind.label(It)))
            }
            (Self::NotRequested { kind }, En) => {
                format!("the need does not ask for: {}", lower(kind.label(En)))
            }
            (Self::IncompatibleKind { offer, need }, It) => format!(
                "contributo non adatto a {}: {}",
                lower(need.label(It)),
                lower(offer.label(It))
            ),
            (Self::IncompatibleKind { offer, need }, En) => format!(
                "a contribution not suited to {}: {}",
                lower(need.label(En)),
                lower(offer.label(En))
            ),
            (
                Self::MinimumAboveBudget {
                    min_cents,
                    budget_cents,
                },
                It,
            ) => format!(
                "importo minimo {} oltre il budget di {}",
                money(*min_cents, It),
                money(*budget_cents, It)
            ),
            (
                Self::MinimumAboveBudget {
                    min_cents,
                    budget_cents,
                },
                En,
            ) => format!(
                "minimum amount {} above the budget of {}",
                money(*min_cents, En),
                money(*budget_cents, En)
            ),
        }
    }
}

/// Why a pair is or is not proposed, in one paragraph a person reads: the
/// rule that excludes it; or its score against the minimum with, when it
/// falls short, the two weighed criteria that cost it most (weight times
/// what the criterion did not find).
pub fn verdict(outcome: &Result<super::Scored, Exclusion>, min_score: f64, lang: Lang) -> String {
    let number = |x: f64| match lang {
        Lang::It => format!("{x:.2}").replace('.', ","),
        Lang::En => format!("{x:.2}"),
    };
    let scored = match outcome {
        Err(exclusion) => {
            return match lang {
                Lang::It => format!("Non viene proposto: {}.", exclusion.message(lang)),
                Lang::En => format!("Not proposed: {}.", exclusion.message(lang)),
            };
        }
        Ok(scored) => scored,
    };
    let (score, min) = (number(scored.score), number(min_score));
    if scored.score >= min_score {
        return match lang {
            Lang::It => format!("Viene proposto: punteggio {score} (il minimo è {min})."),
            Lang::En => format!("Proposed: score {score} (the minimum is {min})."),
        };
    }
    let mut weakest: Vec<&Reason> = scored.reasons.iter().filter(|r| r.weight > 0.0).collect();
    weakest.sort_by(|a, b| {
        let lost = |r: &Reason| r.weight * (1.0 - r.value);
        lost(b).total_cmp(&lost(a))
    });
    let costs: Vec<String> = weakest
        .iter()
        .take(2)
        .map(|r| format!("{} ({})", r.criterion.label(lang), r.message(lang)))
        .collect();
    match lang {
        Lang::It => format!(
            "Non viene proposto: punteggio {score}, sotto il minimo di {min}. Pesano di più: {}.",
            costs.join("; ")
        ),
        Lang::En => format!(
            "Not proposed: score {score}, below the minimum of {min}. What costs most: {}.",
            costs.join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_read_as_the_issue_writes_them() {
        let amount = Finding::AmountFits {
            covered_cents: 2_000_000,
            budget_cents: 2_500_000,
        };
        assert_eq!(
            amount.message(Lang::It),
            "importo compatibile: 20.000 EUR su 25.000 EUR"
        );
        assert_eq!(
            amount.message(Lang::En),
            "amount fits: EUR 20,000 of EUR 25,000"
        );
        // A small share of the budget is said as such.
        let share = |covered_cents| Finding::AmountFits {
            covered_cents,
            budget_cents: 8_000_000,
        };
        for (covered, lang, said) in [
            (
                500_000,
                Lang::It,
                "copre solo il 6% del budget: 5.000 EUR su 80.000 EUR",
            ),
            (
                500_000,
                Lang::En,
                "covers only 6% of the budget: EUR 5,000 of EUR 80,000",
            ),
            (
                50_000,
                Lang::It,
                "copre meno dell'1% del budget: 500 EUR su 80.000 EUR",
            ),
            (
                4_000_000,
                Lang::It,
                "importo compatibile: 40.000 EUR su 80.000 EUR",
            ),
        ] {
            assert_eq!(share(covered).message(lang), said);
        }
        let place = Finding::SameNeighbourhood {
            name: "San Siro".into(),
        };
        assert_eq!(place.message(Lang::It), "stesso quartiere: San Siro");
        let competence = Finding::CompetenceFor {
            need: NeedKind::SocialConcierge,
        };
        assert_eq!(
            competence.message(Lang::It),
            "competenza richiesta: portierato sociale"
        );
        assert_eq!(Finding::Nearby { km: 3.25 }.message(Lang::It), "a 3,2 km");
    }

    #[test]
    fn reasons_survive_the_database_round_trip() {
        let reason = Reason {
            criterion: Criterion::Territory,
            value: 1.0,
            weight: 0.2,
            finding: Finding::SameNeighbourhood {
                name: "San Siro".into(),
            },
        };
        let json = serde_json::to_value(&reason).expect("serialise");
        assert_eq!(json["code"], "same_neighbourhood");
        assert_eq!(json["criterion"], "territory");
        let back: Reason = serde_json::from_value(json).expect("read back");
        assert_eq!(back, reason);
    }
}
