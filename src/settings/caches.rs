//! The `[caches.<backend>]` tables: one set of options per backend, as in Django's
//! `CACHES` setting.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cache::{CacheOptions, Timeout};

/// Where the file backend keeps its entries unless told otherwise.
pub const DEFAULT_FILE_LOCATION: &str = "cache";
/// The Redis server used unless told otherwise.
pub const DEFAULT_REDIS_LOCATION: &str = "redis://127.0.0.1:6379";

/// Values longer than this are compressed, on every backend but memory.
pub const DEFAULT_COMPRESS_THRESHOLD: usize = 1024;

/// The four cache backends' options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CachesSettings {
    /// Process memory (moka).
    pub memory: BackendSettings,
    /// One file per entry in a directory.
    pub file: BackendSettings,
    /// A table in a SQLite database.
    pub database: BackendSettings,
    /// A Redis server.
    pub redis: BackendSettings,
}

/// One backend's options. Like Django's `CACHES` entries, every backend takes the
/// same keys and ignores those that do not apply to it (see `pokedex.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackendSettings {
    /// Where entries live: a directory, a SQLite URL or a Redis URL; unset for the
    /// backend's own default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Default timeout of writes that name none.
    pub timeout: TimeoutSetting,
    /// First part of every key.
    pub key_prefix: String,
    /// Second part of every key.
    pub version: u64,
    /// Entries kept before culling (file, database) or eviction (memory).
    pub max_entries: u64,
    /// When non-zero, bounds the memory backend by bytes instead of entries.
    pub max_bytes: u64,
    /// A cull removes `1/cull_frequency` of the entries.
    pub cull_frequency: u64,
    /// Values longer than this many bytes are compressed; 0 never compresses.
    /// Unset: 1024, but 0 for memory, where a decompression on every hit would cost
    /// more than the memory it saves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compress_threshold: Option<usize>,
    /// Longest wait for one Redis command, in milliseconds.
    pub command_timeout_ms: u64,
}

impl Default for CachesSettings {
    fn default() -> Self {
        let backend = |location: Option<&str>, compress_threshold| BackendSettings {
            location: location.map(str::to_owned),
            compress_threshold: Some(compress_threshold),
            ..BackendSettings::default()
        };
        Self {
            memory: backend(None, 0),
            file: backend(Some(DEFAULT_FILE_LOCATION), DEFAULT_COMPRESS_THRESHOLD),
            database: backend(None, DEFAULT_COMPRESS_THRESHOLD),
            redis: backend(Some(DEFAULT_REDIS_LOCATION), DEFAULT_COMPRESS_THRESHOLD),
        }
    }
}

impl CachesSettings {
    /// Gives each backend its own default location and compression threshold when
    /// a `[caches.<backend>]` table names none, so the start-up log shows them.
    pub(super) fn fill_backend_defaults(&mut self) {
        let defaults = Self::default();
        for (backend, default) in [
            (&mut self.memory, defaults.memory),
            (&mut self.file, defaults.file),
            (&mut self.database, defaults.database),
            (&mut self.redis, defaults.redis),
        ] {
            backend.location = backend.location.take().or(default.location);
            backend.compress_threshold = backend.compress_threshold.or(default.compress_threshold);
        }
    }
}

impl Default for BackendSettings {
    fn default() -> Self {
        Self {
            location: None,
            timeout: TimeoutSetting(Timeout::seconds(300)),
            key_prefix: "pokedex".to_owned(),
            version: 1,
            max_entries: 300,
            max_bytes: 0,
            cull_frequency: 3,
            compress_threshold: None,
            command_timeout_ms: 250,
        }
    }
}

impl BackendSettings {
    /// The backend-independent part, for [`crate::cache::Cache::new`].
    #[must_use]
    pub fn cache_options(&self) -> CacheOptions {
        CacheOptions {
            default_timeout: self.timeout.0,
            key_prefix: self.key_prefix.clone(),
            version: self.version,
            compress_threshold: self
                .compress_threshold
                .unwrap_or(DEFAULT_COMPRESS_THRESHOLD),
        }
    }

    /// How long one Redis command may take.
    #[must_use]
    pub fn command_timeout(&self) -> Duration {
        Duration::from_millis(self.command_timeout_ms.max(1))
    }
}

/// A timeout as the settings spell it: whole seconds (0 = do not store), or
/// `"forever"`; environment variables and flags give the same as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutSetting(pub Timeout);

impl Serialize for TimeoutSetting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Timeout::After(duration) => serializer.serialize_u64(duration.as_secs()),
            Timeout::Forever | Timeout::Default => serializer.serialize_str("forever"),
        }
    }
}

impl<'de> Deserialize<'de> for TimeoutSetting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimeoutVisitor)
    }
}

struct TimeoutVisitor;

impl Visitor<'_> for TimeoutVisitor {
    type Value = TimeoutSetting;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number of seconds or \"forever\"")
    }

    fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Self::Value, E> {
        let seconds = u64::try_from(seconds)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(seconds), &self))?;
        Ok(TimeoutSetting(Timeout::seconds(seconds)))
    }

    fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Self::Value, E> {
        Ok(TimeoutSetting(Timeout::seconds(seconds)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        match text.trim() {
            "forever" => Ok(TimeoutSetting(Timeout::Forever)),
            number => number
                .parse()
                .map(|seconds| TimeoutSetting(Timeout::seconds(seconds)))
                .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self)),
        }
    }
}
