//! The synonym and acronym dictionary (`assets/search/synonyms-it.txt`),
//! applied at query time: a query word or phrase that is an entry of a group
//! also searches every other entry of the group (single words as terms,
//! several words as phrases), so "ERP" finds "edilizia residenziale pubblica"
//! and the other way round.
//!
//! Why at query time only: the index stays a faithful copy of the text (scores
//! and highlights are not inflated by invented terms), multi-word synonyms
//! work in both directions without phrase positions tricks at index time, and
//! editing the dictionary needs a restart, not a reindex. The cost is a few
//! more clauses per query.
//!
//! Entries are analysed like the text (stemmed), so matching is on stems:
//! "portierati sociali" matches the entry "portierato sociale".
//!
//! The concept model ([`super::concepts`]) adds one group per concept (its
//! terms; a concept whose term is already an entry here joins that group),
//! with the concept's broader and related concepts as links between groups:
//! search expands a group as any other, matching also credits the links.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use super::analysis::{Analyzers, data_lines};
use super::concepts::ConceptModel;

/// The dictionary compiled from `assets/search/synonyms-it.txt`.
pub const SYNONYMS_FILE: &str = include_str!("../../assets/search/synonyms-it.txt");

/// One entry of a group, as stems (one for a word, several for a phrase).
pub type Entry = Vec<String>;

/// Groups of equivalent entries, indexed by their first stem.
#[derive(Debug, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Entry>>,
    /// First stem → (group, entry) pairs starting with it.
    by_first: HashMap<String, Vec<(usize, usize)>>,
    /// Per group: the concept of `model` it stands for, if any.
    concept_of: Vec<Option<usize>>,
    /// Per concept of `model`: its group.
    group_of: Vec<usize>,
    /// Per group: how many of its entries (the first ones) come from the
    /// dictionary.
    dictionary_entries: Vec<usize>,
    model: Arc<ConceptModel>,
}

/// A group's place in the concept model, as groups.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupLinks {
    /// Broader groups with their distance (1 = directly broader), nearest
    /// first, up to the levels asked for.
    pub broader: Vec<(usize, usize)>,
    /// Related groups.
    pub related: Vec<usize>,
    /// How specific the concept is: steps up to the most general (0 for
    /// those, and for a group that is no concept).
    pub depth: usize,
}

/// A run of query words that is an entry of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynonymMatch {
    pub group: usize,
    pub entry: usize,
    /// How many query words it covers.
    pub len: usize,
}

impl Synonyms {
    /// Reads the dictionary format of `assets/search/README.md`. Entries that
    /// analyse to nothing are skipped (and logged); a group left with fewer
    /// than two entries is dropped.
    pub fn parse(text: &str, analyzers: &Analyzers) -> Self {
        let mut synonyms = Self::default();
        for line in data_lines(text) {
            let mut group: Vec<Entry> = Vec::new();
            for raw in line.split(',') {
                let entry: Entry = analyzers.analyze(raw).into_iter().map(|t| t.stem).collect();
                if entry.is_empty() {
                    if !raw.trim().is_empty() {
                        tracing::warn!(
                            entry = raw.trim(),
                            "synonym entry has only stop words: skipped"
                        );
                    }
                    continue;
                }
                if !group.contains(&entry) {
                    group.push(entry);
                }
            }
            if group.len() < 2 {
                continue;
            }
            synonyms.groups.push(group);
            synonyms.concept_of.push(None);
        }
        synonyms.index();
        synonyms
    }

    /// Adds the concepts of `model`: a concept whose term is already an
    /// entry of a group that stands for no concept yet joins it (the
    /// dictionary's acronyms stay with their phrases); any other becomes a
    /// group of its own, even of one entry, so that its links count.
    pub fn with_concepts(mut self, model: Arc<ConceptModel>, analyzers: &Analyzers) -> Self {
        let mut group_of = Vec::with_capacity(model.concepts.len());
        self.dictionary_entries = self.groups.iter().map(Vec::len).collect();
        for (at, concept) in model.concepts.iter().enumerate() {
            let mut entries: Vec<Entry> = Vec::new();
            for term in &concept.terms {
                let entry: Entry = analyzers
                    .analyze(term)
                    .into_iter()
                    .map(|t| t.stem)
                    .collect();
                if !entry.is_empty() && !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
            let joined = (0..self.groups.len()).find(|&group| {
                self.concept_of[group].is_none()
                    && self.groups[group]
                        .iter()
                        .any(|entry| entries.contains(entry))
            });
            let group = match joined {
                Some(group) => {
                    for entry in entries {
                        if !self.groups[group].contains(&entry) {
                            self.groups[group].push(entry);
                        }
                    }
                    group
                }
                None => {
                    self.groups.push(entries);
                    self.concept_of.push(None);
                    self.groups.len() - 1
                }
            };
            self.concept_of[group] = Some(at);
            group_of.push(group);
        }
        self.group_of = group_of;
        self.model = model;
        self.index();
        self
    }

    /// Rebuilds the first-stem index.
    fn index(&mut self) {
        self.by_first.clear();
        for (id, group) in self.groups.iter().enumerate() {
            for (index, entry) in group.iter().enumerate() {
                if let Some(first) = entry.first() {
                    self.by_first
                        .entry(first.clone())
                        .or_default()
                        .push((id, index));
                }
            }
        }
    }

    /// The built-in dictionary with the built-in concept model, built once.
    pub fn builtin() -> Arc<Self> {
        static BUILTIN: LazyLock<Arc<Synonyms>> = LazyLock::new(|| {
            let analyzers = Analyzers::builtin();
            Arc::new(
                Synonyms::parse(SYNONYMS_FILE, &analyzers)
                    .with_concepts(ConceptModel::builtin(), &analyzers),
            )
        });
        BUILTIN.clone()
    }

    /// The concept model's links of a group, broader ones up to
    /// `max_levels`.
    pub fn links(&self, group: usize, max_levels: usize) -> GroupLinks {
        let Some(concept) = self.concept_of.get(group).copied().flatten() else {
            return GroupLinks::default();
        };
        GroupLinks {
            broader: self
                .model
                .ancestors(concept, max_levels)
                .into_iter()
                .map(|(up, distance)| (self.group_of[up], distance))
                .collect(),
            related: self.model.related[concept]
                .iter()
                .map(|&other| self.group_of[other])
                .collect(),
            depth: self.model.depth[concept],
        }
    }

    /// Whether an entry of a group comes from the synonym dictionary (a
    /// strict equivalent) rather than from the concept model alone (a
    /// related way of saying the thing).
    pub fn is_dictionary_entry(&self, group: usize, entry: usize) -> bool {
        entry < self.dictionary_entries.get(group).copied().unwrap_or(0)
    }

    /// The Italian label of the concept a group stands for.
    pub fn label(&self, group: usize) -> Option<&str> {
        let concept = self.concept_of.get(group).copied().flatten()?;
        self.model.concepts.get(concept).map(|c| c.it.as_str())
    }

    /// The version of the concept model in use (empty without one).
    pub fn concepts_version(&self) -> &str {
        &self.model.version
    }

    /// The longest entry that the stems at the start of `stems` spell, if
    /// any; of several groups holding it, the last one (a concept's own
    /// group rather than the dictionary group its broader concept joined).
    pub fn longest_match(&self, stems: &[&str]) -> Option<SynonymMatch> {
        self.longest_matches(stems).pop()
    }

    /// Every group's entry that spells the longest run of stems at the start
    /// of `stems` that some entry spells (the same words can be an entry of
    /// a dictionary group and of a concept's group), in the groups' order.
    pub fn longest_matches(&self, stems: &[&str]) -> Vec<SynonymMatch> {
        let Some(candidates) = stems.first().and_then(|first| self.by_first.get(*first)) else {
            return Vec::new();
        };
        let mut found: Vec<SynonymMatch> = Vec::new();
        for &(group, entry) in candidates {
            let words = &self.groups[group][entry];
            let len = words.len();
            if len > stems.len() || !words.iter().zip(stems).all(|(w, s)| w == s) {
                continue;
            }
            if found.first().is_some_and(|longest| longest.len < len) {
                found.clear();
            }
            if found.first().is_none_or(|longest| longest.len == len) {
                found.push(SynonymMatch { group, entry, len });
            }
        }
        found
    }

    /// Every entry of a group.
    pub fn group(&self, group: usize) -> &[Entry] {
        self.groups.get(group).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analysis::tests::stems;

    /// Checks that the longest entry at the start of `text` spans `words`
    /// words and that its group holds `synonym`.
    fn assert_longest(synonyms: &Synonyms, text: &str, words: usize, synonym: &str) {
        let stemmed = stems(text);
        let refs: Vec<&str> = stemmed.iter().map(String::as_str).collect();
        let found = synonyms
            .longest_match(&refs)
            .unwrap_or_else(|| panic!("{text:?} starts with an entry"));
        assert_eq!(found.len, words, "{text:?}");
        assert!(
            synonyms.group(found.group).contains(&stems(synonym)),
            "{text:?}"
        );
    }

    #[test]
    fn the_builtin_dictionary_parses() {
        let synonyms = Synonyms::builtin();
        assert!(synonyms.len() > 20, "{}", synonyms.len());
    }

    #[test]
    fn acronyms_and_phrases_find_each_other() {
        let synonyms = Synonyms::builtin();
        assert_longest(&synonyms, "ERP", 1, "edilizia residenziale pubblica");
        assert_longest(
            &synonyms,
            "edilizie residenziali pubbliche a Milano",
            3,
            "erp",
        );
    }

    #[test]
    fn the_longest_entry_wins() {
        let synonyms = Synonyms::parse(
            "contributo, sovvenzione\ncontributo a fondo perduto, grant\n",
            &Analyzers::builtin(),
        );
        assert_longest(&synonyms, "contributi a fondo perduto", 3, "grant");
    }

    #[test]
    fn concepts_become_groups_with_their_links() {
        let analyzers = Analyzers::builtin();
        let model = ConceptModel::parse(crate::search::concepts::TEST_MODEL).expect("model");
        let synonyms = Synonyms::parse(
            "ERP, edilizia residenziale pubblica, case popolari\n",
            &analyzers,
        )
        .with_concepts(Arc::new(model), &analyzers);
        // The concept whose term the dictionary has joins its group: "ERP"
        // now also finds "alloggi comunali".
        assert_longest(&synonyms, "alloggi comunali", 2, "erp");
        assert_eq!(synonyms.len(), 11);
        let group = |text: &str| {
            let stemmed = stems(text);
            let refs: Vec<&str> = stemmed.iter().map(String::as_str).collect();
            synonyms.longest_match(&refs).expect(text).group
        };
        let (erp, abitare, portierato) = (
            group("ERP"),
            group("politiche abitative"),
            group("portierato sociale"),
        );
        assert_eq!(
            synonyms.links(erp, 3),
            GroupLinks {
                broader: vec![(abitare, 1)],
                related: vec![portierato],
                depth: 1
            }
        );
        assert_eq!(synonyms.links(portierato, 3).related.len(), 2);
        assert!(synonyms.links(portierato, 3).related.contains(&erp));
        assert_eq!(synonyms.concepts_version(), "test");
    }

    #[test]
    fn entries_of_only_stop_words_are_skipped() {
        let synonyms = Synonyms::parse(
            "di, del\nportierato, portineria, della\n",
            &Analyzers::builtin(),
        );
        assert_eq!(synonyms.len(), 1);
        assert_eq!(synonyms.group(0).len(), 2);
    }
}
