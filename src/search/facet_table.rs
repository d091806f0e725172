//! The facet ordinals of each segment, unpacked into plain arrays once per
//! segment and kept while a searcher uses the segment.
//!
//! A faceted search reads seven dimension columns for every matching
//! document (the filters, then the counts), and half the index can match
//! a common word. tantivy's columns are compact (bit-packed values behind
//! an optional or multi-valued index) and each read decodes; measured at
//! 1M documents, those reads were most of what a product search cost over
//! a lean one. A segment never changes once written, so its ordinals are
//! read out once. The four single-valued dimensions (type, organisation
//! kind, kind, status) take few values together, a few hundred tuples in a
//! segment: each document holds the index of its tuple, so that one read
//! filters the four and one increment counts them. The three multi-valued
//! ones (sectors, municipalities, neighbourhoods) are offsets and values.
//! About 25 bytes a document in all.
//!
//! The tables are built when the reader loads a segment (a tantivy
//! [`Warmer`], so a search never waits for one) and dropped when no
//! searcher uses the segment any more. The term dictionaries stay in the
//! columns: only the ordinals move.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, Warmer};

use super::collector::{DIM_FIELDS, Dim};

/// The single-valued dimensions, in the order of a tuple's ordinals.
pub(crate) const SINGLE_DIMS: [Dim; 4] = [Dim::Type, Dim::OrganizationKind, Dim::Kind, Dim::Status];
/// The multi-valued dimensions, in the order of [`SegmentTable::multi`].
pub(crate) const MULTI_DIMS: [Dim; 3] = [Dim::Sector, Dim::Municipality, Dim::Neighbourhood];

/// A document's ordinals in the single-valued dimensions ([`NO_VALUE`]
/// where it has none).
pub(crate) type Tuple = [u32; SINGLE_DIMS.len()];

/// A dimension's ordinals in one segment.
#[derive(Debug)]
pub(crate) enum DimOrds {
    /// The segment has no such column: no document has a value.
    Absent,
    /// At most one value a document: its ordinal, or [`NO_VALUE`].
    Single(Box<[u32]>),
    /// Any number of values: document `d`'s are
    /// `ords[starts[d]..starts[d + 1]]`.
    Multi {
        starts: Box<[u32]>,
        ords: Box<[u32]>,
    },
}

/// A tuple's ordinal in one single-valued dimension; `None` for a
/// multi-valued dimension, or where the documents of the tuple have no value.
pub(crate) fn single_ord(tuple: &Tuple, dim: Dim) -> Option<u32> {
    let at = SINGLE_DIMS.iter().position(|d| *d == dim)?;
    Some(tuple[at]).filter(|ord| *ord != NO_VALUE)
}

/// The ordinal of a document without a value.
pub(crate) const NO_VALUE: u32 = u32::MAX;

impl DimOrds {
    /// Reads a column's ordinals out. Fails when an ordinal or an offset
    /// does not fit in 32 bits: a dictionary or a segment of four billion
    /// values, which tantivy's own `u32` document ids rule out long before.
    fn read(column: &Column<u64>, max_doc: DocId) -> tantivy::Result<Self> {
        let too_large =
            || tantivy::TantivyError::InternalError("facet ordinals beyond 32 bits".into());
        match column.get_cardinality() {
            Cardinality::Full | Cardinality::Optional => {
                let mut values = Vec::with_capacity(max_doc as usize);
                for doc in 0..max_doc {
                    values.push(match column.first(doc) {
                        Some(ord) => u32::try_from(ord)
                            .ok()
                            .filter(|o| *o != NO_VALUE)
                            .ok_or_else(too_large)?,
                        None => NO_VALUE,
                    });
                }
                Ok(Self::Single(values.into_boxed_slice()))
            }
            Cardinality::Multivalued => {
                let mut starts = Vec::with_capacity(max_doc as usize + 1);
                let mut ords = Vec::with_capacity(max_doc as usize);
                starts.push(0);
                for doc in 0..max_doc {
                    for ord in column.values_for_doc(doc) {
                        ords.push(u32::try_from(ord).map_err(|_| too_large())?);
                    }
                    starts.push(u32::try_from(ords.len()).map_err(|_| too_large())?);
                }
                Ok(Self::Multi {
                    starts: starts.into_boxed_slice(),
                    ords: ords.into_boxed_slice(),
                })
            }
        }
    }

    /// The document's ordinals (none for a document past the table, which
    /// a segment's own documents never are).
    #[inline]
    pub fn of(&self, doc: DocId) -> &[u32] {
        let doc = doc as usize;
        match self {
            Self::Absent => &[],
            Self::Single(values) => match values.get(doc) {
                Some(ord) if *ord != NO_VALUE => std::slice::from_ref(ord),
                _ => &[],
            },
            Self::Multi { starts, ords } => match (starts.get(doc), starts.get(doc + 1)) {
                (Some(&from), Some(&to)) => ords.get(from as usize..to as usize).unwrap_or(&[]),
                _ => &[],
            },
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Self::Absent => 0,
            Self::Single(values) => values.len() * 4,
            Self::Multi { starts, ords } => (starts.len() + ords.len()) * 4,
        }
    }
}

/// One segment's facet ordinals.
#[derive(Debug)]
pub(crate) struct SegmentTable {
    /// Per document, the index of its tuple in `tuples`.
    tuple_of_doc: Box<[u32]>,
    /// The distinct tuples of the segment.
    pub tuples: Vec<Tuple>,
    /// The multi-valued dimensions, in the order of [`MULTI_DIMS`].
    pub multi: [DimOrds; MULTI_DIMS.len()],
}

impl SegmentTable {
    fn build(reader: &SegmentReader) -> tantivy::Result<Self> {
        let max_doc = reader.max_doc();
        let read = |dim: Dim| -> tantivy::Result<DimOrds> {
            let column: Option<StrColumn> = reader.fast_fields().str(DIM_FIELDS[dim as usize])?;
            match column {
                None => Ok(DimOrds::Absent),
                Some(column) => DimOrds::read(column.ords(), max_doc),
            }
        };
        // A document has at most one value in each of these (the schema
        // writes one): the first is its value.
        let mut single = Vec::with_capacity(SINGLE_DIMS.len());
        for dim in SINGLE_DIMS {
            single.push(read(dim)?);
        }
        let mut index: HashMap<Tuple, u32> = HashMap::new();
        let mut tuples = Vec::new();
        let mut tuple_of_doc = Vec::with_capacity(max_doc as usize);
        for doc in 0..max_doc {
            let mut tuple = [NO_VALUE; SINGLE_DIMS.len()];
            for (slot, dim) in tuple.iter_mut().zip(&single) {
                *slot = dim.of(doc).first().copied().unwrap_or(NO_VALUE);
            }
            let next = u32::try_from(tuples.len()).map_err(|_| {
                tantivy::TantivyError::InternalError("facet tuples beyond 32 bits".into())
            })?;
            let at = *index.entry(tuple).or_insert_with(|| {
                tuples.push(tuple);
                next
            });
            tuple_of_doc.push(at);
        }
        Ok(Self {
            tuple_of_doc: tuple_of_doc.into_boxed_slice(),
            tuples,
            multi: [
                read(MULTI_DIMS[0])?,
                read(MULTI_DIMS[1])?,
                read(MULTI_DIMS[2])?,
            ],
        })
    }

    /// The index of the document's tuple in [`Self::tuples`] (0 for a
    /// document past the table, which a segment's own documents never
    /// are).
    #[inline]
    pub fn tuple_of(&self, doc: DocId) -> usize {
        self.tuple_of_doc.get(doc as usize).copied().unwrap_or(0) as usize
    }

    /// Memory held, in bytes.
    pub fn bytes(&self) -> usize {
        self.tuple_of_doc.len() * 4
            + self.tuples.len() * std::mem::size_of::<Tuple>()
            + self.multi.iter().map(DimOrds::bytes).sum::<usize>()
    }
}

/// The tables of the segments that live searchers use.
#[derive(Debug, Default)]
pub(crate) struct FacetTables {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentTable>>>,
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
        let table = Arc::new(SegmentTable::build(reader)?);
        Ok(self.lock().entry(id).or_insert(table).clone())
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
