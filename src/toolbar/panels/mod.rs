//! What the panels show for one request — the same struct feeds the injected
//! toolbar, the history pages and the JSON, so they cannot disagree.

use std::time::{Duration, SystemTime};

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::response::Parts;
use serde::Serialize;

use crate::cache::strategies::Strategies;
use crate::record::{CacheCall, Query, Record};
use headers::{HeadersPanel, listed};
use settings::SettingsPanel;
use verdict::Verdict;

pub mod headers;
pub mod settings;
pub mod verdict;

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
    /// When it was answered, as a time of day (UTC), for the history.
    pub at: String,
    /// The same, in milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
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

/// Where the time went, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct TimerPanel {
    /// The whole request, measured outside every cache.
    pub total_ms: f64,
    /// The view's own time (what the navbar shows); `None` when no view was timed.
    pub view_ms: Option<f64>,
    /// The same, in nanoseconds: the navbar's seconds have nine digits, so the
    /// toolbar shows this one in milliseconds with six.
    pub view_ns: Option<u64>,
    /// What to say when no view was timed, and why.
    pub untimed: Option<String>,
    /// Time in cache calls.
    pub cache_ms: f64,
    /// Time in SQL.
    pub sql_ms: f64,
}

impl TimerPanel {
    /// The view's time in milliseconds with every digit, as the panel shows it.
    #[must_use]
    pub fn view_exact_ms(&self) -> Option<String> {
        self.view_ns.map(exact_ms)
    }
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
    /// How many, the database cache's own included.
    pub count: usize,
    /// How many of them the database cache backend ran on its table.
    pub cache_count: usize,
    /// Time in them, in milliseconds.
    pub time_ms: f64,
    /// Every statement.
    pub queries: Vec<Query>,
}

fn millis(nanos: u64) -> f64 {
    Duration::from_nanos(nanos).as_secs_f64() * 1000.0
}

/// Nanoseconds as milliseconds with every digit: `1.234567` for 1 234 567 ns, the
/// navbar's `0.001234567` seconds.
#[must_use]
pub fn exact_ms(nanos: u64) -> String {
    format!("{}.{:06}", nanos / 1_000_000, nanos % 1_000_000)
}

/// Now, as milliseconds since the epoch and as a time of day (UTC).
fn now() -> (u64, String) {
    let since = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since.as_secs() % 86_400;
    let at = format!(
        "{:02}:{:02}:{:02}.{:03} UTC",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        since.subsec_millis()
    );
    (u64::try_from(since.as_millis()).unwrap_or(u64::MAX), at)
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
    /// strategies hold in memory: no backend is asked anything. `response` is the
    /// answer as the app sent it; the toolbar layer fills in what was received.
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
        let status = response.status.as_u16();
        let (at_unix_ms, at) = now();
        let untimed = view_ns
            .is_none()
            .then(|| verdict.untimed(status, queries.len()));
        Self {
            request_id,
            method: asked.method,
            path: asked.path,
            status,
            at,
            at_unix_ms,
            verdict,
            timer: TimerPanel {
                total_ms: total.as_secs_f64() * 1000.0,
                view_ms: view_ns.map(millis),
                view_ns,
                untimed,
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
                cache_count: queries.iter().filter(|query| query.cache_sql).count(),
                time_ms: millis(sql_ns),
                queries,
            },
            headers: HeadersPanel {
                request: listed(&asked.headers),
                received: Vec::new(),
                without_toolbar: listed(&response.headers),
            },
            settings: SettingsPanel::of(strategies),
        }
    }
}
