//! What one backend call came to, and the one place it is accounted for: the cache's
//! [`Stats`](super::stats::Stats), the toolbar's record and the failure log all read
//! the same [`Outcome`], so they cannot disagree.

use std::time::Instant;

use super::Cache;
use super::backends::Expiry;
use crate::record::{self, CacheCall, Left};

/// Bytes of values before and after encoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    /// As the caller gave or got them.
    pub raw: u64,
    /// As the backend holds them (after compression).
    pub stored: u64,
}

impl Sizes {
    /// The sizes of one value and its stored form.
    #[must_use]
    pub fn of(raw: &[u8], stored: &[u8]) -> Self {
        Self {
            raw: raw.len() as u64,
            stored: stored.len() as u64,
        }
    }

    /// Both sizes added to `self`.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self {
            raw: self.raw + other.raw,
            stored: self.stored + other.stored,
        }
    }
}

/// The result of one call, as counted and recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Lookups: how many found a readable value (and their sizes), how many did not.
    Looked {
        /// Readable values found.
        hits: u64,
        /// Absent, expired or unreadable.
        misses: u64,
        /// Sizes of the values found.
        sizes: Sizes,
        /// When the one entry found expires, where the backend told.
        expiry: Option<Expiry>,
    },
    /// `count` values written, for `expiry`.
    Stored {
        /// How many.
        count: u64,
        /// Their sizes.
        sizes: Sizes,
        /// Until when.
        expiry: Expiry,
    },
    /// `add` found a live entry and wrote nothing.
    Exists,
    /// Entries removed.
    Deleted(u64),
    /// Whether the key held a live entry (`touch`, `has_key`).
    Present(bool),
    /// `incr` changed the value.
    Incremented,
    /// `incr` refused: no such key, not an integer, or an overflow.
    Refused(&'static str),
    /// Every entry of the prefix removed.
    Cleared,
    /// The backend failed; reads that failed count as misses.
    Failed {
        /// The backend's error, as the log and toolbar show it.
        error: String,
        /// Lookups the failure turned into misses.
        misses: u64,
    },
}

impl Outcome {
    /// A lookup of one key.
    #[must_use]
    pub fn looked_up(found: Option<Sizes>) -> Self {
        Self::Looked {
            hits: u64::from(found.is_some()),
            misses: u64::from(found.is_none()),
            sizes: found.unwrap_or_default(),
            expiry: None,
        }
    }

    /// The `result` column of the toolbar's Cache panel.
    fn label(&self, operation: &str) -> String {
        match self {
            Self::Looked { hits, misses, .. } if operation == "get_many" => {
                format!("{hits} hit, {misses} miss")
            }
            Self::Looked { hits: 0, .. } => "miss".to_owned(),
            Self::Looked { .. } => "hit".to_owned(),
            Self::Stored { .. } => "stored".to_owned(),
            Self::Exists => "exists".to_owned(),
            Self::Deleted(0) | Self::Present(false) => "absent".to_owned(),
            Self::Deleted(count) if operation == "delete_many" => format!("deleted {count}"),
            Self::Deleted(_) => "deleted".to_owned(),
            Self::Present(true) if operation == "touch" => "touched".to_owned(),
            Self::Present(true) => "present".to_owned(),
            Self::Incremented => "incremented".to_owned(),
            Self::Refused(why) => (*why).to_owned(),
            Self::Cleared => "cleared".to_owned(),
            Self::Failed { .. } => "error".to_owned(),
        }
    }
}

/// The key (or keys) a call was about, turned into text only when recorded.
pub enum Keys<'a> {
    /// One full key.
    One(&'a str),
    /// The full keys of a batch.
    Many(&'a [String]),
}

impl Keys<'_> {
    fn text(&self) -> String {
        match self {
            Self::One(key) => (*key).to_owned(),
            Self::Many(keys) => keys.join(" "),
        }
    }
}

impl Cache {
    /// Accounts for one call that began at `started`: counts it, records it for the
    /// toolbar when a request is being recorded, and logs a failure once per burst.
    pub(super) fn account(
        &self,
        operation: &'static str,
        keys: &Keys<'_>,
        started: Instant,
        outcome: &Outcome,
    ) {
        let elapsed = started.elapsed();
        let backend = self.backend().name();
        self.shared.stats.count(outcome, elapsed);
        if let Outcome::Failed { error, .. } = outcome {
            *self
                .shared
                .last_error
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(error.clone());
            self.shared.errors.warn(|suppressed| {
                tracing::warn!(
                    backend,
                    operation,
                    %error,
                    suppressed,
                    "cache backend failed; serving without it"
                );
            });
        }
        if !record::is_recording() {
            return;
        }
        let (hits, misses) = match outcome {
            Outcome::Looked { hits, misses, .. } => (*hits, *misses),
            Outcome::Failed { misses, .. } => (0, *misses),
            _ => (0, 0),
        };
        let sizes = match outcome {
            Outcome::Looked {
                hits: 1.., sizes, ..
            }
            | Outcome::Stored { sizes, .. } => Some(*sizes),
            _ => None,
        };
        let ttl = match outcome {
            Outcome::Stored { expiry, .. } => expiry.remaining().map(|left| left.as_secs()),
            _ => None,
        };
        let left = match outcome {
            Outcome::Looked {
                hits: 1..,
                expiry: Some(expiry),
                ..
            } => Some(expiry.remaining().map_or(Left::Forever, |left| {
                Left::Ms(u64::try_from(left.as_millis()).unwrap_or(u64::MAX))
            })),
            _ => None,
        };
        record::cache_call(CacheCall {
            strategy: record::current_strategy(),
            backend,
            operation,
            key: keys.text(),
            result: outcome.label(operation),
            hits,
            misses,
            bytes_raw: sizes.map(|sizes| sizes.raw),
            bytes_stored: sizes.map(|sizes| sizes.stored),
            ttl_seconds: ttl,
            left,
            time_ns: record::nanos(elapsed),
            error: match outcome {
                Outcome::Failed { error, .. } => Some(error.clone()),
                _ => None,
            },
        });
    }
}
