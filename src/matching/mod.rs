//! The match engine's rules: candidates come from the search index
//! (`search::candidates`), and this module decides, with no I/O, whether a
//! need and an offer match, how well, and why.
//!
//! - [`config`]: every number, from one TOML file.
//! - [`facts`]: what the scorer knows about each side.
//! - [`text`]: how alike two texts are (synonym-aware, corpus-independent).
//! - [`score`]: hard rules, then the weighted criteria.
//! - [`reasons`]: each criterion's finding, in Italian and English.
//! - [`cover`]: the partner set that covers a need's several contributions.
//! - [`feedback`]: how an organisation's verdicts move similar proposals in
//!   its lists.
//!
//! `services::matches` loads the facts, runs the engine and keeps the
//! `matches` table; `jobs` runs it after every change.

pub mod config;
pub mod cover;
pub mod facts;
pub mod facts_cache;
pub mod feedback;
pub mod reasons;
pub mod score;
pub mod text;

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use lru::LruCache;

pub use self::config::MatchingConfig;
pub use self::facts::{MunicipalityRef, NeedFacts, OfferFacts, Party, Place, SectorRef};
pub use self::facts_cache::FactsCache;
pub use self::reasons::{Criterion, Exclusion, Finding, Reason};
pub use self::score::Scored;
use self::text::TextAnalysis;
pub use self::text::TextProfile;
use crate::domain::NeedKind;
use crate::search::{Analyzers, Synonyms};

/// Text profiles kept by [`Matcher::profile`]: enough for the candidates of
/// a few hundred needs in a row (a recompute meets the same offers again
/// and again), at a few KB each.
const CACHED_PROFILES: usize = 50_000;

/// The key of a cached profile: the first 128 bits of the SHA-256 of the
/// title and description, so that equal texts share one profile whatever
/// record they belong to, and an edited text is analysed again.
type ProfileKey = [u8; 16];

/// The engine: configuration and text analysis. Cheap to clone (clones
/// share the profile cache).
#[derive(Clone)]
pub struct Matcher {
    config: Arc<MatchingConfig>,
    analyzers: Analyzers,
    synonyms: Arc<Synonyms>,
    profiles: Arc<Mutex<LruCache<ProfileKey, TextProfile>>>,
    facts: Arc<FactsCache>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher").finish_non_exhaustive()
    }
}

impl Matcher {
    pub fn new(config: MatchingConfig) -> Self {
        Self {
            config: Arc::new(config),
            analyzers: Analyzers::builtin(),
            synonyms: Synonyms::builtin(),
            profiles: Arc::new(Mutex::new(LruCache::new(
                NonZeroUsize::new(CACHED_PROFILES).unwrap_or(NonZeroUsize::MIN),
            ))),
            facts: Arc::new(FactsCache::default()),
        }
    }

    /// The engine with the configuration in `path`, or the built-in one.
    /// Fails when the file cannot be read or is not a valid configuration.
    pub fn from_file_or_builtin(path: Option<&std::path::Path>) -> anyhow::Result<Self> {
        Ok(Self::new(match path {
            Some(path) => MatchingConfig::from_file(path)?,
            None => MatchingConfig::builtin()?,
        }))
    }

    /// The engine with the built-in configuration. Fails only if the
    /// compiled-in file is broken (a unit test checks it is not).
    pub fn builtin() -> anyhow::Result<Self> {
        Ok(Self::new(MatchingConfig::builtin()?))
    }

    pub fn config(&self) -> &MatchingConfig {
        &self.config
    }

    /// Postings' facts kept between refreshes (see [`FactsCache`]).
    pub fn facts_cache(&self) -> &FactsCache {
        &self.facts
    }

    /// The text profile of a title and description. A profile depends on
    /// the two texts and the configuration alone, so a recent one for the
    /// same texts is reused: analysing (stemming, synonyms) is most of the
    /// cost of loading a candidate.
    pub fn profile(&self, title: &str, description: &str) -> TextProfile {
        let key = profile_key(title, description);
        // A panic elsewhere cannot leave the cache inconsistent (each call
        // is one get or one put): keep using it.
        let cache = || self.profiles.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(profile) = cache().get(&key) {
            return profile.clone();
        }
        let profile = TextAnalysis {
            analyzers: &self.analyzers,
            synonyms: &self.synonyms,
            config: &self.config,
        }
        .profile(title, description);
        cache().put(key, profile.clone());
        profile
    }

    /// The text profile of a need: its title and description, and the words
    /// its kind says ([`config::TextConfig::need_kind_words`]) as part of
    /// the description.
    pub fn need_profile(&self, kind: NeedKind, title: &str, description: &str) -> TextProfile {
        match self.config.text.need_kind_words.get(kind.as_str()) {
            Some(words) => self.profile(title, &format!("{description}\n{words}")),
            None => self.profile(title, description),
        }
    }

    /// Scores a pair at `now` (see [`score::score`]).
    pub fn score(
        &self,
        need: &NeedFacts,
        offer: &OfferFacts,
        now: DateTime<Utc>,
    ) -> Result<Scored, Exclusion> {
        score::score(need, offer, &self.config, now)
    }

    /// Scores a pair whose offer is not for the poster's kind of body, as
    /// received by a partner the offer admits (see [`score::Recipient`]).
    pub fn score_through_partner(
        &self,
        need: &NeedFacts,
        offer: &OfferFacts,
        now: DateTime<Utc>,
    ) -> Result<Scored, Exclusion> {
        score::score_for(need, offer, &self.config, now, score::Recipient::Partner)
    }

    /// Whether a scored pair is good enough to propose.
    pub fn proposes(&self, scored: &Scored) -> bool {
        scored.score >= self.config.min_score
    }
}

fn profile_key(title: &str, description: &str) -> ProfileKey {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    // The title's length first: ("ab", "c") and ("a", "bc") differ.
    hasher.update((title.len() as u64).to_le_bytes());
    hasher.update(title.as_bytes());
    hasher.update(description.as_bytes());
    let digest = hasher.finalize();
    let mut key = [0; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_needs_kind_counts_as_part_of_its_text() {
        let matcher = Matcher::builtin().expect("config");
        let offer = matcher.profile(
            "Analisi del fabbisogno abitativo",
            "Stimiamo la domanda di casa di un territorio con dati e interviste.",
        );
        let (title, text) = (
            "Mappatura degli inquilini delle case popolari",
            "Vogliamo sapere chi abita oggi nei caseggiati e quali alloggi sono inadatti.",
        );
        let plain = matcher.profile(title, text).similarity(&offer, 0).0;
        let as_analysis = matcher
            .need_profile(NeedKind::HousingNeedsAnalysis, title, text)
            .similarity(&offer, 0)
            .0;
        assert!(
            as_analysis > plain + 0.1,
            "with its kind {as_analysis}, without {plain}"
        );
        // A kind that names no one activity adds nothing.
        assert_eq!(
            matcher.need_profile(NeedKind::Other, title, text),
            matcher.profile(title, text)
        );
    }

    #[test]
    fn a_need_kind_the_configuration_does_not_know_is_refused() {
        let text = crate::matching::config::BUILTIN_FILE.replace(
            "housing_needs_analysis = \"analisi del fabbisogno abitativo\"",
            "housing_analysis = \"analisi del fabbisogno abitativo\"",
        );
        let error = MatchingConfig::parse(&text).expect_err("an unknown need kind");
        assert!(
            error
                .to_string()
                .contains("text.need_kind_words.housing_analysis"),
            "{error}"
        );
    }

    #[test]
    fn a_cached_profile_is_the_profile_of_its_texts() {
        let matcher = Matcher::builtin().expect("config");
        let fresh = |title: &str, description: &str| {
            TextAnalysis {
                analyzers: &matcher.analyzers,
                synonyms: &matcher.synonyms,
                config: &matcher.config,
            }
            .profile(title, description)
        };
        let texts = [
            ("Portierato sociale", "Custodia dei caseggiati ERP"),
            ("Portierato", " sociale Custodia dei caseggiati ERP"),
            ("Portierato sociale", "Custodia dei caseggiati"),
        ];
        for _ in 0..2 {
            for (title, description) in texts {
                assert_eq!(
                    matcher.profile(title, description),
                    fresh(title, description)
                );
            }
        }
        assert_ne!(
            profile_key(texts[0].0, texts[0].1),
            profile_key(texts[1].0, texts[1].1)
        );
    }
}
