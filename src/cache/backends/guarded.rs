//! A backend behind a time budget and circuit breakers: every call ends within the
//! budget, and a backend that keeps failing is skipped until a probe finds it well.
//! Reads and writes have a circuit each, since a backend may fail one and not the
//! other (a cache table write-locked by another process still answers reads). The
//! file, database and Redis backends are used through it; memory cannot fail.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use super::{Backend, BackendError, CacheBackend, Expiry, IncrError, Kept, Usage};
use crate::cache::breaker::{Admission, Breaker};

/// `inner`, bounded and guarded.
pub struct Guarded {
    inner: Arc<dyn Backend>,
    budget: Duration,
    reads: Breaker,
    writes: Breaker,
}

impl Guarded {
    /// `inner` with calls bounded by `budget`.
    #[must_use]
    pub fn new(inner: Arc<dyn Backend>, budget: Duration) -> Self {
        Self {
            inner,
            budget,
            reads: Breaker::new(budget * 4),
            writes: Breaker::new(budget * 4),
        }
    }

    /// Runs `call` if `circuit` lets it, within the budget, and tells the circuit
    /// how it went.
    async fn guard<T>(
        &self,
        circuit: &Breaker,
        call: impl Future<Output = Result<T, BackendError>>,
    ) -> Result<T, BackendError> {
        if let Admission::Skip(retry_in) = circuit.admit() {
            return Err(BackendError::Unavailable(retry_in));
        }
        let result = match tokio::time::timeout(self.budget, call).await {
            Ok(result) => result,
            Err(_) => Err(BackendError::Timeout(self.budget)),
        };
        circuit.record(result.is_ok());
        result
    }

    /// A read; one that fails says the backend is down, for writes too.
    async fn read<T>(
        &self,
        call: impl Future<Output = Result<T, BackendError>>,
    ) -> Result<T, BackendError> {
        let result = self.guard(&self.reads, call).await;
        if matches!(result, Err(ref error) if !matches!(error, BackendError::Unavailable(_))) {
            self.writes.record(false);
        }
        result
    }

    async fn write<T>(
        &self,
        call: impl Future<Output = Result<T, BackendError>>,
    ) -> Result<T, BackendError> {
        self.guard(&self.writes, call).await
    }
}

#[async_trait]
impl Backend for Guarded {
    fn skips_writes(&self) -> bool {
        self.writes.is_open()
    }

    fn kind(&self) -> CacheBackend {
        self.inner.kind()
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, BackendError> {
        self.read(self.inner.get(key)).await
    }

    async fn get_with_expiry(
        &self,
        key: &str,
    ) -> Result<Option<(Bytes, Option<Expiry>)>, BackendError> {
        self.read(self.inner.get_with_expiry(key)).await
    }

    async fn get_kept(&self, key: &str, with_expiry: bool) -> Result<Option<Kept>, BackendError> {
        self.read(self.inner.get_kept(key, with_expiry)).await
    }

    async fn get_many_kept(
        &self,
        keys: &[String],
        with_expiry: bool,
    ) -> Result<Vec<Option<Kept>>, BackendError> {
        self.read(self.inner.get_many_kept(keys, with_expiry)).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Bytes>>, BackendError> {
        self.read(self.inner.get_many(keys)).await
    }

    async fn get_many_with_expiry(
        &self,
        keys: &[String],
    ) -> Result<Vec<Option<(Bytes, Option<Expiry>)>>, BackendError> {
        self.read(self.inner.get_many_with_expiry(keys)).await
    }

    async fn set(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<(), BackendError> {
        self.write(self.inner.set(key, value, expiry)).await
    }

    async fn set_many(
        &self,
        entries: &[(String, Bytes)],
        expiry: Expiry,
    ) -> Result<(), BackendError> {
        self.write(self.inner.set_many(entries, expiry)).await
    }

    async fn add(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<bool, BackendError> {
        self.write(self.inner.add(key, value, expiry)).await
    }

    async fn delete(&self, key: &str) -> Result<bool, BackendError> {
        self.write(self.inner.delete(key)).await
    }

    async fn delete_many(&self, keys: &[String]) -> Result<u64, BackendError> {
        self.write(self.inner.delete_many(keys)).await
    }

    async fn touch(&self, key: &str, expiry: Expiry) -> Result<bool, BackendError> {
        self.write(self.inner.touch(key, expiry)).await
    }

    async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        // Only the backend's own failures count against it: a missing key or a value
        // that is not a number says the backend works.
        let outcome = self
            .write(async {
                match self.inner.incr(key, delta).await {
                    Err(IncrError::Backend(error)) => Err(error),
                    answered => Ok(answered),
                }
            })
            .await;
        outcome.map_err(IncrError::Backend)?
    }

    async fn has_key(&self, key: &str) -> Result<bool, BackendError> {
        self.read(self.inner.has_key(key)).await
    }

    /// Not bounded: clearing many keys may take long, and a person asked for it.
    async fn clear(&self, namespace: &str) -> Result<(), BackendError> {
        let result = self.inner.clear(namespace).await;
        self.writes.record(result.is_ok());
        result
    }

    /// Not bounded nor counted: the lab and the debug pages ask, never a request.
    async fn usage(&self, namespace: &str) -> Result<Usage, BackendError> {
        self.inner.usage(namespace).await
    }
}
