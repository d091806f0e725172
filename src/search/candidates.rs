//! The first stage of matching: the open offers (or needs) that could match
//! a need (or offer), found in the index by the other side's text (its
//! distinctive words and their synonyms), sectors and territory, among the
//! kinds that can serve it, never the same organisation's. Recall matters
//! here, not order: the match engine scores every candidate itself.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::TopNComputer;
use tantivy::collector::sort_key::NaturalComparator;
use tantivy::columnar::Column;
use tantivy::columnar::StrColumn;
use tantivy::fastfield::AliveBitSet;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::Bm25Weight;
#[cfg(test)]
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, Term};
use uuid::Uuid;

use super::collector::Dim;
use super::facet_table::{FacetTables, SegmentTable, single_number};
use super::schema::{DocType, fast, id_of_halves};
use super::{SearchError, SearchIndex};

/// Largest number of candidates one request returns.
pub const MAX_CANDIDATES: usize = 1_000;
/// Distinctive words of the text kept in the query.
const MAX_TERMS: usize = 24;

/// What to look for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CandidateRequest {
    /// [`DocType::Offer`] for a need's candidates, [`DocType::Need`] for an
    /// offer's.
    pub target: Option<DocType>,
    /// The other side's title and description.
    pub title: String,
    pub description: String,
    /// Only these kinds (snake_case); empty = any.
    pub kinds: Vec<String>,
    /// Sectors, municipalities and neighbourhoods (the other side's places)
    /// raise a candidate.
    pub sectors: Vec<String>,
    pub municipalities: Vec<String>,
    pub neighbourhoods: Vec<Uuid>,
    /// The other side's organisation, never a candidate.
    pub exclude_organization: Option<Uuid>,
    pub limit: usize,
}

#[cfg(test)]
fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

#[cfg(test)]
fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

/// The clauses of a boolean query.
#[cfg(test)]
type Clauses = Vec<(Occur, Box<dyn Query>)>;

impl SearchIndex {
    /// The ids of up to `limit` (at most [`MAX_CANDIDATES`]) open records of
    /// the target type, best first by shared words, sectors and place. Fails
    /// only on index I/O errors.
    pub fn candidates(&self, request: &CandidateRequest) -> Result<Vec<Uuid>, SearchError> {
        Ok(self
            .ranked_candidates(request)?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// [`Self::candidates`] with their scores (0 for the filter's documents
    /// that follow the scored ones).
    pub(crate) fn ranked_candidates(
        &self,
        request: &CandidateRequest,
    ) -> Result<Vec<(Uuid, Score)>, SearchError> {
        self.ranked_candidates_in_windows(request, WINDOW, CommonTerms::LeftOut)
    }

    /// [`Self::ranked_candidates`] with the ranker's window `window` wide
    /// (at least 64) and its common terms left out or kept: the tests use
    /// narrow windows, to cross them in small segments, and keep the common
    /// terms of their small corpora to read long postings.
    pub(crate) fn ranked_candidates_in_windows(
        &self,
        request: &CandidateRequest,
        window: usize,
        common: CommonTerms,
    ) -> Result<Vec<(Uuid, Score)>, SearchError> {
        let Some(target) = request.target else {
            return Ok(Vec::new());
        };
        let searcher = self.reader().searcher();
        let ranker = self.ranker(&searcher, request, common)?;
        let limit = request.limit.clamp(1, MAX_CANDIDATES);
        // tantivy's own top-n: among equal scores the first document in
        // index order wins, as in `TopDocs` (documents are pushed in that
        // order).
        let mut best: TopNComputer<Score, DocAddress, NaturalComparator> =
            TopNComputer::new_with_comparator(limit, NaturalComparator);
        // Per segment, every document of the ranker's terms with its score,
        // checked against the filter in its columns when it would enter the
        // top n. A pass of the filter query over every open posting of the
        // kinds (into a bitset) cost as much as the ranking. The ranker is
        // not pruned: its keyword terms (sectors, place) are indexed without
        // frequencies, which block-max WAND needs; indexed with them, WAND
        // over some fifty terms, most of whose best documents the filter
        // turns away, was three times slower than the union on the matching
        // bench (50,000 offers).
        let mut admissions = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let admission = Admission::open(reader, &self.facet_tables(), target, request)?;
            if let Some(admission) = &admission {
                let ordinal = segment as SegmentOrdinal;
                ranker.for_each_scored(segment, reader, window, |doc, score| {
                    // The top n's own test first (`TopNComputer::push`
                    // makes it again): it is cheaper than the filter's.
                    if best.threshold.is_none_or(|threshold| score > threshold)
                        && admission.admits(doc)
                    {
                        best.push(score, DocAddress::new(ordinal, doc));
                    }
                })?;
            }
            admissions.push(admission);
        }
        // Fewer scored than asked (a small index): the filter's other
        // documents follow, in index order, as they would at score zero.
        let mut chosen: Vec<(DocAddress, Score)> = best
            .into_sorted_vec()
            .into_iter()
            .map(|d| (d.doc, d.sort_key))
            .collect();
        if chosen.len() < limit {
            let taken: HashSet<DocAddress> = chosen.iter().map(|(at, _)| *at).collect();
            'fill: for (segment, admission) in admissions.iter().enumerate() {
                let Some(admission) = admission else {
                    continue;
                };
                let segment = segment as SegmentOrdinal;
                for doc in 0..searcher.segment_reader(segment).max_doc() {
                    if chosen.len() >= limit {
                        break 'fill;
                    }
                    let at = DocAddress::new(segment, doc);
                    if admission.admits(doc) && !taken.contains(&at) {
                        chosen.push((at, 0.0));
                    }
                }
            }
        }
        // The ids from the id columns, one segment's columns opened once.
        let mut columns: HashMap<SegmentOrdinal, (Column<u64>, Column<u64>)> = HashMap::new();
        let mut ids = Vec::with_capacity(chosen.len());
        for (
            DocAddress {
                segment_ord: segment,
                doc_id: doc,
            },
            score,
        ) in chosen
        {
            let (high, low) = match columns.entry(segment) {
                Entry::Occupied(open) => open.into_mut(),
                Entry::Vacant(slot) => {
                    let columns = searcher.segment_reader(segment).fast_fields();
                    slot.insert((columns.u64(fast::ID_HIGH)?, columns.u64(fast::ID_LOW)?))
                }
            };
            if let (Some(high), Some(low)) = (high.first(doc), low.first(doc)) {
                ids.push((id_of_halves(high, low), score));
            }
        }
        Ok(ids)
    }

    /// The candidate query of `request`: the clauses that filter (type,
    /// open, kinds, not the same organisation) and those that score.
    #[cfg(test)]
    fn candidate_query(
        &self,
        searcher: &Searcher,
        target: DocType,
        request: &CandidateRequest,
        common: CommonTerms,
    ) -> (Clauses, Clauses) {
        (
            self.filter_clauses(target, request),
            self.ranking_clauses(searcher, request, common),
        )
    }

    /// What raises a candidate: the text's distinctive words (with their
    /// synonyms), its sectors and its place, as the reference pass's query.
    #[cfg(test)]
    fn ranking_clauses(
        &self,
        searcher: &Searcher,
        request: &CandidateRequest,
        common: CommonTerms,
    ) -> Clauses {
        self.ranker(searcher, request, common)
            .expect("the ranker's terms are read")
            .clauses
            .iter()
            .map(|clause| {
                let query = TermQuery::new(clause.term.clone(), IndexRecordOption::WithFreqs);
                (Occur::Should, boosted(Box::new(query), clause.boost))
            })
            .collect()
    }

    /// The ranker of `request`: the text's distinctive words (with their
    /// synonyms) in the title and the description, its sectors and its
    /// place. Fails only on index I/O errors.
    fn ranker(
        &self,
        searcher: &Searcher,
        request: &CandidateRequest,
        common: CommonTerms,
    ) -> Result<Ranker, SearchError> {
        let wanted = |doc_freq: u64| common == CommonTerms::Kept || !too_common(doc_freq, searcher);
        let fields = self.fields();
        let num_docs = searcher.num_docs().max(1) as f32;

        // The text's stems, synonyms expanded, weighted by tf·idf.
        let mut weights: BTreeMap<String, f32> = BTreeMap::new();
        for (text, weight) in [(&request.title, 2.0f32), (&request.description, 1.0)] {
            let tokens = self.analyzers().analyze(text);
            let stems: Vec<&str> = tokens.iter().map(|t| t.stem.as_str()).collect();
            let mut at = 0;
            while at < stems.len() {
                match self.synonyms().longest_match(&stems[at..]) {
                    Some(found) => {
                        for entry in self.synonyms().group(found.group) {
                            for stem in entry {
                                *weights.entry(stem.clone()).or_default() += weight;
                            }
                        }
                        at += found.len;
                    }
                    None => {
                        *weights.entry(stems[at].to_owned()).or_default() += weight;
                        at += 1;
                    }
                }
            }
        }
        // Each stem looked up once per field and segment: its frequency
        // chooses it, and the same postings are then scored.
        let text_fields = [(fields.title_stem, 2.0f32), (fields.body_stem, 1.0)];
        let mut scored = Vec::new();
        for (stem, tf) in weights {
            let [title, body] = text_fields.map(|(field, _)| {
                TermPostings::look_up(searcher, Term::from_field_text(field, &stem))
            });
            let (title, body) = (title?, body?);
            let df = title.doc_freq.max(body.doc_freq);
            if df > 0 && wanted(df) {
                let idf = (1.0 + (num_docs - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
                scored.push((stem, tf.sqrt() * idf, [title, body]));
            }
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(MAX_TERMS);
        let top = scored.first().map_or(1.0, |s| s.1.max(f32::EPSILON));

        let mut ranker = Ranker::new(searcher);
        for (_, weight, found) in scored {
            for ((_, boost), postings) in text_fields.iter().zip(found) {
                ranker.push(searcher, postings, boost * weight / top)?;
            }
        }
        let sectors = (request.sectors.iter()).map(|s| (fields.sector, s.clone(), 0.5));
        let municipalities =
            (request.municipalities.iter()).map(|c| (fields.municipality, c.clone(), 0.3));
        let neighbourhoods =
            (request.neighbourhoods.iter()).map(|n| (fields.neighbourhood, n.to_string(), 0.6));
        let keywords = sectors.chain(municipalities).chain(neighbourhoods);
        for (field, value, boost) in keywords {
            let postings = TermPostings::look_up(searcher, Term::from_field_text(field, &value))?;
            if wanted(postings.doc_freq) {
                ranker.push(searcher, postings, boost)?;
            }
        }
        Ok(ranker)
    }

    /// What a candidate must be: of the target type, open, of one of the
    /// kinds, not the other side's organisation ([`Admission`] checks the
    /// same in the columns).
    #[cfg(test)]
    fn filter_clauses(&self, target: DocType, request: &CandidateRequest) -> Clauses {
        let fields = self.fields();
        let mut filter: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, term(fields.doc_type, target.as_str())),
            (Occur::Must, term(fields.status, "open")),
        ];
        if !request.kinds.is_empty() {
            let kinds = request
                .kinds
                .iter()
                .map(|k| (Occur::Should, term(fields.kind, k)))
                .collect();
            filter.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
        }
        if let Some(organization) = request.exclude_organization {
            filter.push((
                Occur::MustNot,
                term(fields.organization_id, &organization.to_string()),
            ));
        }
        filter
    }

    /// [`Self::candidates`] by scoring every document the filter accepts
    /// (tantivy's `TopDocs` over one boolean query), reading ids from the
    /// stored documents: the reference the tests compare the pruned pass
    /// with.
    #[cfg(test)]
    pub(crate) fn candidates_full_pass(
        &self,
        request: &CandidateRequest,
        common: CommonTerms,
    ) -> Result<Vec<(Uuid, Score)>, SearchError> {
        use tantivy::TantivyDocument;
        use tantivy::collector::TopDocs;
        use tantivy::schema::Value;

        let Some(target) = request.target else {
            return Ok(Vec::new());
        };
        let searcher = self.reader().searcher();
        let (filter, should) = self.candidate_query(&searcher, target, request, common);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = filter
            .into_iter()
            .map(|(occur, query)| (occur, boosted(query, 0.0)))
            .collect();
        clauses.push((Occur::Should, Box::new(BooleanQuery::new(should))));
        let limit = request.limit.clamp(1, MAX_CANDIDATES);
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        let mut ids = Vec::new();
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let key = doc
                .get_first(self.fields().key)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if let Some((_, id)) = super::schema::parse_key(&key) {
                ids.push((id, score));
            }
        }
        Ok(ids)
    }
}

/// Whether the ranker leaves out the terms [`too_common`] finds common.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CommonTerms {
    LeftOut,
    /// Only the tests keep them.
    #[cfg_attr(not(test), allow(dead_code))]
    Kept,
}

/// Whether a term is held by more than half of the index's documents, and
/// so left out of the ranker. Such a term tells candidates apart least (its
/// idf is under ln 2, a rare word's about ln N) and costs the most to read:
/// at a million offers the municipality's term alone held seven in ten
/// (docs/benchmarks.md). Where the top n reaches past the documents that
/// hold other terms (a small index), the filter's other documents follow
/// them in index order, no longer those with the common term first: most
/// of them hold it anyway, it being that common.
///
/// Both sides count replaced and deleted documents not yet merged away (a
/// term's document frequency does, and so does BM25's count of documents
/// in [`Ranker`]): against the live documents alone, an index whose
/// records were edited often would find a term common that is not.
fn too_common(doc_freq: u64, searcher: &Searcher) -> bool {
    let documents: u64 = (searcher.segment_readers().iter())
        .map(|reader| u64::from(reader.max_doc()))
        .sum();
    doc_freq.saturating_mul(2) > documents
}

/// Documents scored together: the width of the ranker's window (as
/// tantivy's buffered union's), small enough for its scores to stay in the
/// processor's cache.
const WINDOW: usize = 4096;

/// A term and where its postings are in each segment, read once from the
/// segments' term dictionaries.
struct TermPostings {
    term: Term,
    /// Per segment (by ordinal), the term's postings; `None` where the
    /// segment has none.
    in_segments: Vec<Option<TermInfo>>,
    /// Documents holding the term, over every segment (deleted ones too,
    /// as tantivy counts them for BM25).
    doc_freq: u64,
}

impl TermPostings {
    fn look_up(searcher: &Searcher, term: Term) -> tantivy::Result<Self> {
        let mut doc_freq = 0;
        let mut in_segments = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let info = reader.inverted_index(term.field())?.get_term_info(&term)?;
            doc_freq += info.as_ref().map_or(0, |info| u64::from(info.doc_freq));
            in_segments.push(info);
        }
        Ok(Self {
            term,
            in_segments,
            doc_freq,
        })
    }
}

/// The candidate ranker: the terms that raise a candidate, each with its
/// BM25 weight, boost included. A document's score is the sum of its
/// terms' scores, as a boolean query of boosted term queries would give it
/// (the tests compare the two); summed here over the postings' blocks, in
/// windows of documents, without that query's dynamic call per posting,
/// and with each term looked up once in each segment (the query looks it
/// up three times: for its frequency, its weight and its scorer).
struct Ranker {
    clauses: Vec<RankClause>,
    /// Documents of every segment, deleted ones too (tantivy's BM25 `N`).
    total_docs: u64,
    /// The average number of tokens per document of the fields seen so far.
    average_lengths: Vec<(Field, Score)>,
}

struct RankClause {
    term: Term,
    /// The boost in `weight`, for the reference pass's query.
    #[cfg(test)]
    boost: Score,
    weight: Bm25Weight,
    in_segments: Vec<Option<TermInfo>>,
}

impl Ranker {
    fn new(searcher: &Searcher) -> Self {
        let total_docs = searcher
            .segment_readers()
            .iter()
            .map(|reader| u64::from(reader.max_doc()))
            .sum();
        Self {
            clauses: Vec::new(),
            total_docs,
            average_lengths: Vec::new(),
        }
    }

    /// Adds a term's clause with `boost`; a term found in no segment adds
    /// nothing, as its query would.
    fn push(
        &mut self,
        searcher: &Searcher,
        postings: TermPostings,
        boost: Score,
    ) -> tantivy::Result<()> {
        if postings.doc_freq == 0 {
            return Ok(());
        }
        let field = postings.term.field();
        let average_length = match self.average_lengths.iter().find(|(f, _)| *f == field) {
            Some((_, average)) => *average,
            None => {
                let mut tokens = 0u64;
                for reader in searcher.segment_readers() {
                    tokens += reader.inverted_index(field)?.total_num_tokens();
                }
                let average = tokens as Score / self.total_docs as Score;
                self.average_lengths.push((field, average));
                average
            }
        };
        let weight = Bm25Weight::for_one_term_without_explain(
            postings.doc_freq,
            self.total_docs,
            average_length,
        )
        .boost_by(boost);
        self.clauses.push(RankClause {
            term: postings.term,
            #[cfg(test)]
            boost,
            weight,
            in_segments: postings.in_segments,
        });
        Ok(())
    }

    /// Calls `each` with every document of the segment that holds one of
    /// the terms, in document order, and its score (its terms' scores added
    /// in the clauses' order).
    fn for_each_scored(
        &self,
        segment: usize,
        reader: &SegmentReader,
        window: usize,
        mut each: impl FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        let mut cursors = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            let Some(info) = clause.in_segments.get(segment).and_then(Option::as_ref) else {
                continue;
            };
            let field = clause.term.field();
            let postings = reader
                .inverted_index(field)?
                .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
            // As tantivy's term weight: a field without norms counts every
            // document as one token long.
            let norms = match reader.fieldnorms_readers().get_field(field)? {
                Some(norms) => norms,
                None => FieldNormReader::constant(reader.max_doc(), 1),
            };
            cursors.push(Cursor {
                postings,
                at: 0,
                weight: &clause.weight,
                norms,
            });
        }
        // A window narrower than one document would never move on.
        let window = window.max(64);
        let mut scores = vec![0.0 as Score; window];
        let mut seen = vec![0u64; window.div_ceil(64)];
        cursors.retain(|cursor| cursor.next_doc().is_some());
        while let Some(start) = cursors.iter().filter_map(Cursor::next_doc).min() {
            let end = start.saturating_add(window as DocId);
            for cursor in &mut cursors {
                cursor.add_before(start, end, &mut scores, &mut seen);
            }
            for (at, word) in seen.iter_mut().enumerate() {
                let mut bits = std::mem::take(word);
                while bits != 0 {
                    let offset = at * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    each(start + offset as DocId, std::mem::take(&mut scores[offset]));
                }
            }
            cursors.retain(|cursor| cursor.next_doc().is_some());
        }
        Ok(())
    }
}

/// A clause's place in its postings in one segment.
struct Cursor<'a> {
    postings: BlockSegmentPostings,
    /// The next posting's place in the current block, always inside it
    /// while postings are left.
    at: usize,
    weight: &'a Bm25Weight,
    norms: FieldNormReader,
}

impl Cursor<'_> {
    /// The next document of the postings, `None` when they are done.
    fn next_doc(&self) -> Option<DocId> {
        self.postings.docs().get(self.at).copied()
    }

    /// Adds the scores of the postings before `end` (none is before
    /// `start`) to the window's.
    fn add_before(&mut self, start: DocId, end: DocId, scores: &mut [Score], seen: &mut [u64]) {
        loop {
            let docs = self.postings.docs();
            if docs.is_empty() {
                return;
            }
            while let Some(&doc) = docs.get(self.at) {
                if doc >= end {
                    return;
                }
                let offset = (doc - start) as usize;
                let fieldnorm = self.norms.fieldnorm_id(doc);
                scores[offset] += self.weight.score(fieldnorm, self.postings.freq(self.at));
                seen[offset / 64] |= 1 << (offset % 64);
                self.at += 1;
            }
            self.postings.advance();
            self.at = 0;
        }
    }
}

/// The candidate filter of one segment: of the target type, open, of one
/// of the kinds asked for (any kind when none is), not of the excluded
/// organisation, not deleted. The same test as the filter query of the
/// reference pass (a test compares the two). Type, status and kind are read
/// from the segment's facet table (see [`super::facet_table`]): whether a
/// tuple of the three is admitted is decided once per tuple.
struct Admission {
    alive: Option<AliveBitSet>,
    table: Arc<SegmentTable>,
    /// Per tuple of the table, whether its type, status and kind admit it.
    tuple_admitted: Vec<bool>,
    excluded: Option<(StrColumn, u64)>,
}

impl Admission {
    /// `None` when no document can pass: no loaded segment holds the type,
    /// the open status or any of the kinds (see the facet tables' register).
    fn open(
        reader: &SegmentReader,
        tables: &FacetTables,
        target: DocType,
        request: &CandidateRequest,
    ) -> tantivy::Result<Option<Self>> {
        let columns = reader.fast_fields();
        // The table first: it numbers the segment's values in the register.
        let table = tables.of(reader)?;
        let (Some(doc_type), Some(status)) = (
            tables.number(Dim::Type, target.as_str()),
            tables.number(Dim::Status, "open"),
        ) else {
            return Ok(None);
        };
        let kinds = if request.kinds.is_empty() {
            None
        } else {
            let numbers: Vec<u32> = request
                .kinds
                .iter()
                .filter_map(|kind| tables.number(Dim::Kind, kind))
                .collect();
            if numbers.is_empty() {
                return Ok(None);
            }
            Some(numbers)
        };
        let excluded = match request.exclude_organization {
            Some(organization) => {
                let value = organization.to_string();
                match columns.str(fast::ORGANIZATION_ID)? {
                    Some(column) => column
                        .dictionary()
                        .term_ord(value.as_bytes())?
                        .map(|ord| (column, ord)),
                    None => None,
                }
            }
            None => None,
        };
        let tuple_admitted = table
            .tuples
            .iter()
            .map(|tuple| {
                single_number(tuple, Dim::Type) == Some(doc_type)
                    && single_number(tuple, Dim::Status) == Some(status)
                    && kinds.as_ref().is_none_or(|kinds| {
                        single_number(tuple, Dim::Kind).is_some_and(|kind| kinds.contains(&kind))
                    })
            })
            .collect();
        Ok(Some(Self {
            alive: reader.alive_bitset().cloned(),
            table,
            tuple_admitted,
            excluded,
        }))
    }

    fn admits(&self, doc: DocId) -> bool {
        let has = |(column, ord): &(StrColumn, u64)| column.term_ords(doc).any(|o| o == *ord);
        self.alive.as_ref().is_none_or(|alive| alive.is_alive(doc))
            && self
                .tuple_admitted
                .get(self.table.tuple_of(doc))
                .copied()
                .unwrap_or(false)
            && !self.excluded.as_ref().is_some_and(has)
    }
}
