//! The four backends by name — the one type settings, strategies, the toolbar and the
//! commands use to say which backend — and a value kept per backend.

use std::fmt;
use std::ops::{Index, IndexMut};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A cache backend, by the name settings, flags, headers and logs use. A strategy that
/// is off has none: `Option<CacheBackend>`, spelled `off` in settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheBackend {
    /// Process memory (moka).
    Memory,
    /// One file per entry in a directory.
    File,
    /// A SQLite table.
    Database,
    /// A Redis server.
    Redis,
}

impl CacheBackend {
    /// Every backend, in the order settings and pages list them.
    pub const ALL: [Self; 4] = [Self::Memory, Self::File, Self::Database, Self::Redis];

    /// The backend's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::File => "file",
            Self::Database => "database",
            Self::Redis => "redis",
        }
    }

    /// The name of `backend`, or `off` for none.
    #[must_use]
    pub fn name_or_off(backend: Option<Self>) -> &'static str {
        backend.map_or(OFF, Self::name)
    }

    /// Reads `off` or a backend's name, as settings, forms and flags spell them.
    pub fn parse_or_off(name: &str) -> Result<Option<Self>, UnknownBackend> {
        if name == OFF {
            return Ok(None);
        }
        name.parse().map(Some)
    }
}

/// What a strategy that uses no backend is called.
const OFF: &str = "off";

/// Every name `parse_or_off` accepts, in order, for error messages.
pub const NAMES_OR_OFF: &[&str] = &[OFF, "memory", "file", "database", "redis"];

impl fmt::Display for CacheBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no backend's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cache backend {0:?}: memory, file, database or redis")]
pub struct UnknownBackend(pub String);

impl FromStr for CacheBackend {
    type Err = UnknownBackend;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|backend| backend.name() == name)
            .ok_or_else(|| UnknownBackend(name.to_owned()))
    }
}

/// Serde for `Option<CacheBackend>` as `off` or a backend's name, for
/// `#[serde(with = "off_or_backend")]`.
pub mod off_or_backend {
    use serde::{Deserialize, Deserializer, Serializer, de};

    use super::{CacheBackend, NAMES_OR_OFF};

    /// Writes `off` or the backend's name.
    pub fn serialize<S: Serializer>(
        backend: &Option<CacheBackend>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(CacheBackend::name_or_off(*backend))
    }

    /// Reads `off` or a backend's name; anything else is serde's unknown variant.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<CacheBackend>, D::Error> {
        let name = String::deserialize(deserializer)?;
        CacheBackend::parse_or_off(&name)
            .map_err(|_| de::Error::unknown_variant(&name, NAMES_OR_OFF))
    }
}

/// One value per backend — their options, their built caches — indexed by
/// [`CacheBackend`]; as a settings table, `[caches.memory]`, `[caches.file]`, ...
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerBackend<T> {
    /// Process memory.
    pub memory: T,
    /// Files.
    pub file: T,
    /// The database table.
    pub database: T,
    /// Redis.
    pub redis: T,
}

impl<T> Index<CacheBackend> for PerBackend<T> {
    type Output = T;

    fn index(&self, backend: CacheBackend) -> &T {
        match backend {
            CacheBackend::Memory => &self.memory,
            CacheBackend::File => &self.file,
            CacheBackend::Database => &self.database,
            CacheBackend::Redis => &self.redis,
        }
    }
}

impl<T> IndexMut<CacheBackend> for PerBackend<T> {
    fn index_mut(&mut self, backend: CacheBackend) -> &mut T {
        match backend {
            CacheBackend::Memory => &mut self.memory,
            CacheBackend::File => &mut self.file,
            CacheBackend::Database => &mut self.database,
            CacheBackend::Redis => &mut self.redis,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_off_is_none() {
        for backend in CacheBackend::ALL {
            assert_eq!(backend.name().parse::<CacheBackend>(), Ok(backend));
            assert_eq!(
                CacheBackend::parse_or_off(backend.name()),
                Ok(Some(backend))
            );
        }
        assert_eq!(CacheBackend::parse_or_off("off"), Ok(None));
        assert_eq!(CacheBackend::name_or_off(None), "off");
        assert!(CacheBackend::parse_or_off("memcached").is_err());
    }
}
