//! The search API, usable without HTTP or a database:
//! [`SearchIndex::search`] takes a [`SearchRequest`] and returns
//! [`SearchResults`] (total, the page of hits with scores and highlights,
//! facet counts); [`SearchIndex::similar`] finds the open offers or needs most
//! like a text being written.
//!
//! # Ranking
//!
//! `score = bm25 × (1 + freshness_weight × 0.5^(age / half_life) +
//! verified_weight × verified)`: text relevance first, newer and verified
//! records a little higher (see [`Ranking`]; the weights are knobs for the
//! relevance work). An empty query ranks by the two bonuses alone. Other sorts
//! ([`SearchSort`]) order by their value and break ties by that score.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};
use uuid::Uuid;

use super::collector::{Collected, Counts, SearchCollector, Spec};
use super::query::{self, Analysis, BuiltQuery, QueryBuilder, QueryOptions};
use super::schema::{DocType, GeoPoint, doc_key, parse_key};
use super::{SearchError, SearchIndex};
use crate::domain::{NeedKind, OfferKind, OrganizationKind, PostingStatus};

/// Deepest result reachable by paging: deeper pages cost memory and are
/// never read by people.
pub const MAX_OFFSET: usize = 10_000;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Values shown per facet (the most frequent).
pub const MAX_FACET_VALUES: usize = 50;
/// Characters of a description fragment.
const FRAGMENT_CHARS: usize = 180;

/// How results are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SearchSort {
    /// Best match first (text relevance, freshness, verification).
    #[default]
    Relevance,
    /// Soonest deadline first; records without a deadline last.
    Deadline,
    /// Most recently published first.
    Newest,
    /// Nearest to [`SearchFilter::near`] first; records without a place
    /// last. Requires the point.
    Distance,
}

/// The ranking knobs (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranking {
    pub freshness_weight: f32,
    pub freshness_half_life_days: f32,
    pub verified_weight: f32,
}

impl Default for Ranking {
    fn default() -> Self {
        Self {
            freshness_weight: 0.15,
            freshness_half_life_days: 90.0,
            verified_weight: 0.1,
        }
    }
}

impl Ranking {
    /// The largest factor the blend multiplies a text score by (every bonus
    /// at its most), as the blend computes it; `None` when some bonus could
    /// make the factor zero or negative, so that a higher text score would
    /// not rank higher (then nothing is pruned).
    pub(crate) fn max_boost(&self) -> Option<f64> {
        let (freshness, verified) = (
            f64::from(self.freshness_weight),
            f64::from(self.verified_weight),
        );
        let lowest = 1.0 + freshness.min(0.0) + verified.min(0.0);
        let highest = 1.0 + freshness.max(0.0) + verified.max(0.0);
        (lowest > 0.0 && highest.is_finite()).then_some(highest)
    }

    /// Text relevance alone.
    pub fn text_only() -> Self {
        Self {
            freshness_weight: 0.0,
            freshness_half_life_days: 0.0,
            verified_weight: 0.0,
        }
    }
}

/// A point and, optionally, the largest distance allowed from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Near {
    pub point: GeoPoint,
    pub km: Option<f64>,
}

/// Which records to return. Every criterion given must hold; a list holds
/// when any of its values does; an empty list does not filter.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchFilter {
    pub types: Vec<DocType>,
    /// The kind of the organisation (of the owner, for offers and needs).
    pub organization_kinds: Vec<OrganizationKind>,
    /// Offer kinds and need kinds: when either is given, only offers and
    /// needs of the kinds listed match.
    pub offer_kinds: Vec<OfferKind>,
    pub need_kinds: Vec<NeedKind>,
    pub sectors: Vec<String>,
    pub municipality_codes: Vec<String>,
    pub neighbourhood_ids: Vec<Uuid>,
    /// Posting status; organisations count as open. Default: open only.
    pub statuses: Vec<PostingStatus>,
    /// Only records of (or, for organisations, being) this organisation.
    pub organization_id: Option<Uuid>,
    /// Only records of verified organisations.
    pub verified_only: bool,
    /// Only records of third-sector bodies registered in the RUNTS (those
    /// eligible for co-design under art. 55).
    pub registered_third_sector_only: bool,
    /// Deadline range (needs with a deadline in it).
    pub deadline_from: Option<DateTime<Utc>>,
    pub deadline_until: Option<DateTime<Utc>>,
    /// Amount range in cents: offers whose amounts, or needs whose budget,
    /// overlap it.
    pub amount_min_cents: Option<i64>,
    pub amount_max_cents: Option<i64>,
    /// Distances are measured from this point (and limited, with `km`).
    pub near: Option<Near>,
    /// Records never to return (e.g. the one being edited).
    pub exclude: Vec<(DocType, Uuid)>,
}

impl Default for SearchFilter {
    fn default() -> Self {
        Self {
            types: Vec::new(),
            organization_kinds: Vec::new(),
            offer_kinds: Vec::new(),
            need_kinds: Vec::new(),
            sectors: Vec::new(),
            municipality_codes: Vec::new(),
            neighbourhood_ids: Vec::new(),
            statuses: vec![PostingStatus::Open],
            organization_id: None,
            verified_only: false,
            registered_third_sector_only: false,
            deadline_from: None,
            deadline_until: None,
            amount_min_cents: None,
            amount_max_cents: None,
            near: None,
            exclude: Vec::new(),
        }
    }
}

/// A search.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRequest {
    /// The query as typed (see [`super::query`] for the language).
    pub query: String,
    pub filter: SearchFilter,
    pub sort: SearchSort,
    /// Hits to skip (at most [`MAX_OFFSET`]).
    pub offset: usize,
    /// Hits to return (at most [`MAX_LIMIT`]).
    pub limit: usize,
    pub options: QueryOptions,
    pub ranking: Ranking,
    /// Compute highlighted fragments.
    pub highlights: bool,
    /// Compute facet counts.
    pub facets: bool,
    /// The time freshness is measured from; now when `None`.
    pub now: Option<DateTime<Utc>>,
}

impl SearchRequest {
    /// A first page of 20 with the defaults: open records, Italian analysis,
    /// relevance, highlights and facets.
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
            filter: SearchFilter::default(),
            sort: SearchSort::Relevance,
            offset: 0,
            limit: 20,
            options: QueryOptions::default(),
            ranking: Ranking::default(),
            highlights: true,
            facets: true,
            now: None,
        }
    }
}

/// A highlighted fragment of one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// `title` or `description`.
    pub field: &'static str,
    /// HTML: the text escaped, the matched words in `<mark>`.
    pub fragments: Vec<String>,
}

/// One result.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    pub doc_type: DocType,
    pub id: Uuid,
    /// The blended score the ranking used.
    pub score: f32,
    /// Text relevance alone (BM25; 1 when browsing).
    pub relevance: f32,
    /// From [`SearchFilter::near`], when both have a place.
    pub distance_km: Option<f64>,
    pub highlights: Vec<Highlight>,
}

/// How many results have one value of a facet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetValue {
    /// As indexed: snake_case closed-list values, sector codes, ISTAT codes,
    /// neighbourhood UUIDs.
    pub value: String,
    pub count: u64,
}

/// Counts of one facet, most frequent first.
pub type Facet = Vec<FacetValue>;

/// The facets of a search: each counted with every other filter applied
/// (see [`super::collector`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    pub types: Facet,
    pub organization_kinds: Facet,
    pub offer_kinds: Facet,
    pub need_kinds: Facet,
    pub sectors: Facet,
    pub municipalities: Facet,
    pub neighbourhoods: Facet,
    pub statuses: Facet,
}

/// What a search found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchResults {
    /// Matching records, across all pages.
    pub total: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
    /// True when no record had every word and any word was accepted.
    pub relaxed: bool,
    /// When fewer than a page had every word and the search widened to most
    /// of them: how many have every word (they come first). `None` when
    /// every result has every word, or when none has (`relaxed`).
    pub all_words_total: Option<u64>,
    /// The query with unknown words corrected ("did you mean").
    pub suggestion: Option<String>,
}

/// Escapes text for HTML into `out` (the templates' escaper).
fn escape_html(text: &str, out: &mut String) {
    // Writing to a String cannot fail.
    let _ = crate::templates::escape_html_into(text, out);
}

/// The whole text as HTML with the words whose analysed form is in `terms`
/// in `<mark>`; `None` when no word is.
fn highlight_whole(
    text: &str,
    analyzer: &TextAnalyzer,
    terms: &BTreeMap<String, Score>,
) -> Option<String> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut marks: Vec<(usize, usize)> = Vec::new();
    while let Some(token) = stream.next() {
        // A compound and its rest share their offsets: the word is marked
        // once.
        let marked_already = marks.last().is_some_and(|(_, to)| token.offset_from < *to);
        if terms.contains_key(&token.text) && !marked_already {
            marks.push((token.offset_from, token.offset_to));
        }
    }
    if marks.is_empty() {
        return None;
    }
    let mut html = String::new();
    let mut at = 0;
    for (from, to) in marks {
        escape_html(&text[at..from], &mut html);
        html.push_str("<mark>");
        escape_html(&text[from..to], &mut html);
        html.push_str("</mark>");
        at = to;
    }
    escape_html(&text[at..], &mut html);
    Some(html)
}

/// Open offers or needs like a text being written.
#[derive(Clone, Debug, PartialEq)]
pub struct SimilarRequest {
    /// [`DocType::Offer`] or [`DocType::Need`].
    pub doc_type: DocType,
    pub title: String,
    pub description: String,
    pub limit: usize,
    /// The record being edited, never its own duplicate.
    pub exclude: Option<Uuid>,
}

fn facet(counts: Counts) -> Facet {
    let mut values: Facet = counts
        .into_iter()
        .map(|(value, count)| FacetValue { value, count })
        .collect();
    values.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    values.truncate(MAX_FACET_VALUES);
    values
}

fn strings<T: Copy>(values: &[T], as_str: impl Fn(T) -> &'static str) -> Vec<String> {
    values.iter().map(|v| as_str(*v).to_owned()).collect()
}

/// Terms that analyse to themselves, for the collector.
fn spec_for(request: &SearchRequest, now: DateTime<Utc>) -> Spec {
    let filter = &request.filter;
    let mut statuses = strings(&filter.statuses, PostingStatus::as_str);
    statuses.sort();
    statuses.dedup();
    Spec {
        dims: [
            strings(&filter.types, DocType::as_str),
            strings(&filter.organization_kinds, OrganizationKind::as_str),
            Vec::new(),
            filter.sectors.clone(),
            filter.municipality_codes.clone(),
            filter
                .neighbourhood_ids
                .iter()
                .map(Uuid::to_string)
                .collect(),
            statuses,
        ],
        offer_kinds: strings(&filter.offer_kinds, OfferKind::as_str),
        need_kinds: strings(&filter.need_kinds, NeedKind::as_str),
        verified_only: filter.verified_only,
        registered_third_sector_only: filter.registered_third_sector_only,
        deadline: (filter.deadline_from.is_some() || filter.deadline_until.is_some()).then(|| {
            (
                filter.deadline_from.map(|d| d.timestamp_micros()),
                filter.deadline_until.map(|d| d.timestamp_micros()),
            )
        }),
        amount: (filter.amount_min_cents.is_some() || filter.amount_max_cents.is_some())
            .then_some((filter.amount_min_cents, filter.amount_max_cents)),
        near: filter.near.map(|near| (near.point, near.km)),
        sort: request.sort,
        ranking: request.ranking,
        now_micros: now.timestamp_micros(),
        top_k: request.offset + request.limit,
        facets: request.facets,
    }
}

impl SearchIndex {
    /// Runs a search on the current reader. Fails with
    /// [`SearchError::Invalid`] on a distance sort without a point, a page
    /// beyond [`MAX_OFFSET`] or larger than [`MAX_LIMIT`], and with tantivy
    /// errors (I/O) otherwise. The query text itself never fails.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        self.search_pruned(request, true)
    }

    /// [`Self::search`], with ranking pruning (see [`super::collector`]) or
    /// with a full scoring pass: the tests check that both find the same.
    pub(crate) fn search_pruned(
        &self,
        request: &SearchRequest,
        prune: bool,
    ) -> Result<SearchResults, SearchError> {
        if request.sort == SearchSort::Distance && request.filter.near.is_none() {
            return Err(SearchError::Invalid("sorting by distance needs a point"));
        }
        if request.offset > MAX_OFFSET {
            return Err(SearchError::Invalid("offset beyond the deepest page"));
        }
        if request.limit > MAX_LIMIT {
            return Err(SearchError::Invalid("page larger than allowed"));
        }
        let searcher = self.reader().searcher();
        let parts = query::parse(&request.query);
        let built = QueryBuilder::new(self, &searcher, request.options).build(&parts)?;
        let now = request.now.unwrap_or_else(Utc::now);
        let spec = spec_for(request, now);
        let (first, first_matches) = match (request.options.match_mode, &built.any) {
            (query::MatchMode::Any, Some(any)) => (any, built.matches_any.as_ref()),
            _ => (&built.all, Some(&built.matches_all)),
        };
        // The ranker's scores equal those of both the strict and the relaxed
        // query on the documents they match (see `BuiltQuery::ranker`).
        let collector = |spec: Spec| -> Result<SearchCollector, SearchError> {
            Ok(match built.ranker.as_ref().filter(|_| prune) {
                Some(ranker) => SearchCollector::with_ranker(
                    spec,
                    self.facet_tables(),
                    ranker.weight(EnableScoring::enabled_from_searcher(&searcher))?,
                ),
                None => SearchCollector::new(spec, self.facet_tables()),
            })
        };
        // A pruned search scores with the ranker alone: the searched query
        // only finds the documents, from one posting list a stem.
        let searched =
            |scoring: &dyn Query, matches: Option<&Box<dyn Query>>, collector: &SearchCollector| {
                let query = match matches {
                    Some(matches) if collector.prunes() => matches.box_clone(),
                    _ => scoring.box_clone(),
                };
                self.restrict(query, &request.filter)
            };
        let first_collector = collector(spec.clone())?;
        let first = searched(&**first, first_matches, &first_collector);
        let mut collected = searcher.search(&*first, &first_collector)?;
        let mut relaxed = false;
        let mut all_words_total = None;
        // Fewer than a page with every word: most of the words (a superset,
        // counted and faceted whole), the records with every word first
        // whatever the sort (the page says how many they are, and that the
        // others follow). The first pass kept every one of them: they are
        // fewer than a page.
        if request.options.match_mode == query::MatchMode::Auto
            && (collected.total as usize) < request.limit.max(1)
            && (collected.total > 0 || !built.most_is_any)
            && let Some(most) = &built.most
        {
            let most = self.restrict(most.box_clone(), &request.filter);
            let mut widened = searcher.search(
                &*most,
                &SearchCollector::new(spec.clone(), self.facet_tables()),
            )?;
            if widened.total > collected.total {
                relaxed = collected.total == 0;
                all_words_total = (!relaxed).then_some(collected.total);
                let kept = widened.top.len();
                let with_every_word: HashSet<DocAddress> =
                    collected.top.iter().map(|c| c.address).collect();
                let others =
                    (widened.top.into_iter()).filter(|c| !with_every_word.contains(&c.address));
                widened.top = collected.top.into_iter().chain(others).take(kept).collect();
                collected = widened;
            }
        }
        if request.options.match_mode == query::MatchMode::Auto
            && collected.total == 0
            && let Some(any) = &built.any
        {
            let any_collector = collector(spec)?;
            let any = searched(&**any, built.matches_any.as_ref(), &any_collector);
            collected = searcher.search(&*any, &any_collector)?;
            relaxed = collected.total > 0;
        }
        let mut results = self.results(&searcher, collected, &built, request, relaxed)?;
        results.all_words_total = all_words_total;
        Ok(results)
    }

    /// Adds the filters that are plain term conditions to the query itself
    /// (cheaper than checking them per document).
    fn restrict(&self, query: Box<dyn Query>, filter: &SearchFilter) -> Box<dyn Query> {
        let fields = self.fields();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(organization_id) = filter.organization_id {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.organization_id, &organization_id.to_string()),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        for (doc_type, id) in &filter.exclude {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.key, &doc_key(*doc_type, *id)),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if clauses.is_empty() {
            return query;
        }
        // Filter clauses must not change scores: wrap them at weight 0.
        let clauses = clauses
            .into_iter()
            .map(|(occur, q)| {
                let q: Box<dyn Query> = Box::new(tantivy::query::BoostQuery::new(q, 0.0));
                (occur, q)
            })
            .chain(std::iter::once((Occur::Must, query)))
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    fn results(
        &self,
        searcher: &Searcher,
        collected: Collected,
        built: &BuiltQuery,
        request: &SearchRequest,
        relaxed: bool,
    ) -> Result<SearchResults, SearchError> {
        let fields = self.fields();
        let generators = if request.highlights && !built.browse {
            Some(self.snippet_generators(&built.highlight_terms, request.options.analysis))
        } else {
            None
        };
        let mut hits = Vec::new();
        for candidate in collected.top.iter().skip(request.offset) {
            let doc: TantivyDocument = searcher.doc(candidate.address)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            };
            let Some((doc_type, id)) = parse_key(&text(fields.key)) else {
                tracing::warn!("search document without a valid key: skipped");
                continue;
            };
            let mut highlights = Vec::new();
            if let Some((analyzer, body)) = &generators {
                let title = text(fields.title_stem);
                if let Some(html) = highlight_whole(&title, analyzer, &built.highlight_terms) {
                    highlights.push(Highlight {
                        field: "title",
                        fragments: vec![html],
                    });
                }
                let description = text(fields.body_stem);
                let mut snippet = body.snippet(&description);
                if !snippet.is_empty() {
                    snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                    let range = snippet.fragment_range();
                    let mut html = String::new();
                    // An ellipsis where words were cut, not mere punctuation.
                    let cut = |text: &str| text.chars().any(char::is_alphanumeric);
                    if description.get(..range.start).is_some_and(cut) {
                        html.push('…');
                    }
                    html.push_str(&snippet.to_html());
                    if description.get(range.end..).is_some_and(cut) {
                        html.push('…');
                    }
                    highlights.push(Highlight {
                        field: "description",
                        fragments: vec![html],
                    });
                }
            }
            hits.push(SearchHit {
                doc_type,
                id,
                score: candidate.score,
                relevance: candidate.relevance,
                distance_km: candidate.distance_km,
                highlights,
            });
        }
        let facets = collected.facets;
        Ok(SearchResults {
            total: collected.total,
            hits,
            facets: Facets {
                types: facet(facets.types),
                organization_kinds: facet(facets.organization_kinds),
                offer_kinds: facet(facets.offer_kinds),
                need_kinds: facet(facets.need_kinds),
                sectors: facet(facets.sectors),
                municipalities: facet(facets.municipalities),
                neighbourhoods: facet(facets.neighbourhoods),
                statuses: facet(facets.statuses),
            },
            relaxed,
            all_words_total: None,
            suggestion: built.suggestion.clone(),
        })
    }

    /// The analyzer that finds the highlighted words (as the query analysed
    /// them) and the generator of description fragments.
    fn snippet_generators(
        &self,
        terms: &BTreeMap<String, Score>,
        analysis: Analysis,
    ) -> (TextAnalyzer, SnippetGenerator) {
        let analyzer = match analysis {
            Analysis::Italian => self
                .analyzers()
                .stem_highlight(terms.keys().map(String::as_str)),
            Analysis::Plain => self.analyzers().exact.clone(),
        };
        let body = SnippetGenerator::new(
            terms.clone(),
            analyzer.clone(),
            self.fields().body_stem,
            FRAGMENT_CHARS,
        );
        (analyzer, body)
    }

    /// The open offers or needs most like a title and description: the
    /// distinctive words of the text (by tf·idf), at least two of which (when
    /// there are two) must be shared. For "avoid posting a duplicate" hints.
    pub fn similar(&self, request: &SimilarRequest) -> Result<Vec<SearchHit>, SearchError> {
        const MAX_TERMS: usize = 12;
        let searcher = self.reader().searcher();
        let fields = self.fields();
        let analyzers = self.analyzers();
        let mut weights: BTreeMap<String, f32> = BTreeMap::new();
        for (text, weight) in [(&request.title, 2.0), (&request.description, 1.0)] {
            for token in analyzers.analyze(text) {
                *weights.entry(token.stem).or_default() += weight;
            }
        }
        let num_docs = searcher.num_docs().max(1) as f32;
        let mut scored: Vec<(String, f32)> = weights
            .into_iter()
            .filter_map(|(stem, tf)| {
                let df: u64 = [fields.title_stem, fields.body_stem]
                    .iter()
                    .map(|f| {
                        searcher
                            .doc_freq(&Term::from_field_text(*f, &stem))
                            .unwrap_or(0)
                    })
                    .max()
                    .unwrap_or(0);
                if df == 0 {
                    return None;
                }
                let idf = (1.0 + (num_docs - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
                Some((stem, tf * idf))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(MAX_TERMS);
        if scored.is_empty() {
            return Ok(Vec::new());
        }
        let top = scored[0].1.max(f32::EPSILON);
        let mut highlight = BTreeMap::new();
        let clauses: Vec<Box<dyn Query>> = scored
            .iter()
            .map(|(stem, weight)| {
                highlight.insert(stem.clone(), 1.0);
                let per_field: Vec<(Occur, Box<dyn Query>)> =
                    [(fields.title_stem, 2.0), (fields.body_stem, 1.0)]
                        .into_iter()
                        .map(|(field, boost)| {
                            let q: Box<dyn Query> = Box::new(tantivy::query::BoostQuery::new(
                                Box::new(TermQuery::new(
                                    Term::from_field_text(field, stem),
                                    IndexRecordOption::WithFreqs,
                                )),
                                boost * weight / top,
                            ));
                            (Occur::Should, q)
                        })
                        .collect();
                Box::new(BooleanQuery::new(per_field)) as Box<dyn Query>
            })
            .collect();
        let required = clauses.len().min(2);
        let query: Box<dyn Query> = Box::new(BooleanQuery::with_minimum_required_clauses(
            clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
            required,
        ));
        let mut search = SearchRequest::new("");
        search.filter.types = vec![request.doc_type];
        search.filter.exclude = request
            .exclude
            .map(|id| vec![(request.doc_type, id)])
            .unwrap_or_default();
        search.limit = request.limit.min(MAX_LIMIT);
        search.facets = false;
        search.ranking = Ranking::text_only();
        let spec = spec_for(&search, Utc::now());
        let query = self.restrict(query, &search.filter);
        let collected =
            searcher.search(&*query, &SearchCollector::new(spec, self.facet_tables()))?;
        let built = BuiltQuery {
            all: Box::new(tantivy::query::AllQuery),
            matches_all: Box::new(tantivy::query::AllQuery),
            most: None,
            most_is_any: false,
            any: None,
            matches_any: None,
            ranker: None,
            browse: false,
            highlight_terms: highlight,
            suggestion: None,
        };
        Ok(self
            .results(&searcher, collected, &built, &search, false)?
            .hits)
    }
}
