//! Counters every cache keeps, for the toolbar and the benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use super::call::Outcome;
use crate::record::nanos;

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
    /// Lookups (`get`, each key of `get_many`) that found a readable value.
    pub hits: u64,
    /// Lookups that found none (absent, expired, unreadable, or a failed backend).
    pub misses: u64,
    /// Values written (not counting failed writes).
    pub sets: u64,
    /// Keys deleted.
    pub deletes: u64,
    /// Backend failures, each turned into a miss or a no-op.
    pub errors: u64,
    /// Bytes of the values written, before encoding (failed writes excluded).
    pub bytes_raw: u64,
    /// Bytes actually stored for them, after compression.
    pub bytes_stored: u64,
    /// Time spent in the backend, in nanoseconds.
    pub time_ns: u64,
}

fn add(counter: &AtomicU64, amount: u64) {
    if amount > 0 {
        counter.fetch_add(amount, Ordering::Relaxed);
    }
}

impl Stats {
    /// Counts one call's outcome and the time it took: the only way counters move.
    pub fn count(&self, outcome: &Outcome, time: Duration) {
        add(&self.time_ns, nanos(time));
        match outcome {
            Outcome::Looked { hits, misses, .. } => {
                add(&self.hits, *hits);
                add(&self.misses, *misses);
            }
            Outcome::Stored { count, sizes, .. } => {
                add(&self.sets, *count);
                add(&self.bytes_raw, sizes.raw);
                add(&self.bytes_stored, sizes.stored);
            }
            Outcome::Deleted(count) => add(&self.deletes, *count),
            Outcome::Failed { misses, .. } => {
                add(&self.errors, 1);
                add(&self.misses, *misses);
            }
            Outcome::Exists
            | Outcome::Present(_)
            | Outcome::Incremented
            | Outcome::Refused(_)
            | Outcome::Cleared => {}
        }
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

impl StatsSnapshot {
    /// How much each counter moved since `earlier`.
    #[must_use]
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            hits: self.hits.saturating_sub(earlier.hits),
            misses: self.misses.saturating_sub(earlier.misses),
            sets: self.sets.saturating_sub(earlier.sets),
            deletes: self.deletes.saturating_sub(earlier.deletes),
            errors: self.errors.saturating_sub(earlier.errors),
            bytes_raw: self.bytes_raw.saturating_sub(earlier.bytes_raw),
            bytes_stored: self.bytes_stored.saturating_sub(earlier.bytes_stored),
            time_ns: self.time_ns.saturating_sub(earlier.time_ns),
        }
    }

    /// Hits over lookups, when there were any.
    #[must_use]
    pub fn hit_ratio(&self) -> Option<f64> {
        let lookups = self.hits + self.misses;
        #[allow(clippy::cast_precision_loss, reason = "a ratio for display")]
        (lookups > 0).then(|| self.hits as f64 / lookups as f64)
    }
}
