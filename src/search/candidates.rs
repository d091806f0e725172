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
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
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

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

/// The clauses of a boolean query.
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
        let Some(target) = request.target else {
            return Ok(Vec::new());
        };
        let searcher = self.reader().searcher();
        let should = self.ranking_clauses(&searcher, request);
        let ranker =
            BooleanQuery::new(should).weight(EnableScoring::enabled_from_searcher(&searcher))?;
        let limit = request.limit.clamp(1, MAX_CANDIDATES);
        // tantivy's own top-n: among equal scores the first document in
        // index order wins, as in `TopDocs` (documents are pushed in that
        // order).
        let mut best: TopNComputer<Score, DocAddress, NaturalComparator> =
            TopNComputer::new_with_comparator(limit, NaturalComparator);
        // Per segment, the best documents by the ranker (a union of its
        // term scorers), each checked against the filter in its columns as
        // it is offered. A pass of the filter query over every open posting
        // of the kinds (into a bitset) cost as much as the ranking. The
        // ranker is not pruned: its keyword terms (sectors, place) are
        // indexed without frequencies, which block-max WAND needs; indexed
        // with them, WAND over some fifty terms, most of whose best
        // documents the filter turns away, was three times slower than the
        // union on the matching bench (50,000 offers).
        let mut admissions = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let segment = segment as SegmentOrdinal;
            let admission = Admission::open(reader, &self.facet_tables(), target, request)?;
            if let Some(admission) = &admission {
                let threshold = |best: &TopNComputer<_, _, _>| best.threshold.unwrap_or(Score::MIN);
                ranker.for_each_pruning(threshold(&best), reader, &mut |doc, score| {
                    if admission.admits(doc) {
                        best.push(score, DocAddress::new(segment, doc));
                    }
                    threshold(&best)
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
    ) -> (Clauses, Clauses) {
        (
            self.filter_clauses(target, request),
            self.ranking_clauses(searcher, request),
        )
    }

    /// What raises a candidate: the text's distinctive words (with their
    /// synonyms), its sectors and its place.
    fn ranking_clauses(&self, searcher: &Searcher, request: &CandidateRequest) -> Clauses {
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
        let mut scored: Vec<(String, f32)> = weights
            .into_iter()
            .filter_map(|(stem, tf)| {
                let df = [fields.title_stem, fields.body_stem]
                    .iter()
                    .map(|f| {
                        searcher
                            .doc_freq(&Term::from_field_text(*f, &stem))
                            .unwrap_or(0)
                    })
                    .max()
                    .unwrap_or(0);
                (df > 0).then(|| {
                    let idf = (1.0 + (num_docs - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
                    (stem, tf.sqrt() * idf)
                })
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(MAX_TERMS);
        let top = scored.first().map_or(1.0, |s| s.1.max(f32::EPSILON));

        // What raises a candidate: its words, sectors and place.
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (stem, weight) in &scored {
            for (field, boost) in [(fields.title_stem, 2.0), (fields.body_stem, 1.0)] {
                should.push((
                    Occur::Should,
                    boosted(term(field, stem), boost * weight / top),
                ));
            }
        }
        for sector in &request.sectors {
            should.push((Occur::Should, boosted(term(fields.sector, sector), 0.5)));
        }
        for code in &request.municipalities {
            should.push((Occur::Should, boosted(term(fields.municipality, code), 0.3)));
        }
        for id in &request.neighbourhoods {
            should.push((
                Occur::Should,
                boosted(term(fields.neighbourhood, &id.to_string()), 0.6),
            ));
        }

        should
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
    ) -> Result<Vec<(Uuid, Score)>, SearchError> {
        use tantivy::TantivyDocument;
        use tantivy::collector::TopDocs;
        use tantivy::schema::Value;

        let Some(target) = request.target else {
            return Ok(Vec::new());
        };
        let searcher = self.reader().searcher();
        let (filter, should) = self.candidate_query(&searcher, target, request);
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
