//! The storage behind the cache API: one module per backend, one trait they share.
//!
//! Backends store and return encoded entries under full keys (`prefix:version:key`);
//! keys, timeouts, encoding, counters and the failure policy live once, in
//! [`crate::cache::Cache`].

mod cache_backend;
pub mod database;
pub mod file;
pub mod guarded;
pub mod kept;
pub mod memory;
pub mod options;
pub mod redis;

pub use cache_backend::{CacheBackend, NAMES_OR_OFF, PerBackend, UnknownBackend, off_or_backend};
pub use kept::{DecodedSlot, Kept};

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;

/// When an entry stops being readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Never ("forever", Django's `timeout=None`).
    Never,
    /// At this many milliseconds after the Unix epoch.
    At(u64),
}

impl Expiry {
    /// The expiry `timeout` from now.
    #[must_use]
    pub fn after(timeout: Duration) -> Self {
        let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        Self::At(now_millis().saturating_add(millis.max(1)))
    }

    /// Whether the entry is past its expiry at `now` (milliseconds since the epoch).
    #[must_use]
    pub fn is_expired_at(self, now: u64) -> bool {
        matches!(self, Self::At(at) if at <= now)
    }

    /// Whichever of the two comes first.
    #[must_use]
    pub fn min_with(self, other: Self) -> Self {
        match (self, other) {
            (Self::At(a), Self::At(b)) => Self::At(a.min(b)),
            (Self::At(at), Self::Never) | (Self::Never, Self::At(at)) => Self::At(at),
            (Self::Never, Self::Never) => Self::Never,
        }
    }

    /// Time left before expiry; `None` for an entry that never expires.
    #[must_use]
    pub fn remaining(self) -> Option<Duration> {
        match self {
            Self::Never => None,
            Self::At(at) => Some(Duration::from_millis(at.saturating_sub(now_millis()))),
        }
    }

    /// The milliseconds-since-epoch form file and database rows store; `None` = never.
    #[must_use]
    pub fn as_millis(self) -> Option<u64> {
        match self {
            Self::Never => None,
            Self::At(at) => Some(at),
        }
    }
}

/// Milliseconds since the Unix epoch, the clock every backend's expiry uses.
#[must_use]
pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

/// A backend could not do what it was asked: the cache turns this into a miss or
/// a no-op and logs it.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// Reading or writing files failed.
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    /// The SQLite cache table could not be used.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Redis refused, failed or could not be reached.
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    /// The backend did not answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The backend failed repeatedly and is skipped for a while (its circuit is open).
    #[error("backend unavailable: skipped after repeated failures, next try in {0:.1?}")]
    Unavailable(Duration),
}

/// When a bounded backend culls, and how much (Django's `MAX_ENTRIES` and
/// `CULL_FREQUENCY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cull {
    /// More entries than this trigger a cull.
    pub max_entries: u64,
    /// A cull removes `1 / cull_frequency` of the entries — expired ones first, then
    /// the oldest; 0 removes them all, as in Django.
    pub cull_frequency: u64,
}

impl Cull {
    /// How many of `count` entries one cull removes.
    #[must_use]
    pub fn victims(self, count: u64) -> u64 {
        count
            .checked_div(self.cull_frequency)
            .map_or(count, |share| share.max(1))
    }
}

/// How much a backend holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Entries.
    pub entries: u64,
    /// Bytes of keys and values, as the backend stores them.
    pub bytes: u64,
}

/// Why `incr` or `decr` did not change a value (Django raises `ValueError`).
#[derive(Debug, thiserror::Error)]
pub enum IncrError {
    /// There is no such key (or it has expired).
    #[error("key not found")]
    Missing,
    /// The stored value is not a decimal integer.
    #[error("value is not an integer")]
    NotInteger,
    /// The result would not fit in 64 bits.
    #[error("increment would overflow")]
    Overflow,
    /// The backend failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// Adds `delta` to a stored canonical decimal, the one rule every backend's `incr`
/// follows.
pub fn add_to_stored(stored: &[u8], delta: i64) -> Result<i64, IncrError> {
    let current = crate::cache::codec::parse_integer(stored).ok_or(IncrError::NotInteger)?;
    current.checked_add(delta).ok_or(IncrError::Overflow)
}

/// One kind of storage. Every method works on full keys and encoded entries.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Which backend this is.
    fn kind(&self) -> CacheBackend;

    /// Whether writes are being skipped now, the backend having failed them: work
    /// done only to be stored (compressing a page) is not worth doing.
    fn skips_writes(&self) -> bool {
        false
    }

    /// The entry under `key`, unless absent or expired.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, BackendError>;

    /// [`Backend::get`], with the entry's expiry where the backend can tell it in
    /// the same round trip (`None`: it cannot): the remaining lifetime the toolbar
    /// shows for a hit. Asked instead of `get` only while a request is recorded.
    async fn get_with_expiry(
        &self,
        key: &str,
    ) -> Result<Option<(Bytes, Option<Expiry>)>, BackendError> {
        Ok(self.get(key).await?.map(|value| (value, None)))
    }

    /// The entry under `key`, with its expiry when `with_expiry` asks for it (see
    /// [`Backend::get_with_expiry`]) and the slot for its decoded form where the
    /// backend keeps one: only a backend holding its entries in this process does.
    async fn get_kept(&self, key: &str, with_expiry: bool) -> Result<Option<Kept>, BackendError> {
        let found = if with_expiry {
            self.get_with_expiry(key).await?
        } else {
            self.get(key).await?.map(|value| (value, None))
        };
        Ok(found.map(|(value, expiry)| Kept {
            value,
            expiry,
            decoded: None,
        }))
    }

    /// [`Backend::get_kept`] of many keys, in the same order: one round trip where
    /// the backend can.
    async fn get_many_kept(
        &self,
        keys: &[String],
        with_expiry: bool,
    ) -> Result<Vec<Option<Kept>>, BackendError> {
        let found = if with_expiry {
            self.get_many_with_expiry(keys).await?
        } else {
            let found = self.get_many(keys).await?;
            found
                .into_iter()
                .map(|value| value.map(|value| (value, None)))
                .collect()
        };
        Ok(found
            .into_iter()
            .map(|entry| {
                entry.map(|(value, expiry)| Kept {
                    value,
                    expiry,
                    decoded: None,
                })
            })
            .collect())
    }

    /// [`Backend::get_many`], with each entry's expiry where the backend can tell it
    /// in the same round trip: asked instead only while a request is recorded.
    async fn get_many_with_expiry(
        &self,
        keys: &[String],
    ) -> Result<Vec<Option<(Bytes, Option<Expiry>)>>, BackendError> {
        let mut found = Vec::with_capacity(keys.len());
        for key in keys {
            found.push(self.get_with_expiry(key).await?);
        }
        Ok(found)
    }

    /// The entries under `keys`, in the same order.
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Bytes>>, BackendError> {
        let mut found = Vec::with_capacity(keys.len());
        for key in keys {
            found.push(self.get(key).await?);
        }
        Ok(found)
    }

    /// Stores `value` under `key`, replacing any entry.
    async fn set(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<(), BackendError>;

    /// Stores every entry with the same expiry.
    async fn set_many(
        &self,
        entries: &[(String, Bytes)],
        expiry: Expiry,
    ) -> Result<(), BackendError> {
        for (key, value) in entries {
            self.set(key, value.clone(), expiry).await?;
        }
        Ok(())
    }

    /// Stores `value` only if `key` holds no live entry; says whether it did.
    async fn add(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<bool, BackendError>;

    /// Removes `key`; says whether there was a live entry.
    async fn delete(&self, key: &str) -> Result<bool, BackendError>;

    /// Removes every key in `keys`; returns how many were there.
    async fn delete_many(&self, keys: &[String]) -> Result<u64, BackendError> {
        let mut deleted = 0;
        for key in keys {
            deleted += u64::from(self.delete(key).await?);
        }
        Ok(deleted)
    }

    /// Gives a live entry a new expiry; says whether there was one.
    async fn touch(&self, key: &str, expiry: Expiry) -> Result<bool, BackendError>;

    /// Atomically adds `delta` to the integer under `key`, keeping its expiry.
    async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError>;

    /// Whether `key` holds a live entry.
    async fn has_key(&self, key: &str) -> Result<bool, BackendError> {
        Ok(self.get(key).await?.is_some())
    }

    /// Removes every entry whose key starts with `namespace`, and nothing else.
    async fn clear(&self, namespace: &str) -> Result<(), BackendError>;

    /// What the backend holds now under `namespace` (expired entries it has not yet
    /// purged included); backends that cannot tell keys apart (files, named by a
    /// digest) count everything. Asked by the lab and the debug pages, never while
    /// serving a page.
    async fn usage(&self, namespace: &str) -> Result<Usage, BackendError>;
}
