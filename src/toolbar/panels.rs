//! What the panels show for one request — the same struct feeds the injected
//! toolbar, the history pages and the JSON, so they cannot disagree.

use std::time::Duration;

use axum::http::HeaderMap;
use serde::Serialize;

use super::record::{CacheCall, Query, Record};
use crate::cache::configured::BackendKind;
use crate::cache::strategies::Caching;
use crate::cache::strategies::selection::Strategy;

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
    pub hits: usize,
    /// Lookups that found none.
    pub misses: usize,
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
    /// Entries it holds, once a strategy has used it.
    pub entries: Option<u64>,
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

/// What the toolbar knows of one request once it is answered.
pub struct Answered<'a> {
    /// Its number.
    pub request_id: u64,
    /// Its method.
    pub method: &'a str,
    /// Its path and query.
    pub path: &'a str,
    /// The response's status.
    pub status: u16,
    /// The whole request's time.
    pub total: Duration,
    /// What the hooks recorded.
    pub record: Record,
    /// The request's headers.
    pub request_headers: &'a HeaderMap,
    /// The response's headers.
    pub response_headers: &'a HeaderMap,
}

impl Panels {
    /// The panels of an answered request, with the Settings panel read now.
    pub async fn new(answered: Answered<'_>, caching: &Caching) -> Self {
        let Record {
            view_ns,
            cache_calls,
            queries,
        } = answered.record;
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
            request_id: answered.request_id,
            method: answered.method.to_owned(),
            path: answered.path.to_owned(),
            status: answered.status,
            timer: TimerPanel {
                total_ms: answered.total.as_secs_f64() * 1000.0,
                view_ms: view_ns.map(millis),
                cache_ms: millis(cache_ns),
                sql_ms: millis(sql_ns),
            },
            cache: CachePanel {
                calls: cache_calls.len(),
                hits: cache_calls.iter().map(CacheCall::hits).sum(),
                misses: cache_calls.iter().map(CacheCall::misses).sum(),
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
                request: listed(answered.request_headers),
                response: listed(answered.response_headers),
            },
            settings: settings_panel(caching).await,
        }
    }
}

async fn settings_panel(caching: &Caching) -> SettingsPanel {
    let strategies = [Strategy::Site, Strategy::View, Strategy::Fragment]
        .into_iter()
        .map(|strategy| {
            let choice = caching.selection.get(strategy);
            StrategyRow {
                strategy: strategy.name(),
                backend: choice.backend.map_or("off", BackendKind::name),
                seconds: choice.seconds,
            }
        })
        .collect();
    let mut backends = Vec::new();
    for kind in BackendKind::ALL {
        let options = caching.caches.options(kind);
        let built = caching.caches.built(kind);
        let entries = match &built {
            Some(cache) => cache.entry_count().await,
            None => None,
        };
        backends.push(BackendRow {
            backend: kind.name(),
            timeout: serde_json::to_string(&options.timeout).unwrap_or_default(),
            key_prefix: options.key_prefix.clone(),
            version: options.version,
            entries,
            stored_bytes: built.map_or(0, |cache| cache.stats().bytes_stored),
        });
    }
    SettingsPanel {
        strategies,
        backends,
    }
}
