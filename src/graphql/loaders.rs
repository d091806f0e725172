//! Batch loading: every relation a resolver follows is loaded for all the
//! records of a response at once, one statement per relation (or per
//! distinct page asked for), never one per record. [`Batch`] implements
//! async-graphql's [`Loader`] once per relation, with one key type each; the
//! services layer does the SQL.
//!
//! [`BatchLoader`] schedules the batches, in the request's own task and
//! without a clock. async-graphql's `DataLoader` waits a fixed time (1 ms)
//! for keys and loads them in a task of its own; a page of 40 records takes
//! longer than that to resolve in a debug build or on a busy machine, and the
//! results reach the records one by one from the other task, so batches
//! split and the number of statements grows with the rows (measured: 7 to 11
//! statements instead of 4 for 40 needs). Here the first resolver to ask for a
//! key of a relation (the gatherer) yields to the executor a few times: every
//! sibling resolver of the response runs meanwhile and adds its key, however
//! slow the machine. The gatherer then loads the batch itself and hands every
//! waiter its result at once, so the records of the next level also resolve
//! together and batch again.
//!
//! A gatherer whose request is cancelled drops the batch; the resolvers that
//! were waiting on it (possibly of other requests) ask again.
//!
//! The loader lives in the schema's data and caches nothing: it only batches
//! what resolvers ask for at about the same moment, so no request ever sees
//! another's stale data.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use sea_orm::DatabaseConnection;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::error::to_graphql;
use crate::domain::PostingStatus;
use crate::error::AppError;
use crate::services::listing::{self, MemberRow, Page, PageRequest};
use crate::store::entities::{
    municipalities, needs, neighbourhoods, offers, organization_contacts, organizations, sectors,
};

/// The batch loads of every relation, over the application's database.
pub struct Batch {
    db: DatabaseConnection,
}

/// A failed batch, shared by every resolver that waited for it.
pub type LoadError = Arc<AppError>;

/// How many times a gatherer lets the other resolvers run before loading:
/// one round of the executor is enough for siblings resolved together; the
/// others cover records woken a little later.
const YIELDS: usize = 3;

/// How many times a resolver asks again when the batch it waited on was
/// dropped by a cancelled request.
const ATTEMPTS: usize = 3;

/// The most keys one statement carries (bind parameters are limited).
const MAX_KEYS_PER_STATEMENT: usize = 1_000;

/// Schedules the batches of [`Batch`]: see the module documentation.
#[derive(Clone)]
pub struct BatchLoader {
    inner: Arc<Inner>,
}

struct Inner {
    batch: Batch,
    /// The keys waiting to be loaded, one [`Pending`] per key type.
    pending: Mutex<HashMap<TypeId, Box<dyn Any + Send>>>,
}

type Value<K> = <Batch as Loader<K>>::Value;
/// A batch's values, shared by its waiters.
type Shared<K, V> = Result<Arc<HashMap<K, V>>, LoadError>;
type Loaded<K> = Shared<K, Value<K>>;
type Waiters<K> = Vec<oneshot::Sender<Loaded<K>>>;

/// The keys of one relation waiting for their batch, and who waits.
struct Pending<K, V> {
    keys: HashSet<K>,
    waiters: Vec<oneshot::Sender<Shared<K, V>>>,
    /// Whether a resolver is gathering this batch.
    gathering: bool,
}

impl<K, V> Default for Pending<K, V> {
    fn default() -> Self {
        Self {
            keys: HashSet::new(),
            waiters: Vec::new(),
            gathering: false,
        }
    }
}

/// A loader for the schema over `db`.
pub fn batch_loader(db: DatabaseConnection) -> BatchLoader {
    BatchLoader {
        inner: Arc::new(Inner {
            batch: Batch { db },
            pending: Mutex::new(HashMap::new()),
        }),
    }
}

fn internal(message: &'static str) -> LoadError {
    Arc::new(AppError::Internal(anyhow::anyhow!(message)))
}

impl Inner {
    /// Runs `f` on the pending keys of `K`; `None` only if the map held
    /// another type under `K`'s id, which cannot happen.
    fn with_pending<K, R>(&self, f: impl FnOnce(&mut Pending<K, Value<K>>) -> R) -> Option<R>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Batch: Loader<K, Error = LoadError>,
    {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending
            .entry(TypeId::of::<K>())
            .or_insert_with(|| Box::new(Pending::<K, Value<K>>::default()))
            .downcast_mut::<Pending<K, Value<K>>>()
            .map(f)
    }

    /// Ends the gathering of `K`: the keys and waiters gathered so far.
    fn take<K>(&self) -> (Vec<K>, Waiters<K>)
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Batch: Loader<K, Error = LoadError>,
    {
        self.with_pending::<K, _>(|pending| {
            pending.gathering = false;
            (
                pending.keys.drain().collect(),
                std::mem::take(&mut pending.waiters),
            )
        })
        .unwrap_or_default()
    }

    /// Loads the keys, a statement (or a few, for distinct pages) per
    /// [`MAX_KEYS_PER_STATEMENT`] keys.
    async fn load<K>(&self, keys: &[K]) -> Loaded<K>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Batch: Loader<K, Error = LoadError>,
    {
        let mut loaded = HashMap::new();
        for chunk in keys.chunks(MAX_KEYS_PER_STATEMENT) {
            loaded.extend(self.batch.load(chunk).await?);
        }
        Ok(Arc::new(loaded))
    }
}

/// A gathering in progress. If its resolver is cancelled before the batch is
/// taken, the batch is dropped: its waiters see their channel close and ask
/// again.
struct Gathering<K>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Batch: Loader<K, Error = LoadError>,
{
    inner: Arc<Inner>,
    taken: bool,
    key_type: PhantomData<fn() -> K>,
}

impl<K> Gathering<K>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Batch: Loader<K, Error = LoadError>,
{
    fn take(mut self) -> (Vec<K>, Waiters<K>) {
        self.taken = true;
        self.inner.take::<K>()
    }
}

impl<K> Drop for Gathering<K>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Batch: Loader<K, Error = LoadError>,
{
    fn drop(&mut self) {
        if !self.taken {
            drop(self.inner.take::<K>());
        }
    }
}

impl BatchLoader {
    /// Loads the value of one key, batched with the keys other resolvers ask
    /// for at the same time. `Ok(None)` when there is no such record.
    pub async fn load_one<K>(&self, key: K) -> Result<Option<Value<K>>, LoadError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Batch: Loader<K, Error = LoadError>,
    {
        for _ in 0..ATTEMPTS {
            let (tx, rx) = oneshot::channel();
            let gatherer = self
                .inner
                .with_pending::<K, _>(|pending| {
                    pending.keys.insert(key.clone());
                    pending.waiters.push(tx);
                    !std::mem::replace(&mut pending.gathering, true)
                })
                .ok_or_else(|| internal("batch loader: pending keys of another type"))?;
            if gatherer {
                let gathering = Gathering::<K> {
                    inner: self.inner.clone(),
                    taken: false,
                    key_type: PhantomData,
                };
                for _ in 0..YIELDS {
                    tokio::task::yield_now().await;
                }
                let (keys, waiters) = gathering.take();
                let loaded = self.inner.load(&keys).await;
                for waiter in waiters {
                    // A waiter whose request was cancelled no longer listens.
                    let _ = waiter.send(loaded.clone());
                }
            }
            if let Ok(loaded) = rx.await {
                return Ok(loaded?.get(&key).cloned());
            }
        }
        Err(internal("batch loader: batches kept being cancelled"))
    }
}

/// Loads one key through the schema's loader; a failed batch becomes the
/// request's error (internal: batches only fail when the database does).
pub async fn load<K>(
    ctx: &Context<'_>,
    key: K,
) -> async_graphql::Result<Option<<Batch as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Batch: Loader<K, Error = LoadError>,
{
    let loader = ctx.data::<BatchLoader>()?;
    loader.load_one(key).await.map_err(|error| {
        to_graphql(
            ctx,
            AppError::Internal(anyhow::anyhow!("batch load failed: {error:#}")),
        )
    })
}

/// A municipality by ISTAT code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MunicipalityByCode(pub String);

/// Loader keys that are one id, with what the id names.
macro_rules! id_keys {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub Uuid);
    )+};
}

id_keys! {
    /// An organisation (not deleted) by id.
    OrganizationById;
    /// An offer (not deleted, in any state) by id: the resolver decides
    /// whether the viewer may see it ([`crate::policy::visibility`]).
    OfferById;
    /// A need by id, as [`OfferById`].
    NeedById;
    /// The co-design project a match opened, if any.
    ProjectOfMatch;
    /// A neighbourhood by id.
    NeighbourhoodById;
    /// The sectors of an organisation.
    SectorsOfOrganization;
    /// The sectors of an offer.
    SectorsOfOffer;
    /// The sectors of a need.
    SectorsOfNeed;
    /// The neighbourhoods an organisation serves.
    NeighbourhoodsOfOrganization;
    /// The contacts of an organisation (every visibility).
    ContactsOfOrganization;
    /// How many members an organisation has.
    MemberCountOfOrganization;
}

/// A page of an organisation's offers of one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OffersOfOrganization {
    pub organization_id: Uuid,
    pub status: PostingStatus,
    pub page: PageRequest,
}

/// How many offers of one status an organisation has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OfferCountOfOrganization {
    pub organization_id: Uuid,
    pub status: PostingStatus,
}

/// A page of an organisation's needs of one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NeedsOfOrganization {
    pub organization_id: Uuid,
    pub status: PostingStatus,
    pub page: PageRequest,
}

/// How many needs of one status an organisation has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NeedCountOfOrganization {
    pub organization_id: Uuid,
    pub status: PostingStatus,
}

/// A page of an organisation's members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MembersOfOrganization {
    pub organization_id: Uuid,
    pub page: PageRequest,
}

type BatchResult<K, V> = Result<HashMap<K, V>, LoadError>;

/// Keys grouped by what they share besides their owner (a status, a page):
/// each group is one statement.
fn grouped<K, G: Hash + Eq>(keys: &[K], group: impl Fn(&K) -> (G, Uuid)) -> HashMap<G, Vec<Uuid>> {
    let mut groups: HashMap<G, Vec<Uuid>> = HashMap::new();
    for key in keys {
        let (shared, owner) = group(key);
        let owners = groups.entry(shared).or_default();
        if !owners.contains(&owner) {
            owners.push(owner);
        }
    }
    groups
}

/// Implements a loader of records by a newtype over their key; `$key_of`
/// reads the key back from a loaded record.
macro_rules! by_key {
    ($key:ident, $value:ty, $service:path, |$row:ident| $key_of:expr) => {
        impl Loader<$key> for Batch {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> BatchResult<$key, Self::Value> {
                let wanted: Vec<_> = keys.iter().map(|k| k.0.to_owned()).collect();
                let rows = $service(&self.db, &wanted).await?;
                Ok(rows.into_iter().map(|$row| ($key($key_of), $row)).collect())
            }
        }
    };
}

by_key!(
    OrganizationById,
    organizations::Model,
    listing::organizations_by_id,
    |o| o.id
);
by_key!(OfferById, offers::Model, listing::offers_by_id, |o| o.id);
by_key!(NeedById, needs::Model, listing::needs_by_id, |n| n.id);
by_key!(
    MunicipalityByCode,
    municipalities::Model,
    listing::municipalities_by_code,
    |m| m.istat_code.clone()
);
by_key!(
    NeighbourhoodById,
    neighbourhoods::Model,
    listing::neighbourhoods_by_id,
    |n| n.id
);

/// Implements loaders of one value per owner (a list, a count...), each
/// keyed by a newtype over the owner's id: `Key => Value, service;`.
macro_rules! per_owner {
    ($($key:ident => $value:ty, $service:path;)+) => {$(
        impl Loader<$key> for Batch {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> BatchResult<$key, Self::Value> {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                let values = $service(&self.db, &ids).await?;
                Ok(values
                    .into_iter()
                    .map(|(owner, value)| ($key(owner), value))
                    .collect())
            }
        }
    )+};
}

per_owner! {
    ProjectOfMatch => Uuid, listing::projects_of_matches;
    SectorsOfOrganization => Vec<sectors::Model>, listing::sectors_of_organizations;
    SectorsOfOffer => Vec<sectors::Model>, listing::sectors_of_offers;
    SectorsOfNeed => Vec<sectors::Model>, listing::sectors_of_needs;
    NeighbourhoodsOfOrganization => Vec<neighbourhoods::Model>, listing::neighbourhoods_of_organizations;
    ContactsOfOrganization => Vec<organization_contacts::Model>, listing::contacts_of_organizations;
    MemberCountOfOrganization => u64, listing::count_members_of_organizations;
}

/// Implements the loaders of an organisation's offers or needs: pages of
/// one status, and how many there are of one status.
macro_rules! postings_of_organization {
    ($pages:ident, $count:ident, $model:ty, $pages_of:path, $count_of:path) => {
        impl Loader<$pages> for Batch {
            type Value = Page<$model>;
            type Error = LoadError;

            async fn load(&self, keys: &[$pages]) -> BatchResult<$pages, Self::Value> {
                let mut loaded = HashMap::new();
                for ((status, page), owners) in
                    grouped(keys, |k| ((k.status, k.page), k.organization_id))
                {
                    let pages = $pages_of(&self.db, &owners, status, page).await?;
                    loaded.extend(pages.into_iter().map(|(organization_id, list)| {
                        let key = $pages {
                            organization_id,
                            status,
                            page,
                        };
                        (key, list)
                    }));
                }
                Ok(loaded)
            }
        }

        impl Loader<$count> for Batch {
            type Value = u64;
            type Error = LoadError;

            async fn load(&self, keys: &[$count]) -> BatchResult<$count, Self::Value> {
                let mut loaded = HashMap::new();
                for (status, owners) in grouped(keys, |k| (k.status, k.organization_id)) {
                    let counts = $count_of(&self.db, &owners, status).await?;
                    loaded.extend(counts.into_iter().map(|(organization_id, count)| {
                        let key = $count {
                            organization_id,
                            status,
                        };
                        (key, count)
                    }));
                }
                Ok(loaded)
            }
        }
    };
}

postings_of_organization!(
    OffersOfOrganization,
    OfferCountOfOrganization,
    offers::Model,
    listing::offers_of_organizations,
    listing::count_offers_of_organizations
);
postings_of_organization!(
    NeedsOfOrganization,
    NeedCountOfOrganization,
    needs::Model,
    listing::needs_of_organizations,
    listing::count_needs_of_organizations
);

impl Loader<MembersOfOrganization> for Batch {
    type Value = Page<MemberRow>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[MembersOfOrganization],
    ) -> BatchResult<MembersOfOrganization, Self::Value> {
        let mut loaded = HashMap::new();
        for (page, owners) in grouped(keys, |k| (k.page, k.organization_id)) {
            let pages = listing::members_of_organizations(&self.db, &owners, page).await?;
            loaded.extend(pages.into_iter().map(|(organization_id, list)| {
                (
                    MembersOfOrganization {
                        organization_id,
                        page,
                    },
                    list,
                )
            }));
        }
        Ok(loaded)
    }
}
