//! `memory`: process memory, in a moka cache bounded by entries or bytes, each
//! entry expiring at its own time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use moka::future::Cache as Moka;
use moka::ops::compute::Op;

use super::{
    Backend, BackendError, CacheBackend, DecodedSlot, Expiry, IncrError, Kept, Usage, add_to_stored,
};

/// What moka holds for a key: the stored bytes and, beside them, what they decode
/// to once a hit has decoded them (a page's headers, parsed once per entry).
#[derive(Clone)]
struct Entry {
    value: Bytes,
    expiry: Expiry,
    decoded: DecodedSlot,
}

impl Entry {
    fn new(value: Bytes, expiry: Expiry) -> Self {
        Self {
            value,
            expiry,
            decoded: DecodedSlot::default(),
        }
    }

    /// The entry as the cache API reads it, with its expiry if asked for.
    fn kept(self, with_expiry: bool) -> Kept {
        Kept {
            value: self.value,
            expiry: with_expiry.then_some(self.expiry),
            decoded: Some(self.decoded),
        }
    }
}

/// Tells moka each entry's own lifetime, on insert and on every update.
struct PerEntryExpiry;

impl moka::Expiry<String, Entry> for PerEntryExpiry {
    fn expire_after_create(&self, _: &String, entry: &Entry, _: Instant) -> Option<Duration> {
        entry.expiry.remaining()
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Entry,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        entry.expiry.remaining()
    }
}

/// How the memory backend is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// At most this many entries.
    Entries(u64),
    /// At most this many bytes of keys and values.
    Bytes(u64),
}

/// The in-process backend (Django's `LocMemCache`, with a real eviction policy).
pub struct MemoryBackend {
    entries: Moka<String, Entry>,
}

impl MemoryBackend {
    /// An empty cache within `bound`.
    #[must_use]
    pub fn new(bound: Bound) -> Self {
        let builder = Moka::builder().expire_after(PerEntryExpiry);
        let entries = match bound {
            Bound::Entries(count) => builder.max_capacity(count).build(),
            Bound::Bytes(bytes) => builder
                .max_capacity(bytes)
                .weigher(|key: &String, entry: &Entry| {
                    u32::try_from(key.len() + entry.value.len()).unwrap_or(u32::MAX)
                })
                .build(),
        };
        Self { entries }
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    fn kind(&self) -> CacheBackend {
        CacheBackend::Memory
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, BackendError> {
        Ok(self.entries.get(key).await.map(|entry| entry.value))
    }

    async fn get_with_expiry(
        &self,
        key: &str,
    ) -> Result<Option<(Bytes, Option<Expiry>)>, BackendError> {
        let entry = self.entries.get(key).await;
        Ok(entry.map(|entry| (entry.value, Some(entry.expiry))))
    }

    async fn get_kept(&self, key: &str, with_expiry: bool) -> Result<Option<Kept>, BackendError> {
        let entry = self.entries.get(key).await;
        Ok(entry.map(|entry| entry.kept(with_expiry)))
    }

    async fn get_many_kept(
        &self,
        keys: &[String],
        with_expiry: bool,
    ) -> Result<Vec<Option<Kept>>, BackendError> {
        let mut found = Vec::with_capacity(keys.len());
        for key in keys {
            let entry = self.entries.get(key).await;
            found.push(entry.map(|entry| entry.kept(with_expiry)));
        }
        Ok(found)
    }

    async fn set(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<(), BackendError> {
        self.entries
            .insert(key.to_owned(), Entry::new(value, expiry))
            .await;
        Ok(())
    }

    async fn add(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<bool, BackendError> {
        let entry = self
            .entries
            .entry(key.to_owned())
            .or_insert(Entry::new(value, expiry))
            .await;
        Ok(entry.is_fresh())
    }

    async fn delete(&self, key: &str) -> Result<bool, BackendError> {
        Ok(self.entries.remove(key).await.is_some())
    }

    async fn touch(&self, key: &str, expiry: Expiry) -> Result<bool, BackendError> {
        let result = self
            .entries
            .entry_by_ref(key)
            .and_compute_with(|current| async move {
                match current {
                    Some(entry) => Op::Put(Entry {
                        expiry,
                        ..entry.into_value()
                    }),
                    None => Op::Nop,
                }
            })
            .await;
        Ok(result.into_entry().is_some())
    }

    async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        let mut outcome = Err(IncrError::Missing);
        let written = &mut outcome;
        self.entries
            .entry_by_ref(key)
            .and_compute_with(|current| async move {
                let Some(entry) = current.map(moka::Entry::into_value) else {
                    return Op::Nop;
                };
                *written = add_to_stored(&entry.value, delta);
                match written {
                    Ok(sum) => Op::Put(Entry::new(Bytes::from(sum.to_string()), entry.expiry)),
                    Err(_) => Op::Nop,
                }
            })
            .await;
        outcome
    }

    async fn clear(&self, namespace: &str) -> Result<(), BackendError> {
        let doomed: Vec<Arc<String>> = self
            .entries
            .iter()
            .filter(|(key, _)| key.starts_with(namespace))
            .map(|(key, _)| key)
            .collect();
        for key in doomed {
            self.entries.invalidate(key.as_str()).await;
        }
        Ok(())
    }

    async fn usage(&self, namespace: &str) -> Result<Usage, BackendError> {
        self.entries.run_pending_tasks().await;
        let mut usage = Usage::default();
        for (key, entry) in &self.entries {
            if key.starts_with(namespace) {
                usage.entries += 1;
                usage.bytes += (key.len() + entry.value.len()) as u64;
            }
        }
        Ok(usage)
    }
}
