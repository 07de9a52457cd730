//! Typed settings — the analogue of Django's `settings.py`.
//!
//! Values come in layers, each overriding the one before: the defaults below, the
//! settings file (`pokedex.toml`), environment variables, then command-line flags.
//! [`keys()`] names every setting once, with its variable and flag. The caches own
//! the types of their tables (`[caches.*]`, `[site]`, `[view]`, `[fragment]`); this
//! module only puts them together.

mod cli;
mod keys;
mod layers;
mod server;
mod summary;
mod toolbar;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cache::backends::PerBackend;
use crate::cache::backends::options::BackendOptions;
use crate::cache::invalidation::InvalidationMode;
use crate::cache::strategies::Strategy;
use crate::cache::strategies::settings::StrategySettings;
pub use cli::{BenchArgs, Cli, Command};
pub use keys::{Key, Kind, keys};
pub use layers::{Origin, SettingsError};
pub use server::ServerSettings;
pub use toolbar::{Switch, ToolbarSettings};

/// Everything the app can be configured with, after all layers are applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub addr: SocketAddr,
    /// Hosts this server answers to on the lab, the debug pages and the toolbar
    /// (Django's `ALLOWED_HOSTS`), besides the address it listens on; a `Host` header
    /// naming another is refused, so that a page on a rebinding domain cannot drive
    /// them.
    pub allowed_hosts: Vec<String>,
    /// Where the Pokémon live.
    pub database: DatabaseSettings,
    /// Connection bounds, shutdown and the request log.
    pub server: ServerSettings,
    /// The per-site cache strategy.
    pub site: StrategySettings,
    /// The per-view cache strategy.
    pub view: StrategySettings,
    /// The template-fragment cache strategy.
    pub fragment: StrategySettings,
    /// How requests missing the same entry share one computation.
    pub coalescing: CoalescingSettings,
    /// How an edit reaches the caches: `ttl`, `version` or `tags`.
    pub invalidation: InvalidationMode,
    /// The cache backends' options, `[caches.<backend>]`.
    pub caches: PerBackend<BackendOptions>,
    /// The debug toolbar.
    pub toolbar: ToolbarSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 8000)),
            allowed_hosts: ["localhost", "127.0.0.1", "[::1]"]
                .map(str::to_owned)
                .to_vec(),
            database: DatabaseSettings::default(),
            server: ServerSettings::default(),
            site: StrategySettings::defaults(Strategy::Site),
            view: StrategySettings::defaults(Strategy::View),
            fragment: StrategySettings::defaults(Strategy::Fragment),
            coalescing: CoalescingSettings::default(),
            invalidation: InvalidationMode::default(),
            caches: PerBackend::defaults(),
            toolbar: ToolbarSettings::default(),
        }
    }
}

/// The SQLite database holding the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// sqlx SQLite URL; the file is created, migrated and seeded when missing.
    pub url: String,
    /// Upper bound of the connection pool; SQLite in WAL mode reads concurrently.
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://pokedex.sqlite3".to_owned(),
            max_connections: 8,
        }
    }
}

/// Stampede protection: how long a request waits for another that computes the page
/// or fragment it needs, before it computes its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoalescingSettings {
    /// The bound, in milliseconds.
    pub max_wait_ms: u64,
}

impl Default for CoalescingSettings {
    fn default() -> Self {
        Self {
            max_wait_ms: 10_000,
        }
    }
}

impl CoalescingSettings {
    /// The bound as a duration.
    #[must_use]
    pub fn max_wait(&self) -> Duration {
        Duration::from_millis(self.max_wait_ms)
    }
}

impl Settings {
    /// Loads the settings file named by `cli` (or `pokedex.toml` when present), then
    /// applies the environment (read through `env`) and the flags in `cli`.
    ///
    /// `env` is a parameter so that tests can supply variables without touching the
    /// process environment.
    pub fn load(cli: &Cli, env: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        layers::load(cli, env)
    }

    /// The settings of `strategy`.
    #[must_use]
    pub fn strategy(&self, strategy: Strategy) -> &StrategySettings {
        match strategy {
            Strategy::Site => &self.site,
            Strategy::View => &self.view,
            Strategy::Fragment => &self.fragment,
        }
    }
}

/// `text` with the credentials of a URL (`scheme://user:password@host`) masked.
#[must_use]
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.into();
    };
    match rest.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}").into(),
        None => text.into(),
    }
}
