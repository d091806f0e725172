//! One pass over the documents that match the text query: it applies the
//! filters, counts the facets and keeps the best `offset + limit` documents
//! for the chosen sort, reading only fast fields (columns), never stored
//! documents.
//!
//! Facets are disjunctive, as in most faceted search UIs: the counts of a
//! facet are computed with every *other* filter applied, not its own, so that
//! after choosing "Offerte" the type facet still says how many organisations
//! and needs there are (and choosing several values of one facet makes sense).
//! For a facet whose filter is not set, that is exactly the filtered result
//! set. Implemented in the same pass: a document failing exactly one facet
//! filter is counted in that facet only; failing two, nowhere.
//!
//! Range filters (deadline, amount, distance, verified) are not facets: a
//! document failing one is skipped.
//!
//! # Ranking with pruning
//!
//! Scoring every match is what makes a search over half the index slow. When
//! the search sorts by relevance and the query builder could give a
//! *ranker* (the text query flattened into one union of its scoring terms,
//! whose score equals the text query's on every document that matches it),
//! a segment is read twice: first without scores, applying the filters,
//! counting the total and the facets and marking the accepted documents;
//! then the ranker runs with tantivy's block-max WAND, offered only the
//! accepted documents. The blend multiplies BM25 by at most
//! [`Ranking::max_boost`], so a document whose text score times that bound
//! does not beat the worst kept one cannot enter the top: that is the
//! pruning threshold, and the top is exactly the one a full pass gives.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Weight;
use tantivy::{BitSet, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::facet_table::{
    FacetTables, MULTI_DIMS, NO_VALUE, SINGLE_DIMS, SegmentTable, Tuple, single_ord,
};
use super::schema::{DocType, GeoPoint, fast};
use super::searcher::{Ranking, SearchSort};

/// The facet dimensions, in the order of [`Spec::dims`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dim {
    Type = 0,
    OrganizationKind = 1,
    /// Offer and need kinds share one column and one filter dimension.
    Kind = 2,
    Sector = 3,
    Municipality = 4,
    Neighbourhood = 5,
    Status = 6,
}

const DIMS: usize = 7;
pub(crate) const DIM_FIELDS: [&str; DIMS] = [
    fast::DOC_TYPE,
    fast::ORGANIZATION_KIND,
    fast::KIND,
    fast::SECTOR,
    fast::MUNICIPALITY,
    fast::NEIGHBOURHOOD,
    fast::STATUS,
];

/// What the collector filters, sorts and counts, with values as indexed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Spec {
    /// Allowed values per dimension; empty = no filter. For [`Dim::Kind`]
    /// use `offer_kinds` / `need_kinds` instead.
    pub dims: [Vec<String>; DIMS],
    pub offer_kinds: Vec<String>,
    pub need_kinds: Vec<String>,
    pub verified_only: bool,
    /// Only documents of RUNTS-registered third-sector bodies.
    pub registered_third_sector_only: bool,
    /// Deadline range in microseconds since the epoch (inclusive).
    pub deadline: Option<(Option<i64>, Option<i64>)>,
    /// Amount range in cents (inclusive): a document's own range must overlap it.
    pub amount: Option<(Option<i64>, Option<i64>)>,
    /// Distances are measured from the point; within `km` when given.
    pub near: Option<(GeoPoint, Option<f64>)>,
    pub sort: SearchSort,
    pub ranking: Ranking,
    pub now_micros: i64,
    /// How many of the best documents to keep (offset + limit).
    pub top_k: usize,
    pub facets: bool,
}

impl Spec {
    fn kind_filter_active(&self) -> bool {
        !self.offer_kinds.is_empty() || !self.need_kinds.is_empty()
    }
}

/// A kept document with what the hit needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Candidate {
    pub address: DocAddress,
    /// Higher is better: the sort's value.
    primary: f64,
    /// Ties on `primary` go to the better blended score.
    secondary: f64,
    /// Text relevance blended with freshness and verification.
    pub score: f32,
    /// The text relevance alone (BM25).
    pub relevance: f32,
    pub distance_km: Option<f64>,
}

impl Candidate {
    fn cmp_rank(&self, other: &Self) -> Ordering {
        self.primary
            .total_cmp(&other.primary)
            .then(self.secondary.total_cmp(&other.secondary))
            // Deterministic among full ties: earlier documents first.
            .then(other.address.cmp(&self.address))
    }
}

/// Wrapper ordering candidates so that the heap's top is the worst kept.
struct Worst(Candidate);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.cmp_rank(&self.0)
    }
}

/// Counts of one facet: value → documents.
pub(crate) type Counts = HashMap<String, u64>;

/// The facet counts: one map per [`Dim`], with kinds split by type.
#[derive(Clone, Debug, Default)]
pub(crate) struct FacetCounts {
    pub types: Counts,
    pub organization_kinds: Counts,
    pub offer_kinds: Counts,
    pub need_kinds: Counts,
    pub sectors: Counts,
    pub municipalities: Counts,
    pub neighbourhoods: Counts,
    pub statuses: Counts,
}

impl FacetCounts {
    fn add(&mut self, other: FacetCounts) {
        fn merge(into: &mut Counts, from: Counts) {
            for (value, count) in from {
                *into.entry(value).or_default() += count;
            }
        }
        merge(&mut self.types, other.types);
        merge(&mut self.organization_kinds, other.organization_kinds);
        merge(&mut self.offer_kinds, other.offer_kinds);
        merge(&mut self.need_kinds, other.need_kinds);
        merge(&mut self.sectors, other.sectors);
        merge(&mut self.municipalities, other.municipalities);
        merge(&mut self.neighbourhoods, other.neighbourhoods);
        merge(&mut self.statuses, other.statuses);
    }
}

/// What one search pass found.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub total: u64,
    /// Best first, at most `top_k`.
    pub top: Vec<Candidate>,
    pub facets: FacetCounts,
}

/// The collector of one search.
pub(crate) struct SearchCollector {
    spec: Arc<Spec>,
    /// The ranker's weight (see the module docs), when pruning applies.
    ranker: Option<Box<dyn Weight>>,
    /// The facet ordinals of the segments (see [`super::facet_table`]).
    tables: Arc<FacetTables>,
}

impl SearchCollector {
    pub fn new(spec: Spec, tables: Arc<FacetTables>) -> Self {
        Self {
            spec: Arc::new(spec),
            ranker: None,
            tables,
        }
    }

    /// Ranks with `ranker` (a weight with scoring enabled whose score equals
    /// the searched query's on every document the latter matches) and
    /// block-max pruning, when the sort and the ranking allow it; otherwise
    /// the same as [`Self::new`].
    pub fn with_ranker(spec: Spec, tables: Arc<FacetTables>, ranker: Box<dyn Weight>) -> Self {
        let prunable = spec.sort == SearchSort::Relevance
            && spec.top_k > 0
            && spec.ranking.max_boost().is_some();
        Self {
            spec: Arc::new(spec),
            ranker: prunable.then_some(ranker),
            tables,
        }
    }
}

/// One facet dimension in one segment: its dictionary, filter and counts
/// (the documents' ordinals are in the segment's [`SegmentTable`]).
struct SegmentDim {
    column: Option<StrColumn>,
    /// Allowed term ordinals; `None` when the dimension is not filtered.
    allowed: Option<Vec<bool>>,
    counts: Vec<u64>,
}

impl SegmentDim {
    fn open(
        reader: &SegmentReader,
        field: &str,
        allowed_values: &[String],
        filtered: bool,
    ) -> tantivy::Result<Self> {
        let column: Option<StrColumn> = reader.fast_fields().str(field)?;
        let Some(column) = column else {
            return Ok(Self {
                column: None,
                allowed: filtered.then(Vec::new),
                counts: Vec::new(),
            });
        };
        let allowed = if filtered {
            Some(allowed_ords(&column, allowed_values)?)
        } else {
            None
        };
        let counts = vec![0; column.num_terms()];
        Ok(Self {
            column: Some(column),
            allowed,
            counts,
        })
    }

    /// Whether a document with these ordinals has a value the filter
    /// allows (true when the dimension is not filtered).
    fn passes(&self, ords: &[u32]) -> bool {
        let Some(allowed) = &self.allowed else {
            return true;
        };
        any_allowed(allowed, ords)
    }

    fn count(&mut self, ords: &[u32]) {
        add_counts(&mut self.counts, ords);
    }

    /// The value of a term ordinal.
    fn value(&self, ord: u64) -> Option<String> {
        let column = self.column.as_ref()?;
        let mut value = String::new();
        column
            .ord_to_str(ord, &mut value)
            .ok()
            .filter(|found| *found)
            .map(|_| value)
    }

    /// The counts by value. The values are read in one ordered pass over
    /// the column's dictionary: looking each one up by itself would
    /// decompress a dictionary block per value, which was most of the time
    /// of a search.
    fn harvest(&self, counts: &[u64]) -> Counts {
        let mut out = Counts::new();
        let Some(column) = &self.column else {
            return out;
        };
        let ords: Vec<u64> = counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(ord, _)| ord as u64)
            .collect();
        let mut found = ords.iter().map(|&ord| counts[ord as usize]);
        let read = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            if let (Some(count), Ok(value)) = (found.next(), std::str::from_utf8(bytes)) {
                *out.entry(value.to_owned()).or_default() += count;
            }
        });
        if !matches!(read, Ok(true)) {
            // The ordinals come from the column itself; a dictionary that
            // does not hold them is a corrupt segment.
            tracing::warn!(?read, "facet values missing from a column dictionary");
        }
        out
    }
}

/// One ordinal as the ordinals of a document (none for [`NO_VALUE`]).
fn one(ord: &u32) -> &[u32] {
    if *ord == NO_VALUE {
        &[]
    } else {
        std::slice::from_ref(ord)
    }
}

fn any_allowed(allowed: &[bool], ords: &[u32]) -> bool {
    ords.iter()
        .any(|&ord| allowed.get(ord as usize).copied().unwrap_or(false))
}

fn add_counts(counts: &mut [u64], ords: &[u32]) {
    for &ord in ords {
        if let Some(slot) = counts.get_mut(ord as usize) {
            *slot += 1;
        }
    }
}

fn allowed_ords(column: &StrColumn, values: &[String]) -> tantivy::Result<Vec<bool>> {
    let mut allowed = vec![false; column.num_terms()];
    for value in values {
        if let Some(ord) = column.dictionary().term_ord(value.as_bytes())?
            && let Some(slot) = allowed.get_mut(ord as usize)
        {
            *slot = true;
        }
    }
    Ok(allowed)
}

pub(crate) struct SearchSegmentCollector {
    spec: Arc<Spec>,
    segment: SegmentOrdinal,
    dims: Vec<SegmentDim>,
    table: Arc<SegmentTable>,
    /// Per tuple of the table, the single-valued dimensions whose filter
    /// it fails (bits by [`Dim`]).
    tuple_fails: Vec<u32>,
    /// Per tuple, its type.
    tuple_types: Vec<Option<DocType>>,
    /// Documents passing every filter, per tuple: its four dimensions are
    /// counted from these at the end.
    tuple_counts: Vec<u64>,
    /// The positions in [`MULTI_DIMS`] of the multi-valued dimensions with
    /// a filter: the others pass every document.
    filtered_multi: Vec<usize>,
    /// Kind counts split by type.
    offer_kind_counts: Vec<u64>,
    need_kind_counts: Vec<u64>,
    verified: Option<Column<u64>>,
    registered_third_sector: Option<Column<u64>>,
    created: Option<Column<i64>>,
    deadline: Option<Column<i64>>,
    amount_min: Option<Column<i64>>,
    amount_max: Option<Column<i64>>,
    lat: Option<Column<f64>>,
    lon: Option<Column<f64>>,
    total: u64,
    heap: BinaryHeap<Worst>,
}

impl Collector for SearchCollector {
    type Fruit = Collected;
    type Child = SearchSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SearchSegmentCollector> {
        let spec = &self.spec;
        let mut dims = Vec::with_capacity(DIMS);
        for (index, field) in DIM_FIELDS.iter().enumerate() {
            let filtered = if index == Dim::Kind as usize {
                spec.kind_filter_active()
            } else {
                !spec.dims[index].is_empty()
            };
            // The kind dimension's allowed set depends on the type: computed
            // below, not here.
            let values: &[String] = if index == Dim::Kind as usize {
                &[]
            } else {
                &spec.dims[index]
            };
            dims.push(SegmentDim::open(reader, field, values, filtered)?);
        }
        let type_dim = &dims[Dim::Type as usize];
        let type_of_ord: Vec<Option<DocType>> = (0..type_dim.counts.len() as u64)
            .map(|ord| {
                type_dim
                    .value(ord)
                    .and_then(|raw| DocType::parse(&raw).ok())
            })
            .collect();
        let kind_dim = &dims[Dim::Kind as usize];
        let (offer_kinds, need_kinds) = match &kind_dim.column {
            Some(column) => (
                allowed_ords(column, &spec.offer_kinds)?,
                allowed_ords(column, &spec.need_kinds)?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        let kind_terms = kind_dim.counts.len();
        let table = self.tables.of(reader)?;
        let type_of = |tuple: &Tuple| -> Option<DocType> {
            let ord = single_ord(tuple, Dim::Type)?;
            type_of_ord.get(ord as usize).copied().flatten()
        };
        let tuple_types: Vec<Option<DocType>> = table.tuples.iter().map(type_of).collect();
        let tuple_fails = table
            .tuples
            .iter()
            .zip(&tuple_types)
            .map(|(tuple, doc_type)| {
                let mut fails = 0;
                for (dim, ord) in SINGLE_DIMS.iter().zip(tuple) {
                    let passes = if *dim == Dim::Kind {
                        match doc_type {
                            _ if !spec.kind_filter_active() => true,
                            Some(DocType::Offer) => any_allowed(&offer_kinds, one(ord)),
                            Some(DocType::Need) => any_allowed(&need_kinds, one(ord)),
                            _ => false,
                        }
                    } else {
                        dims[*dim as usize].passes(one(ord))
                    };
                    if !passes {
                        fails |= 1 << *dim as u32;
                    }
                }
                fails
            })
            .collect();
        let filtered_multi = (0..MULTI_DIMS.len())
            .filter(|&at| dims[MULTI_DIMS[at] as usize].allowed.is_some())
            .collect();
        let fast_fields = reader.fast_fields();
        Ok(SearchSegmentCollector {
            spec: self.spec.clone(),
            segment,
            dims,
            tuple_counts: vec![0; table.tuples.len()],
            tuple_fails,
            tuple_types,
            filtered_multi,
            table,
            offer_kind_counts: vec![0; kind_terms],
            need_kind_counts: vec![0; kind_terms],
            verified: fast_fields.column_opt::<u64>(fast::VERIFIED)?,
            registered_third_sector: fast_fields
                .column_opt::<u64>(fast::REGISTERED_THIRD_SECTOR)?,
            created: fast_fields.column_opt::<i64>(fast::CREATED)?,
            deadline: fast_fields.column_opt::<i64>(fast::DEADLINE)?,
            amount_min: fast_fields.column_opt::<i64>(fast::AMOUNT_MIN)?,
            amount_max: fast_fields.column_opt::<i64>(fast::AMOUNT_MAX)?,
            lat: fast_fields.column_opt::<f64>(fast::LAT)?,
            lon: fast_fields.column_opt::<f64>(fast::LON)?,
            total: 0,
            heap: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        // With a ranker the searched query only filters: the ranker scores.
        self.ranker.is_none()
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Collected> {
        let mut collector = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let is_alive = |doc: DocId| alive.is_none_or(|alive| alive.is_alive(doc));
        let Some(ranker) = &self.ranker else {
            weight.for_each(reader, &mut |doc, score| {
                if is_alive(doc) {
                    collector.collect(doc, score);
                }
            })?;
            return Ok(collector.harvest());
        };
        // First pass: filters, total and facets, without scores.
        let mut accepted = BitSet::with_max_value(reader.max_doc());
        weight.for_each_no_score(reader, &mut |docs| {
            for &doc in docs {
                if is_alive(doc) && collector.accept(doc).is_some() {
                    accepted.insert(doc);
                }
            }
        })?;
        // Second pass: the top by the blended score, pruned.
        if collector.total > 0 {
            ranker.for_each_pruning(0.0, reader, &mut |doc, score| {
                if accepted.contains(doc) {
                    let distance_km = collector.distance_km(doc);
                    collector.offer(doc, score, distance_km);
                }
                collector.threshold()
            })?;
        }
        Ok(collector.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected::default();
        for fruit in fruits {
            merged.total += fruit.total;
            merged.top.extend(fruit.top);
            merged.facets.add(fruit.facets);
        }
        merged.top.sort_by(|a, b| b.cmp_rank(a));
        merged.top.truncate(self.spec.top_k);
        Ok(merged)
    }
}

fn first<T: Copy + PartialOrd + std::fmt::Debug + Send + Sync + 'static>(
    column: &Option<Column<T>>,
    doc: DocId,
) -> Option<T> {
    column.as_ref().and_then(|c| c.first(doc))
}

impl SearchSegmentCollector {
    /// Counts `n` documents of a tuple in one single-valued dimension
    /// (`at`: its position in [`SINGLE_DIMS`]).
    fn count_single(&mut self, at: usize, tuple: usize, n: u64) {
        let (Some(values), Some(doc_type)) =
            (self.table.tuples.get(tuple), self.tuple_types.get(tuple))
        else {
            return;
        };
        let ord = values[at];
        if ord == NO_VALUE {
            return;
        }
        let counts = match (SINGLE_DIMS[at], doc_type) {
            (Dim::Kind, Some(DocType::Offer)) => &mut self.offer_kind_counts,
            (Dim::Kind, Some(DocType::Need)) => &mut self.need_kind_counts,
            (Dim::Kind, _) => return,
            (dim, _) => &mut self.dims[dim as usize].counts,
        };
        if let Some(slot) = counts.get_mut(ord as usize) {
            *slot += n;
        }
    }

    /// Counts a document in one multi-valued dimension (`at`: its position
    /// in [`MULTI_DIMS`]).
    fn count_multi(&mut self, at: usize, doc: DocId) {
        let ords = self.table.multi[at].of(doc);
        self.dims[MULTI_DIMS[at] as usize].count(ords);
    }

    /// The range filters; `Err(())` when the document fails one. Returns the
    /// distance from the requested point, when there is one.
    fn range_filters(&self, doc: DocId) -> Result<Option<f64>, ()> {
        let spec = &self.spec;
        if spec.verified_only && first(&self.verified, doc) != Some(1) {
            return Err(());
        }
        if spec.registered_third_sector_only && first(&self.registered_third_sector, doc) != Some(1)
        {
            return Err(());
        }
        if let Some((from, until)) = spec.deadline {
            let deadline = first(&self.deadline, doc).ok_or(())?;
            if from.is_some_and(|f| deadline < f) || until.is_some_and(|u| deadline > u) {
                return Err(());
            }
        }
        if let Some((min, max)) = spec.amount {
            let (low, high) = match (first(&self.amount_min, doc), first(&self.amount_max, doc)) {
                (None, None) => return Err(()),
                (low, high) => (
                    low.or(high).unwrap_or_default(),
                    high.or(low).unwrap_or_default(),
                ),
            };
            if min.is_some_and(|m| high < m) || max.is_some_and(|m| low > m) {
                return Err(());
            }
        }
        let Some((point, km)) = spec.near else {
            return Ok(None);
        };
        let distance = match (first(&self.lat, doc), first(&self.lon, doc)) {
            (Some(lat), Some(lon)) => Some(point.distance_km(GeoPoint { lat, lon })),
            _ => None,
        };
        match (km, distance) {
            (Some(km), Some(d)) if d > km => Err(()),
            (Some(_), None) => Err(()),
            _ => Ok(distance),
        }
    }

    fn candidate(&self, doc: DocId, relevance: Score, distance_km: Option<f64>) -> Candidate {
        let spec = &self.spec;
        let ranking = &spec.ranking;
        let created = first(&self.created, doc);
        let freshness = match created {
            Some(created) if ranking.freshness_half_life_days > 0.0 => {
                let age_days = (spec.now_micros.saturating_sub(created)).max(0) as f64 / 86_400e6;
                0.5f64.powf(age_days / f64::from(ranking.freshness_half_life_days))
            }
            _ => 0.0,
        };
        let verified = f64::from(u8::from(first(&self.verified, doc) == Some(1)));
        let blended = f64::from(relevance)
            * (1.0
                + f64::from(ranking.freshness_weight) * freshness
                + f64::from(ranking.verified_weight) * verified);
        let primary = match spec.sort {
            SearchSort::Relevance => blended,
            SearchSort::Newest => created.map(|c| c as f64).unwrap_or(f64::NEG_INFINITY),
            SearchSort::Deadline => first(&self.deadline, doc)
                .map(|d| -(d as f64))
                .unwrap_or(f64::NEG_INFINITY),
            SearchSort::Distance => distance_km.map(|d| -d).unwrap_or(f64::NEG_INFINITY),
        };
        Candidate {
            address: DocAddress::new(self.segment, doc),
            primary,
            secondary: blended,
            score: blended as f32,
            relevance,
            distance_km,
        }
    }
}

impl SearchSegmentCollector {
    /// Applies the filters to a matching document and counts it in the
    /// total and the facets. Returns its distance (`Some(None)` when it
    /// has none) when it passes every filter, `None` when it is not a result.
    fn accept(&mut self, doc: DocId) -> Option<Option<f64>> {
        let distance_km = self.range_filters(doc).ok()?;
        let tuple = self.table.tuple_of(doc);
        let mut failed = self.tuple_fails.get(tuple).copied().unwrap_or(0);
        for &at in &self.filtered_multi {
            let dim = MULTI_DIMS[at] as usize;
            if !self.dims[dim].passes(self.table.multi[at].of(doc)) {
                failed |= 1 << dim;
            }
        }
        match failed.count_ones() {
            0 => {
                self.total += 1;
                if self.spec.facets {
                    if let Some(count) = self.tuple_counts.get_mut(tuple) {
                        *count += 1;
                    }
                    for at in 0..MULTI_DIMS.len() {
                        self.count_multi(at, doc);
                    }
                }
                Some(distance_km)
            }
            1 if self.spec.facets => {
                let dim = failed.trailing_zeros();
                if let Some(at) = SINGLE_DIMS.iter().position(|d| *d as u32 == dim) {
                    self.count_single(at, tuple, 1);
                } else if let Some(at) = MULTI_DIMS.iter().position(|d| *d as u32 == dim) {
                    self.count_multi(at, doc);
                }
                None
            }
            _ => None,
        }
    }

    /// The distance of a document from the requested point.
    fn distance_km(&self, doc: DocId) -> Option<f64> {
        let (point, _) = self.spec.near?;
        match (first(&self.lat, doc), first(&self.lon, doc)) {
            (Some(lat), Some(lon)) => Some(point.distance_km(GeoPoint { lat, lon })),
            _ => None,
        }
    }

    /// Keeps an accepted document when it ranks among the best `top_k`.
    fn offer(&mut self, doc: DocId, score: Score, distance_km: Option<f64>) {
        let top_k = self.spec.top_k;
        if top_k == 0 {
            return;
        }
        if self.heap.len() >= top_k
            && let (Some(worst), SearchSort::Relevance, Some(max_boost)) = (
                self.heap.peek(),
                self.spec.sort,
                self.spec.ranking.max_boost(),
            )
            && f64::from(score) * max_boost < worst.0.primary
        {
            // Cannot beat the worst kept even with every bonus: skip the
            // fast-field reads of the blend.
            return;
        }
        let candidate = self.candidate(doc, score, distance_km);
        if self.heap.len() < top_k {
            self.heap.push(Worst(candidate));
        } else if let Some(worst) = self.heap.peek()
            && candidate.cmp_rank(&worst.0) == Ordering::Greater
        {
            self.heap.pop();
            self.heap.push(Worst(candidate));
        }
    }

    /// The text score a document must exceed to possibly enter the top (the
    /// pruning threshold), for a relevance sort.
    fn threshold(&self) -> Score {
        let (Some(worst), Some(max_boost)) = (self.heap.peek(), self.spec.ranking.max_boost())
        else {
            return 0.0;
        };
        if self.heap.len() < self.spec.top_k {
            return 0.0;
        }
        // A little below the exact bound, so that float rounding (the f32
        // sums of the pruning) never drops a document the full pass keeps.
        let bound = worst.0.primary / max_boost * (1.0 - 1e-5);
        if bound.is_finite() && bound > 0.0 {
            bound as Score
        } else {
            0.0
        }
    }
}

impl SegmentCollector for SearchSegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(distance_km) = self.accept(doc) {
            self.offer(doc, score, distance_km);
        }
    }

    fn harvest(mut self) -> Collected {
        let mut facets = FacetCounts::default();
        if self.spec.facets {
            // The documents that passed every filter, tuple by tuple, into
            // the four single-valued dimensions.
            for tuple in 0..self.tuple_counts.len() {
                let n = self.tuple_counts[tuple];
                if n > 0 {
                    for at in 0..SINGLE_DIMS.len() {
                        self.count_single(at, tuple, n);
                    }
                }
            }
            let dim = |d: Dim| &self.dims[d as usize];
            facets.types = dim(Dim::Type).harvest(&dim(Dim::Type).counts);
            facets.organization_kinds =
                dim(Dim::OrganizationKind).harvest(&dim(Dim::OrganizationKind).counts);
            facets.offer_kinds = dim(Dim::Kind).harvest(&self.offer_kind_counts);
            facets.need_kinds = dim(Dim::Kind).harvest(&self.need_kind_counts);
            facets.sectors = dim(Dim::Sector).harvest(&dim(Dim::Sector).counts);
            facets.municipalities = dim(Dim::Municipality).harvest(&dim(Dim::Municipality).counts);
            facets.neighbourhoods =
                dim(Dim::Neighbourhood).harvest(&dim(Dim::Neighbourhood).counts);
            facets.statuses = dim(Dim::Status).harvest(&dim(Dim::Status).counts);
        }
        let mut top: Vec<Candidate> = self.heap.into_iter().map(|w| w.0).collect();
        top.sort_by(|a, b| b.cmp_rank(a));
        Collected {
            total: self.total,
            top,
            facets,
        }
    }
}
