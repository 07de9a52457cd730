//! The Settings panel: which backend each strategy uses and which routes the
//! per-view cache wraps, every backend's location and limits, and — counted only
//! when a debug page asks, never while a page is served — what each backend holds.

use std::sync::Arc;

use serde::Serialize;

use crate::cache::backends::options::BackendOptions;
use crate::cache::backends::{CacheBackend, PerBackend};
use crate::cache::invalidation::InvalidationMode;
use crate::cache::strategies::settings::StrategySettings;
use crate::cache::strategies::{Strategies, Strategy};

/// What of the caching set-up can change while the server runs (the lab switches
/// strategies and modes; a backend is built on first use), as a request met it:
/// kept with the request, so that its Settings panel, built when asked, tells the
/// truth about that request. Taking it is three reference counts and a few loads.
pub struct SetupSeen {
    strategies: [Arc<StrategySettings>; 3],
    built: PerBackend<bool>,
    invalidation: InvalidationMode,
}

impl SetupSeen {
    /// The set-up of `strategies` now.
    #[must_use]
    pub fn now(strategies: &Strategies) -> Self {
        let built = |backend| strategies.backends.built(backend).is_some();
        Self {
            strategies: strategies.selection.now(),
            built: PerBackend {
                memory: built(CacheBackend::Memory),
                file: built(CacheBackend::File),
                database: built(CacheBackend::Database),
                redis: built(CacheBackend::Redis),
            },
            invalidation: strategies.invalidation.mode(),
        }
    }
}

/// How caching is set up.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsPanel {
    /// Each strategy's backend and seconds.
    pub strategies: Vec<StrategyRow>,
    /// Each backend's options and contents.
    pub backends: Vec<BackendRow>,
    /// What an edit does to the caches.
    pub invalidation: InvalidationMode,
}

/// One strategy.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyRow {
    /// `site`, `view` or `fragment`.
    pub strategy: &'static str,
    /// Its backend, or `off`.
    pub backend: &'static str,
    /// Its timeout.
    pub seconds: u64,
    /// The routes it wraps (per-view only).
    pub routes: Vec<String>,
}

/// One backend: its options, and what it holds once counted.
#[derive(Debug, Clone, Serialize)]
pub struct BackendRow {
    /// Its name.
    pub backend: &'static str,
    /// Where its entries live, in words when the default is not a path or URL.
    pub location: String,
    /// Its default timeout, as configured.
    pub timeout: String,
    /// Its key prefix.
    pub key_prefix: String,
    /// Its key version.
    pub version: u64,
    /// Entries kept before culling or eviction.
    pub max_entries: u64,
    /// The memory backend's bound in bytes; 0 when it counts entries.
    pub max_bytes: u64,
    /// A cull removes `1/cull_frequency` of the entries.
    pub cull_frequency: u64,
    /// Values longer than this are compressed; 0 never.
    pub compress_threshold: usize,
    /// Longest wait for one call, in milliseconds.
    pub command_timeout_ms: u64,
    /// Whether a strategy has used it (built it) yet.
    pub used: bool,
    /// What it holds now, counted when a debug page is opened (never on the
    /// request path), once a strategy has used it.
    pub usage: Option<UsageCell>,
}

/// A backend's contents when a debug page counted them, or why it could not.
#[derive(Debug, Clone, Serialize)]
pub struct UsageCell {
    /// Entries under this app's prefix.
    pub entries: Option<u64>,
    /// Bytes of their keys and values, as stored.
    pub bytes: Option<u64>,
    /// Why counting failed.
    pub error: Option<String>,
}

impl SettingsPanel {
    /// The panel of a request that met `seen`, with the backends' options from
    /// `strategies`; no backend is asked anything.
    #[must_use]
    pub fn of(seen: &SetupSeen, strategies: &Strategies) -> Self {
        let rows = Strategy::ALL
            .into_iter()
            .map(|strategy| {
                let settings = &seen.strategies[strategy.index()];
                StrategyRow {
                    strategy: strategy.name(),
                    backend: CacheBackend::name_or_off(settings.backend),
                    seconds: settings.seconds,
                    routes: settings.routes.clone(),
                }
            })
            .collect();
        let backends = CacheBackend::ALL
            .into_iter()
            .map(|backend| {
                let options = strategies.backends.options(backend);
                backend_row(backend, options, seen.built[backend])
            })
            .collect();
        Self {
            strategies: rows,
            backends,
            invalidation: seen.invalidation,
        }
    }

    /// Counts what each used backend holds now: done when a debug page is opened,
    /// so that no request pays for it.
    pub async fn count_usage(&mut self, strategies: &Strategies) {
        for row in &mut self.backends {
            let built = row
                .backend
                .parse()
                .ok()
                .and_then(|backend| strategies.backends.built(backend));
            if let Some(cache) = built {
                row.usage = Some(match cache.usage().await {
                    Ok(usage) => UsageCell {
                        entries: Some(usage.entries),
                        bytes: Some(usage.bytes),
                        error: None,
                    },
                    Err(error) => UsageCell {
                        entries: None,
                        bytes: None,
                        error: Some(error.to_string()),
                    },
                });
            }
        }
    }
}

fn backend_row(backend: CacheBackend, options: &BackendOptions, used: bool) -> BackendRow {
    let location = match (options.location(), backend) {
        (Some(location), _) => location.to_owned(),
        (None, CacheBackend::Database) => "cache_table in the app's database".to_owned(),
        (None, _) => "this process's memory".to_owned(),
    };
    BackendRow {
        backend: backend.name(),
        location,
        timeout: serde_json::to_string(&options.timeout).unwrap_or_default(),
        key_prefix: options.key_prefix.clone(),
        version: options.version,
        max_entries: options.max_entries,
        max_bytes: options.max_bytes,
        cull_frequency: options.cull_frequency,
        compress_threshold: options.compress_threshold,
        command_timeout_ms: options.command_timeout_ms,
        used,
        usage: None,
    }
}
