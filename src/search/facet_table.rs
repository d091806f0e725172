//! The facet values of each segment, as numbers shared by the whole index,
//! unpacked into plain arrays once per segment and kept while a searcher
//! uses the segment.
//!
//! A faceted search reads seven dimension columns for every matching
//! document (the filters, then the counts), and half the index can match
//! a common word. tantivy's columns are compact (bit-packed values behind
//! an optional or multi-valued index) and each read decodes; measured at
//! 1M documents, those reads were most of what a product search cost over
//! a lean one. A segment never changes once written, so its values are
//! read out once. The four single-valued dimensions (type, organisation
//! kind, kind, status) take few values together, a few hundred tuples in a
//! segment: each document holds the index of its tuple, so that one read
//! filters the four and one increment counts them. The three multi-valued
//! ones (sectors, municipalities, neighbourhoods) are one list a document,
//! each value tagged with its dimension, so that one pair of offsets
//! leads to all three. About 20 bytes a document in all.
//!
//! Each segment's columns number their values by the segment's own term
//! dictionary, so the same municipality has another ordinal in every
//! segment; turning each segment's counts back into names (a dictionary
//! pass and a map of strings per segment, then merging the maps) cost a
//! search as much as counting did on an index of many segments. The tables
//! hold instead the value's number in [`FacetTables`]' register of values,
//! given the first time a loaded segment holds the value and never changed:
//! a search counts into one array per dimension whatever the segment, adds
//! the arrays, and reads the names of the values it counted once. The
//! register only grows, by the distinct values ever indexed (closed lists,
//! municipalities, neighbourhoods: thousands, not millions).
//!
//! The tables are built when the reader loads a segment (a tantivy
//! [`Warmer`], so a search never waits for one) and dropped when no
//! searcher uses the segment any more.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, Warmer};

use super::collector::{DIM_FIELDS, DIMS, Dim};

/// The single-valued dimensions, in the order of a tuple's values.
pub(crate) const SINGLE_DIMS: [Dim; 4] = [Dim::Type, Dim::OrganizationKind, Dim::Kind, Dim::Status];
/// The multi-valued dimensions, in the order of their tags (see
/// [`SegmentTable::facets_of`]).
pub(crate) const MULTI_DIMS: [Dim; 3] = [Dim::Sector, Dim::Municipality, Dim::Neighbourhood];

/// A document's value numbers in the single-valued dimensions
/// ([`NO_VALUE`] where it has none).
pub(crate) type Tuple = [u32; SINGLE_DIMS.len()];

/// The number of a document without a value.
pub(crate) const NO_VALUE: u32 = u32::MAX;

/// A multi-valued entry holds its dimension's position in [`MULTI_DIMS`]
/// in its top bits and the value's number below.
const TAG_SHIFT: u32 = 30;
const NUMBER_MASK: u32 = (1 << TAG_SHIFT) - 1;

/// A multi-valued entry of [`SegmentTable::facets_of`]: the position of its
/// dimension in [`MULTI_DIMS`], and the value's number.
#[inline]
pub(crate) fn untag(entry: u32) -> (usize, u32) {
    ((entry >> TAG_SHIFT) as usize, entry & NUMBER_MASK)
}

/// A tuple's value number in one single-valued dimension; `None` for a
/// multi-valued dimension, or where the documents of the tuple have no value.
pub(crate) fn single_number(tuple: &Tuple, dim: Dim) -> Option<u32> {
    let at = SINGLE_DIMS.iter().position(|d| *d == dim)?;
    Some(tuple[at]).filter(|number| *number != NO_VALUE)
}

fn too_large(what: &str) -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError(format!("facet {what} beyond their 32-bit tables"))
}

/// The values of one dimension, numbered in the order they were met.
#[derive(Debug, Default)]
struct DimValues {
    numbers: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// Per number, the name's place in alphabetical order: facets break
    /// ties in counts by name, and comparing places costs a search less
    /// than comparing thousands of names.
    places: Vec<u32>,
}

impl DimValues {
    fn number(&mut self, name: &str) -> tantivy::Result<u32> {
        if let Some(number) = self.numbers.get(name) {
            return Ok(*number);
        }
        let number = u32::try_from(self.names.len())
            .ok()
            .filter(|n| *n <= NUMBER_MASK)
            .ok_or_else(|| too_large("values"))?;
        self.names.push(name.into());
        self.numbers.insert(name.into(), number);
        Ok(number)
    }

    /// Places every name in alphabetical order again, after new ones.
    fn place(&mut self) {
        if self.places.len() == self.names.len() {
            return;
        }
        let mut by_name: Vec<usize> = (0..self.names.len()).collect();
        by_name.sort_by(|a, b| self.names[*a].cmp(&self.names[*b]));
        self.places = vec![0; self.names.len()];
        for (place, number) in by_name.into_iter().enumerate() {
            // Fewer names than `NUMBER_MASK` (see `number`): fits.
            self.places[number] = place as u32;
        }
    }
}

/// What the table holds of one document: its tuple, and where its
/// multi-valued entries start (they end where the next document's start).
/// One record, so that one memory read finds both: on a large segment,
/// where the documents a query matches lie far apart, each read is a
/// cache miss.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DocRecord {
    tuple: u32,
    multi_from: u32,
}

/// One segment's facet values, as numbers of the register.
#[derive(Debug)]
pub(crate) struct SegmentTable {
    /// Per document, then one more record holding the end of the last
    /// document's entries.
    records: Box<[DocRecord]>,
    /// The distinct tuples of the segment.
    pub tuples: Vec<Tuple>,
    /// The multi-valued entries of every document, in document order.
    multi: Box<[u32]>,
    /// Per dimension, one more than the highest number the table holds
    /// (how long an array counting its values must be).
    pub bounds: [usize; DIMS],
}

impl SegmentTable {
    fn build(reader: &SegmentReader, register: &RwLock<Vec<DimValues>>) -> tantivy::Result<Self> {
        let max_doc = reader.max_doc();
        let mut columns: Vec<Option<StrColumn>> = Vec::with_capacity(DIMS);
        let mut names: Vec<Vec<String>> = Vec::with_capacity(DIMS);
        for field in DIM_FIELDS {
            let column = reader.fast_fields().str(field)?;
            let mut terms = Vec::new();
            if let Some(column) = &column {
                let mut stream = column.dictionary().stream()?;
                while stream.advance() {
                    let name = std::str::from_utf8(stream.key()).map_err(|_| {
                        tantivy::TantivyError::InternalError(format!(
                            "{field}: a value not in UTF-8"
                        ))
                    })?;
                    terms.push(name.to_owned());
                }
            }
            columns.push(column);
            names.push(terms);
        }
        // The register's numbers of each column's ordinals (the dictionary
        // streams its terms in ordinal order).
        let mut number_of_ord: Vec<Vec<u32>> = Vec::with_capacity(DIMS);
        let mut bounds = [0; DIMS];
        {
            let mut register = register.write().unwrap_or_else(PoisonError::into_inner);
            for ((dim, terms), bound) in names.iter().enumerate().zip(&mut bounds) {
                let values = &mut register[dim];
                let numbers = terms
                    .iter()
                    .map(|name| values.number(name))
                    .collect::<tantivy::Result<Vec<u32>>>();
                // Placed even when numbering stopped halfway: every
                // numbered name keeps a place for the facets' ties.
                values.place();
                let numbers = numbers?;
                *bound = values.names.len();
                number_of_ord.push(numbers);
            }
        }
        let number = |dim: Dim, ord: u64| -> tantivy::Result<u32> {
            usize::try_from(ord)
                .ok()
                .and_then(|ord| number_of_ord[dim as usize].get(ord))
                .copied()
                .ok_or_else(|| {
                    tantivy::TantivyError::InternalError(format!(
                        "{}: an ordinal outside its column's dictionary",
                        DIM_FIELDS[dim as usize]
                    ))
                })
        };
        // A document has at most one value in each of these (the schema
        // writes one): the first is its value.
        let mut index: HashMap<Tuple, u32> = HashMap::new();
        let mut tuples = Vec::new();
        let mut records = Vec::with_capacity(max_doc as usize + 1);
        let mut multi = Vec::with_capacity(max_doc as usize * 2);
        let entries_so_far =
            |multi: &Vec<u32>| u32::try_from(multi.len()).map_err(|_| too_large("entries"));
        for doc in 0..max_doc {
            let mut tuple = [NO_VALUE; SINGLE_DIMS.len()];
            for (slot, dim) in tuple.iter_mut().zip(SINGLE_DIMS) {
                if let Some(ord) = columns[dim as usize]
                    .as_ref()
                    .and_then(|column| column.ords().first(doc))
                {
                    *slot = number(dim, ord)?;
                }
            }
            let next = u32::try_from(tuples.len()).map_err(|_| too_large("tuples"))?;
            let at = *index.entry(tuple).or_insert_with(|| {
                tuples.push(tuple);
                next
            });
            records.push(DocRecord {
                tuple: at,
                multi_from: entries_so_far(&multi)?,
            });
            for (tag, dim) in MULTI_DIMS.into_iter().enumerate() {
                if let Some(column) = &columns[dim as usize] {
                    for ord in column.term_ords(doc) {
                        multi.push(((tag as u32) << TAG_SHIFT) | number(dim, ord)?);
                    }
                }
            }
        }
        records.push(DocRecord {
            tuple: 0,
            multi_from: entries_so_far(&multi)?,
        });
        Ok(Self {
            records: records.into_boxed_slice(),
            tuples,
            multi: multi.into_boxed_slice(),
            bounds,
        })
    }

    /// The index of the document's tuple in [`Self::tuples`] (0 for a
    /// document past the table, which a segment's own documents never
    /// are).
    #[inline]
    pub fn tuple_of(&self, doc: DocId) -> usize {
        self.records
            .get(doc as usize)
            .map_or(0, |record| record.tuple as usize)
    }

    /// The document's record (see [`Self::facets_of`]).
    #[inline]
    pub fn record(&self, doc: DocId) -> DocRecord {
        self.records.get(doc as usize).copied().unwrap_or_default()
    }

    /// The document's tuple and multi-valued entries, by dimension in the
    /// order of [`MULTI_DIMS`] (read each with [`untag`]), from its record.
    #[inline]
    pub fn facets_of(&self, doc: DocId, record: DocRecord) -> (usize, &[u32]) {
        let to = self
            .records
            .get(doc as usize + 1)
            .map_or(record.multi_from, |next| next.multi_from);
        let entries = self
            .multi
            .get(record.multi_from as usize..to as usize)
            .unwrap_or(&[]);
        (record.tuple as usize, entries)
    }

    /// The first multi-valued entry a record points to (0 when none): read
    /// ahead of [`Self::facets_of`] to bring the entries into the cache.
    #[inline]
    pub fn first_entry(&self, record: DocRecord) -> u32 {
        self.multi
            .get(record.multi_from as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Memory held, in bytes.
    pub fn bytes(&self) -> usize {
        self.records.len() * std::mem::size_of::<DocRecord>()
            + self.multi.len() * 4
            + self.tuples.len() * std::mem::size_of::<Tuple>()
    }
}

/// The tables of the segments that live searchers use, and the register
/// of the values they number.
#[derive(Debug)]
pub(crate) struct FacetTables {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentTable>>>,
    /// One [`DimValues`] per [`Dim`].
    register: RwLock<Vec<DimValues>>,
}

impl Default for FacetTables {
    fn default() -> Self {
        Self {
            segments: Mutex::default(),
            register: RwLock::new((0..DIMS).map(|_| DimValues::default()).collect()),
        }
    }
}

impl FacetTables {
    /// The segment's table, built now when the reader has not warmed it
    /// (a searcher opened before the warmer was registered).
    pub fn of(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        let id = reader.segment_id();
        if let Some(table) = self.lock().get(&id) {
            return Ok(table.clone());
        }
        // Built outside the lock: searches of other segments go on. Two
        // searches may build the same table at once; one of them is kept.
        let table = Arc::new(SegmentTable::build(reader, &self.register)?);
        Ok(self.lock().entry(id).or_insert(table).clone())
    }

    fn read_register(&self) -> std::sync::RwLockReadGuard<'_, Vec<DimValues>> {
        // Numbers are only ever added, whole: a panic cannot leave one half made.
        self.register.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The number of a value of a dimension, if a loaded segment held it.
    pub fn number(&self, dim: Dim, name: &str) -> Option<u32> {
        self.read_register()[dim as usize]
            .numbers
            .get(name)
            .copied()
    }

    /// Which of the first `bound` numbers of a dimension are among `names`.
    pub fn allowed(&self, dim: Dim, names: &[String], bound: usize) -> Vec<bool> {
        let mut allowed = vec![false; bound];
        let register = self.read_register();
        for name in names {
            if let Some(slot) = register[dim as usize]
                .numbers
                .get(name.as_str())
                .and_then(|number| allowed.get_mut(*number as usize))
            {
                *slot = true;
            }
        }
        allowed
    }

    /// `read` of the names of the first `bound` numbers of a dimension.
    pub fn map_names<T>(&self, dim: Dim, bound: usize, read: impl Fn(&str) -> T) -> Vec<T> {
        let register = self.read_register();
        register[dim as usize]
            .names
            .iter()
            .take(bound)
            .map(|name| read(name))
            .collect()
    }

    /// The `limit` most frequent values of counts by number, by name (ties
    /// go to the first name in alphabetical order, as in the search's
    /// facets). Only those are named: a dimension counts thousands of
    /// municipalities, and a page shows a few. One pass keeping the best
    /// `limit` in a heap, comparing numbers only.
    pub fn named_counts(&self, dim: Dim, counts: &[u64], limit: usize) -> HashMap<String, u64> {
        if limit == 0 {
            return HashMap::new();
        }
        let register = self.read_register();
        let values = &register[dim as usize];
        // Better is more documents, then an earlier name.
        let mut best: BinaryHeap<Reverse<(u64, Reverse<u32>, usize)>> =
            BinaryHeap::with_capacity(limit + 1);
        for (number, (&count, &place)) in counts.iter().zip(&values.places).enumerate() {
            if count == 0 {
                continue;
            }
            let key = (count, Reverse(place), number);
            if best.len() < limit {
                best.push(Reverse(key));
            } else if best.peek().is_some_and(|Reverse(worst)| key > *worst) {
                best.pop();
                best.push(Reverse(key));
            }
        }
        best.into_iter()
            .filter_map(|Reverse((count, _, number))| {
                Some((values.names.get(number)?.to_string(), count))
            })
            .collect()
    }

    /// Memory held by every table, in bytes.
    pub fn bytes(&self) -> usize {
        self.lock().values().map(|t| t.bytes()).sum()
    }

    /// The segments that have a table.
    #[cfg(test)]
    pub fn segment_ids(&self) -> HashSet<SegmentId> {
        self.lock().keys().copied().collect()
    }

    /// How many values of each dimension the register numbers.
    #[cfg(test)]
    pub fn register_sizes(&self) -> Vec<usize> {
        self.read_register().iter().map(|v| v.names.len()).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentTable>>> {
        // The map holds no invariant a panic could break halfway.
        self.segments.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Warmer for FacetTables {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for reader in searcher.segment_readers() {
            self.of(reader)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: HashSet<SegmentId> = live_generations
            .iter()
            .flat_map(|generation| generation.segments().keys().copied())
            .collect();
        self.lock().retain(|id, _| live.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_counts_keep_the_most_frequent_and_break_ties_by_name() {
        let tables = FacetTables::default();
        let names = ["Zelo", "Alba", "Milano", "Bari", "Como", "Asti", "Lodi"];
        let counts = [3, 1, 5, 3, 0, 3, 1];
        {
            let mut register = tables.register.write().expect("register");
            let values = &mut register[Dim::Municipality as usize];
            for name in names {
                values.number(name).expect("number");
            }
            values.place();
        }
        for limit in 0..=names.len() + 1 {
            let mut expected: Vec<(u64, &str)> = names
                .iter()
                .zip(counts)
                .filter(|(_, count)| *count > 0)
                .map(|(name, count)| (count, *name))
                .collect();
            expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            expected.truncate(limit);
            let expected: HashMap<String, u64> = expected
                .into_iter()
                .map(|(count, name)| (name.to_owned(), count))
                .collect();
            assert_eq!(
                tables.named_counts(Dim::Municipality, &counts, limit),
                expected,
                "limit {limit}"
            );
        }
    }
}
