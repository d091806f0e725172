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

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
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
    /// The concepts of weight above zero, ordered by (key, name): two
    /// profiles are compared by merging two sorted arrays, reading a name
    /// only where two keys are equal. A refresh compares one profile with
    /// hundreds; looking every concept up in a map of strings was most of
    /// the scoring's time.
    concepts: Vec<Concept>,
    /// The norm with every word at full weight.
    norm: f64,
}

#[derive(Debug, PartialEq)]
struct Concept {
    /// A hash of the name, the same for the same name in every profile of
    /// the process.
    key: u64,
    name: Box<str>,
    /// Square root of its weighted count, times the generic-word factor.
    weight: f64,
    /// The first words that spelt it, to show in explanations.
    spelt: Box<str>,
}

impl Concept {
    fn order(&self, other: &Concept) -> Ordering {
        self.key
            .cmp(&other.key)
            .then_with(|| self.name.cmp(&other.name))
    }
}

/// The key of a concept's name: SipHash with fixed keys, so that it does not
/// depend on the process (profiles are only compared within one, but a fixed
/// hash keeps runs reproducible).
fn concept_key(name: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    name.hash(&mut hasher);
    hasher.finish()
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
                let found = self.synonyms.longest_match(&stems[at..]);
                let (concept, len) = match found {
                    Some(found) => (format!("~{}", found.group), found.len),
                    None => (tokens[at].stem.clone(), 1),
                };
                let last = &tokens[at + len - 1];
                let spelt = text
                    .get(tokens[at].offset_from..last.offset_to)
                    .unwrap_or(&tokens[at].exact)
                    .to_lowercase();
                let is_generic = len == 1 && self.config.is_generic(&tokens[at].exact);
                // The concept's broader and related concepts count too, less:
                // "manutenzione delle aiuole" and "cura del verde" share the
                // broader concept, a word-for-word match shares more.
                if let Some(found) = found {
                    for (linked, factor) in self.linked(found.group) {
                        let name = format!("~{linked}");
                        // Squared: a concept's weight is the square root of
                        // its count, and `factor` scales the weight.
                        *counts.entry(name.clone()).or_default() += weight * factor * factor;
                        generic.entry(name.clone()).or_insert(false);
                        // Named by its label: the other text may not say
                        // this one's words, an explanation must not claim
                        // it does.
                        let label = self.synonyms.label(linked).map(str::to_lowercase);
                        words
                            .entry(name)
                            .or_insert_with(|| label.unwrap_or_else(|| spelt.clone()));
                    }
                }
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
        let mut concepts: Vec<Concept> = counts
            .into_iter()
            .map(|(name, count)| {
                let factor = if generic.get(&name).copied().unwrap_or(false) {
                    self.config.text.generic_weight
                } else {
                    1.0
                };
                let spelt = words.remove(&name).unwrap_or_default().into_boxed_str();
                Concept {
                    key: concept_key(&name),
                    name: name.into_boxed_str(),
                    weight: count.sqrt() * factor,
                    spelt,
                }
            })
            .filter(|concept| concept.weight > 0.0)
            .collect();
        concepts.sort_by(Concept::order);
        TextProfile(Arc::new(Profile { concepts, norm }))
    }
}

impl TextAnalysis<'_> {
    /// The groups a concept's group also counts for, with their factor:
    /// broader ones (specific enough) and related ones.
    fn linked(&self, group: usize) -> Vec<(usize, f64)> {
        let text = &self.config.text;
        if text.broader_weight <= 0.0 && text.related_weight <= 0.0 {
            return Vec::new();
        }
        let links = self.synonyms.links(group, text.broader_levels);
        let mut linked: Vec<(usize, f64)> = Vec::new();
        if text.broader_weight > 0.0 {
            for (up, distance) in links.broader {
                if self.synonyms.links(up, 0).depth >= text.broader_min_depth {
                    linked.push((up, text.broader_weight.powi(distance as i32)));
                }
            }
        }
        if text.related_weight > 0.0 {
            linked.extend(
                links
                    .related
                    .into_iter()
                    .map(|other| (other, text.related_weight)),
            );
        }
        linked
    }
}

impl TextProfile {
    /// Cosine similarity (0..1) and up to `max_words` of the shared
    /// concepts, heaviest first, as this profile spells them.
    pub fn similarity(&self, other: &TextProfile, max_words: usize) -> (f64, Vec<String>) {
        if self.0.norm == 0.0 || other.0.norm == 0.0 {
            return (0.0, Vec::new());
        }
        let (mine, theirs) = (&self.0.concepts, &other.0.concepts);
        let mut shared: Vec<(f64, &Concept)> = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < mine.len() && j < theirs.len() {
            match mine[i].order(&theirs[j]) {
                Ordering::Less => i += 1,
                Ordering::Greater => j += 1,
                Ordering::Equal => {
                    shared.push((mine[i].weight * theirs[j].weight, &mine[i]));
                    i += 1;
                    j += 1;
                }
            }
        }
        // Summed in the order of the names, as the score has always been
        // computed: the same pair gives the same score to the last bit.
        shared.sort_unstable_by(|a, b| a.1.name.cmp(&b.1.name));
        let dot = shared.iter().fold(0.0, |dot, (product, _)| dot + product);
        shared.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.name.cmp(&b.1.name)));
        let mut words: Vec<String> = Vec::new();
        for (_, concept) in shared {
            if words.len() == max_words {
                break;
            }
            if !words.iter().any(|w| **w == *concept.spelt) {
                words.push(concept.spelt.to_string());
            }
        }
        ((dot / (self.0.norm * other.0.norm)).clamp(0.0, 1.0), words)
    }

    /// The heaviest concepts, as spelt, for a candidate query.
    pub fn top_words(&self, n: usize) -> Vec<String> {
        let mut ranked: Vec<&Concept> = self.0.concepts.iter().collect();
        ranked.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.name.cmp(&b.name)));
        ranked
            .into_iter()
            .take(n)
            .map(|concept| concept.spelt.to_string())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.concepts.is_empty()
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
    fn narrower_concepts_share_their_broader_one_and_related_ones_count_less() {
        use crate::search::concepts::ConceptModel;
        let model = ConceptModel::parse(crate::search::concepts::TEST_MODEL).expect("model");
        let analyzers = Analyzers::builtin();
        let synonyms = Synonyms::parse("", &analyzers).with_concepts(Arc::new(model), &analyzers);
        let mut config = MatchingConfig::builtin().expect("config");
        let similarity = |config: &MatchingConfig, one: &str, two: &str| {
            let analysis = TextAnalysis {
                analyzers: &analyzers,
                synonyms: &synonyms,
                config,
            };
            analysis
                .profile(one, "")
                .similarity(&analysis.profile(two, ""), 3)
                .0
        };
        config.text.broader_weight = 0.0;
        config.text.related_weight = 0.0;
        assert_eq!(
            similarity(
                &config,
                "Manutenzione delle aiuole",
                "Potatura degli alberi"
            ),
            0.0
        );
        config.text.broader_weight = 0.5;
        config.text.broader_levels = 2;
        config.text.broader_min_depth = 1;
        let siblings = similarity(
            &config,
            "Manutenzione delle aiuole",
            "Potatura degli alberi",
        );
        let same = similarity(&config, "Manutenzione delle aiuole", "Sfalcio dell'erba");
        assert!(siblings > 0.0 && siblings < same, "{siblings} {same}");
        // What they share is named by the broader concept's label, not by
        // either text's words.
        let analysis = TextAnalysis {
            analyzers: &analyzers,
            synonyms: &synonyms,
            config: &config,
        };
        let (_, words) = analysis
            .profile("Manutenzione delle aiuole", "")
            .similarity(&analysis.profile("Potatura degli alberi", ""), 3);
        assert_eq!(words, vec!["cura del verde".to_owned()]);
        // The root is too general to count: related concepts share nothing
        // above it, and count only through the relation.
        assert_eq!(
            similarity(&config, "Manutenzione delle aiuole", "Orti urbani"),
            0.0
        );
        config.text.related_weight = 0.3;
        let related = similarity(&config, "Manutenzione delle aiuole", "Orti urbani");
        assert!(related > 0.0 && related < same, "{related} {same}");
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
            let (alike, words) = need.similarity(&offer, usize::MAX);
            let (apart, _) = need.similarity(&unrelated, usize::MAX);
            assert!(alike > 0.3, "{alike}");
            assert!(apart < 0.05, "{apart}");
            assert!(
                words.iter().any(|w| w.contains("portierato sociale")),
                "{words:?}"
            );
            // Symmetric, and independent of anything else.
            assert!((offer.similarity(&need, usize::MAX).0 - alike).abs() < 1e-12);
        });
    }

    /// The cosine as it was computed before profiles were sorted arrays:
    /// a map of names, summed in the order of the names.
    fn cosine_by_names(one: &TextProfile, two: &TextProfile) -> f64 {
        if one.0.norm == 0.0 || two.0.norm == 0.0 {
            return 0.0;
        }
        let theirs: BTreeMap<&str, f64> = two
            .0
            .concepts
            .iter()
            .map(|c| (&*c.name, c.weight))
            .collect();
        let mine: BTreeMap<&str, f64> = one
            .0
            .concepts
            .iter()
            .map(|c| (&*c.name, c.weight))
            .collect();
        let mut dot = 0.0;
        for (name, weight) in mine {
            if let Some(their) = theirs.get(name) {
                dot += weight * their;
            }
        }
        (dot / (one.0.norm * two.0.norm)).clamp(0.0, 1.0)
    }

    #[test]
    fn the_merge_gives_the_cosine_of_the_two_bags_to_the_last_bit() {
        let texts = [
            (
                "Portierato sociale a San Siro",
                "Servizio di portineria sociale nelle case ERP di San Siro, con custodi e mediatori.",
            ),
            (
                "Custodia sociale nei caseggiati",
                "Competenze di custodia sociale per edilizia residenziale pubblica e mediazione dei conflitti.",
            ),
            (
                "Mediazione dei conflitti di vicinato",
                "Mediatori sociali per i caseggiati popolari del Lorenteggio; accompagnamento all'abitare.",
            ),
            (
                "Orti condivisi e cura del verde",
                "Volontari per la manutenzione dei giardini e degli orti comunitari del quartiere.",
            ),
            (
                "Prestito per impianti sportivi",
                "Finanziamo campi da calcio e palestre di associazioni sportive dilettantistiche.",
            ),
            (
                "Spazi inutilizzati da rigenerare",
                "Un ex magazzino comunale da trasformare in hub di comunità con laboratori e servizi.",
            ),
            ("", ""),
            (
                "Sostegno alla genitorialità",
                "Educatori e psicologi per gruppi di genitori, spazio compiti e servizi sociali per famiglie.",
            ),
        ];
        analysis_with(|a| {
            let profiles: Vec<TextProfile> = texts.iter().map(|(t, d)| a.profile(t, d)).collect();
            let mut shared_any = false;
            for one in &profiles {
                for two in &profiles {
                    let (merged, words) = one.similarity(two, usize::MAX);
                    assert_eq!(merged.to_bits(), cosine_by_names(one, two).to_bits());
                    shared_any |= !words.is_empty() && !std::ptr::eq(one, two);
                    // Symmetric to the last bit.
                    assert_eq!(merged.to_bits(), two.similarity(one, 0).0.to_bits());
                }
            }
            assert!(shared_any, "the texts share some concepts");
        });
    }

    #[test]
    fn generic_words_count_little() {
        analysis_with(|a| {
            let one = a.profile("Servizi sociali a Milano", "Progetto di comunità");
            let two = a.profile("Servizio sociale Milano", "Attività di comunità");
            let (similarity, _) = one.similarity(&two, usize::MAX);
            let specific = a.profile("Sportello salute Gratosoglio", "Prevenzione e salute");
            let (specific_alike, _) = specific.similarity(
                &a.profile("Salute di quartiere", "Sportello di prevenzione"),
                usize::MAX,
            );
            assert!(specific_alike > similarity, "{specific_alike} {similarity}");
        });
    }
}
