//! The match engine's numbers, read from one TOML file
//! (`assets/matching/weights.toml`, compiled in; `TRAMA_MATCHING_CONFIG`
//! names another). Parsing checks every value, so a typo in the file stops
//! the server at start rather than skewing matches quietly.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::domain::{NeedKind, OfferKind};

/// The built-in configuration file.
pub const BUILTIN_FILE: &str = include_str!("../../assets/matching/weights.toml");

/// The weight of each criterion in the score.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub text: f64,
    pub kind: f64,
    pub territory: f64,
    pub sectors: f64,
    pub amount: f64,
    pub time: f64,
    pub verification: f64,
}

impl Weights {
    pub fn total(&self) -> f64 {
        self.text
            + self.kind
            + self.territory
            + self.sectors
            + self.amount
            + self.time
            + self.verification
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TextConfig {
    pub title_weight: f64,
    pub min_value: f64,
    pub full_similarity: f64,
    pub generic_weight: f64,
    pub generic_words: Vec<String>,
    /// A concept of the concept model also counts for its broader concepts,
    /// this much (0..1) per level up.
    #[serde(default)]
    pub broader_weight: f64,
    /// How many levels up a concept counts.
    #[serde(default)]
    pub broader_levels: usize,
    /// Broader concepts less specific than this (depth in the model, 0 for
    /// the most general) are not counted: sharing one says little.
    #[serde(default)]
    pub broader_min_depth: usize,
    /// A concept also counts this much (0..1) for each related concept.
    #[serde(default)]
    pub related_weight: f64,
    /// Need kind (snake_case) → the words its kind says, counted as part of
    /// the need's text: a need posted as a "housing needs analysis" is about
    /// that analysis even when its text names only the tenants it is for.
    #[serde(default)]
    pub need_kind_words: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TerritoryConfig {
    pub same_neighbourhood: f64,
    pub same_municipality: f64,
    pub nearby_max: f64,
    pub half_distance_km: f64,
    pub covers_area: f64,
    pub unknown: f64,
    /// Offer kind (snake_case) → largest distance in km.
    #[serde(default)]
    pub max_km: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UnknownOnly {
    pub unknown: f64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimeConfig {
    pub fits: f64,
    pub unknown: f64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VerificationConfig {
    pub verified: f64,
    pub unverified: f64,
}

/// The file as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    min_score: f64,
    good_score: f64,
    weights: Weights,
    text: TextConfig,
    territory: TerritoryConfig,
    amount: UnknownOnly,
    time: TimeConfig,
    verification: VerificationConfig,
    partners: PartnersConfig,
    feedback: FeedbackConfig,
    kinds: toml::Table,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartnersConfig {
    pub extra_partner_cost: f64,
}

/// How an organisation's verdicts move similar proposals in its lists
/// (see [`crate::matching::feedback`]).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeedbackConfig {
    /// The signal of each verdict, -1..1.
    pub interested: f64,
    pub dismissed: f64,
    pub relevant: f64,
    pub not_relevant: f64,
    /// Cosine of two postings' texts (0..1) from which they count as
    /// similar.
    pub min_similarity: f64,
    /// How similar two postings of one organisation are at least.
    pub same_organization: f64,
    /// A proposal moves by strength × similarity × signal per verdict.
    pub strength: f64,
    /// The most a proposal moves down and up.
    pub max_lower: f64,
    pub max_raise: f64,
}

/// The parsed and checked configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchingConfig {
    /// Pairs scoring below this are not proposed.
    pub min_score: f64,
    /// A match at least this good answers a need (for the observatory).
    pub good_score: f64,
    pub weights: Weights,
    pub text: TextConfig,
    pub territory: TerritoryConfig,
    pub amount_unknown: f64,
    pub time: TimeConfig,
    pub verification: VerificationConfig,
    pub partners: PartnersConfig,
    pub feedback: FeedbackConfig,
    /// How well an offer kind serves a need kind; absent means never.
    kinds: HashMap<(OfferKind, NeedKind), f64>,
    pub funding_without_budget: f64,
    max_km: HashMap<OfferKind, f64>,
    generic: HashSet<String>,
}

impl MatchingConfig {
    /// The built-in configuration. It is checked by a unit test, so this
    /// cannot fail in a released build; should it, the engine refuses to run
    /// rather than score with made-up numbers.
    pub fn builtin() -> anyhow::Result<Self> {
        Self::parse(BUILTIN_FILE).context("the built-in matching configuration")
    }

    /// Reads the configuration from a file. Fails when it cannot be read or
    /// does not parse (see [`MatchingConfig::parse`]).
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the matching configuration {}", path.display()))?;
        Self::parse(&text)
            .with_context(|| format!("in the matching configuration {}", path.display()))
    }

    /// Parses and checks the TOML text: unknown keys, kinds that do not
    /// exist, weights below zero, values outside 0..1 and an all-zero
    /// weighting are errors naming the key.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let raw: RawConfig = toml::from_str(text).context("not valid TOML for this file")?;
        unit("min_score", raw.min_score)?;
        unit("good_score", raw.good_score)?;
        for (name, weight) in [
            ("weights.text", raw.weights.text),
            ("weights.kind", raw.weights.kind),
            ("weights.territory", raw.weights.territory),
            ("weights.sectors", raw.weights.sectors),
            ("weights.amount", raw.weights.amount),
            ("weights.time", raw.weights.time),
            ("weights.verification", raw.weights.verification),
        ] {
            if !(weight.is_finite() && weight >= 0.0) {
                bail!("{name} must be a number of zero or more");
            }
        }
        if raw.weights.total() <= 0.0 {
            bail!("at least one of [weights] must be above zero");
        }
        let t = &raw.territory;
        for (name, value) in [
            ("territory.same_neighbourhood", t.same_neighbourhood),
            ("territory.same_municipality", t.same_municipality),
            ("territory.nearby_max", t.nearby_max),
            ("territory.covers_area", t.covers_area),
            ("territory.unknown", t.unknown),
            ("text.generic_weight", raw.text.generic_weight),
            ("text.min_value", raw.text.min_value),
            ("amount.unknown", raw.amount.unknown),
            ("time.fits", raw.time.fits),
            ("time.unknown", raw.time.unknown),
            ("verification.verified", raw.verification.verified),
            ("verification.unverified", raw.verification.unverified),
            (
                "partners.extra_partner_cost",
                raw.partners.extra_partner_cost,
            ),
            ("feedback.interested", raw.feedback.interested),
            ("feedback.relevant", raw.feedback.relevant),
            ("feedback.min_similarity", raw.feedback.min_similarity),
            ("feedback.same_organization", raw.feedback.same_organization),
            ("feedback.strength", raw.feedback.strength),
            ("feedback.max_lower", raw.feedback.max_lower),
            ("feedback.max_raise", raw.feedback.max_raise),
        ] {
            unit(name, value)?;
        }
        negative_unit("feedback.dismissed", raw.feedback.dismissed)?;
        negative_unit("feedback.not_relevant", raw.feedback.not_relevant)?;
        for (name, value) in [
            ("territory.half_distance_km", t.half_distance_km),
            ("text.full_similarity", raw.text.full_similarity),
            ("text.title_weight", raw.text.title_weight),
        ] {
            if !(value.is_finite() && value > 0.0) {
                bail!("{name} must be above zero");
            }
        }
        let mut max_km = HashMap::new();
        for (kind, km) in &t.max_km {
            let kind = OfferKind::parse(kind)
                .map_err(|_| anyhow::anyhow!("territory.max_km.{kind}: no such offer kind"))?;
            if !(km.is_finite() && *km > 0.0) {
                bail!("territory.max_km.{kind}: must be above zero");
            }
            max_km.insert(kind, *km);
        }
        let mut kinds = HashMap::new();
        let mut funding_without_budget = None;
        for (key, value) in &raw.kinds {
            if key == "funding_without_budget" {
                let value = value.as_float().ok_or_else(|| {
                    anyhow::anyhow!("kinds.funding_without_budget must be a number")
                })?;
                unit("kinds.funding_without_budget", value)?;
                funding_without_budget = Some(value);
                continue;
            }
            let offer = OfferKind::parse(key)
                .map_err(|_| anyhow::anyhow!("kinds.{key}: no such offer kind"))?;
            let row = value
                .as_table()
                .ok_or_else(|| anyhow::anyhow!("kinds.{key} must be a table of need kinds"))?;
            for (need_key, fit) in row {
                let need = NeedKind::parse(need_key)
                    .map_err(|_| anyhow::anyhow!("kinds.{key}.{need_key}: no such need kind"))?;
                let fit = fit
                    .as_float()
                    .ok_or_else(|| anyhow::anyhow!("kinds.{key}.{need_key} must be a number"))?;
                unit(&format!("kinds.{key}.{need_key}"), fit)?;
                if fit > 0.0 {
                    kinds.insert((offer, need), fit);
                }
            }
        }
        let funding_without_budget = funding_without_budget
            .ok_or_else(|| anyhow::anyhow!("kinds.funding_without_budget is missing"))?;
        for (kind, words) in &raw.text.need_kind_words {
            NeedKind::parse(kind)
                .map_err(|_| anyhow::anyhow!("text.need_kind_words.{kind}: no such need kind"))?;
            if words.trim().is_empty() {
                bail!("text.need_kind_words.{kind}: empty");
            }
        }
        let generic = raw
            .text
            .generic_words
            .iter()
            .map(|w| crate::search::analysis::fold(w))
            .collect();
        Ok(Self {
            min_score: raw.min_score,
            good_score: raw.good_score,
            weights: raw.weights,
            text: raw.text,
            territory: raw.territory,
            amount_unknown: raw.amount.unknown,
            time: raw.time,
            verification: raw.verification,
            partners: raw.partners,
            feedback: raw.feedback,
            kinds,
            funding_without_budget,
            max_km,
            generic,
        })
    }

    /// How well an offer kind serves a need kind (0 = never), from the table.
    pub fn kind_fit(&self, offer: OfferKind, need: NeedKind) -> f64 {
        self.kinds.get(&(offer, need)).copied().unwrap_or(0.0)
    }

    /// The offer kinds that can serve a need kind at all.
    pub fn kinds_serving(&self, need: NeedKind) -> Vec<OfferKind> {
        OfferKind::ALL
            .iter()
            .copied()
            .filter(|offer| self.kind_fit(*offer, need) > 0.0)
            .collect()
    }

    /// The need kinds an offer kind can serve at all.
    pub fn kinds_served(&self, offer: OfferKind) -> Vec<NeedKind> {
        NeedKind::ALL
            .iter()
            .copied()
            .filter(|need| self.kind_fit(offer, *need) > 0.0)
            .collect()
    }

    /// The farthest an offer of this kind is proposed, if limited.
    pub fn max_km(&self, offer: OfferKind) -> Option<f64> {
        self.max_km.get(&offer).copied()
    }

    /// Whether a folded word is one of the domain's generic words.
    pub fn is_generic(&self, folded_word: &str) -> bool {
        self.generic.contains(folded_word)
    }
}

fn unit(name: &str, value: f64) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&value) {
        bail!("{name} must be between 0 and 1");
    }
    Ok(())
}

/// A signal against (feedback): between -1 and 0.
fn negative_unit(name: &str, value: f64) -> anyhow::Result<()> {
    if !(-1.0..=0.0).contains(&value) {
        bail!("{name} must be between -1 and 0");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_file_parses() {
        let config = MatchingConfig::builtin().expect("built-in config");
        assert!(config.min_score > 0.0);
        assert_eq!(
            config.kind_fit(OfferKind::Loan, NeedKind::CollaborativeHousing),
            1.0
        );
        // Only the pairs left out on purpose are never proposed; the
        // unlikely ones a person would still use are low.
        let never = [
            (OfferKind::Loan, NeedKind::HousingNeedsAnalysis),
            (OfferKind::Materials, NeedKind::HousingNeedsAnalysis),
            (OfferKind::Materials, NeedKind::CallForProposals),
            (OfferKind::Equipment, NeedKind::HousingNeedsAnalysis),
            (OfferKind::Equipment, NeedKind::CallForProposals),
        ];
        for &offer in OfferKind::ALL {
            for &need in NeedKind::ALL {
                let fit = config.kind_fit(offer, need);
                if never.contains(&(offer, need)) {
                    assert_eq!(fit, 0.0, "{offer} for {need}");
                } else {
                    assert!(fit > 0.0 && fit <= 1.0, "{offer} for {need}: {fit}");
                }
            }
        }
        assert!(config.kind_fit(OfferKind::Loan, NeedKind::SocialMediation) < 0.5);
        assert!(config.max_km(OfferKind::Space).is_some());
        assert!(config.max_km(OfferKind::Funding).is_none());
        assert!(config.is_generic("comunita"));
        assert!(
            config
                .kinds_serving(NeedKind::SpaceRegeneration)
                .contains(&OfferKind::Volunteers)
        );
    }

    #[test]
    fn mistakes_in_the_file_are_named() {
        let bad_kind = BUILTIN_FILE.replace("[kinds.loan]", "[kinds.lone]");
        let error = format!(
            "{:#}",
            MatchingConfig::parse(&bad_kind).expect_err("refused")
        );
        assert!(error.contains("kinds.lone"), "{error}");

        let bad_need = BUILTIN_FILE.replace("collaborative_housing = 1.0", "cohousing = 1.0");
        let error = format!(
            "{:#}",
            MatchingConfig::parse(&bad_need).expect_err("refused")
        );
        assert!(error.contains("cohousing"), "{error}");

        let out_of_range = BUILTIN_FILE.replace("min_score = 0.40", "min_score = 1.5");
        let error = format!(
            "{:#}",
            MatchingConfig::parse(&out_of_range).expect_err("refused")
        );
        assert!(error.contains("min_score"), "{error}");

        let unknown = BUILTIN_FILE.replace("[weights]", "[weights]\npopularity = 0.1");
        let error = format!(
            "{:#}",
            MatchingConfig::parse(&unknown).expect_err("refused")
        );
        assert!(error.contains("popularity"), "{error}");
    }
}
