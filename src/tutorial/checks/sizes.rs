//! Checks of what a stored page costs: its bytes raw and stored, as the toolbar's
//! Cache panel shows them on the write and on the hit, and the time a hit spends in
//! the cache on two backends.

use super::{Finding, bytes, not_in_setup};
use crate::cache::backends::CacheBackend;
use crate::cache::strategies::Strategy;
use crate::record::CacheCall;
use crate::toolbar::panels::Panels;
use crate::tutorial::history::{Recorded, from_page_cache, runs};
use crate::tutorial::setup::Setup;

/// The page — or, with no page cache, its fragments — was stored and read back,
/// compressed as `compressed` says, in the newest run of requests made with the
/// setup that shows both.
pub fn stored(recorded: &Recorded, path: &str, compressed: bool, setup: &Setup) -> Finding {
    let Some((strategy, backend, _)) = setup.page_cache().or_else(|| setup.fragment_cache()) else {
        return Finding::missing("this step caches neither a page nor a fragment");
    };
    let requests = recorded.page(path);
    let runs = runs(&requests, setup);
    let Some(newest) = runs.first() else {
        return not_in_setup(&requests, path, setup);
    };
    let found =
        runs.iter().find_map(
            |range| match stored_and_read(&requests[range.clone()], strategy) {
                (Some(writer), Some(read)) => Some((writer, read)),
                _ => None,
            },
        );
    let Some((writer, read)) = found else {
        return Finding::missing(match stored_and_read(&requests[newest.clone()], strategy) {
            (Some(_), _) => format!("{path} was stored, but not read back yet — refresh it"),
            (None, _) => {
                format!("{path} has not been stored with this step's setup yet — open it")
            }
        });
    };
    let threshold = writer
        .settings
        .backends
        .iter()
        .find(|row| row.backend == backend.name())
        .map_or(0, |row| row.compress_threshold);
    compression(path, strategy, backend, threshold, read, compressed)
}

/// In one run of a page's requests, oldest first: the newest that stored the page
/// through `strategy`'s cache, and the page as a later one read it back.
fn stored_and_read<'p>(
    run: &[&'p Panels],
    strategy: Strategy,
) -> (Option<&'p Panels>, Option<&'p CacheCall>) {
    let written = run.iter().rposition(|request| {
        largest(request, strategy, |call| call.operation.starts_with("set")).is_some()
    });
    let read = written.and_then(|written| {
        run[written + 1..]
            .iter()
            .find_map(|request| largest(request, strategy, |call| call.hits > 0))
    });
    (written.map(|written| run[written]), read)
}

/// Whether the value `read` brought back — by `strategy` — was compressed as
/// `compressed` says, given the backend's `threshold`.
fn compression(
    path: &str,
    strategy: Strategy,
    backend: CacheBackend,
    threshold: usize,
    read: &CacheCall,
    compressed: bool,
) -> Finding {
    let raw = read.bytes_raw.unwrap_or_default();
    let kept = read.bytes_stored.unwrap_or_default();
    let what = if strategy == Strategy::Fragment {
        "the fragment"
    } else {
        "the page"
    };
    let page = format!(
        "{what} of {path} is {} bytes raw and {} stored",
        bytes(raw),
        bytes(kept)
    );
    let setting = format!("the {backend} backend's compress_threshold is {threshold}");
    match (compressed, kept < raw) {
        (true, true) => Finding::seen(format!(
            "{page}: zstd-compressed when the miss stored it, {:.1} times smaller, as it is \
             over {threshold} bytes ({setting}); the hit read it back and decompressed it",
            ratio(raw, kept)
        )),
        (true, false) => Finding::missing(format!(
            "{page}: stored as it is, as {setting} (0 never compresses) — set \
             caches.{backend}.compress_threshold = 1024"
        )),
        (false, false) => Finding::seen(format!(
            "{page}: as it is, its header aside, as {setting}; the hit handed it out with no \
             decompression, for the memory it keeps"
        )),
        (false, true) => Finding::missing(format!(
            "{page}: compressed, as {setting} — set caches.{backend}.compress_threshold = 0 to \
             keep pages as they are"
        )),
    }
}

/// A per-site hit on the page was recorded on each of `backends`: the time each
/// spent in the cache, side by side.
pub fn hit_costs(recorded: &Recorded, path: &str, backends: [CacheBackend; 2]) -> Finding {
    let requests = recorded.page(path);
    let hit_on = |backend: CacheBackend| {
        requests.iter().rev().copied().find(|request| {
            from_page_cache(request)
                && request.verdict.strategy == Some(Strategy::Site.name())
                && request.verdict.backend == Some(backend.name())
        })
    };
    let [first, second] = backends;
    match (hit_on(first), hit_on(second)) {
        (Some(one), Some(other)) => Finding::seen(format!(
            "a per-site hit on {path} spent {} and {}",
            cost(one),
            cost(other)
        )),
        (None, _) => Finding::missing(format!(
            "no per-site hit of {path} on {first} is recorded (the history keeps the last 50 \
             requests) — do the part on {first}, then this one"
        )),
        (_, None) => Finding::missing(format!(
            "no per-site hit of {path} on {second} is recorded yet — refresh {path} with this \
             part applied"
        )),
    }
}

/// The largest of `request`'s calls by `strategy` that `wanted` picks and that
/// carried a value: the page, rather than its `Vary` list.
fn largest(
    request: &Panels,
    strategy: Strategy,
    wanted: impl Fn(&CacheCall) -> bool,
) -> Option<&CacheCall> {
    request
        .cache
        .rows
        .iter()
        .filter(|call| call.strategy == strategy.name() && call.bytes_raw.is_some())
        .filter(|call| wanted(call))
        .max_by_key(|call| call.bytes_raw)
}

/// How many times smaller `stored` is than `raw`.
fn ratio(raw: u64, stored: u64) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "a ratio for display")]
    let ratio = raw as f64 / stored.max(1) as f64;
    ratio
}

/// The time a hit spent in its cache, and the SQL the database cache ran for it.
fn cost(hit: &Panels) -> String {
    let backend = hit.verdict.backend.unwrap_or_default();
    let time = format!("{:.3} ms in the {backend} cache", hit.cache.time_ms);
    match hit.sql.cache_count {
        0 => time,
        1 => format!("{time} (with 1 SQL statement on cache_table)"),
        n => format!("{time} (with {n} SQL statements on cache_table)"),
    }
}
