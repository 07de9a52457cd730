//! The cache API — Django's low-level cache API — over interchangeable backends.
//!
//! [`Cache`] builds keys (`prefix:version:key`), applies timeouts, encodes values
//! ([`codec`]), counts what happens ([`stats`]) and applies the failure policy: a
//! backend error is logged once per burst and becomes a miss or a no-op, never an
//! error for the caller (only `incr`/`decr` report errors, as Django's do).

pub mod backends;
pub mod codec;
pub mod configured;
mod failure;
pub mod key;
mod recorded;
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

use backends::{Backend, BackendError, Expiry, IncrError};
use codec::Codec;
use failure::ErrorLog;
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
    errors: ErrorLog,
}

/// How a cache is set up, whatever its backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOptions {
    /// Timeout of writes that give none (Django's `TIMEOUT`, 300 s by default).
    pub default_timeout: Timeout,
    /// First part of every key, so apps can share a backend.
    pub key_prefix: String,
    /// Second part of every key; bump it to hide every older entry.
    pub version: u64,
    /// Values longer than this many bytes are compressed; 0 never compresses.
    pub compress_threshold: usize,
}

impl Cache {
    /// A cache storing in `backend`; caches with other prefixes may share it.
    #[must_use]
    pub fn new(backend: Arc<dyn Backend>, options: &CacheOptions) -> Self {
        Self {
            keys: KeyMaker::new(&options.key_prefix, options.version),
            shared: Arc::new(Shared {
                backend: Arc::new(recorded::Recorded::new(backend)),
                default_timeout: options.default_timeout,
                codec: Codec::new(options.compress_threshold),
                stats: Stats::default(),
                errors: ErrorLog::default(),
            }),
        }
    }

    /// The backend's name: `memory`, `file`, `database` or `redis`.
    #[must_use]
    pub fn backend_name(&self) -> &'static str {
        self.shared.backend.name()
    }

    /// The counters so far (shared by every clone and version of this cache).
    #[must_use]
    pub fn stats(&self) -> StatsSnapshot {
        self.shared.stats.snapshot()
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

    /// Runs a backend call, timing it; a failure is counted, logged, and `None`.
    async fn call<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, BackendError>>,
    ) -> Option<T> {
        let started = Instant::now();
        let result = call.await;
        self.shared.stats.spent(started.elapsed());
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.shared.stats.error();
                self.shared
                    .errors
                    .record(self.backend_name(), operation, &error);
                None
            }
        }
    }

    fn expiry(&self, timeout: Timeout) -> Option<Expiry> {
        timeout.resolve(self.shared.default_timeout)
    }

    fn encode(&self, value: &[u8]) -> Bytes {
        let stored = self.shared.codec.encode(value);
        self.shared.stats.set(value.len(), stored.len());
        stored
    }

    fn decode(&self, stored: Option<&Bytes>) -> Option<Bytes> {
        let value = stored.and_then(Codec::decode);
        if value.is_some() {
            self.shared.stats.hit();
        } else {
            self.shared.stats.miss();
        }
        value
    }

    /// The value under `key`, or `None` when absent, expired, unreadable or when the
    /// backend fails. A stored empty value is a hit.
    pub async fn get(&self, key: &str) -> Option<Bytes> {
        let stored = self
            .call("get", self.shared.backend.get(&self.make_key(key)))
            .await;
        self.decode(stored.flatten().as_ref())
    }

    /// The values found for `keys`, fetched in one round trip where the backend can.
    pub async fn get_many(&self, keys: &[&str]) -> HashMap<String, Bytes> {
        let full: Vec<String> = keys.iter().map(|key| self.make_key(key)).collect();
        let found = self
            .call("get_many", self.shared.backend.get_many(&full))
            .await;
        let found = found.unwrap_or_else(|| vec![None; keys.len()]);
        keys.iter()
            .zip(found)
            .filter_map(|(key, stored)| Some(((*key).to_owned(), self.decode(stored.as_ref())?)))
            .collect()
    }

    /// Stores `value` under `key` for `timeout`; a zero timeout stores nothing and
    /// removes any entry. Says whether the value was stored.
    pub async fn set(&self, key: &str, value: &[u8], timeout: Timeout) -> bool {
        let full = self.make_key(key);
        let Some(expiry) = self.expiry(timeout) else {
            self.call("delete", self.shared.backend.delete(&full)).await;
            return false;
        };
        let stored = self.encode(value);
        self.call("set", self.shared.backend.set(&full, stored, expiry))
            .await
            .is_some()
    }

    /// Stores every entry for `timeout`; says whether they were stored.
    pub async fn set_many(&self, entries: &[(&str, &[u8])], timeout: Timeout) -> bool {
        let Some(expiry) = self.expiry(timeout) else {
            let keys: Vec<&str> = entries.iter().map(|(key, _)| *key).collect();
            self.delete_many(&keys).await;
            return false;
        };
        let encoded: Vec<(String, Bytes)> = entries
            .iter()
            .map(|(key, value)| (self.make_key(key), self.encode(value)))
            .collect();
        let call = self.shared.backend.set_many(&encoded, expiry);
        self.call("set_many", call).await.is_some()
    }

    /// Stores `value` only if `key` holds nothing; says whether it did.
    pub async fn add(&self, key: &str, value: &[u8], timeout: Timeout) -> bool {
        let Some(expiry) = self.expiry(timeout) else {
            return false;
        };
        let stored = self.encode(value);
        let full = self.make_key(key);
        let call = self.shared.backend.add(&full, stored, expiry);
        self.call("add", call).await.unwrap_or(false)
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
        let deleted = self
            .call("delete", self.shared.backend.delete(&self.make_key(key)))
            .await;
        let deleted = deleted.unwrap_or(false);
        self.shared.stats.deleted(u64::from(deleted));
        deleted
    }

    /// Removes every key in `keys`.
    pub async fn delete_many(&self, keys: &[&str]) {
        let full: Vec<String> = keys.iter().map(|key| self.make_key(key)).collect();
        let deleted = self
            .call("delete_many", self.shared.backend.delete_many(&full))
            .await;
        self.shared.stats.deleted(deleted.unwrap_or(0));
    }

    /// Gives a live entry a new timeout (zero removes it); says whether there was one.
    pub async fn touch(&self, key: &str, timeout: Timeout) -> bool {
        let full = self.make_key(key);
        match self.expiry(timeout) {
            Some(expiry) => {
                self.call("touch", self.shared.backend.touch(&full, expiry))
                    .await
            }
            None => self.call("delete", self.shared.backend.delete(&full)).await,
        }
        .unwrap_or(false)
    }

    /// Whether `key` holds a live entry.
    pub async fn has_key(&self, key: &str) -> bool {
        let full = self.make_key(key);
        self.call("has_key", self.shared.backend.has_key(&full))
            .await
            .unwrap_or(false)
    }

    /// Atomically adds `delta` to the integer under `key`, keeping its remaining
    /// lifetime; a missing key or a value that is not an integer is an error.
    pub async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        let started = Instant::now();
        let result = self.shared.backend.incr(&self.make_key(key), delta).await;
        self.shared.stats.spent(started.elapsed());
        if let Err(IncrError::Backend(error)) = &result {
            self.shared.stats.error();
            self.shared
                .errors
                .record(self.backend_name(), "incr", error);
        }
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
        self.call("clear", self.shared.backend.clear(&namespace))
            .await
            .is_some()
    }

    /// How many entries the backend holds, if it can say.
    pub async fn entry_count(&self) -> Option<u64> {
        self.call("entry_count", self.shared.backend.entry_count())
            .await
    }

    /// [`Cache::get`] of a JSON-encoded value; an undecodable value is a miss.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        serde_json::from_slice(&self.get(key).await?).ok()
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
