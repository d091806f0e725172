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

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use super::analysis::{Analyzers, data_lines};

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
            let id = synonyms.groups.len();
            for (index, entry) in group.iter().enumerate() {
                synonyms
                    .by_first
                    .entry(entry[0].clone())
                    .or_default()
                    .push((id, index));
            }
            synonyms.groups.push(group);
        }
        synonyms
    }

    /// The built-in dictionary, parsed once.
    pub fn builtin() -> Arc<Self> {
        static BUILTIN: LazyLock<Arc<Synonyms>> =
            LazyLock::new(|| Arc::new(Synonyms::parse(SYNONYMS_FILE, &Analyzers::builtin())));
        BUILTIN.clone()
    }

    /// The longest entry that the stems at the start of `stems` spell, if any.
    pub fn longest_match(&self, stems: &[&str]) -> Option<SynonymMatch> {
        let first = stems.first()?;
        self.by_first
            .get(*first)?
            .iter()
            .filter_map(|&(group, entry)| {
                let words = &self.groups[group][entry];
                let len = words.len();
                (len <= stems.len() && words.iter().zip(stems).all(|(w, s)| w == s))
                    .then_some(SynonymMatch { group, entry, len })
            })
            .max_by_key(|m| m.len)
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
    fn entries_of_only_stop_words_are_skipped() {
        let synonyms = Synonyms::parse(
            "di, del\nportierato, portineria, della\n",
            &Analyzers::builtin(),
        );
        assert_eq!(synonyms.len(), 1);
        assert_eq!(synonyms.group(0).len(), 2);
    }
}
