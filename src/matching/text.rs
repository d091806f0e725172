//! How alike two texts are, in a way that depends on the two texts alone
//! (not on the rest of the corpus, as BM25 would): a pair scores the same
//! whenever and from whichever side it is computed, so `trama match --all`
//! and incremental updates agree.
//!
//! A text becomes a bag of *concepts*: each run of words that is an entry of
//! the synonym dictionary becomes its group ("portierato sociale" and
//! "custodia sociale" are one concept; "ERP" and "edilizia residenziale
//! pubblica" another), every other word its Italian stem. Title words weigh
//! more; the domain's generic words less (see the configuration). The
//! similarity is the cosine of the two bags.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::config::MatchingConfig;
use crate::search::{Analyzers, Synonyms};

/// The analysed form of a title and description. Shared, not copied, when
/// cloned: the match engine hands one profile to every pair it scores and
/// keeps recent ones in a cache ([`super::Matcher::profile`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextProfile(Arc<Profile>);

#[derive(Debug, Default, PartialEq)]
struct Profile {
    /// Concept → weight (square root of its weighted count, times the
    /// generic-word factor).
    weights: BTreeMap<String, f64>,
    /// Concept → the first words that spelt it, to show in explanations.
    words: BTreeMap<String, String>,
    /// The norm with every word at full weight.
    norm: f64,
}

/// The analysis a profile needs: analyzers, synonyms and the configuration.
pub struct TextAnalysis<'a> {
    pub analyzers: &'a Analyzers,
    pub synonyms: &'a Synonyms,
    pub config: &'a MatchingConfig,
}

impl TextAnalysis<'_> {
    /// The profile of a title and a description.
    pub fn profile(&self, title: &str, description: &str) -> TextProfile {
        let mut counts: BTreeMap<String, f64> = BTreeMap::new();
        let mut words: BTreeMap<String, String> = BTreeMap::new();
        let mut generic: BTreeMap<String, bool> = BTreeMap::new();
        for (text, weight) in [(title, self.config.text.title_weight), (description, 1.0)] {
            let tokens = self.analyzers.analyze(text);
            let stems: Vec<&str> = tokens.iter().map(|t| t.stem.as_str()).collect();
            let mut at = 0;
            while at < tokens.len() {
                let (concept, len) = match self.synonyms.longest_match(&stems[at..]) {
                    Some(found) => (format!("~{}", found.group), found.len),
                    None => (tokens[at].stem.clone(), 1),
                };
                let last = &tokens[at + len - 1];
                let spelt = text
                    .get(tokens[at].offset_from..last.offset_to)
                    .unwrap_or(&tokens[at].exact)
                    .to_lowercase();
                let is_generic = len == 1 && self.config.is_generic(&tokens[at].exact);
                *counts.entry(concept.clone()).or_default() += weight;
                generic.entry(concept.clone()).or_insert(is_generic);
                words.entry(concept).or_insert(spelt);
                at += len;
            }
        }
        // The norm counts generic words at full weight, so that sharing only
        // generic words yields a low similarity (the cosine is otherwise
        // blind to a uniform down-weighting).
        let norm = counts.values().sum::<f64>().sqrt();
        let weights: BTreeMap<String, f64> = counts
            .into_iter()
            .map(|(concept, count)| {
                let factor = if generic.get(&concept).copied().unwrap_or(false) {
                    self.config.text.generic_weight
                } else {
                    1.0
                };
                (concept, count.sqrt() * factor)
            })
            .filter(|(_, w)| *w > 0.0)
            .collect();
        TextProfile(Arc::new(Profile {
            weights,
            words,
            norm,
        }))
    }
}

impl TextProfile {
    /// Cosine similarity (0..1) and the shared concepts, heaviest first, as
    /// this profile spells them.
    pub fn similarity(&self, other: &TextProfile) -> (f64, Vec<String>) {
        if self.0.norm == 0.0 || other.0.norm == 0.0 {
            return (0.0, Vec::new());
        }
        let mut shared: Vec<(f64, &String)> = Vec::new();
        let mut dot = 0.0;
        for (concept, weight) in &self.0.weights {
            if let Some(theirs) = other.0.weights.get(concept) {
                let product = weight * theirs;
                dot += product;
                shared.push((product, concept));
            }
        }
        shared.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let words = shared
            .into_iter()
            .filter_map(|(_, concept)| self.0.words.get(concept).cloned())
            .collect();
        ((dot / (self.0.norm * other.0.norm)).clamp(0.0, 1.0), words)
    }

    /// The heaviest concepts, as spelt, for a candidate query.
    pub fn top_words(&self, n: usize) -> Vec<String> {
        let mut ranked: Vec<(&String, &f64)> = self.0.weights.iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
        ranked
            .into_iter()
            .take(n)
            .filter_map(|(concept, _)| self.0.words.get(concept).cloned())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.weights.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis_with<T>(f: impl FnOnce(&TextAnalysis<'_>) -> T) -> T {
        let config = MatchingConfig::builtin().expect("config");
        let analyzers = Analyzers::builtin();
        let synonyms = Synonyms::builtin();
        f(&TextAnalysis {
            analyzers: &analyzers,
            synonyms: &synonyms,
            config: &config,
        })
    }

    #[test]
    fn synonyms_and_inflections_make_texts_alike() {
        analysis_with(|a| {
            let need = a.profile(
                "Portierato sociale a San Siro",
                "Cerchiamo chi gestisca un servizio di portineria sociale nelle case ERP.",
            );
            let offer = a.profile(
                "Custodia sociale nei caseggiati",
                "Competenze di custodia sociale per edilizia residenziale pubblica.",
            );
            let unrelated = a.profile(
                "Prestito per impianti sportivi",
                "Finanziamo campi da calcio e palestre.",
            );
            let (alike, words) = need.similarity(&offer);
            let (apart, _) = need.similarity(&unrelated);
            assert!(alike > 0.3, "{alike}");
            assert!(apart < 0.05, "{apart}");
            assert!(
                words.iter().any(|w| w.contains("portierato sociale")),
                "{words:?}"
            );
            // Symmetric, and independent of anything else.
            assert!((offer.similarity(&need).0 - alike).abs() < 1e-12);
        });
    }

    #[test]
    fn generic_words_count_little() {
        analysis_with(|a| {
            let one = a.profile("Servizi sociali a Milano", "Progetto di comunità");
            let two = a.profile("Servizio sociale Milano", "Attività di comunità");
            let (similarity, _) = one.similarity(&two);
            let specific = a.profile("Sportello salute Gratosoglio", "Prevenzione e salute");
            let (specific_alike, _) =
                specific.similarity(&a.profile("Salute di quartiere", "Sportello di prevenzione"));
            assert!(specific_alike > similarity, "{specific_alike} {similarity}");
        });
    }
}
