//! What the panels show for one request — the same struct feeds the toolbar's
//! panels, the history pages and the JSON, so they cannot disagree.

use std::time::SystemTime;

use serde::Serialize;

use super::entry::{Entry, Ms, millis};
use crate::cache::strategies::Strategies;
use crate::record::{CacheCall, Query};
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

/// Nanoseconds as milliseconds with every digit: `1.234567` for 1 234 567 ns, the
/// navbar's `0.001234567` seconds.
#[must_use]
pub fn exact_ms(nanos: u64) -> String {
    Ms::new(nanos, 6).to_string()
}

/// `at` as milliseconds since the epoch and as a time of day (UTC).
fn time_of_day(at: SystemTime) -> (u64, String) {
    let since = at
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

impl Panels {
    /// The panels of the request `entry` recorded, with the backends' options from
    /// `strategies`: built when asked, from what was kept; no backend is asked
    /// anything.
    #[must_use]
    pub fn of(entry: &Entry, strategies: &Strategies) -> Self {
        let Entry {
            times,
            record,
            asked,
            ..
        } = entry;
        let mut operations: Vec<(String, usize)> = Vec::new();
        for call in &record.cache_calls {
            match operations.iter_mut().find(|(op, _)| op == call.operation) {
                Some((_, count)) => *count += 1,
                None => operations.push((call.operation.to_owned(), 1)),
            }
        }
        let status = entry.status.as_u16();
        let (at_unix_ms, at) = time_of_day(entry.at);
        let untimed = times
            .view_ns
            .is_none()
            .then(|| entry.verdict.untimed(status, times.queries));
        Self {
            request_id: entry.request_id,
            method: asked.method.to_string(),
            path: asked.path().to_owned(),
            status,
            at,
            at_unix_ms,
            verdict: entry.verdict.clone(),
            timer: TimerPanel {
                total_ms: times.total_ms(),
                view_ms: times.view_ns.map(millis),
                view_ns: times.view_ns,
                untimed,
                cache_ms: millis(times.cache_ns),
                sql_ms: millis(times.sql_ns),
            },
            cache: CachePanel {
                calls: record.cache_calls.len(),
                hits: times.hits,
                misses: times.misses,
                time_ms: millis(times.cache_ns),
                operations,
                rows: record.cache_calls.clone(),
            },
            sql: SqlPanel {
                count: times.queries,
                cache_count: record
                    .queries
                    .iter()
                    .filter(|query| query.cache_sql)
                    .count(),
                time_ms: millis(times.sql_ns),
                queries: record.queries.clone(),
            },
            headers: HeadersPanel {
                request: listed(&asked.headers),
                received: listed(&entry.received()),
                without_toolbar: listed(&entry.sent),
            },
            settings: SettingsPanel::of(&entry.setup, strategies),
        }
    }
}
