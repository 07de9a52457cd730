//! What the lab shows — each strategy as it is now and as the settings had it, each
//! backend's card — built once per view of the page or of `/lab/state.json`.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::Lab;
use crate::cache::backends::options::{BackendOptions, DEFAULT_FILE_LOCATION};
use crate::cache::backends::{CacheBackend, PerBackend, Usage};
use crate::cache::invalidation::InvalidationMode;
use crate::cache::stats::StatsSnapshot;
use crate::cache::strategies::Strategy;
use crate::cache::strategies::settings::StrategySettings;
use crate::settings::redact;

/// How long the lab waits for a backend to say what it holds.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// The lab's state, as `/lab/state.json` returns it.
#[derive(Debug, Clone, Serialize)]
pub struct LabState {
    /// Each strategy.
    pub strategies: Strategies,
    /// Each backend.
    pub backends: PerBackend<BackendCard>,
    /// How an edit reaches the caches.
    pub invalidation: InvalidationState,
    /// The app's page routes, which the per-view strategy may wrap.
    pub routes: Vec<&'static str>,
}

/// The invalidation mode now, and as the settings had it.
#[derive(Debug, Clone, Serialize)]
pub struct InvalidationState {
    /// `ttl`, `version` or `tags`.
    pub mode: InvalidationMode,
    /// As the settings had it at start.
    pub settings: InvalidationMode,
}

/// The three strategies, by name.
#[derive(Debug, Clone, Serialize)]
pub struct Strategies {
    /// Per-site.
    pub site: StrategyState,
    /// Per-view.
    pub view: StrategyState,
    /// Template fragments.
    pub fragment: StrategyState,
}

/// One strategy now, and as the settings had it.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyState {
    /// Its name.
    pub name: &'static str,
    /// `off` or a backend's name.
    pub backend: &'static str,
    /// How long it keeps what it stores.
    pub seconds: u64,
    /// The routes it wraps (per-view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<String>>,
    /// The same, as the settings file (environment, flags) had them at start.
    pub settings: Values,
    /// The fields that differ from the settings (`backend`, `seconds`, `routes`).
    pub differs: Vec<&'static str>,
}

/// A strategy's values, as the settings had them.
#[derive(Debug, Clone, Serialize)]
pub struct Values {
    /// `off` or a backend's name.
    pub backend: &'static str,
    /// Seconds.
    pub seconds: u64,
    /// Routes (per-view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<String>>,
}

/// One backend's card.
#[derive(Debug, Clone, Serialize)]
pub struct BackendCard {
    /// Whether it answered just now.
    pub reachable: bool,
    /// Why not, when it did not.
    pub error: Option<String>,
    /// Where it stores.
    pub location: String,
    /// The strategies using it now.
    pub used_by: Vec<&'static str>,
    /// Entries it holds now (this app's keys, where it can tell them apart).
    pub entries: Option<u64>,
    /// Bytes it holds now for them.
    pub bytes: Option<u64>,
    /// Counters since the server started.
    #[serde(flatten)]
    pub since_start: Counters,
    /// The reason of its most recent failure.
    pub last_error: Option<String>,
    /// Counters over the last minute.
    pub last_minute: Counters,
}

/// A backend's counters over some time.
#[derive(Debug, Clone, Serialize)]
pub struct Counters {
    /// Lookups that found a value.
    pub hits: u64,
    /// Lookups that found none.
    pub misses: u64,
    /// Hits over lookups, when there were any.
    pub hit_ratio: Option<f64>,
    /// Failed calls.
    pub errors: u64,
    /// Values stored.
    pub sets: u64,
    /// Time spent in it, in milliseconds.
    pub time_ms: f64,
}

impl From<&StatsSnapshot> for Counters {
    fn from(stats: &StatsSnapshot) -> Self {
        Self {
            hits: stats.hits,
            misses: stats.misses,
            hit_ratio: stats.hit_ratio(),
            errors: stats.errors,
            sets: stats.sets,
            time_ms: Duration::from_nanos(stats.time_ns).as_secs_f64() * 1000.0,
        }
    }
}

impl Lab {
    /// The state now: the strategies as they are, and every backend asked what it
    /// holds (at most a second each, all at once).
    pub async fn state(&self) -> LabState {
        let (memory, file, database, redis) = tokio::join!(
            self.card(CacheBackend::Memory),
            self.card(CacheBackend::File),
            self.card(CacheBackend::Database),
            self.card(CacheBackend::Redis),
        );
        LabState {
            strategies: Strategies {
                site: self.strategy_state(Strategy::Site),
                view: self.strategy_state(Strategy::View),
                fragment: self.strategy_state(Strategy::Fragment),
            },
            backends: PerBackend {
                memory,
                file,
                database,
                redis,
            },
            invalidation: InvalidationState {
                mode: self.strategies.invalidation.mode(),
                settings: self.configured_mode,
            },
            routes: self.routes.to_vec(),
        }
    }

    fn strategy_state(&self, strategy: Strategy) -> StrategyState {
        let now = self.strategies.selection.get(strategy);
        let configured = self.configured(strategy);
        let routes = |settings: &StrategySettings| {
            (strategy == Strategy::View).then(|| settings.routes.clone())
        };
        let differs = [
            ("backend", now.backend != configured.backend),
            ("seconds", now.seconds != configured.seconds),
            ("routes", now.routes != configured.routes),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        StrategyState {
            name: strategy.name(),
            backend: CacheBackend::name_or_off(now.backend),
            seconds: now.seconds,
            routes: routes(&now),
            settings: Values {
                backend: CacheBackend::name_or_off(configured.backend),
                seconds: configured.seconds,
                routes: routes(configured),
            },
            differs,
        }
    }

    async fn card(&self, backend: CacheBackend) -> BackendCard {
        let usage = self.probe(backend).await;
        let cache = self.strategies.backends.built(backend);
        let stats = cache
            .as_ref()
            .map(crate::cache::Cache::stats)
            .unwrap_or_default();
        let counters = self.counters();
        let last_minute = self.window.last_minute(&counters)[backend];
        let used_by = Strategy::ALL
            .into_iter()
            .filter(|strategy| self.strategies.selection.get(*strategy).backend == Some(backend))
            .map(Strategy::name)
            .collect();
        BackendCard {
            reachable: usage.is_ok(),
            entries: usage.as_ref().ok().map(|usage| usage.entries),
            bytes: usage.as_ref().ok().map(|usage| usage.bytes),
            error: usage.err(),
            location: self.location(backend),
            used_by,
            since_start: Counters::from(&stats),
            last_error: cache.and_then(|cache| cache.last_error()),
            last_minute: Counters::from(&last_minute),
        }
    }

    /// What `backend` holds now, or why it cannot say.
    pub(super) async fn probe(&self, backend: CacheBackend) -> Result<Usage, String> {
        let cache = self
            .strategies
            .backends
            .cache(backend)
            .await
            .map_err(|error| error.to_string())?;
        match tokio::time::timeout(PROBE_TIMEOUT, cache.usage()).await {
            Ok(usage) => usage.map_err(|error| error.to_string()),
            Err(_) => Err(format!(
                "did not answer within {} s",
                PROBE_TIMEOUT.as_secs()
            )),
        }
    }

    /// Where `backend` stores, in words.
    pub(super) fn location(&self, backend: CacheBackend) -> String {
        let options: &BackendOptions = self.strategies.backends.options(backend);
        match backend {
            CacheBackend::Memory if options.max_bytes > 0 => {
                format!("this server's memory, at most {} bytes", options.max_bytes)
            }
            CacheBackend::Memory => {
                format!(
                    "this server's memory, at most {} entries",
                    options.max_entries
                )
            }
            CacheBackend::File => {
                let dir = Path::new(options.location().unwrap_or(DEFAULT_FILE_LOCATION));
                let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
                format!("the directory {}", dir.display())
            }
            CacheBackend::Database => format!(
                "the table cache_table in {}",
                options.location().unwrap_or(&self.database_url)
            ),
            CacheBackend::Redis => {
                let url = options.location().unwrap_or_default();
                let db = redis::Client::open(url)
                    .map(|client| client.get_connection_info().redis_settings().db())
                    .unwrap_or_default();
                format!("the Redis server {}, database {db}", redact(url))
            }
        }
    }
}
