//! The facts of postings kept in memory between match refreshes, so that a
//! recompute does not read the same candidates from the database need after
//! need.
//!
//! Facts are kept with the count of changes the process's search indexer
//! had applied when they were read ([`crate::search::Search::changes_applied`])
//! and used only while that count has not moved: any committed change to an
//! organisation, offer or need passes through the outbox, and the indexer
//! counts it before it reads the new state. A refresh reads facts no older
//! than the index it takes its candidates from (the job worker waits for the
//! index to take in a job's changes first). Facts read while the count moves
//! are used once and not kept. Postings that are not public are kept as
//! absent, so they are not asked for again either.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use lru::LruCache;
use uuid::Uuid;

use super::{NeedFacts, OfferFacts};

/// Postings of each kind kept: tens of thousands of candidates in memory at
/// about a kilobyte each, well inside the server's memory budget.
const KEPT_PER_KIND: usize = 100_000;

/// Offers' and needs' facts, shared by every refresh of a process.
pub struct FactsCache {
    offers: Shelf<OfferFacts>,
    needs: Shelf<NeedFacts>,
}

impl Default for FactsCache {
    fn default() -> Self {
        Self::new(KEPT_PER_KIND)
    }
}

impl FactsCache {
    pub fn new(kept_per_kind: usize) -> Self {
        Self {
            offers: Shelf::new(kept_per_kind),
            needs: Shelf::new(kept_per_kind),
        }
    }

    pub fn offers(&self) -> &Shelf<OfferFacts> {
        &self.offers
    }

    pub fn needs(&self) -> &Shelf<NeedFacts> {
        &self.needs
    }

    /// How many postings of each kind it keeps at most.
    pub fn kept_per_kind(&self) -> usize {
        self.offers.capacity()
    }
}

/// The facts of one kind of posting, by id.
pub struct Shelf<T> {
    kept: Mutex<LruCache<Uuid, Kept<T>>>,
}

struct Kept<T> {
    /// The indexer's count of changes when the facts were read.
    changes: u64,
    /// `None`: not public (gone, hidden, a draft) when read.
    facts: Option<Arc<T>>,
}

/// What a shelf holds of the ids asked for.
pub struct Found<T> {
    /// Public postings' facts.
    pub facts: HashMap<Uuid, Arc<T>>,
    /// Ids to read from the database.
    pub missing: Vec<Uuid>,
}

impl<T> Shelf<T> {
    fn new(capacity: usize) -> Self {
        Self {
            kept: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    fn capacity(&self) -> usize {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .cap()
            .get()
    }

    /// The facts of `ids` kept at `changes` (the indexer's count now).
    pub fn get(&self, changes: u64, ids: &[Uuid]) -> Found<T> {
        let mut found = Found {
            facts: HashMap::with_capacity(ids.len()),
            missing: Vec::new(),
        };
        // One lookup or one insert at a time: a panic elsewhere cannot leave
        // the map inconsistent, so keep using it.
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        for id in ids {
            match kept.get(id) {
                Some(entry) if entry.changes == changes => {
                    if let Some(facts) = &entry.facts {
                        found.facts.insert(*id, Arc::clone(facts));
                    }
                }
                _ => found.missing.push(*id),
            }
        }
        found
    }

    /// Keeps what was read for `asked` when the count was `changes`; ids
    /// absent from `read` were not public. Nothing is kept when the count
    /// has moved since (`now`): the reads may predate a change.
    pub fn keep(&self, changes: u64, now: u64, asked: &[Uuid], read: &HashMap<Uuid, Arc<T>>) {
        if changes != now {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        for id in asked {
            kept.put(
                *id,
                Kept {
                    changes,
                    facts: read.get(id).cloned(),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn kept_facts_serve_until_the_indexer_applies_a_change() {
        let shelf: Shelf<String> = Shelf::new(10);
        let read = HashMap::from([(id(1), Arc::new("uno".to_owned()))]);
        shelf.keep(5, 5, &[id(1), id(2)], &read);
        let found = shelf.get(5, &[id(1), id(2), id(3)]);
        assert_eq!(found.facts.len(), 1);
        assert_eq!(*found.facts[&id(1)], "uno");
        // 2 was read as not public: not asked again; 3 was never read.
        assert_eq!(found.missing, [id(3)]);
        // A change applied since: everything is read again.
        let found = shelf.get(6, &[id(1), id(2)]);
        assert!(found.facts.is_empty());
        assert_eq!(found.missing, [id(1), id(2)]);
    }

    #[test]
    fn reads_during_a_change_are_not_kept() {
        let shelf: Shelf<String> = Shelf::new(10);
        let read = HashMap::from([(id(1), Arc::new("uno".to_owned()))]);
        shelf.keep(5, 6, &[id(1)], &read);
        assert_eq!(shelf.get(5, &[id(1)]).missing, [id(1)]);
        assert_eq!(shelf.get(6, &[id(1)]).missing, [id(1)]);
    }

    #[test]
    fn the_least_recently_used_go_first() {
        let shelf: Shelf<String> = Shelf::new(2);
        let read: HashMap<Uuid, Arc<String>> =
            (1..=3).map(|n| (id(n), Arc::new(n.to_string()))).collect();
        shelf.keep(1, 1, &[id(1), id(2), id(3)], &read);
        assert_eq!(shelf.get(1, &[id(1), id(2), id(3)]).missing, [id(1)]);
    }
}
