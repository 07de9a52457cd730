//! Per-request recording of cache calls, wrapped once around every backend, so the
//! toolbar sees each call without the strategies or handlers reporting anything.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;

use super::backends::{Backend, BackendError, Expiry, IncrError};
use super::codec::raw_len;
use crate::toolbar::record::{self, CacheCall};

/// A backend whose calls are recorded into the current request's record, if any.
pub struct Recorded {
    inner: Arc<dyn Backend>,
}

impl Recorded {
    /// Wraps `inner`.
    #[must_use]
    pub fn new(inner: Arc<dyn Backend>) -> Self {
        Self { inner }
    }

    /// Records one call, unless no request is being recorded.
    fn note(
        &self,
        operation: &'static str,
        key: &str,
        result: &str,
        sizes: Option<Sizes>,
        expiry: Option<Expiry>,
        started: Instant,
    ) {
        if !record::is_recording() {
            return;
        }
        record::cache_call(CacheCall {
            strategy: record::current_strategy(),
            backend: self.inner.name(),
            operation,
            key: key.to_owned(),
            result: result.to_owned(),
            bytes_raw: sizes.and_then(|sizes| sizes.raw),
            bytes_stored: sizes.map(|sizes| sizes.stored),
            ttl_seconds: expiry
                .and_then(Expiry::remaining)
                .map(|left| left.as_secs()),
            time_ns: u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX),
        });
    }
}

/// Bytes of a value before and after encoding.
#[derive(Clone, Copy)]
struct Sizes {
    raw: Option<u64>,
    stored: u64,
}

impl Sizes {
    fn of<'a>(entries: impl IntoIterator<Item = &'a Bytes>) -> Self {
        let (mut raw, mut stored) = (Some(0), 0);
        for entry in entries {
            raw = raw.zip(raw_len(entry)).map(|(sum, len)| sum + len);
            stored += entry.len() as u64;
        }
        Self { raw, stored }
    }
}

fn outcome<T>(
    result: &Result<T, BackendError>,
    ok: impl FnOnce(&T) -> &'static str,
) -> &'static str {
    match result {
        Ok(value) => ok(value),
        Err(_) => "error",
    }
}

#[async_trait]
impl Backend for Recorded {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, BackendError> {
        let started = Instant::now();
        let result = self.inner.get(key).await;
        let found = result.as_ref().ok().and_then(Option::as_ref);
        let label = outcome(
            &result,
            |value| if value.is_some() { "hit" } else { "miss" },
        );
        self.note(
            "get",
            key,
            label,
            found.map(|value| Sizes::of([value])),
            None,
            started,
        );
        result
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Bytes>>, BackendError> {
        let started = Instant::now();
        let result = self.inner.get_many(keys).await;
        if record::is_recording() {
            let label = match &result {
                Ok(found) => {
                    let hits = found.iter().filter(|value| value.is_some()).count();
                    format!("{hits} hit, {} miss", keys.len() - hits)
                }
                Err(_) => "error".to_owned(),
            };
            let found = result.as_ref().ok();
            let sizes = found.map(|found| Sizes::of(found.iter().flatten()));
            self.note("get_many", &keys.join(" "), &label, sizes, None, started);
        }
        result
    }

    async fn set(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<(), BackendError> {
        let started = Instant::now();
        let result = self.inner.set(key, value.clone(), expiry).await;
        let sizes = Some(Sizes::of([&value]));
        self.note(
            "set",
            key,
            outcome(&result, |()| "stored"),
            sizes,
            Some(expiry),
            started,
        );
        result
    }

    async fn set_many(
        &self,
        entries: &[(String, Bytes)],
        expiry: Expiry,
    ) -> Result<(), BackendError> {
        let started = Instant::now();
        let result = self.inner.set_many(entries, expiry).await;
        if record::is_recording() {
            let keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_str()).collect();
            let sizes = Some(Sizes::of(entries.iter().map(|(_, value)| value)));
            let label = outcome(&result, |()| "stored");
            self.note(
                "set_many",
                &keys.join(" "),
                label,
                sizes,
                Some(expiry),
                started,
            );
        }
        result
    }

    async fn add(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<bool, BackendError> {
        let started = Instant::now();
        let result = self.inner.add(key, value.clone(), expiry).await;
        let label = outcome(&result, |added| if *added { "stored" } else { "exists" });
        self.note(
            "add",
            key,
            label,
            Some(Sizes::of([&value])),
            Some(expiry),
            started,
        );
        result
    }

    async fn delete(&self, key: &str) -> Result<bool, BackendError> {
        let started = Instant::now();
        let result = self.inner.delete(key).await;
        let label = outcome(&result, |gone| if *gone { "deleted" } else { "miss" });
        self.note("delete", key, label, None, None, started);
        result
    }

    async fn delete_many(&self, keys: &[String]) -> Result<u64, BackendError> {
        let started = Instant::now();
        let result = self.inner.delete_many(keys).await;
        self.note(
            "delete_many",
            &keys.join(" "),
            outcome(&result, |_| "deleted"),
            None,
            None,
            started,
        );
        result
    }

    async fn touch(&self, key: &str, expiry: Expiry) -> Result<bool, BackendError> {
        let started = Instant::now();
        let result = self.inner.touch(key, expiry).await;
        let label = outcome(&result, |found| if *found { "touched" } else { "miss" });
        self.note("touch", key, label, None, Some(expiry), started);
        result
    }

    async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        let started = Instant::now();
        let result = self.inner.incr(key, delta).await;
        let label = match &result {
            Ok(_) => "stored",
            Err(IncrError::Missing) => "miss",
            Err(_) => "error",
        };
        self.note("incr", key, label, None, None, started);
        result
    }

    async fn has_key(&self, key: &str) -> Result<bool, BackendError> {
        let started = Instant::now();
        let result = self.inner.has_key(key).await;
        let label = outcome(&result, |found| if *found { "hit" } else { "miss" });
        self.note("has_key", key, label, None, None, started);
        result
    }

    async fn clear(&self, namespace: &str) -> Result<(), BackendError> {
        let started = Instant::now();
        let result = self.inner.clear(namespace).await;
        self.note(
            "clear",
            namespace,
            outcome(&result, |()| "cleared"),
            None,
            None,
            started,
        );
        result
    }

    async fn entry_count(&self) -> Result<u64, BackendError> {
        self.inner.entry_count().await
    }
}
