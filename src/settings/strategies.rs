//! The `[site]`, `[view]` and `[fragment]` tables: which backend each caching
//! strategy uses, if any, and for how long it keeps what it stores.

use serde::{Deserialize, Serialize};

use crate::cache::configured::BackendKind;

/// A strategy's backend, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheChoice {
    /// The strategy does nothing, as at the tutorial's start.
    #[default]
    Off,
    /// Process memory.
    Memory,
    /// Files.
    File,
    /// The database table.
    Database,
    /// Redis.
    Redis,
}

impl CacheChoice {
    /// The backend chosen, unless the strategy is off.
    #[must_use]
    pub fn backend(self) -> Option<BackendKind> {
        match self {
            Self::Off => None,
            Self::Memory => Some(BackendKind::Memory),
            Self::File => Some(BackendKind::File),
            Self::Database => Some(BackendKind::Database),
            Self::Redis => Some(BackendKind::Redis),
        }
    }
}

/// One strategy's choice: its backend and its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrategySettings {
    /// `off`, `memory`, `file`, `database` or `redis`.
    pub backend: CacheChoice,
    /// How long a stored page or fragment is served.
    pub seconds: u64,
}

/// The per-site strategy: Django's cache middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    /// `off`, `memory`, `file`, `database` or `redis`.
    pub backend: CacheChoice,
    /// Django's `CACHE_MIDDLEWARE_SECONDS`: 600 by default.
    pub seconds: u64,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            backend: CacheChoice::Off,
            seconds: 600,
        }
    }
}

/// The per-view strategy: Django's `cache_page` on the listed routes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViewSettings {
    /// `off`, `memory`, `file`, `database` or `redis`.
    pub backend: CacheChoice,
    /// `cache_page(seconds)`: the tutorial's 60 by default.
    pub seconds: u64,
    /// The routes wrapped in `cache_page`, as the router spells them.
    pub routes: Vec<String>,
}

impl Default for ViewSettings {
    fn default() -> Self {
        Self {
            backend: CacheChoice::Off,
            seconds: 60,
            routes: vec!["/all".to_owned()],
        }
    }
}

/// The template-fragment strategy: Django's `{% cache 60 content_cache %}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FragmentSettings {
    /// `off`, `memory`, `file`, `database` or `redis`.
    pub backend: CacheChoice,
    /// The tutorial's 60 by default.
    pub seconds: u64,
}

impl Default for FragmentSettings {
    fn default() -> Self {
        Self {
            backend: CacheChoice::Off,
            seconds: 60,
        }
    }
}

impl SiteSettings {
    /// The backend and timeout.
    #[must_use]
    pub fn strategy(&self) -> StrategySettings {
        StrategySettings {
            backend: self.backend,
            seconds: self.seconds,
        }
    }
}

impl ViewSettings {
    /// The backend and timeout, without the routes.
    #[must_use]
    pub fn strategy(&self) -> StrategySettings {
        StrategySettings {
            backend: self.backend,
            seconds: self.seconds,
        }
    }
}

impl FragmentSettings {
    /// The backend and timeout.
    #[must_use]
    pub fn strategy(&self) -> StrategySettings {
        StrategySettings {
            backend: self.backend,
            seconds: self.seconds,
        }
    }
}
