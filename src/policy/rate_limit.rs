//! Rate limits on the operations attackers repeat (sign-in, registration,
//! the e-mails anyone can make Trama send, the password check of account
//! deletion, requests to join an organisation), keyed so that an attacker
//! slows down only themselves and never locks out the person they target.
//!
//! # How the limits are keyed
//!
//! Each operation has buckets of its own, so one operation never uses up
//! another's (asking for verification links does not block a password
//! reset). Within an operation:
//!
//! - **Sign-in** counts *failures* only, per (address, client) and per client:
//!   whoever guesses a password from one client is stopped, while the owner,
//!   from their own client, still gets in; a success gives its attempt back
//!   and clears the (address, client) failures.
//! - **E-mails sent to an address** (password reset, verification link) count
//!   per (address, client), per client, and per address with a ceiling above
//!   what one client may use: the ceiling keeps an inbox from being flooded,
//!   and no single client can reach it and starve the owner.
//! - **Account deletion** counts wrong passwords per account.
//!
//! A client is its IP address, or its /64 network for IPv6 (one subscriber
//! holds a whole /64, so counting single IPv6 addresses would give them
//! billions of allowances).
//!
//! # The limiter
//!
//! Each bucket is a [`governor`] GCRA limiter (`max` attempts, refilled
//! evenly over `per`) over a store of our own: a least-recently-used map
//! with a fixed number of keys. Keys are 64-bit keyed hashes (SipHash with a
//! per-process random key, so nobody can make two keys collide), so an
//! entry costs a few dozen bytes whatever the key. A flood of junk keys
//! evicts the keys used least recently, never the ones an active abuser
//! keeps hitting, and every check stays O(1); evicting a key forgets at
//! most its own allowance, which an attacker only gets back by sending more
//! distinct keys than the cap through the per-client buckets, that is from
//! more clients than the cap. Keys whose state is back to fresh are also
//! swept out once a minute. Each process keeps its own counters: with
//! several processes the effective limit is per process, which still stops
//! brute force and needs no shared store.

use std::hash::{BuildHasher, Hash, RandomState};
use std::net::IpAddr;
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use governor::clock::{Clock, MonotonicClock};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::{NotUntil, Quota};
use lru::LruCache;
use uuid::Uuid;

use crate::error::AppError;

/// One limit: at most `max` attempts within `per`, refilled evenly (one
/// attempt every `per / max`).
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: u32,
    pub per: Duration,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The buckets: one per operation and per way of keying it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Failed sign-ins to one address from one client: password guessing.
    LoginFailuresPerAddressAndClient,
    /// Failed sign-ins from one client, whatever the address: one client
    /// trying many accounts.
    LoginFailuresPerClient,
    /// New accounts from one client.
    RegisterPerClient,
    /// Password-reset e-mails to one address asked by one client.
    PasswordResetPerAddressAndClient,
    /// Password-reset e-mails to one address, all clients together: the
    /// inbox's ceiling, above what one client may use.
    PasswordResetPerAddress,
    /// Password-reset e-mails asked by one client, whatever the address.
    PasswordResetPerClient,
    /// Verification links to one address asked by one client.
    VerificationPerAddressAndClient,
    /// Verification links to one address, all clients together.
    VerificationPerAddress,
    /// Verification links asked by one client.
    VerificationPerClient,
    /// Wrong passwords given to delete an account.
    DeleteAccountFailuresPerAccount,
    /// Requests to join or claim organisations made by one account.
    OrganizationRequestsPerAccount,
    /// Claim confirmations e-mailed to one organisation's registered
    /// addresses.
    ClaimMailsPerOrganization,
    /// Reports of abusive content made by one account.
    ContentReportsPerAccount,
    /// Messages written by one account (each may e-mail the other side).
    MessagesPerAccount,
}

impl Bucket {
    pub const ALL: [Bucket; 14] = [
        Self::LoginFailuresPerAddressAndClient,
        Self::LoginFailuresPerClient,
        Self::RegisterPerClient,
        Self::PasswordResetPerAddressAndClient,
        Self::PasswordResetPerAddress,
        Self::PasswordResetPerClient,
        Self::VerificationPerAddressAndClient,
        Self::VerificationPerAddress,
        Self::VerificationPerClient,
        Self::DeleteAccountFailuresPerAccount,
        Self::OrganizationRequestsPerAccount,
        Self::ClaimMailsPerOrganization,
        Self::ContentReportsPerAccount,
        Self::MessagesPerAccount,
    ];

    /// The limits in force.
    pub const fn limit(self) -> Limit {
        match self {
            Self::LoginFailuresPerAddressAndClient => Limit {
                max: 10,
                per: Duration::from_secs(15 * 60),
            },
            Self::LoginFailuresPerClient => Limit {
                max: 50,
                per: Duration::from_secs(15 * 60),
            },
            Self::RegisterPerClient => Limit { max: 10, per: HOUR },
            Self::PasswordResetPerAddressAndClient | Self::VerificationPerAddressAndClient => {
                Limit { max: 3, per: HOUR }
            }
            Self::PasswordResetPerAddress | Self::VerificationPerAddress => {
                Limit { max: 10, per: HOUR }
            }
            Self::PasswordResetPerClient | Self::VerificationPerClient => {
                Limit { max: 20, per: HOUR }
            }
            Self::DeleteAccountFailuresPerAccount => Limit {
                max: 5,
                per: Duration::from_secs(15 * 60),
            },
            Self::OrganizationRequestsPerAccount => Limit { max: 10, per: DAY },
            Self::ClaimMailsPerOrganization => Limit { max: 3, per: DAY },
            Self::ContentReportsPerAccount => Limit { max: 20, per: DAY },
            // A lively exchange stays well below; a script flooding the
            // other side's inboxes does not.
            Self::MessagesPerAccount => Limit { max: 60, per: HOUR },
        }
    }

    fn index(self) -> usize {
        // `ALL` lists every variant once, in declaration order.
        self as usize
    }
}

/// Who is asking, for the per-client buckets: an IPv4 address, or the /64
/// network of an IPv6 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Client(Option<IpAddr>);

impl Client {
    pub fn from_ip(ip: IpAddr) -> Self {
        let ip = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let mut octets = v6.octets();
                    octets[8..].fill(0);
                    IpAddr::from(octets)
                }
            },
            v4 => v4,
        };
        Self(Some(ip))
    }

    /// A request that did not come over the network (tests, tools): all
    /// such requests share one client.
    pub fn unknown() -> Self {
        Self(None)
    }
}

/// What a bucket counts: an opaque keyed hash of its parts (see the module
/// documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(u64);

/// How many keys each bucket holds at most.
pub const DEFAULT_KEYS_PER_BUCKET: usize = 50_000;
/// How often keys back to a fresh state are swept out.
const SWEEP_EVERY: Duration = MINUTE;

type Keyed = governor::RateLimiter<u64, LruStore, MonotonicClock, NoOpMiddleware<Instant>>;

/// One limiter per [`Bucket`], each with a bounded store.
pub struct RateLimiter {
    buckets: Vec<(Keyed, LruStore, Nanos)>,
    hasher: RandomState,
    last_sweep: Mutex<Instant>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("entries", &self.entries())
            .finish_non_exhaustive()
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl RateLimiter {
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_KEYS_PER_BUCKET)
    }

    /// A limiter whose buckets hold at most `keys_per_bucket` keys each.
    pub fn with_capacity(keys_per_bucket: usize) -> Self {
        let capacity = NonZeroUsize::new(keys_per_bucket).unwrap_or(NonZeroUsize::MIN);
        let buckets = Bucket::ALL
            .iter()
            .map(|bucket| {
                let quota = quota(bucket.limit());
                let store = LruStore::new(capacity);
                let refill = Nanos::from(quota.replenish_interval());
                let limiter = governor::RateLimiter::new(quota, store.clone(), MonotonicClock);
                (limiter, store, refill)
            })
            .collect();
        Self {
            buckets,
            hasher: RandomState::new(),
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// The key of `parts` (an address, a client, an account...).
    pub fn key(&self, parts: impl Hash) -> Key {
        Key(self.hasher.hash_one(parts))
    }

    /// The key of an e-mail address as typed: trimmed and lower-cased, so
    /// that `Anna@Example.org ` and `anna@example.org` are one address.
    pub fn address_key(&self, address: &str) -> Key {
        self.key(("address", address.trim().to_lowercase()))
    }

    pub fn client_key(&self, client: Client) -> Key {
        self.key(("client", client))
    }

    pub fn address_and_client_key(&self, address: &str, client: Client) -> Key {
        self.key(("address+client", address.trim().to_lowercase(), client))
    }

    pub fn account_key(&self, account: Uuid) -> Key {
        self.key(("account", account))
    }

    /// Takes one attempt from each `(bucket, key)`, all or none: when one
    /// is used up, the attempts already taken are given back and the
    /// answer is RATE_LIMITED with how long to wait. The [`Permit`] gives
    /// them back too, for operations that count failures only.
    pub fn acquire(&self, attempts: &[(Bucket, Key)]) -> Result<Permit<'_>, AppError> {
        self.sweep_if_due();
        let mut permit = Permit {
            limiter: self,
            taken: Vec::with_capacity(attempts.len()),
        };
        for &(bucket, key) in attempts {
            let (limiter, _, _) = &self.buckets[bucket.index()];
            match limiter.check_key(&key.0) {
                Ok(()) => permit.taken.push((bucket, key)),
                Err(refused) => {
                    permit.give_back();
                    return Err(rate_limited(limiter, &refused));
                }
            }
        }
        Ok(permit)
    }

    /// Forgets everything `bucket` counted under `key` (a success clears the
    /// failures before it).
    pub fn reset(&self, bucket: Bucket, key: Key) {
        self.buckets[bucket.index()].1.remove(key.0);
    }

    /// How many keys all buckets hold together.
    pub fn entries(&self) -> usize {
        self.buckets.iter().map(|(_, store, _)| store.len()).sum()
    }

    /// Drops the keys whose state is back to fresh, in every bucket, at most
    /// once every [`SWEEP_EVERY`]; whoever finds the sweep under way goes on.
    fn sweep_if_due(&self) {
        let Ok(mut last) = self.last_sweep.try_lock() else {
            return;
        };
        if last.elapsed() < SWEEP_EVERY {
            return;
        }
        *last = Instant::now();
        for (limiter, _, _) in &self.buckets {
            limiter.retain_recent();
        }
    }
}

/// Attempts taken by [`RateLimiter::acquire`]: kept when dropped, given back
/// with [`Permit::give_back`].
#[must_use = "a permit is kept when dropped; give it back when the attempt must not count"]
pub struct Permit<'a> {
    limiter: &'a RateLimiter,
    taken: Vec<(Bucket, Key)>,
}

impl Permit<'_> {
    /// Keeps the attempts: they count against the limits.
    pub fn keep(self) {}

    /// Gives the attempts back: the operation succeeded (sign-in counts
    /// failures only) or failed for a reason that is not the caller's.
    pub fn give_back(mut self) {
        for (bucket, key) in self.taken.drain(..) {
            let (_, store, refill) = &self.limiter.buckets[bucket.index()];
            store.give_back(key.0, *refill);
        }
    }
}

fn quota(limit: Limit) -> Quota {
    let max = NonZeroU32::new(limit.max).unwrap_or(NonZeroU32::MIN);
    let refill = limit.per / max.get();
    Quota::with_period(refill.max(Duration::from_nanos(1)))
        .unwrap_or_else(|| Quota::per_hour(max))
        .allow_burst(max)
}

fn rate_limited(limiter: &Keyed, refused: &NotUntil<Instant>) -> AppError {
    let wait = refused.wait_time_from(limiter.clock().now());
    AppError::RateLimited {
        retry_after_secs: wait.as_secs().max(1),
    }
}

/// A bucket's state: each key's theoretical arrival time (GCRA), in
/// nanoseconds since the limiter started, in a map of bounded size that
/// evicts the least recently used key when full.
#[derive(Clone)]
struct LruStore(Arc<Mutex<LruCache<u64, u64>>>);

impl LruStore {
    fn new(capacity: NonZeroUsize) -> Self {
        Self(Arc::new(Mutex::new(LruCache::new(capacity))))
    }

    /// A poisoned lock only means another request panicked mid-update of
    /// one number: the map is still sound, so go on with it.
    fn map(&self) -> MutexGuard<'_, LruCache<u64, u64>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.map().len()
    }

    fn remove(&self, key: u64) {
        self.map().pop(&key);
    }

    /// Undoes one attempt: GCRA moves the arrival time forward by one refill
    /// interval per attempt, so moving it back by one gives exactly one
    /// attempt back, whatever came in between.
    fn give_back(&self, key: u64, refill: Nanos) {
        if let Some(arrival) = self.map().peek_mut(&key) {
            *arrival = arrival.saturating_sub(refill.as_u64());
        }
    }
}

impl StateStore for LruStore {
    type Key = u64;

    fn measure_and_replace<T, F, E>(&self, key: &u64, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let mut map = self.map();
        let current = map.get(key).copied().map(Nanos::from);
        let (result, next) = f(current)?;
        map.put(*key, next.as_u64());
        Ok(result)
    }
}

impl ShrinkableKeyedStateStore<u64> for LruStore {
    fn retain_recent(&self, drop_below: Nanos) {
        let mut map = self.map();
        let stale: Vec<u64> = map
            .iter()
            .filter(|(_, arrival)| **arrival <= drop_below.as_u64())
            .map(|(key, _)| *key)
            .collect();
        for key in stale {
            map.pop(&key);
        }
    }

    fn len(&self) -> usize {
        LruStore::len(self)
    }

    fn is_empty(&self) -> bool {
        self.map().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<Permit<'_>, AppError>) -> u64 {
        match result {
            Err(AppError::RateLimited { retry_after_secs }) => retry_after_secs,
            Err(other) => panic!("expected RATE_LIMITED, got {other:?}"),
            Ok(_) => panic!("expected RATE_LIMITED, got a permit"),
        }
    }

    #[test]
    fn a_bucket_refuses_past_its_limit_and_keys_are_separate() {
        let limiter = RateLimiter::new();
        let a = limiter.address_key("a@example.org");
        for _ in 0..3 {
            limiter
                .acquire(&[(Bucket::PasswordResetPerAddressAndClient, a)])
                .expect("within the limit")
                .keep();
        }
        let wait = refused(limiter.acquire(&[(Bucket::PasswordResetPerAddressAndClient, a)]));
        assert!((1..=3600).contains(&wait), "{wait}");
        // Another key, and the same key in another bucket, are untouched.
        let b = limiter.address_key("b@example.org");
        assert!(
            limiter
                .acquire(&[(Bucket::PasswordResetPerAddressAndClient, b)])
                .is_ok()
        );
        assert!(
            limiter
                .acquire(&[(Bucket::VerificationPerAddressAndClient, a)])
                .is_ok()
        );
    }

    #[test]
    fn acquiring_is_all_or_nothing() {
        let limiter = RateLimiter::new();
        let full = limiter.key("full");
        let other = limiter.key("other");
        for _ in 0..3 {
            limiter
                .acquire(&[(Bucket::ClaimMailsPerOrganization, full)])
                .expect("within the limit")
                .keep();
        }
        // `other` is taken first, then `full` refuses: `other` gets its
        // attempt back.
        for _ in 0..20 {
            refused(limiter.acquire(&[
                (Bucket::ClaimMailsPerOrganization, other),
                (Bucket::ClaimMailsPerOrganization, full),
            ]));
        }
        for _ in 0..3 {
            limiter
                .acquire(&[(Bucket::ClaimMailsPerOrganization, other)])
                .expect("other's attempts were given back")
                .keep();
        }
    }

    #[test]
    fn given_back_attempts_do_not_count_and_reset_clears() {
        let limiter = RateLimiter::new();
        let key = limiter.account_key(Uuid::now_v7());
        for _ in 0..100 {
            limiter
                .acquire(&[(Bucket::DeleteAccountFailuresPerAccount, key)])
                .expect("successes never count")
                .give_back();
        }
        for _ in 0..5 {
            limiter
                .acquire(&[(Bucket::DeleteAccountFailuresPerAccount, key)])
                .expect("within the limit")
                .keep();
        }
        refused(limiter.acquire(&[(Bucket::DeleteAccountFailuresPerAccount, key)]));
        limiter.reset(Bucket::DeleteAccountFailuresPerAccount, key);
        assert!(
            limiter
                .acquire(&[(Bucket::DeleteAccountFailuresPerAccount, key)])
                .is_ok()
        );
    }

    #[test]
    fn every_bucket_has_its_own_limiter() {
        for (i, bucket) in Bucket::ALL.iter().enumerate() {
            assert_eq!(bucket.index(), i, "{bucket:?}");
        }
    }

    #[test]
    fn clients_are_addresses_or_ipv6_networks() {
        let v6 = |s: &str| Client::from_ip(s.parse().expect("address"));
        assert_eq!(v6("2001:db8:1:2::1"), v6("2001:db8:1:2:ffff::9"));
        assert_ne!(v6("2001:db8:1:2::1"), v6("2001:db8:1:3::1"));
        assert_eq!(v6("::ffff:192.0.2.1"), v6("192.0.2.1"));
        assert_ne!(v6("192.0.2.1"), v6("192.0.2.2"));
    }

    #[test]
    fn a_store_stays_within_its_capacity() {
        let limiter = RateLimiter::with_capacity(100);
        for i in 0..1_000 {
            if let Ok(permit) = limiter.acquire(&[(Bucket::RegisterPerClient, limiter.key(i))]) {
                permit.keep();
            }
        }
        assert_eq!(limiter.entries(), 100);
    }
}
