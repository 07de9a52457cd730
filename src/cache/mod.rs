//! The cache API — Django's low-level cache API — over interchangeable backends.
//!
//! [`Cache`] builds keys (`prefix:version:key`), applies timeouts, encodes values
//! ([`codec`]) and applies the failure policy: a backend error is logged once per
//! burst and becomes a miss or a no-op, never an error for the caller (only
//! `incr`/`decr` report errors, as Django's do). Every call is accounted for once, in
//! [`call`]: counted in [`stats`] and recorded for the toolbar from the same result.

pub mod backends;
pub mod breaker;
pub mod call;
pub mod codec;
pub mod configured;
pub mod failure;
pub mod invalidation;
pub mod key;
pub mod stats;
pub mod strategies;
mod timeout;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use backends::options::BackendOptions;
use backends::{Backend, CacheBackend, DecodedSlot, Expiry, IncrError, Kept};
use call::{Keys, Outcome, Sizes};
use codec::{Codec, Packing};
use failure::BurstLog;
use key::KeyMaker;
use stats::{Stats, StatsSnapshot};
pub use timeout::Timeout;

/// A cache on one backend. Cheap to clone; clones share backend and counters.
#[derive(Clone)]
pub struct Cache {
    shared: Arc<Shared>,
    keys: KeyMaker,
}

struct Shared {
    backend: Arc<dyn Backend>,
    default_timeout: Timeout,
    codec: Codec,
    stats: Stats,
    errors: BurstLog,
    /// The most recent failure's reason, for the lab.
    last_error: std::sync::Mutex<Option<String>>,
}

impl Cache {
    /// A cache storing in `backend` with `options`' timeout, key prefix, version and
    /// compression; caches with other prefixes may share the backend.
    #[must_use]
    pub fn new(backend: Arc<dyn Backend>, options: &BackendOptions) -> Self {
        Self {
            keys: KeyMaker::new(&options.key_prefix, options.version),
            shared: Arc::new(Shared {
                backend,
                default_timeout: options.timeout,
                codec: Codec::new(options.compress_threshold),
                stats: Stats::default(),
                errors: BurstLog::default(),
                last_error: std::sync::Mutex::default(),
            }),
        }
    }

    /// Whether the backend skips writes now, having failed them (see
    /// [`Backend::skips_writes`]).
    #[must_use]
    pub fn skips_writes(&self) -> bool {
        self.shared.backend.skips_writes()
    }

    /// Which backend it stores in.
    #[must_use]
    pub fn backend(&self) -> CacheBackend {
        self.shared.backend.kind()
    }

    /// The counters so far (shared by every clone and version of this cache).
    #[must_use]
    pub fn stats(&self) -> StatsSnapshot {
        self.shared.stats.snapshot()
    }

    /// Why the backend failed last, if it ever did.
    #[must_use]
    pub fn last_error(&self) -> Option<String> {
        let last = self.shared.last_error.lock();
        last.unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The stored form of `key`: `prefix:version:key`.
    #[must_use]
    pub fn make_key(&self, key: &str) -> String {
        self.keys.make(key)
    }

    /// The version keys are made at.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.keys.version()
    }

    /// The same cache reading and writing keys of another version.
    #[must_use]
    pub fn with_version(&self, version: u64) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            keys: self.keys.at_version(version),
        }
    }

    fn expiry(&self, timeout: Timeout) -> Option<Expiry> {
        timeout.resolve(self.shared.default_timeout)
    }

    /// What `read` makes of a stored entry, with its sizes; `None` when there is none
    /// or it cannot be read (a miss, counted as one).
    fn decode<T>(
        stored: Option<&Bytes>,
        read: impl FnOnce(Bytes) -> Option<T>,
    ) -> Option<(T, Sizes)> {
        let stored = stored?;
        let value = Codec::decode(stored)?;
        let sizes = Sizes::of(&value, stored);
        Some((read(value)?, sizes))
    }

    /// The value under `key`, or `None` when absent, expired, unreadable or when the
    /// backend fails. A stored empty value is a hit.
    pub async fn get(&self, key: &str) -> Option<Bytes> {
        self.get_as(key, Some).await
    }

    /// [`Cache::get`] of a value `read` makes sense of: an entry it cannot read is a
    /// miss, for the caller and in the counters alike.
    pub async fn get_as<T>(&self, key: &str, read: impl FnOnce(Bytes) -> Option<T>) -> Option<T> {
        self.look_up(key, |kept| Self::decode(Some(&kept.value), read))
            .await
    }

    /// [`Cache::get_as`], shared: where the backend keeps entries in this process,
    /// `read` runs on an entry's first hit only and the next hits share its result,
    /// so that a page served from memory is not parsed again for every request.
    pub async fn get_decoded<T: Send + Sync + 'static>(
        &self,
        key: &str,
        read: impl FnOnce(Bytes) -> Option<T>,
    ) -> Option<Arc<T>> {
        self.look_up(key, |kept| Self::decode_kept(kept, read))
            .await
    }

    /// What `read` makes of `kept`, with its sizes: from the slot beside the entry
    /// when a hit filled it, else decoded now, and kept there for the next hits.
    fn decode_kept<T: Send + Sync + 'static>(
        kept: &Kept,
        read: impl FnOnce(Bytes) -> Option<T>,
    ) -> Option<(Arc<T>, Sizes)> {
        let slot = kept.decoded.as_ref();
        if let Some(decoded) = slot.and_then(DecodedSlot::get) {
            return Some(decoded);
        }
        let (value, sizes) = Self::decode(Some(&kept.value), read)?;
        let value = Arc::new(value);
        if let Some(slot) = slot {
            slot.fill(Arc::clone(&value), sizes);
        }
        Some((value, sizes))
    }

    /// The one lookup of a key, counted and recorded: what `found` makes of the
    /// entry, if there is one.
    async fn look_up<T>(
        &self,
        key: &str,
        found: impl FnOnce(&Kept) -> Option<(T, Sizes)>,
    ) -> Option<T> {
        let full = self.make_key(key);
        let started = Instant::now();
        // Only a recorded request asks for the entry's expiry, for the toolbar.
        let recording = crate::record::is_recording();
        let (value, outcome) = match self.shared.backend.get_kept(&full, recording).await {
            Ok(kept) => {
                let expiry = kept.as_ref().and_then(|kept| kept.expiry);
                let found = kept.as_ref().and_then(found);
                let mut outcome = Outcome::looked_up(found.as_ref().map(|(_, sizes)| *sizes));
                if let Outcome::Looked { expiry: known, .. } = &mut outcome {
                    *known = expiry;
                }
                (found.map(|(value, _)| value), outcome)
            }
            Err(error) => (None, failed(&error, 1)),
        };
        self.account("get", &Keys::One(&full), started, &outcome);
        value
    }

    /// The values found for `keys`, fetched in one round trip where the backend can.
    pub async fn get_many(&self, keys: &[&str]) -> HashMap<String, Bytes> {
        self.get_many_as(keys, Some).await
    }

    /// [`Cache::get_many`] of values `read` makes sense of; the others are misses.
    pub async fn get_many_as<T>(
        &self,
        keys: &[&str],
        read: impl Fn(Bytes) -> Option<T>,
    ) -> HashMap<String, T> {
        self.look_up_many(keys, |kept| Self::decode(Some(&kept.value), &read))
            .await
    }

    /// [`Cache::get_many_as`], each value shared as [`Cache::get_decoded`] shares one.
    pub async fn get_many_decoded<T: Send + Sync + 'static>(
        &self,
        keys: &[&str],
        read: impl Fn(Bytes) -> Option<T>,
    ) -> HashMap<String, Arc<T>> {
        self.look_up_many(keys, |kept| Self::decode_kept(kept, &read))
            .await
    }

    /// The one lookup of many keys, counted and recorded as one call: what `found_in`
    /// makes of each entry there is.
    async fn look_up_many<T>(
        &self,
        keys: &[&str],
        found_in: impl Fn(&Kept) -> Option<(T, Sizes)>,
    ) -> HashMap<String, T> {
        let full: Vec<String> = keys.iter().map(|key| self.make_key(key)).collect();
        let started = Instant::now();
        let mut found = HashMap::new();
        // Only a recorded request asks for the entries' expiries, for the toolbar.
        let recording = crate::record::is_recording();
        let outcome = match self.shared.backend.get_many_kept(&full, recording).await {
            Ok(stored) => {
                let mut sizes = Sizes::default();
                // A row for many entries shows the soonest to expire.
                let mut soonest: Option<backends::Expiry> = None;
                for (key, kept) in keys.iter().zip(stored) {
                    let Some(kept) = kept else { continue };
                    if let Some((value, size)) = found_in(&kept) {
                        sizes = sizes.plus(size);
                        found.insert((*key).to_owned(), value);
                        soonest = sooner(soonest, kept.expiry);
                    }
                }
                let hits = found.len() as u64;
                Outcome::Looked {
                    hits,
                    misses: keys.len() as u64 - hits,
                    sizes,
                    expiry: soonest,
                }
            }
            Err(error) => failed(&error, keys.len() as u64),
        };
        self.account("get_many", &Keys::Many(&full), started, &outcome);
        found
    }

    /// Stores `value` under `key` for `timeout`; a zero timeout stores nothing and
    /// removes any entry. Says whether the value was stored.
    pub async fn set(&self, key: &str, value: &[u8], timeout: Timeout) -> bool {
        self.set_many(&[(key, value)], timeout).await
    }

    /// Stores every entry for `timeout` (a zero timeout removes them); says whether
    /// they were stored.
    pub async fn set_many(&self, entries: &[(&str, &[u8])], timeout: Timeout) -> bool {
        let packed: Vec<(&str, &[u8], Packing)> = entries
            .iter()
            .map(|&(key, value)| (key, value, Packing::AsConfigured))
            .collect();
        self.set_many_packed(&packed, timeout).await
    }

    /// [`Cache::set_many`] of entries each saying whether it may be compressed.
    pub async fn set_many_packed(
        &self,
        entries: &[(&str, &[u8], Packing)],
        timeout: Timeout,
    ) -> bool {
        let Some(expiry) = self.expiry(timeout) else {
            let keys: Vec<&str> = entries.iter().map(|(key, ..)| *key).collect();
            self.delete_many(&keys).await;
            return false;
        };
        let mut sizes = Sizes::default();
        let encoded: Vec<(String, Bytes)> = entries
            .iter()
            .map(|&(key, value, packing)| {
                let stored = self.shared.codec.encode_packed(value, packing);
                sizes = sizes.plus(Sizes::of(value, &stored));
                (self.make_key(key), stored)
            })
            .collect();
        let started = Instant::now();
        let result = match encoded.as_slice() {
            [(key, value)] => self.shared.backend.set(key, value.clone(), expiry).await,
            _ => self.shared.backend.set_many(&encoded, expiry).await,
        };
        let outcome = match &result {
            Ok(()) => Outcome::Stored {
                count: encoded.len() as u64,
                sizes,
                expiry,
            },
            Err(error) => failed(error, 0),
        };
        let full: Vec<String> = encoded.into_iter().map(|(key, _)| key).collect();
        let (operation, keys) = match full.as_slice() {
            [key] => ("set", Keys::One(key)),
            _ => ("set_many", Keys::Many(&full)),
        };
        self.account(operation, &keys, started, &outcome);
        result.is_ok()
    }

    /// Stores `value` only if `key` holds nothing; says whether it did.
    pub async fn add(&self, key: &str, value: &[u8], timeout: Timeout) -> bool {
        let Some(expiry) = self.expiry(timeout) else {
            return false;
        };
        let stored = self.shared.codec.encode(value);
        let sizes = Sizes::of(value, &stored);
        let full = self.make_key(key);
        let started = Instant::now();
        let (added, outcome) = match self.shared.backend.add(&full, stored, expiry).await {
            Ok(true) => (
                true,
                Outcome::Stored {
                    count: 1,
                    sizes,
                    expiry,
                },
            ),
            Ok(false) => (false, Outcome::Exists),
            Err(error) => (false, failed(&error, 0)),
        };
        self.account("add", &Keys::One(&full), started, &outcome);
        added
    }

    /// The value under `key`; on a miss, computes it with `default`, adds it for
    /// `timeout` and returns it.
    pub async fn get_or_set<F, Fut>(&self, key: &str, timeout: Timeout, default: F) -> Bytes
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Bytes>,
    {
        if let Some(value) = self.get(key).await {
            return value;
        }
        let value = default().await;
        self.add(key, &value, timeout).await;
        value
    }

    /// Removes `key`; says whether it held a live entry.
    pub async fn delete(&self, key: &str) -> bool {
        self.delete_many(&[key]).await > 0
    }

    /// Removes every key in `keys`; returns how many held a live entry.
    pub async fn delete_many(&self, keys: &[&str]) -> u64 {
        let full: Vec<String> = keys.iter().map(|key| self.make_key(key)).collect();
        let started = Instant::now();
        let result = match full.as_slice() {
            [key] => self.shared.backend.delete(key).await.map(u64::from),
            _ => self.shared.backend.delete_many(&full).await,
        };
        let outcome = match &result {
            Ok(count) => Outcome::Deleted(*count),
            Err(error) => failed(error, 0),
        };
        let (operation, keys) = match full.as_slice() {
            [key] => ("delete", Keys::One(key)),
            _ => ("delete_many", Keys::Many(&full)),
        };
        self.account(operation, &keys, started, &outcome);
        result.unwrap_or(0)
    }

    /// Gives a live entry a new timeout (zero removes it); says whether there was one.
    pub async fn touch(&self, key: &str, timeout: Timeout) -> bool {
        let Some(expiry) = self.expiry(timeout) else {
            return self.delete(key).await;
        };
        let full = self.make_key(key);
        let started = Instant::now();
        let result = self.shared.backend.touch(&full, expiry).await;
        self.present("touch", &full, started, result)
    }

    /// Whether `key` holds a live entry.
    pub async fn has_key(&self, key: &str) -> bool {
        let full = self.make_key(key);
        let started = Instant::now();
        let result = self.shared.backend.has_key(&full).await;
        self.present("has_key", &full, started, result)
    }

    fn present(
        &self,
        operation: &'static str,
        full: &str,
        started: Instant,
        result: Result<bool, backends::BackendError>,
    ) -> bool {
        let outcome = match &result {
            Ok(present) => Outcome::Present(*present),
            Err(error) => failed(error, 0),
        };
        self.account(operation, &Keys::One(full), started, &outcome);
        result.unwrap_or(false)
    }

    /// Atomically adds `delta` to the integer under `key`, keeping its remaining
    /// lifetime; a missing key or a value that is not an integer is an error.
    pub async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        let full = self.make_key(key);
        let started = Instant::now();
        let result = self.shared.backend.incr(&full, delta).await;
        let outcome = match &result {
            Ok(_) => Outcome::Incremented,
            Err(IncrError::Missing) => Outcome::Refused("absent"),
            Err(IncrError::NotInteger) => Outcome::Refused("not an integer"),
            Err(IncrError::Overflow) => Outcome::Refused("overflow"),
            Err(IncrError::Backend(error)) => failed(error, 0),
        };
        self.account("incr", &Keys::One(&full), started, &outcome);
        result
    }

    /// [`Cache::incr`] by `-delta`.
    pub async fn decr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        self.incr(key, delta.checked_neg().ok_or(IncrError::Overflow)?)
            .await
    }

    /// Moves `key`'s value to the next version, as Django's `incr_version` does:
    /// readers at the current version no longer see it. Returns the new version.
    pub async fn incr_version(&self, key: &str) -> Result<u64, IncrError> {
        let value = self.get(key).await.ok_or(IncrError::Missing)?;
        let next = self.version() + 1;
        let remaining = self.with_version(next);
        remaining.set(key, &value, Timeout::Default).await;
        self.delete(key).await;
        Ok(next)
    }

    /// Removes every entry of this cache's key prefix, of every version, and no
    /// other: Redis and files may be shared.
    pub async fn clear(&self) -> bool {
        let namespace = self.keys.namespace();
        let started = Instant::now();
        let result = self.shared.backend.clear(&namespace).await;
        let outcome = match &result {
            Ok(()) => Outcome::Cleared,
            Err(error) => failed(error, 0),
        };
        self.account("clear", &Keys::One(&namespace), started, &outcome);
        result.is_ok()
    }

    /// What the backend holds now under this cache's key prefix (see
    /// [`Backend::usage`]). Not a cache call: the lab and the debug pages ask, never
    /// a request.
    pub async fn usage(&self) -> Result<backends::Usage, backends::BackendError> {
        self.shared.backend.usage(&self.keys.namespace()).await
    }

    /// [`Cache::get`] of a JSON-encoded value; an undecodable value is a miss.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.get_as(key, |bytes| serde_json::from_slice(&bytes).ok())
            .await
    }

    /// [`Cache::set`] of `value` encoded as JSON (integers stay `incr`-able).
    pub async fn set_json<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        timeout: Timeout,
    ) -> bool {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.set(key, &bytes, timeout).await,
            Err(_) => false,
        }
    }
}

/// The expiry that comes first of `a` and `b`, an unknown one aside.
fn sooner(a: Option<backends::Expiry>, b: Option<backends::Expiry>) -> Option<backends::Expiry> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min_with(b)),
        (known, None) | (None, known) => known,
    }
}

/// The outcome of a call that failed, with the lookups it turned into misses.
fn failed(error: &backends::BackendError, misses: u64) -> Outcome {
    Outcome::Failed {
        error: error.to_string(),
        misses,
    }
}
