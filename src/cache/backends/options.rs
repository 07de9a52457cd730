//! A backend's options — one `[caches.<backend>]` table of the settings, the analogue
//! of an entry of Django's `CACHES` — and each backend's defaults.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{CacheBackend, Cull, PerBackend};
use crate::cache::Timeout;

/// Where the file backend keeps its entries unless told otherwise.
pub const DEFAULT_FILE_LOCATION: &str = "cache";
/// The Redis server used unless told otherwise.
pub const DEFAULT_REDIS_LOCATION: &str = "redis://127.0.0.1:6379";
/// Values longer than this are compressed, on every backend but memory.
pub const DEFAULT_COMPRESS_THRESHOLD: usize = 1024;

/// One backend's options. Like Django's `CACHES` entries, every backend takes the same
/// keys and ignores those that do not apply to it (see `pokedex.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendOptions {
    /// Where entries live: a directory, a SQLite URL or a Redis URL; unset for the
    /// backend's own default (for the database backend, the app's database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Default timeout of writes that name none.
    pub timeout: Timeout,
    /// First part of every key.
    pub key_prefix: String,
    /// Second part of every key (the cache version, Django's `VERSION`).
    pub version: u64,
    /// Entries kept before culling (file, database) or eviction (memory).
    pub max_entries: u64,
    /// When non-zero, bounds the memory backend by bytes instead of entries.
    pub max_bytes: u64,
    /// A cull removes `1/cull_frequency` of the entries.
    pub cull_frequency: u64,
    /// Values longer than this many bytes are compressed; 0 never compresses.
    pub compress_threshold: usize,
    /// Longest wait for one call to the file, database or Redis backend, in
    /// milliseconds; also how long a database cache statement waits for a lock.
    pub command_timeout_ms: u64,
}

impl BackendOptions {
    /// The defaults of `backend`: Django's (300 s, 300 entries, a third culled), a
    /// location of its own, and compression everywhere but in memory, where a
    /// decompression on every hit would cost more than the memory it saves.
    #[must_use]
    pub fn defaults(backend: CacheBackend) -> Self {
        let location = match backend {
            CacheBackend::File => Some(DEFAULT_FILE_LOCATION.to_owned()),
            CacheBackend::Redis => Some(DEFAULT_REDIS_LOCATION.to_owned()),
            CacheBackend::Memory | CacheBackend::Database => None,
        };
        Self {
            location,
            timeout: Timeout::seconds(300),
            key_prefix: "pokedex".to_owned(),
            version: 1,
            max_entries: 300,
            max_bytes: 0,
            cull_frequency: 3,
            compress_threshold: if backend == CacheBackend::Memory {
                0
            } else {
                DEFAULT_COMPRESS_THRESHOLD
            },
            // A local store may be slow under load but is not down: a second before
            // a call counts as a miss; a network server gets a quarter of one.
            command_timeout_ms: if backend == CacheBackend::Redis {
                250
            } else {
                1000
            },
        }
    }

    /// The location, unless unset or empty.
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.location
            .as_deref()
            .filter(|location| !location.is_empty())
    }

    /// How long one call may take.
    #[must_use]
    pub fn command_timeout(&self) -> Duration {
        Duration::from_millis(self.command_timeout_ms.max(1))
    }

    /// When the file and database backends cull.
    #[must_use]
    pub fn cull(&self) -> Cull {
        Cull {
            max_entries: self.max_entries,
            cull_frequency: self.cull_frequency,
        }
    }
}

impl PerBackend<BackendOptions> {
    /// Every backend with its defaults.
    #[must_use]
    pub fn defaults() -> Self {
        Self {
            memory: BackendOptions::defaults(CacheBackend::Memory),
            file: BackendOptions::defaults(CacheBackend::File),
            database: BackendOptions::defaults(CacheBackend::Database),
            redis: BackendOptions::defaults(CacheBackend::Redis),
        }
    }
}
