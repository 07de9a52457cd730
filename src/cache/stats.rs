//! Counters every cache keeps, for the toolbar and the benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

/// Running totals of one cache's operations.
#[derive(Debug, Default)]
pub struct Stats {
    hits: AtomicU64,
    misses: AtomicU64,
    sets: AtomicU64,
    deletes: AtomicU64,
    errors: AtomicU64,
    bytes_raw: AtomicU64,
    bytes_stored: AtomicU64,
    time_ns: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Reads that found a value.
    pub hits: u64,
    /// Reads that found none (absent, expired, unreadable, or a failed backend).
    pub misses: u64,
    /// Values written.
    pub sets: u64,
    /// Keys deleted.
    pub deletes: u64,
    /// Backend failures, each turned into a miss or a no-op.
    pub errors: u64,
    /// Bytes of the values written, before encoding.
    pub bytes_raw: u64,
    /// Bytes actually stored for them, after compression.
    pub bytes_stored: u64,
    /// Time spent in the backend, in nanoseconds.
    pub time_ns: u64,
}

fn add(counter: &AtomicU64, amount: u64) {
    counter.fetch_add(amount, Ordering::Relaxed);
}

impl Stats {
    /// Counts a read that found a value.
    pub fn hit(&self) {
        add(&self.hits, 1);
    }

    /// Counts a read that found nothing.
    pub fn miss(&self) {
        add(&self.misses, 1);
    }

    /// Counts a write of `raw` bytes stored as `stored` bytes.
    pub fn set(&self, raw: usize, stored: usize) {
        add(&self.sets, 1);
        add(&self.bytes_raw, raw as u64);
        add(&self.bytes_stored, stored as u64);
    }

    /// Counts `count` deleted keys.
    pub fn deleted(&self, count: u64) {
        add(&self.deletes, count);
    }

    /// Counts a backend failure.
    pub fn error(&self) {
        add(&self.errors, 1);
    }

    /// Adds time spent in the backend.
    pub fn spent(&self, time: Duration) {
        add(
            &self.time_ns,
            u64::try_from(time.as_nanos()).unwrap_or(u64::MAX),
        );
    }

    /// The counters now.
    #[must_use]
    pub fn snapshot(&self) -> StatsSnapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        StatsSnapshot {
            hits: read(&self.hits),
            misses: read(&self.misses),
            sets: read(&self.sets),
            deletes: read(&self.deletes),
            errors: read(&self.errors),
            bytes_raw: read(&self.bytes_raw),
            bytes_stored: read(&self.bytes_stored),
            time_ns: read(&self.time_ns),
        }
    }
}
