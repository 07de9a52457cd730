//! What the panels show for one request — the same struct feeds the injected
//! toolbar, the history pages and the JSON, so they cannot disagree.

use std::time::Duration;

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::response::Parts;
use serde::Serialize;

use crate::cache::backends::CacheBackend;
use crate::cache::strategies::{Strategies, Strategy};
use crate::record::{CacheCall, Query, Record};

/// Every panel of one request.
#[derive(Debug, Clone, Serialize)]
pub struct Panels {
    /// The request's number in the history.
    pub request_id: u64,
    /// Its method.
    pub method: String,
    /// Its path and query.
    pub path: String,
    /// The response's status.
    pub status: u16,
    /// What the caches did, in a word, for the toolbar's handle.
    pub verdict: Verdict,
    /// Timer panel.
    pub timer: TimerPanel,
    /// Cache panel.
    pub cache: CachePanel,
    /// SQL panel.
    pub sql: SqlPanel,
    /// Headers panel.
    pub headers: HeadersPanel,
    /// Settings panel.
    pub settings: SettingsPanel,
}

/// What the caches did with a request, as the toolbar's handle says it:
/// `HIT · site · redis`, `MISS · view · memory`, `UNCACHED`.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// `HIT`, `MISS`, `BYPASS` or `UNCACHED`.
    pub outcome: &'static str,
    /// The strategy that decided it.
    pub strategy: Option<&'static str>,
    /// Its backend.
    pub backend: Option<&'static str>,
    /// A backend that failed on this request, and why.
    pub problem: Option<String>,
}

impl Verdict {
    /// The verdict on what `record` shows: a page cache's HIT wherever it happened
    /// (the view did not run); else what the outermost page cache said; else, for a
    /// page whose fragments were cached, whether they all hit.
    #[must_use]
    pub fn of(record: &Record) -> Self {
        let decided = record
            .pages
            .iter()
            .find(|page| page.outcome == "HIT")
            .or_else(|| record.pages.last())
            .map(|page| (page.outcome, Some(page.strategy), Some(page.backend)));
        let fragments = || {
            let lookups: Vec<&CacheCall> = record
                .cache_calls
                .iter()
                .filter(|call| call.strategy == "fragment" && call.operation == "get_many")
                .collect();
            let first = lookups.first()?;
            let all_hit = lookups.iter().all(|call| call.misses == 0 && call.hits > 0);
            Some((
                if all_hit { "HIT" } else { "MISS" },
                Some("fragment"),
                Some(first.backend),
            ))
        };
        let (outcome, strategy, backend) = decided
            .or_else(fragments)
            .unwrap_or(("UNCACHED", None, None));
        let problem = record.cache_calls.iter().find_map(|call| {
            if let Some(error) = &call.error {
                return Some(format!("{} failed: {error}", call.backend));
            }
            call.result
                .ends_with("backend unavailable")
                .then(|| format!("{} unavailable", call.backend))
        });
        Self {
            outcome,
            strategy,
            backend,
            problem,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.outcome)?;
        for part in [self.strategy, self.backend].into_iter().flatten() {
            write!(f, " · {part}")?;
        }
        Ok(())
    }
}

/// Where the time went, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct TimerPanel {
    /// The whole request, measured outside every cache.
    pub total_ms: f64,
    /// The view's own time (what the navbar shows); `None` when no view ran.
    pub view_ms: Option<f64>,
    /// Time in cache calls.
    pub cache_ms: f64,
    /// Time in SQL.
    pub sql_ms: f64,
}

/// The cache calls.
#[derive(Debug, Clone, Serialize)]
pub struct CachePanel {
    /// How many calls.
    pub calls: usize,
    /// Lookups that found a value.
    pub hits: u64,
    /// Lookups that found none.
    pub misses: u64,
    /// Time in them, in milliseconds.
    pub time_ms: f64,
    /// Calls per operation, in order of first use.
    pub operations: Vec<(String, usize)>,
    /// Every call.
    pub rows: Vec<CacheCall>,
}

/// The SQL statements.
#[derive(Debug, Clone, Serialize)]
pub struct SqlPanel {
    /// How many.
    pub count: usize,
    /// Time in them, in milliseconds.
    pub time_ms: f64,
    /// Every statement.
    pub queries: Vec<Query>,
}

/// Request and response headers.
#[derive(Debug, Clone, Serialize)]
pub struct HeadersPanel {
    /// As received.
    pub request: Vec<(String, String)>,
    /// As sent (before the toolbar's own `Server-Timing`).
    pub response: Vec<(String, String)>,
}

/// How caching is set up.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsPanel {
    /// Each strategy's backend and seconds.
    pub strategies: Vec<StrategyRow>,
    /// Each backend's options and contents.
    pub backends: Vec<BackendRow>,
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

/// One backend.
#[derive(Debug, Clone, Serialize)]
pub struct BackendRow {
    /// Its name.
    pub backend: &'static str,
    /// Its default timeout, as configured.
    pub timeout: String,
    /// Its key prefix.
    pub key_prefix: String,
    /// Its key version.
    pub version: u64,
    /// Entries it holds, counted when a debug page is opened (never on the request
    /// path), once a strategy has used it.
    pub entries: Option<u64>,
    /// Whether a strategy has used it (built it) yet.
    pub used: bool,
    /// Bytes this process has stored in it.
    pub stored_bytes: u64,
}

/// The headers the Headers panel lists first, where cache behaviour shows.
pub const CACHE_HEADERS: [&str; 7] = [
    "cache-control",
    "expires",
    "etag",
    "vary",
    "age",
    "x-cache",
    "x-cache-backend",
];

fn millis(nanos: u64) -> f64 {
    Duration::from_nanos(nanos).as_secs_f64() * 1000.0
}

fn listed(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    list.sort_by_key(|(name, _)| !CACHE_HEADERS.contains(&name.as_str()));
    list
}

/// What the toolbar keeps of a request before passing it on.
pub struct Asked {
    method: String,
    path: String,
    headers: HeaderMap,
}

impl Asked {
    /// The method, path and query, and headers of `request`.
    #[must_use]
    pub fn of(request: &Request) -> Self {
        Self {
            method: request.method().to_string(),
            path: request
                .uri()
                .path_and_query()
                .map_or("/", |pq| pq.as_str())
                .to_owned(),
            headers: request.headers().clone(),
        }
    }
}

impl Panels {
    /// The panels of an answered request, from what was recorded and what the
    /// strategies hold in memory: no backend is asked anything.
    #[must_use]
    pub fn new(
        request_id: u64,
        asked: Asked,
        total: Duration,
        record: Record,
        response: &Parts,
        strategies: &Strategies,
    ) -> Self {
        let verdict = Verdict::of(&record);
        let Record {
            view_ns,
            cache_calls,
            queries,
            pages: _,
        } = record;
        let mut operations: Vec<(String, usize)> = Vec::new();
        for call in &cache_calls {
            match operations.iter_mut().find(|(op, _)| op == call.operation) {
                Some((_, count)) => *count += 1,
                None => operations.push((call.operation.to_owned(), 1)),
            }
        }
        let cache_ns: u64 = cache_calls.iter().map(|call| call.time_ns).sum();
        let sql_ns: u64 = queries.iter().map(|query| query.time_ns).sum();
        Self {
            request_id,
            method: asked.method,
            path: asked.path,
            status: response.status.as_u16(),
            verdict,
            timer: TimerPanel {
                total_ms: total.as_secs_f64() * 1000.0,
                view_ms: view_ns.map(millis),
                cache_ms: millis(cache_ns),
                sql_ms: millis(sql_ns),
            },
            cache: CachePanel {
                calls: cache_calls.len(),
                hits: cache_calls.iter().map(|call| call.hits).sum(),
                misses: cache_calls.iter().map(|call| call.misses).sum(),
                time_ms: millis(cache_ns),
                operations,
                rows: cache_calls,
            },
            sql: SqlPanel {
                count: queries.len(),
                time_ms: millis(sql_ns),
                queries,
            },
            headers: HeadersPanel {
                request: listed(&asked.headers),
                response: listed(&response.headers),
            },
            settings: settings_panel(strategies),
        }
    }

    /// Fills in how many entries each used backend holds now: done when a debug page
    /// is opened, so that no request pays for it.
    pub async fn count_entries(&mut self, strategies: &Strategies) {
        for row in &mut self.settings.backends {
            let built = row
                .backend
                .parse()
                .ok()
                .and_then(|backend| strategies.backends.built(backend));
            if let Some(cache) = built {
                row.entries = cache.usage().await.ok().map(|usage| usage.entries);
            }
        }
    }
}

fn settings_panel(strategies: &Strategies) -> SettingsPanel {
    let strategies_rows = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            let settings = strategies.selection.get(strategy);
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
            let built = strategies.backends.built(backend);
            BackendRow {
                backend: backend.name(),
                timeout: serde_json::to_string(&options.timeout).unwrap_or_default(),
                key_prefix: options.key_prefix.clone(),
                version: options.version,
                entries: None,
                used: built.is_some(),
                stored_bytes: built.map_or(0, |cache| cache.stats().bytes_stored),
            }
        })
        .collect();
    SettingsPanel {
        strategies: strategies_rows,
        backends,
    }
}
