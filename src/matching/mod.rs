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
//!
//! `services::matches` loads the facts, runs the engine and keeps the
//! `matches` table; `jobs` runs it after every change.

pub mod config;
pub mod cover;
pub mod facts;
pub mod reasons;
pub mod score;
pub mod text;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use self::config::MatchingConfig;
pub use self::facts::{MunicipalityRef, NeedFacts, OfferFacts, Party, Place, SectorRef};
pub use self::reasons::{Criterion, Exclusion, Finding, Reason};
pub use self::score::Scored;
use self::text::TextAnalysis;
pub use self::text::TextProfile;
use crate::search::{Analyzers, Synonyms};

/// The engine: configuration and text analysis. Cheap to clone.
#[derive(Clone)]
pub struct Matcher {
    config: Arc<MatchingConfig>,
    analyzers: Analyzers,
    synonyms: Arc<Synonyms>,
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
        }
    }

    /// The engine with the built-in configuration. Fails only if the
    /// compiled-in file is broken (a unit test checks it is not).
    pub fn builtin() -> anyhow::Result<Self> {
        Ok(Self::new(MatchingConfig::builtin()?))
    }

    pub fn config(&self) -> &MatchingConfig {
        &self.config
    }

    /// The text profile of a title and description.
    pub fn profile(&self, title: &str, description: &str) -> TextProfile {
        TextAnalysis {
            analyzers: &self.analyzers,
            synonyms: &self.synonyms,
            config: &self.config,
        }
        .profile(title, description)
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

    /// Whether a scored pair is good enough to propose.
    pub fn proposes(&self, scored: &Scored) -> bool {
        scored.score >= self.config.min_score
    }
}
