//! The query language and how it becomes a tantivy query.
//!
//! # Language
//!
//! - words: `cooperative abitative`; every word must match (see "Matching"
//!   for the fallback), in any form (stemming), in the title (boosted), the
//!   description or the context (kinds, sectors, owner, places);
//! - `"quoted phrases"`: the words in this order (stop words between them
//!   ignored; inflections allowed); no synonyms, no typo tolerance;
//! - `-word` and `-"a phrase"`: exclude documents that contain it (by stem:
//!   `-cooperativa` also excludes "cooperative").
//!
//! Anything else (punctuation, `+`, `AND`...) is read as text. An empty query,
//! or one of only stop words, browses: every document matches, ranked by
//! freshness and verification.
//!
//! # Matching
//!
//! [`MatchMode::Auto`] (the default) requires every word (AND: precise, and
//! facet counts stay meaningful); when that finds less than a page and the
//! query has two words or more, it widens to most of them (either of two,
//! all but a third of three or more, the records with every word first,
//! counted in `SearchResults::all_words_total`); only when that finds
//! nothing it relaxes to any word (OR, ranked by how many words match),
//! saying so in `SearchResults::relaxed`. A word is "matched" by any of its
//! forms:
//!
//! - its stem in the stemmed fields, plus a bonus for the exact form;
//! - synonyms: when the words, from this one on, spell an entry of the
//!   dictionary, the clause also accepts every other entry of its group
//!   (single words as terms, several as phrases); words that are an entry
//!   of several groups (a dictionary group and a concept's) accept the
//!   other entries of each;
//! - typos: a word of 5+ letters (9+: two edits) that the index does not
//!   know at all, neither exactly nor by stem, also matches the known words
//!   within one (two) edits, transpositions counting one ("portinerai" →
//!   "portineria"), at a lower weight, with the synonyms and concept terms
//!   of the likeliest correction at that lower weight too, a phrase of the
//!   dictionary that the correction begins taken whole, as typed right
//!   ("portineira di quartiere" is "portineria di quartiere" or one of its
//!   synonyms, not "quartiere" besides). Known words are
//!   left alone, so typo tolerance never dilutes a correct query; the
//!   corrected query is offered as `SearchResults::suggestion`.
//!
//! [`Analysis::Plain`] is the baseline for relevance work: exact fields only,
//! no stemming, no synonyms (typo tolerance as [`QueryOptions::typo_tolerance`]
//! says).

use std::collections::{BTreeMap, HashMap};

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Searcher, Term};

use super::analysis::AnalyzedToken;
use super::synonyms::{SynonymMatch, Synonyms};
use super::{SearchError, SearchIndex};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 300;

/// How the text is analysed at query time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Analysis {
    /// Stemming, synonyms, exact-form bonus.
    #[default]
    Italian,
    /// Exact words only (lower case, accents folded, elision and stop words
    /// still applied): the baseline.
    Plain,
}

/// Whether every word must match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MatchMode {
    /// Every word.
    All,
    /// Any word, ranked by how many match.
    Any,
    /// Every word; any word when that finds nothing.
    #[default]
    Auto,
}

/// Switches of the query side of search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryOptions {
    pub analysis: Analysis,
    pub match_mode: MatchMode,
    pub typo_tolerance: bool,
    /// Expand the synonym dictionary (ignored with [`Analysis::Plain`]).
    pub synonyms: bool,
}

impl Default for QueryOptions {
    fn default() -> Self {
        Self {
            analysis: Analysis::Italian,
            match_mode: MatchMode::Auto,
            typo_tolerance: true,
            synonyms: true,
        }
    }
}

impl QueryOptions {
    /// The baseline: no stemming, no synonyms, no typo tolerance.
    pub fn plain() -> Self {
        Self {
            analysis: Analysis::Plain,
            match_mode: MatchMode::Auto,
            typo_tolerance: false,
            synonyms: false,
        }
    }
}

/// One part of a query as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub quoted: bool,
    pub negated: bool,
}

const OPENING_QUOTES: [char; 4] = ['"', '“', '«', '„'];
const CLOSING_QUOTES: [char; 4] = ['"', '”', '»', '“'];

/// Splits a query into words, quoted phrases and exclusions. Never fails: an
/// unclosed quote runs to the end.
pub fn parse(raw: &str) -> Vec<Part> {
    let chars: Vec<char> = raw.chars().collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        if matches!(chars[i], '-' | '−' | '+')
            && chars
                .get(i + 1)
                .is_some_and(|c| !c.is_whitespace() && !matches!(c, '-' | '−' | '+'))
        {
            negated = chars[i] != '+';
            i += 1;
        }
        if OPENING_QUOTES.contains(&chars[i]) {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && !CLOSING_QUOTES.contains(&chars[end]) {
                end += 1;
            }
            let text: String = chars[start..end].iter().collect();
            if !text.trim().is_empty() {
                parts.push(Part {
                    text: text.trim().to_owned(),
                    quoted: true,
                    negated,
                });
            }
            i = end + 1;
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !OPENING_QUOTES.contains(&chars[i])
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            parts.push(Part {
                text,
                quoted: false,
                negated,
            });
        }
    }
    parts
}

/// Field weights: the title counts most, the context least.
const TITLE: Score = 3.0;
const BODY: Score = 1.0;
const CONTEXT: Score = 0.5;
/// Share of a field's weight given to the exact word form on top of its stem.
const EXACT_BONUS: Score = 0.3;
/// Weight of a typo-corrected word relative to the word as written.
const FUZZY: Score = 0.5;
/// Weight of a synonym relative to the words as written.
const SYNONYM: Score = 0.8;
/// Weight of another term of a concept of the concept model (a related way
/// of saying it, not a strict synonym).
const CONCEPT: Score = 0.2;
/// A typed word (every word of a typed phrase) found in at least this many
/// records is not expanded to its concept's other terms (strict synonyms
/// still are). 2,000 records are 200 pages of results; on an index the size
/// of one metropolitan area's, almost every word stays below and is
/// expanded.
const CONCEPT_MAX_DOC_FREQ: u64 = 2_000;
/// Typo candidates kept per word (the most frequent ones).
const MAX_EXPANSIONS: usize = 8;
/// Unknown words of one query that get typo tolerance (the first ones): it
/// scans term dictionaries, so a long query of gibberish stays cheap.
const MAX_FUZZY_WORDS: usize = 6;

/// The query, ready to run.
pub(crate) struct BuiltQuery {
    /// Every clause required.
    pub all: Box<dyn Query>,
    /// Most of the words (see [`most_words`]); `None` under two words.
    /// Searched unpruned: there is no stem matcher of "most of the words"
    /// for the ranker to score.
    pub most: Option<Box<dyn Query>>,
    /// `most` finds what `any` finds (two words, nothing else required):
    /// when no record has every word, `any` ranks the same records with
    /// pruning.
    pub most_is_any: bool,
    /// Any clause; `None` when relaxing would change nothing.
    pub any: Option<Box<dyn Query>>,
    /// The documents `all` matches, found from the stems' posting lists in
    /// [`super::schema::Fields::any_stem`] (one list a stem, where `all`
    /// reads up to six a word): for a pass that does not score.
    pub matches_all: Box<dyn Query>,
    /// The documents `any` matches, likewise.
    pub matches_any: Option<Box<dyn Query>>,
    /// Every scoring term of the query in one union: on each document that
    /// `all` or `any` matches, it scores the same as they do (their scores
    /// are sums of the same boosted term scores), and tantivy can prune a
    /// union of terms (block-max WAND) where it cannot prune a conjunction
    /// of unions. `None` when a scoring clause is a phrase, or when browsing.
    pub ranker: Option<Box<dyn Query>>,
    /// No text clause: every document matches.
    pub browse: bool,
    /// Terms to highlight, as the highlighting analyzer produces them (stems
    /// with [`Analysis::Italian`], exact words with [`Analysis::Plain`]).
    pub highlight_terms: BTreeMap<String, Score>,
    /// The query with its unknown words replaced by their likeliest
    /// correction, when there was one.
    pub suggestion: Option<String>,
}

/// Builds queries against one searcher (term statistics decide typo
/// tolerance).
pub(crate) struct QueryBuilder<'a> {
    index: &'a SearchIndex,
    searcher: &'a Searcher,
    options: QueryOptions,
    highlight: BTreeMap<String, Score>,
    fuzzy_words: usize,
    /// The scoring terms so far (field, term, boost), for the ranker.
    ranker_terms: Vec<(Field, String, Score)>,
    /// False once a scoring clause is a phrase: no ranker then.
    flat: bool,
}

fn term_query(field: Field, text: &str, boost: Score) -> Box<dyn Query> {
    Box::new(BoostQuery::new(
        Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        )),
        boost,
    ))
}

fn phrase_query(field: Field, words: &[String], boost: Score) -> Box<dyn Query> {
    if let [word] = words {
        return term_query(field, word, boost);
    }
    let terms = words
        .iter()
        .enumerate()
        .map(|(offset, word)| (offset, Term::from_field_text(field, word)))
        .collect();
    Box::new(BoostQuery::new(
        Box::new(PhraseQuery::new_with_offset(terms)),
        boost,
    ))
}

/// How many of `words` free words (a synonym phrase counts one) a document
/// must match when every word finds less than a page: a long query is
/// rarely written in the records' own words, and requiring every one loses
/// the records that say most of it. Of two words either (a page of four
/// records with both, say, is followed by those with one: "orti condivisi"
/// then also finds "orti per gli anziani"), from three words all but a
/// third. Only then: on a large index a query's words usually all match
/// plenty of records, and counting the facets of everything most of them
/// match costs many times more (measured in docs/benchmarks.md, 5 and 6
/// December).
fn most_words(words: usize) -> Option<usize> {
    match words {
        0 | 1 => None,
        2 => Some(1),
        _ => Some(words - words / 3),
    }
}

fn any_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// A clause of the query with what it matches, when a set of stems can say
/// it: the documents holding one of `stems` in any text field. A word's
/// clause scores its stem in the stemmed fields and its exact form in the
/// exact fields, but a document with the exact form in a field has that
/// form's stem in the same field's stemmed twin (both analyzers read the
/// same words; the stemmed one stems them), so the stems alone find the
/// same documents. `None` for a phrase: word order needs positions.
struct Clause {
    query: Box<dyn Query>,
    stems: Option<Vec<String>>,
}

impl Clause {
    fn any_of(clauses: Vec<Clause>) -> Clause {
        let stems = clauses
            .iter()
            .map(|c| c.stems.clone())
            .collect::<Option<Vec<Vec<String>>>>()
            .map(|stems| {
                let mut stems: Vec<String> = stems.into_iter().flatten().collect();
                stems.sort();
                stems.dedup();
                stems
            });
        Clause {
            query: any_of(clauses.into_iter().map(|c| c.query).collect()),
            stems,
        }
    }

    fn box_clone(&self) -> Clause {
        Clause {
            query: self.query.box_clone(),
            stems: self.stems.clone(),
        }
    }

    /// A query matching what this clause matches, from `any_stem` when its
    /// stems say it (the clause's own query otherwise), never scoring.
    fn matcher(&self, any_stem: Field) -> Box<dyn Query> {
        match &self.stems {
            Some(stems) => {
                let mut terms = stems.iter().map(|stem| -> Box<dyn Query> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(any_stem, stem),
                        IndexRecordOption::Basic,
                    ))
                });
                match (terms.next(), stems.len()) {
                    (Some(one), 1) => one,
                    (first, _) => Box::new(BooleanQuery::new(
                        first
                            .into_iter()
                            .chain(terms)
                            .map(|q| (Occur::Should, q))
                            .collect(),
                    )),
                }
            }
            None => self.query.box_clone(),
        }
    }
}

impl<'a> QueryBuilder<'a> {
    pub fn new(index: &'a SearchIndex, searcher: &'a Searcher, options: QueryOptions) -> Self {
        Self {
            index,
            searcher,
            options,
            highlight: BTreeMap::new(),
            fuzzy_words: 0,
            ranker_terms: Vec::new(),
            flat: true,
        }
    }

    fn italian(&self) -> bool {
        self.options.analysis == Analysis::Italian
    }

    fn stem_fields(&self) -> [(Field, Score); 3] {
        let f = self.index.fields();
        [
            (f.title_stem, TITLE),
            (f.body_stem, BODY),
            (f.context_stem, CONTEXT),
        ]
    }

    fn exact_fields(&self) -> [(Field, Score); 3] {
        let f = self.index.fields();
        [
            (f.title_exact, TITLE),
            (f.body_exact, BODY),
            (f.context_exact, CONTEXT),
        ]
    }

    /// The fields words are matched in: stems, or exact words in plain mode.
    fn main_fields(&self) -> [(Field, Score); 3] {
        if self.italian() {
            self.stem_fields()
        } else {
            self.exact_fields()
        }
    }

    /// The form of a token the main fields hold.
    fn main_form<'t>(&self, token: &'t AnalyzedToken) -> &'t str {
        if self.italian() {
            &token.stem
        } else {
            &token.exact
        }
    }

    fn doc_freq(&self, fields: &[(Field, Score)], text: &str) -> u64 {
        fields
            .iter()
            .map(|(field, _)| {
                self.searcher
                    .doc_freq(&Term::from_field_text(*field, text))
                    .unwrap_or(0)
            })
            .sum()
    }

    /// Known words within the edit distance of an unknown word, most
    /// frequent first.
    fn typo_candidates(&self, exact: &str) -> Result<Vec<String>, SearchError> {
        let letters = exact.chars().count();
        let distance = match letters {
            0..=4 => return Ok(Vec::new()),
            5..=8 => 1,
            _ => 2,
        };
        let fields = self.exact_fields();
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            for (field, _) in fields {
                let automaton =
                    FuzzyTermQuery::new(Term::from_field_text(field, exact), distance, true)
                        .automaton()?;
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted
                    .terms()
                    .search(automaton)
                    .into_stream()
                    .map_err(|e| SearchError::Tantivy(e.into()))?;
                while stream.advance() {
                    if let Ok(word) = std::str::from_utf8(stream.key())
                        && word != exact
                    {
                        *found.entry(word.to_owned()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        let mut candidates: Vec<(String, u64)> = found.into_iter().collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(MAX_EXPANSIONS);
        Ok(candidates.into_iter().map(|(word, _)| word).collect())
    }

    /// A scoring clause: `words` in this order in `field` (a term query for
    /// one word), remembered for the ranker.
    fn scored(&mut self, field: Field, words: &[String], boost: Score) -> Box<dyn Query> {
        match words {
            [word] => self.ranker_terms.push((field, word.clone(), boost)),
            _ => self.flat = false,
        }
        phrase_query(field, words, boost)
    }

    fn highlight(&mut self, term: &str) {
        self.highlight.insert(term.to_owned(), 1.0);
    }

    /// A word as written, in every field; with its typo corrections when the
    /// index does not know it. Returns the clause and the best correction.
    fn word_clause(
        &mut self,
        token: &AnalyzedToken,
        typos: bool,
    ) -> Result<(Clause, Option<String>), SearchError> {
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        let main = self.main_form(token).to_owned();
        // In plain analysis the main form is the exact word: no stems.
        let mut stems = self.italian().then(|| vec![main.clone()]);
        for (field, weight) in self.main_fields() {
            clauses.push(self.scored(field, std::slice::from_ref(&main), weight));
        }
        if self.italian() {
            let exact = std::slice::from_ref(&token.exact);
            for (field, weight) in self.exact_fields() {
                clauses.push(self.scored(field, exact, weight * EXACT_BONUS));
            }
        }
        self.highlight(&main);
        let mut correction = None;
        if typos
            && self.options.typo_tolerance
            && self.fuzzy_words < MAX_FUZZY_WORDS
            && self.doc_freq(&self.exact_fields(), &token.exact) == 0
            && (!self.italian() || self.doc_freq(&self.stem_fields(), &token.stem) == 0)
        {
            self.fuzzy_words += 1;
            let candidates = self.typo_candidates(&token.exact)?;
            for candidate in &candidates {
                let candidate_words = std::slice::from_ref(candidate);
                for (field, weight) in self.exact_fields() {
                    clauses.push(self.scored(field, candidate_words, weight * FUZZY));
                }
                if self.italian() {
                    let stem = self.index.analyzers().stem_word(candidate);
                    let stem_words = std::slice::from_ref(&stem);
                    for (field, weight) in self.stem_fields() {
                        clauses.push(self.scored(field, stem_words, weight * FUZZY * EXACT_BONUS));
                    }
                    self.highlight(&stem);
                    if let Some(stems) = &mut stems {
                        stems.push(stem);
                    }
                } else {
                    self.highlight(candidate);
                }
            }
            correction = candidates.into_iter().next();
        }
        let clause = Clause {
            query: any_of(clauses),
            stems,
        };
        Ok((clause, correction))
    }

    /// Words in this order (analysed), in every field.
    fn phrase_clause(&mut self, tokens: &[AnalyzedToken], boost: Score) -> Clause {
        let words: Vec<String> = tokens
            .iter()
            .map(|t| self.main_form(t).to_owned())
            .collect();
        for word in &words {
            self.highlight(word);
        }
        let clauses = self
            .main_fields()
            .into_iter()
            .map(|(field, weight)| self.scored(field, &words, weight * boost))
            .collect();
        Clause {
            query: any_of(clauses),
            stems: (self.italian() && words.len() == 1).then_some(words),
        }
    }

    /// A synonym entry (stems) in the stemmed fields.
    fn entry_clause(&mut self, stems: &[String], boost: Score) -> Clause {
        for stem in stems {
            self.highlight(stem);
        }
        let clauses = self
            .stem_fields()
            .into_iter()
            .map(|(field, weight)| self.scored(field, stems, weight * boost))
            .collect();
        Clause {
            query: any_of(clauses),
            stems: (stems.len() == 1).then(|| stems.to_vec()),
        }
    }

    /// The other entries of the groups of `matches` (the same words, an
    /// entry of each group), each once, as clauses weighted by `scale`
    /// times: a strict synonym's weight where the typed entry and the other
    /// are both the dictionary's in that group; a concept's otherwise,
    /// unless the typed words are `common`.
    fn other_entries(
        &mut self,
        synonyms: &Synonyms,
        matches: &[SynonymMatch],
        common: bool,
        scale: Score,
    ) -> Vec<Clause> {
        // The strict ones first: an entry both a strict synonym and a
        // concept's term is weighed as the first.
        let mut weighed: Vec<(&[String], Score)> = Vec::new();
        for strict_pass in [true, false] {
            for matched in matches {
                let group = synonyms.group(matched.group);
                let typed = group.get(matched.entry).map(Vec::as_slice);
                let typed_is_strict = synonyms.is_dictionary_entry(matched.group, matched.entry);
                for (entry_index, entry) in group.iter().enumerate() {
                    let strict =
                        typed_is_strict && synonyms.is_dictionary_entry(matched.group, entry_index);
                    let new = Some(entry.as_slice()) != typed
                        && !weighed.iter().any(|(seen, _)| *seen == entry.as_slice());
                    if new && strict == strict_pass && (strict || !common) {
                        weighed.push((entry, if strict { SYNONYM } else { CONCEPT }));
                    }
                }
            }
        }
        weighed
            .into_iter()
            .map(|(entry, weight)| self.entry_clause(entry, weight * scale))
            .collect()
    }

    /// Builds the query of `parts` (see the module docs).
    pub fn build(mut self, parts: &[Part]) -> Result<BuiltQuery, SearchError> {
        let analyzers = self.index.analyzers().clone();
        let mut required: Vec<Clause> = Vec::new();
        let mut excluded: Vec<Clause> = Vec::new();

        // Free words are analysed together so that synonym phrases can span
        // them ("portierato sociale").
        let free_text = parts
            .iter()
            .filter(|p| !p.quoted && !p.negated)
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let tokens = analyzers.analyze(&free_text);
        let synonyms = (self.italian() && self.options.synonyms).then(|| self.index.synonyms());
        let mut corrections: Vec<(usize, usize, String)> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let stems: Vec<&str> = tokens[i..].iter().map(|t| t.stem.as_str()).collect();
            let found = synonyms
                .map(|s| (s, s.longest_matches(&stems)))
                .filter(|(_, matches)| !matches.is_empty());
            match found {
                Some((synonyms, matches)) => {
                    let span = &tokens[i..i + matches[0].len];
                    let typed_is_strict = (matches.iter())
                        .any(|matched| synonyms.is_dictionary_entry(matched.group, matched.entry));
                    // A word already found in thousands of records needs no
                    // help from its concept: the other terms could not
                    // change the first pages, only slow the search (and
                    // swell the counts) on a large index.
                    let common = span.iter().all(|token| {
                        self.doc_freq(&self.stem_fields(), &token.stem) >= CONCEPT_MAX_DOC_FREQ
                    });
                    let others = self.other_entries(synonyms, &matches, common, 1.0);
                    if typed_is_strict || span.len() == 1 {
                        let mut alternatives: Vec<Clause> = Vec::new();
                        if let [token] = span {
                            alternatives.push(self.word_clause(token, false)?.0);
                        } else {
                            alternatives.push(self.phrase_clause(span, 1.0));
                        }
                        alternatives.extend(others);
                        required.push(Clause::any_of(alternatives));
                    } else {
                        // A concept's term does not narrow the query to a
                        // phrase: each typed word stays a word of its own
                        // (anywhere in the record, and counted as one by
                        // `most_words`), which the concept's other terms
                        // can also stand for.
                        if !others.is_empty() {
                            self.flat = false;
                        }
                        for token in span {
                            let mut alternatives = vec![self.word_clause(token, false)?.0];
                            alternatives.extend(others.iter().map(Clause::box_clone));
                            required.push(Clause::any_of(alternatives));
                        }
                    }
                    i += span.len();
                }
                None => {
                    let token = &tokens[i];
                    let (mut clause, correction) = self.word_clause(token, true)?;
                    // The words after a corrected one that the entry it
                    // begins spans: their clauses, or how many the
                    // corrected word's clause stands for.
                    let mut rest = Vec::new();
                    let mut spanned = 0;
                    if let Some(correction) = correction {
                        // The word meant stands for what it would as
                        // written, its synonyms and concept included, at
                        // the weight of a correction: "cohusing" also finds
                        // "abitare collaborativo", as "cohousing" does. An
                        // entry that the corrected words begin spans its
                        // words as when typed right: "portineira di
                        // quartiere" is the dictionary's "portineria di
                        // quartiere" or one of its synonyms ("custodia
                        // sociale"), not "quartiere" besides.
                        let stem = analyzers.stem_word(&correction);
                        if let Some(synonyms) = synonyms {
                            let meant: Vec<&str> = std::iter::once(stem.as_str())
                                .chain(stems.iter().skip(1).copied())
                                .collect();
                            let matches = synonyms.longest_matches(&meant);
                            let common =
                                self.doc_freq(&self.stem_fields(), &stem) >= CONCEPT_MAX_DOC_FREQ;
                            let others = self.other_entries(synonyms, &matches, common, FUZZY);
                            let span = matches.first().map_or(1, |m| m.len);
                            let typed_is_strict = (matches.iter()).any(|matched| {
                                synonyms.is_dictionary_entry(matched.group, matched.entry)
                            });
                            if !others.is_empty() && typed_is_strict && span > 1 {
                                // A dictionary entry is one clause, as
                                // typed right: the corrected phrase or
                                // one of its synonyms.
                                let phrase: Vec<String> = meant[..span]
                                    .iter()
                                    .map(|stem| (*stem).to_owned())
                                    .collect();
                                let phrase = self.entry_clause(&phrase, FUZZY);
                                spanned = span - 1;
                                clause =
                                    Clause::any_of(std::iter::once(phrase).chain(others).collect());
                            } else if !others.is_empty() {
                                // A concept's term: each word stays one of
                                // its own, which the concept's other terms
                                // can also stand for.
                                for token in &tokens[i + 1..i + span] {
                                    let mut alternatives = vec![self.word_clause(token, false)?.0];
                                    alternatives.extend(others.iter().map(Clause::box_clone));
                                    rest.push(Clause::any_of(alternatives));
                                }
                                if !rest.is_empty() {
                                    self.flat = false;
                                }
                                clause =
                                    Clause::any_of(std::iter::once(clause).chain(others).collect());
                            }
                        }
                        corrections.push((token.offset_from, token.offset_to, correction));
                    }
                    i += 1 + rest.len() + spanned;
                    required.push(clause);
                    required.extend(rest);
                }
            }
        }

        let free_words = required.len();
        for part in parts.iter().filter(|p| p.quoted && !p.negated) {
            let tokens = analyzers.analyze(&part.text);
            if !tokens.is_empty() {
                required.push(self.phrase_clause(&tokens, 1.0));
            }
        }

        for part in parts.iter().filter(|p| p.negated) {
            let tokens = analyzers.analyze(&part.text);
            let clause = match tokens.as_slice() {
                [] => continue,
                [token] => {
                    let main = self.main_form(token).to_owned();
                    let clauses = self
                        .main_fields()
                        .into_iter()
                        .map(|(field, _)| term_query(field, &main, 1.0))
                        .collect();
                    Clause {
                        query: any_of(clauses),
                        stems: self.italian().then(|| vec![main]),
                    }
                }
                tokens => {
                    let words: Vec<String> = tokens
                        .iter()
                        .map(|t| self.main_form(t).to_owned())
                        .collect();
                    Clause {
                        query: any_of(
                            self.main_fields()
                                .into_iter()
                                .map(|(field, _)| phrase_query(field, &words, 1.0))
                                .collect(),
                        ),
                        stems: None,
                    }
                }
            };
            excluded.push(clause);
        }

        let suggestion = (!corrections.is_empty()).then(|| {
            let mut text = free_text.clone();
            for (from, to, word) in corrections.iter().rev() {
                text.replace_range(*from..*to, word);
            }
            for part in parts.iter().filter(|p| p.quoted || p.negated) {
                text.push(' ');
                if part.negated {
                    text.push('-');
                }
                if part.quoted {
                    text.push('"');
                    text.push_str(&part.text);
                    text.push('"');
                } else {
                    text.push_str(&part.text);
                }
            }
            text.trim().to_owned()
        });

        let browse = required.is_empty();
        let exclusions = |view: &dyn Fn(&Clause) -> Box<dyn Query>| {
            excluded
                .iter()
                .map(|c| (Occur::MustNot, view(c)))
                .collect::<Vec<(Occur, Box<dyn Query>)>>()
        };
        // Any clause, and every clause, each read through a view: the
        // clauses' scoring queries, or their matchers.
        let any_with = |view: &dyn Fn(&Clause) -> Box<dyn Query>| {
            (required.len() >= 2).then(|| {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                    required.iter().map(|c| (Occur::Should, view(c))).collect();
                clauses.extend(exclusions(view));
                Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>
            })
        };
        let all_with = |view: &dyn Fn(&Clause) -> Box<dyn Query>| {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = if browse {
                vec![(Occur::Must, Box::new(AllQuery) as Box<dyn Query>)]
            } else {
                required.iter().map(|c| (Occur::Must, view(c))).collect()
            };
            clauses.extend(exclusions(view));
            if clauses.len() == 1 && !browse {
                clauses
                    .pop()
                    .map(|(_, q)| q)
                    .unwrap_or_else(|| Box::new(AllQuery))
            } else {
                Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>
            }
        };
        let scoring = |c: &Clause| c.query.box_clone();
        let any_stem = self.index.fields().any_stem;
        let matching = |c: &Clause| c.matcher(any_stem);
        let any = any_with(&scoring);
        let matches_any = any_with(&matching);
        // Most of the words, when there are two or more: either of two, all
        // but a third of three or more free words, the phrases all. The
        // records with every free word are put first by the search itself
        // (`SearchIndex::search`), not by their scores here.
        let most = most_words(free_words).filter(|_| !browse).map(|minimum| {
            let free = &required[..free_words];
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Must,
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    free.iter().map(|c| (Occur::Should, scoring(c))).collect(),
                    minimum,
                )) as Box<dyn Query>,
            )];
            clauses.extend(
                required[free_words..]
                    .iter()
                    .map(|c| (Occur::Must, scoring(c))),
            );
            clauses.extend(exclusions(&scoring));
            Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>
        });
        let all = all_with(&scoring);
        let matches_all = all_with(&matching);
        let (any, matches_any, most) = match self.options.match_mode {
            MatchMode::All => (None, None, None),
            MatchMode::Any | MatchMode::Auto => (any, matches_any, most),
        };
        let ranker = (self.flat && !browse && !self.ranker_terms.is_empty()).then(|| {
            any_of(
                self.ranker_terms
                    .iter()
                    .map(|(field, term, boost)| term_query(*field, term, *boost))
                    .collect(),
            )
        });
        Ok(BuiltQuery {
            all,
            matches_all,
            most_is_any: free_words == 2 && required.len() == 2,
            most,
            any,
            matches_any,
            ranker,
            browse,
            highlight_terms: self.highlight,
            suggestion,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(text: &str, quoted: bool, negated: bool) -> Part {
        Part {
            text: text.to_owned(),
            quoted,
            negated,
        }
    }

    #[test]
    fn parses_words_phrases_and_exclusions() {
        assert_eq!(
            parse(r#"  portierato "custodia sociale" -Bologna -"San Siro" co-housing  "#),
            vec![
                part("portierato", false, false),
                part("custodia sociale", true, false),
                part("Bologna", false, true),
                part("San Siro", true, true),
                part("co-housing", false, false),
            ]
        );
        // Typographic quotes, an unclosed quote, a lone dash.
        assert_eq!(
            parse("“abitare collaborativo” - \"mutuo"),
            vec![
                part("abitare collaborativo", true, false),
                part("-", false, false),
                part("mutuo", true, false),
            ]
        );
        assert!(parse("   ").is_empty());
    }
}
