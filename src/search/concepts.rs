//! The concept model of the Italian social economy
//! (`assets/concepts/concepts-it.toml`, documented in its README): concepts
//! with their words and phrases, broader concepts and related ones. Read
//! and checked here; [`super::Synonyms`] turns each concept into a group of
//! equivalent entries with its links, which search expands (at a lower
//! weight than the typed words) and matching credits (a shared concept, and
//! less a broader or related one).
//!
//! The file is compiled into the binary and checked by a unit test, so a
//! broken model fails the build's tests, never a running server.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

/// The model compiled from `assets/concepts/concepts-it.toml`.
pub const CONCEPTS_FILE: &str = include_str!("../../assets/concepts/concepts-it.toml");

/// Why a concept file was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConceptError {
    #[error("the concept file is not valid TOML: {0}")]
    Syntax(String),
    #[error("concept {0:?} is defined twice")]
    DuplicateId(String),
    #[error("concept {0:?} has no term")]
    NoTerm(String),
    #[error("concept {concept:?} refers to {missing:?}, which is not defined")]
    UnknownReference { concept: String, missing: String },
    #[error("the broader concepts of {0:?} lead back to it")]
    Cycle(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: String,
    #[serde(default, rename = "concept")]
    concepts: Vec<Concept>,
}

/// One concept as the file writes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    /// Stable snake_case id.
    pub id: String,
    /// Label in Italian.
    pub it: String,
    /// Label in English.
    pub en: String,
    /// Equivalent words and phrases, as people write them.
    pub terms: Vec<String>,
    #[serde(default)]
    pub broader: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked model: ids unique, every reference defined, no cycle among
/// broader concepts. Links are indices into [`ConceptModel::concepts`].
#[derive(Debug, Default)]
pub struct ConceptModel {
    pub version: String,
    pub concepts: Vec<Concept>,
    /// Per concept: its broader concepts.
    pub broader: Vec<Vec<usize>>,
    /// Per concept: its related concepts, both ways (a relation written on
    /// either side holds for both).
    pub related: Vec<Vec<usize>>,
    /// Per concept: how many steps up to a concept with no broader one (0
    /// for those), by the longest path: the deeper, the more specific.
    pub depth: Vec<usize>,
}

impl ConceptModel {
    pub fn parse(text: &str) -> Result<Self, ConceptError> {
        let file: File = toml::from_str(text).map_err(|e| ConceptError::Syntax(e.to_string()))?;
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (at, concept) in file.concepts.iter().enumerate() {
            if index.insert(concept.id.as_str(), at).is_some() {
                return Err(ConceptError::DuplicateId(concept.id.clone()));
            }
            if concept.terms.iter().all(|term| term.trim().is_empty()) {
                return Err(ConceptError::NoTerm(concept.id.clone()));
            }
        }
        let resolve = |concept: &Concept, ids: &[String]| -> Result<Vec<usize>, ConceptError> {
            ids.iter()
                .map(|id| {
                    index
                        .get(id.as_str())
                        .copied()
                        .ok_or_else(|| ConceptError::UnknownReference {
                            concept: concept.id.clone(),
                            missing: id.clone(),
                        })
                })
                .collect()
        };
        let n = file.concepts.len();
        let mut broader = Vec::with_capacity(n);
        let mut related = vec![Vec::new(); n];
        for (at, concept) in file.concepts.iter().enumerate() {
            broader.push(resolve(concept, &concept.broader)?);
            for other in resolve(concept, &concept.related)? {
                if other != at {
                    related[at].push(other);
                    related[other].push(at);
                }
            }
        }
        for links in &mut related {
            links.sort_unstable();
            links.dedup();
        }
        let depth =
            depths(&broader).map_err(|at| ConceptError::Cycle(file.concepts[at].id.clone()))?;
        Ok(Self {
            version: file.version,
            concepts: file.concepts,
            broader,
            related,
            depth,
        })
    }

    /// The built-in model, parsed once. A model that does not parse (which
    /// the unit tests rule out) leaves search and matching with the synonym
    /// dictionary alone, and says so in the log.
    pub fn builtin() -> Arc<Self> {
        static BUILTIN: LazyLock<Arc<ConceptModel>> = LazyLock::new(|| {
            Arc::new(ConceptModel::parse(CONCEPTS_FILE).unwrap_or_else(|error| {
                tracing::error!(%error, "the built-in concept model is broken: not used");
                ConceptModel::default()
            }))
        });
        BUILTIN.clone()
    }

    /// The concepts up from `concept`, each with its distance (1 for a
    /// direct broader concept), nearest first, each once.
    pub fn ancestors(&self, concept: usize, max_levels: usize) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = Vec::new();
        let mut seen = HashSet::from([concept]);
        let mut level = vec![concept];
        for distance in 1..=max_levels {
            let mut next = Vec::new();
            for &at in &level {
                for &up in self.broader.get(at).map(Vec::as_slice).unwrap_or(&[]) {
                    if seen.insert(up) {
                        found.push((up, distance));
                        next.push(up);
                    }
                }
            }
            level = next;
        }
        found
    }
}

/// The longest path up from each concept, or the index of a concept on a
/// cycle.
fn depths(broader: &[Vec<usize>]) -> Result<Vec<usize>, usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done(usize),
    }
    let mut state = vec![State::New; broader.len()];
    // Iterative depth-first walk: a deep chain must not overflow the stack.
    for start in 0..broader.len() {
        let mut stack = vec![(start, 0usize)];
        while let Some(&mut (at, ref mut next)) = stack.last_mut() {
            if *next == 0 {
                match state[at] {
                    State::Done(_) => {
                        stack.pop();
                        continue;
                    }
                    State::Open => return Err(at),
                    State::New => state[at] = State::Open,
                }
            }
            if let Some(&up) = broader[at].get(*next) {
                *next += 1;
                match state[up] {
                    State::Open => return Err(up),
                    State::Done(_) => {}
                    State::New => stack.push((up, 0)),
                }
            } else {
                let depth = broader[at]
                    .iter()
                    .map(|&up| match state[up] {
                        State::Done(d) => d + 1,
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                state[at] = State::Done(depth);
                stack.pop();
            }
        }
    }
    Ok(state
        .into_iter()
        .map(|s| match s {
            State::Done(d) => d,
            _ => 0,
        })
        .collect())
}

/// A small model for the tests of this module and of those that use it:
/// three levels of welfare, green care with siblings and a relation,
/// housing with a dictionary acronym.
#[cfg(test)]
pub(crate) const TEST_MODEL: &str = r#"
    version = "test"
    [[concept]]
    id = "welfare"
    it = "Welfare di comunità"
    en = "Community welfare"
    terms = ["welfare di comunità"]
    [[concept]]
    id = "prossimita"
    it = "Servizi di prossimità"
    en = "Neighbourhood services"
    terms = ["servizi di prossimità"]
    broader = ["welfare"]
    [[concept]]
    id = "portierato"
    it = "Portierato sociale"
    en = "Social concierge"
    terms = ["portierato sociale", "custodia sociale"]
    broader = ["prossimita"]
    related = ["mediazione", "erp"]
    [[concept]]
    id = "mediazione"
    it = "Mediazione sociale"
    en = "Social mediation"
    terms = ["mediazione sociale"]
    broader = ["welfare"]
    [[concept]]
    id = "ambiente"
    it = "Ambiente"
    en = "Environment"
    terms = ["tutela dell'ambiente"]
    [[concept]]
    id = "verde"
    it = "Cura del verde"
    en = "Green care"
    terms = ["cura del verde"]
    broader = ["ambiente"]
    [[concept]]
    id = "aiuole"
    it = "Manutenzione delle aiuole"
    en = "Flower-bed upkeep"
    terms = ["manutenzione delle aiuole", "sfalcio dell'erba"]
    broader = ["verde"]
    related = ["orti"]
    [[concept]]
    id = "potature"
    it = "Potature"
    en = "Pruning"
    terms = ["potatura degli alberi"]
    broader = ["verde"]
    [[concept]]
    id = "orti"
    it = "Orti urbani"
    en = "Urban gardens"
    terms = ["orti urbani"]
    broader = ["ambiente"]
    [[concept]]
    id = "abitare"
    it = "Abitare"
    en = "Housing"
    terms = ["politiche abitative"]
    [[concept]]
    id = "erp"
    it = "Edilizia residenziale pubblica"
    en = "Public housing"
    terms = ["case popolari", "alloggi comunali"]
    broader = ["abitare"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// The model of these tests: the one of [`TEST_MODEL`].
    const SMALL: &str = TEST_MODEL;

    #[test]
    fn the_builtin_model_parses_and_is_large() {
        let model = ConceptModel::parse(CONCEPTS_FILE).expect("the built-in concept model");
        assert!(
            model.concepts.len() >= 100,
            "{} concepts",
            model.concepts.len()
        );
        assert!(!model.version.is_empty());
        // Every concept has both labels.
        for concept in &model.concepts {
            assert!(
                !concept.it.trim().is_empty() && !concept.en.trim().is_empty(),
                "{}",
                concept.id
            );
        }
    }

    #[test]
    fn links_resolve_both_ways_with_depths() {
        let model = ConceptModel::parse(SMALL).expect("parses");
        let at = |id: &str| model.concepts.iter().position(|c| c.id == id).expect(id);
        assert_eq!(model.depth[at("welfare")], 0);
        assert_eq!(model.depth[at("prossimita")], 1);
        assert_eq!(model.depth[at("portierato")], 2);
        assert_eq!(model.related[at("mediazione")], vec![at("portierato")]);
        assert_eq!(model.related[at("erp")], vec![at("portierato")]);
        assert_eq!(
            model.ancestors(at("portierato"), 5),
            vec![(at("prossimita"), 1), (at("welfare"), 2)]
        );
        assert_eq!(
            model.ancestors(at("portierato"), 1),
            vec![(at("prossimita"), 1)]
        );
    }

    #[test]
    fn broken_models_are_refused_with_the_concept_named() {
        let cycle = SMALL.replace(
            "terms = [\"welfare di comunità\"]",
            "terms = [\"welfare di comunità\"]\nbroader = [\"portierato\"]",
        );
        assert!(matches!(
            ConceptModel::parse(&cycle),
            Err(ConceptError::Cycle(_))
        ));
        let unknown = SMALL.replace(
            "related = [\"mediazione\", \"erp\"]",
            "related = [\"nessuno\"]",
        );
        assert_eq!(
            ConceptModel::parse(&unknown).expect_err("an unknown reference"),
            ConceptError::UnknownReference {
                concept: "portierato".into(),
                missing: "nessuno".into()
            }
        );
        let twice = format!(
            "{SMALL}\n[[concept]]\nid = \"welfare\"\nit = \"x\"\nen = \"x\"\nterms = [\"x\"]\n"
        );
        assert_eq!(
            ConceptModel::parse(&twice).expect_err("a duplicate id"),
            ConceptError::DuplicateId("welfare".into())
        );
        let empty = SMALL.replace("terms = [\"mediazione sociale\"]", "terms = []");
        assert_eq!(
            ConceptModel::parse(&empty).expect_err("no term"),
            ConceptError::NoTerm("mediazione".into())
        );
    }
}
