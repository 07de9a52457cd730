//! What one request did, recorded where it happens — the cache API, the database
//! seam, the view timer, the strategies — into a recorder the toolbar layer puts in
//! scope. Outside that scope (the toolbar off, or an outside client) every hook is a
//! single failed task-local lookup.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;

tokio::task_local! {
    static RECORDER: Arc<Mutex<Record>>;
    static STRATEGY: &'static str;
}

/// Everything recorded for one request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Record {
    /// The view's own time, as the navbar shows it, when a view ran.
    pub view_ns: Option<u64>,
    /// Every cache call, in order.
    pub cache_calls: Vec<CacheCall>,
    /// Every SQL statement, in order.
    pub queries: Vec<Query>,
    /// What each page cache the request passed through did, innermost first.
    pub pages: Vec<PageOutcome>,
}

/// What one page cache (per-site or per-view) did with the request: what `X-Cache`
/// said when it left that cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageOutcome {
    /// `site` or `view`.
    pub strategy: &'static str,
    /// The backend's name.
    pub backend: &'static str,
    /// `HIT`, `MISS` or `BYPASS`.
    pub outcome: &'static str,
}

/// One call to the cache API, or one decision of a strategy.
#[derive(Debug, Clone, Serialize)]
pub struct CacheCall {
    /// `site`, `view`, `fragment` or `direct`.
    pub strategy: &'static str,
    /// The backend's name.
    pub backend: &'static str,
    /// `get`, `set`, `get_many`, ... or `bypass`, `wait` for a strategy's decision.
    pub operation: &'static str,
    /// The full stored key (`prefix:version:key`), or the keys of a batch.
    pub key: String,
    /// `hit`, `miss`, `2 hit, 1 miss`, `stored`, `deleted`, `bypass: <reason>`,
    /// `coalesced`, `error`, ...
    pub result: String,
    /// Lookups of this call that found a value, counted as the cache's `Stats` count
    /// them.
    pub hits: u64,
    /// Lookups of this call that found none (absent, expired, unreadable, failed).
    pub misses: u64,
    /// Bytes of the values before encoding, for writes and hits.
    pub bytes_raw: Option<u64>,
    /// Bytes stored for them.
    pub bytes_stored: Option<u64>,
    /// Lifetime given to a written entry, in seconds (`None`: forever or n/a).
    pub ttl_seconds: Option<u64>,
    /// Lifetime left of the entry a hit found, where its backend told.
    pub left: Option<Left>,
    /// Time spent, in nanoseconds.
    pub time_ns: u64,
    /// Why the backend failed, when it did.
    pub error: Option<String>,
}

/// How long an entry a hit found has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Left {
    /// This many milliseconds.
    Ms(u64),
    /// It never expires.
    Forever,
}

impl std::fmt::Display for Left {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ms(ms) => write!(f, "{}.{:03} s left", ms / 1000, ms % 1000),
            Self::Forever => f.write_str("forever"),
        }
    }
}

/// One SQL statement.
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    /// The statement.
    pub sql: String,
    /// Its parameters, as SQL literals (`'normal'`, `5`, `NULL`, `<3 bytes>`).
    pub params: Vec<String>,
    /// Rows it returned, or, for a list query that returns its rows as one JSON
    /// array, the rows that array carried: the rows a person thinks of.
    pub rows: u64,
    /// Whether `rows` counts the elements of a JSON array the statement returned.
    pub rows_in_json: bool,
    /// Whether the database cache backend ran it on its own table (Django Debug
    /// Toolbar shows these among the view's queries; so does this one, marked).
    pub cache_sql: bool,
    /// Time until its last row, in nanoseconds.
    pub time_ns: u64,
}

/// A duration in whole nanoseconds, saturating: how every recorded time is kept.
#[must_use]
pub fn nanos(time: Duration) -> u64 {
    u64::try_from(time.as_nanos()).unwrap_or(u64::MAX)
}

/// Runs `future` with a fresh recorder in scope; returns its output and the record.
pub async fn recording<F: Future>(future: F) -> (F::Output, Record) {
    let recorder = Arc::new(Mutex::new(Record::default()));
    let output = RECORDER.scope(Arc::clone(&recorder), future).await;
    let record = std::mem::take(&mut *recorder.lock().unwrap_or_else(PoisonError::into_inner));
    (output, record)
}

/// Runs `future` with its cache calls attributed to `strategy`.
pub async fn as_strategy<F: Future>(strategy: &'static str, future: F) -> F::Output {
    STRATEGY.scope(strategy, future).await
}

/// The strategy whose cache calls are running (`direct` outside any).
#[must_use]
pub fn current_strategy() -> &'static str {
    STRATEGY.try_with(|strategy| *strategy).unwrap_or("direct")
}

/// Whether a recorder is in scope, so callers can skip building what it would take.
#[must_use]
pub fn is_recording() -> bool {
    RECORDER.try_with(|_| ()).is_ok()
}

fn with(update: impl FnOnce(&mut Record)) {
    // Outside a recording scope this is the whole cost of a hook.
    let _ = RECORDER
        .try_with(|recorder| update(&mut recorder.lock().unwrap_or_else(PoisonError::into_inner)));
}

/// Records a cache call.
pub fn cache_call(call: CacheCall) {
    with(|record| record.cache_calls.push(call));
}

/// Records a strategy's decision (a bypass, a wait for another request's
/// computation) among the cache calls.
pub fn event(backend: &'static str, operation: &'static str, result: &str) {
    if !is_recording() {
        return;
    }
    cache_call(CacheCall {
        strategy: current_strategy(),
        backend,
        operation,
        key: String::new(),
        result: result.to_owned(),
        hits: 0,
        misses: 0,
        bytes_raw: None,
        bytes_stored: None,
        ttl_seconds: None,
        left: None,
        time_ns: 0,
        error: None,
    });
}

/// Records what the page cache running now did with the request.
pub fn page_outcome(backend: &'static str, outcome: &'static str) {
    with(|record| {
        record.pages.push(PageOutcome {
            strategy: current_strategy(),
            backend,
            outcome,
        });
    });
}

/// Records a SQL statement.
pub fn query(query: Query) {
    with(|record| record.queries.push(query));
}

/// Says that the last run of `sql` returned its rows as one JSON array of `rows`
/// elements, so the SQL panel counts those rather than the one row SQLite returned.
pub fn rows_in_json(sql: &str, rows: u64) {
    with(|record| {
        if let Some(query) = record
            .queries
            .iter_mut()
            .rev()
            .find(|query| query.sql == sql)
        {
            query.rows = rows;
            query.rows_in_json = true;
        }
    });
}

/// Records the view's own time.
pub fn view_time(time: Duration) {
    with(|record| record.view_ns = Some(nanos(time)));
}
