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
//! accepted documents. Since that first pass needs no scores, the searched
//! query is then the one that finds the same documents from one posting
//! list a stem (`BuiltQuery::matches_all`, see [`SearchCollector::prunes`]).
//! The blend multiplies BM25 by at most [`Ranking::max_boost`], so a
//! document whose text score times that bound
//! does not beat the worst kept one cannot enter the top: that is the
//! pruning threshold, and the top is exactly the one a full pass gives.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Weight;
use tantivy::{
    BitSet, COLLECT_BLOCK_BUFFER_LEN, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader,
};

use super::facet_table::{
    DocRecord, FacetTables, MULTI_DIMS, NO_VALUE, SINGLE_DIMS, SegmentTable, single_number, untag,
};
use super::schema::{DocType, GeoPoint, fast};
use super::searcher::{MAX_FACET_VALUES, Ranking, SearchSort};

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

impl Dim {
    /// Every dimension, in the order of its number.
    pub(crate) const ALL: [Dim; DIMS] = [
        Dim::Type,
        Dim::OrganizationKind,
        Dim::Kind,
        Dim::Sector,
        Dim::Municipality,
        Dim::Neighbourhood,
        Dim::Status,
    ];
}

pub(crate) const DIMS: usize = 7;
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

/// The facet counts: one map per [`Dim`], with kinds split by type; the
/// [`MAX_FACET_VALUES`] most frequent values of each (the others are not
/// shown).
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
    /// The facet values of the segments, as numbers (see [`super::facet_table`]).
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

    /// Whether the ranker scores: then the searched query only says which
    /// documents match, and any query matching the same ones will do.
    pub fn prunes(&self) -> bool {
        self.ranker.is_some()
    }
}

/// The facet counts of one segment or of several, by value number (see
/// [`super::facet_table`]): one array per [`Dim`], kinds split by type.
#[derive(Debug, Default)]
pub(crate) struct NumberedCounts {
    dims: [Vec<u64>; DIMS],
    offer_kinds: Vec<u64>,
    need_kinds: Vec<u64>,
}

impl NumberedCounts {
    /// Arrays long enough for every number of a segment's table.
    fn sized(bounds: &[usize; DIMS]) -> Self {
        let kinds = bounds[Dim::Kind as usize];
        Self {
            dims: std::array::from_fn(|dim| vec![0; bounds[dim]]),
            offer_kinds: vec![0; kinds],
            need_kinds: vec![0; kinds],
        }
    }

    fn add(&mut self, other: NumberedCounts) {
        fn add_into(into: &mut Vec<u64>, from: Vec<u64>) {
            if into.len() < from.len() {
                into.resize(from.len(), 0);
            }
            for (slot, count) in into.iter_mut().zip(from) {
                *slot += count;
            }
        }
        for (into, from) in self.dims.iter_mut().zip(other.dims) {
            add_into(into, from);
        }
        add_into(&mut self.offer_kinds, other.offer_kinds);
        add_into(&mut self.need_kinds, other.need_kinds);
    }

    /// The `limit` most frequent values of each dimension, by name.
    fn named(&self, tables: &FacetTables, limit: usize) -> FacetCounts {
        let named = |dim: Dim| tables.named_counts(dim, &self.dims[dim as usize], limit);
        FacetCounts {
            types: named(Dim::Type),
            organization_kinds: named(Dim::OrganizationKind),
            offer_kinds: tables.named_counts(Dim::Kind, &self.offer_kinds, limit),
            need_kinds: tables.named_counts(Dim::Kind, &self.need_kinds, limit),
            sectors: named(Dim::Sector),
            municipalities: named(Dim::Municipality),
            neighbourhoods: named(Dim::Neighbourhood),
            statuses: named(Dim::Status),
        }
    }
}

/// What the pass over one segment found.
pub(crate) struct SegmentFound {
    total: u64,
    /// Best first, at most `top_k`.
    top: Vec<Candidate>,
    counts: NumberedCounts,
}

/// Whether a value number is among the allowed ones ([`NO_VALUE`] never is).
fn is_allowed(allowed: &[bool], number: u32) -> bool {
    allowed.get(number as usize).copied().unwrap_or(false)
}

/// Counts a document's multi-valued entries (see
/// [`SegmentTable::facets_of`]); only those of one dimension when `only`
/// names its position in [`MULTI_DIMS`].
fn count_multi(counts: &mut NumberedCounts, entries: &[u32], only: Option<usize>) {
    for &entry in entries {
        let (at, number) = untag(entry);
        if only.is_some_and(|only| only != at) {
            continue;
        }
        if let Some(slot) = MULTI_DIMS
            .get(at)
            .and_then(|dim| counts.dims[*dim as usize].get_mut(number as usize))
        {
            *slot += 1;
        }
    }
}

pub(crate) struct SearchSegmentCollector {
    spec: Arc<Spec>,
    segment: SegmentOrdinal,
    table: Arc<SegmentTable>,
    /// Per dimension, which value numbers its filter allows; `None` when
    /// it is not filtered. The kinds' are decided by type, in
    /// `tuple_fails`.
    allowed: [Option<Vec<bool>>; DIMS],
    /// Per tuple of the table, the single-valued dimensions whose filter
    /// it fails (bits by [`Dim`]).
    tuple_fails: Vec<u32>,
    /// Per tuple, its type.
    tuple_types: Vec<Option<DocType>>,
    /// Documents passing every filter, per tuple: its four dimensions are
    /// counted from these at the end.
    tuple_counts: Vec<u64>,
    /// The multi-valued dimensions with a filter, as bits by position in
    /// [`MULTI_DIMS`]: the others pass every document.
    filtered_multi: u32,
    counts: NumberedCounts,
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
        let tables = &self.tables;
        let table = tables.of(reader)?;
        let bounds = table.bounds;
        let allowed: [Option<Vec<bool>>; DIMS] = std::array::from_fn(|index| {
            let dim = Dim::ALL[index];
            (dim != Dim::Kind && !spec.dims[index].is_empty())
                .then(|| tables.allowed(dim, &spec.dims[index], bounds[index]))
        });
        let type_of_number = tables.map_names(Dim::Type, bounds[Dim::Type as usize], |name| {
            DocType::parse(name).ok()
        });
        let kinds = bounds[Dim::Kind as usize];
        let offer_kinds = tables.allowed(Dim::Kind, &spec.offer_kinds, kinds);
        let need_kinds = tables.allowed(Dim::Kind, &spec.need_kinds, kinds);
        let tuple_types: Vec<Option<DocType>> = table
            .tuples
            .iter()
            .map(|tuple| {
                let number = single_number(tuple, Dim::Type)?;
                type_of_number.get(number as usize).copied().flatten()
            })
            .collect();
        let tuple_fails = table
            .tuples
            .iter()
            .zip(&tuple_types)
            .map(|(tuple, doc_type)| {
                let mut fails = 0;
                for (dim, number) in SINGLE_DIMS.iter().zip(tuple) {
                    let passes = if *dim == Dim::Kind {
                        match doc_type {
                            _ if !spec.kind_filter_active() => true,
                            Some(DocType::Offer) => is_allowed(&offer_kinds, *number),
                            Some(DocType::Need) => is_allowed(&need_kinds, *number),
                            _ => false,
                        }
                    } else {
                        allowed[*dim as usize]
                            .as_deref()
                            .is_none_or(|allowed| is_allowed(allowed, *number))
                    };
                    if !passes {
                        fails |= 1 << *dim as u32;
                    }
                }
                fails
            })
            .collect();
        let filtered_multi = MULTI_DIMS
            .iter()
            .enumerate()
            .filter(|(_, dim)| allowed[**dim as usize].is_some())
            .fold(0, |bits, (at, _)| bits | 1 << at);
        let counts = if spec.facets {
            NumberedCounts::sized(&bounds)
        } else {
            NumberedCounts::default()
        };
        let fast_fields = reader.fast_fields();
        Ok(SearchSegmentCollector {
            spec: self.spec.clone(),
            segment,
            allowed,
            tuple_counts: vec![0; table.tuples.len()],
            tuple_fails,
            tuple_types,
            filtered_multi,
            table,
            counts,
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
    ) -> tantivy::Result<SegmentFound> {
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
            collector.accept_block(docs, is_alive, |doc| {
                accepted.insert(doc);
            });
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

    fn merge_fruits(&self, fruits: Vec<SegmentFound>) -> tantivy::Result<Collected> {
        let mut merged = Collected::default();
        let mut counts = NumberedCounts::default();
        for fruit in fruits {
            merged.total += fruit.total;
            merged.top.extend(fruit.top);
            counts.add(fruit.counts);
        }
        if self.spec.facets {
            merged.facets = counts.named(&self.tables, MAX_FACET_VALUES);
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
        let number = values[at];
        if number == NO_VALUE {
            return;
        }
        let counts = match (SINGLE_DIMS[at], doc_type) {
            (Dim::Kind, Some(DocType::Offer)) => &mut self.counts.offer_kinds,
            (Dim::Kind, Some(DocType::Need)) => &mut self.counts.need_kinds,
            (Dim::Kind, _) => return,
            (dim, _) => &mut self.counts.dims[dim as usize],
        };
        if let Some(slot) = counts.get_mut(number as usize) {
            *slot += n;
        }
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
        let record = self.table.record(doc);
        self.accept_record(doc, record)
    }

    /// [`Self::accept`] for each live document of a block, calling
    /// `accepted` with those that pass. The block's table records are read
    /// first, then the first multi-valued entry of each: reads that do not
    /// wait for one another, which the processor overlaps. On a large
    /// segment the documents a query matches lie far apart and nearly
    /// every such read misses the caches; one document at a time, each
    /// miss was waited for in turn.
    fn accept_block(
        &mut self,
        docs: &[DocId],
        is_alive: impl Fn(DocId) -> bool,
        mut accepted: impl FnMut(DocId),
    ) {
        let mut records = [DocRecord::default(); COLLECT_BLOCK_BUFFER_LEN];
        for chunk in docs.chunks(COLLECT_BLOCK_BUFFER_LEN) {
            for (slot, &doc) in records.iter_mut().zip(chunk) {
                *slot = self.table.record(doc);
            }
            if self.spec.facets || self.filtered_multi != 0 {
                let mut touched = 0u32;
                for record in &records[..chunk.len()] {
                    touched ^= self.table.first_entry(*record);
                }
                std::hint::black_box(touched);
            }
            for (&doc, record) in chunk.iter().zip(records) {
                if is_alive(doc) && self.accept_record(doc, record).is_some() {
                    accepted(doc);
                }
            }
        }
    }

    /// [`Self::accept`], the document's table record already read.
    fn accept_record(&mut self, doc: DocId, record: DocRecord) -> Option<Option<f64>> {
        let distance_km = self.range_filters(doc).ok()?;
        let (tuple, entries) = self.table.facets_of(doc, record);
        let mut failed = self.tuple_fails.get(tuple).copied().unwrap_or(0);
        if self.filtered_multi != 0 {
            let mut passed = 0u32;
            for &entry in entries {
                let (at, number) = untag(entry);
                let allowed = MULTI_DIMS
                    .get(at)
                    .and_then(|dim| self.allowed[*dim as usize].as_deref());
                if allowed.is_some_and(|allowed| is_allowed(allowed, number)) {
                    passed |= 1 << at;
                }
            }
            for (at, dim) in MULTI_DIMS.iter().enumerate() {
                if self.filtered_multi & !passed & (1 << at) != 0 {
                    failed |= 1 << *dim as u32;
                }
            }
        }
        match failed.count_ones() {
            0 => {
                self.total += 1;
                if self.spec.facets {
                    if let Some(count) = self.tuple_counts.get_mut(tuple) {
                        *count += 1;
                    }
                    count_multi(&mut self.counts, entries, None);
                }
                Some(distance_km)
            }
            1 if self.spec.facets => {
                let dim = failed.trailing_zeros();
                if let Some(at) = MULTI_DIMS.iter().position(|d| *d as u32 == dim) {
                    count_multi(&mut self.counts, entries, Some(at));
                } else if let Some(at) = SINGLE_DIMS.iter().position(|d| *d as u32 == dim) {
                    self.count_single(at, tuple, 1);
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
    type Fruit = SegmentFound;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(distance_km) = self.accept(doc) {
            self.offer(doc, score, distance_km);
        }
    }

    fn harvest(mut self) -> SegmentFound {
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
        }
        let mut top: Vec<Candidate> = self.heap.into_iter().map(|w| w.0).collect();
        top.sort_by(|a, b| b.cmp_rank(a));
        SegmentFound {
            total: self.total,
            top,
            counts: self.counts,
        }
    }
}
