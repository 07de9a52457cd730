//! Checks of one page's last requests: the time changing (its view ran each time),
//! staying (a page cache served the refreshes whole), or changing while every
//! fragment came from the cache.

use std::ops::Range;

use super::{Finding, REQUESTS, catalogue_sql, listed, recent, seconds, verdict};
use crate::cache::strategies::Strategy;
use crate::toolbar::panels::Panels;
use crate::tutorial::history::{Recorded, from_page_cache, shown_time};
use crate::tutorial::setup::{Setup, Use, words};

/// Every one of the last requests to `path` ran its view: the time changed.
pub fn fresh(recorded: &Recorded, path: &str, setup: &Setup) -> Finding {
    let (requests, range) = match viewed(recorded, path, setup) {
        Ok(viewed) => viewed,
        Err(missing) => return missing,
    };
    Finding::seen(format!(
        "{REQUESTS} requests to {path}, the navbar time changed every time ({}): the view \
         ran each time, with {}",
        times(&requests, range.clone()),
        catalogue_sql(&requests[range])
    ))
}

/// The last requests to `path` made with `setup`, and where they stand; or what is
/// missing.
fn last<'r>(
    recorded: &'r Recorded,
    path: &str,
    setup: &Setup,
) -> Result<(Vec<&'r Panels>, Range<usize>), Finding> {
    let requests = recorded.page(path);
    let range = recent(&requests, path, setup)?;
    Ok((requests, range))
}

/// [`last`], when each of them ran its view; or what served one whole.
fn viewed<'r>(
    recorded: &'r Recorded,
    path: &str,
    setup: &Setup,
) -> Result<(Vec<&'r Panels>, Range<usize>), Finding> {
    let (requests, range) = last(recorded, path, setup)?;
    if let Some(cached) = requests[range.clone()]
        .iter()
        .find(|request| from_page_cache(request))
    {
        return Err(Finding::missing(format!(
            "the time stayed: {path} was served whole from a cache ({})",
            verdict(cached)
        )));
    }
    Ok((requests, range))
}

/// The refreshes among the last requests to `path` were served whole by
/// `strategy`'s cache, on the setup's backend: the time stayed.
pub fn frozen(recorded: &Recorded, path: &str, strategy: Strategy, setup: &Setup) -> Finding {
    let Use::On(backend, _) = setup.uses(strategy) else {
        return Finding::missing(format!(
            "this step has {} off, so nothing is served from it",
            words(strategy)
        ));
    };
    let (requests, range) = match last(recorded, path, setup) {
        Ok(last) => last,
        Err(missing) => return missing,
    };
    let run = &requests[range.clone()];
    let served = |request: &&&Panels| {
        from_page_cache(request)
            && request.verdict.strategy == Some(strategy.name())
            && request.verdict.backend == Some(backend.name())
    };
    if let Some(refresh) = run[1..].iter().find(|request| !served(request)) {
        let ran = if refresh.timer.view_ns.is_some() {
            "the time changed: "
        } else {
            ""
        };
        return Finding::missing(format!(
            "{ran}your refresh of {path} was {}, not served by {} on {backend}",
            verdict(refresh),
            words(strategy)
        ));
    }
    let shown: Vec<u64> = range
        .clone()
        .filter_map(|i| shown_time(&requests, i))
        .collect();
    if shown.windows(2).any(|pair| pair[0] != pair[1]) {
        return Finding::missing(format!(
            "the time changed ({}): the copy served was stored before the first of these \
             requests",
            times(&requests, range)
        ));
    }
    let stayed = shown
        .first()
        .map_or_else(|| "as stored".to_owned(), |time| seconds(*time));
    let refreshes = &run[1..];
    Finding::seen(format!(
        "{REQUESTS} requests to {path}, the navbar time stayed {stayed}: the last {} were \
         served whole by {} on {backend}, {} each, {}",
        refreshes.len(),
        words(strategy),
        hits(refreshes),
        with_cache_sql(refreshes)
    ))
}

/// Every one of the last requests to `path` ran its view, and on the refreshes
/// every fragment came from the cache, with no query: the time changed, the table
/// did not.
pub fn fragments(recorded: &Recorded, path: &str, setup: &Setup) -> Finding {
    let Use::On(backend, _) = setup.fragment else {
        return Finding::missing("this step has fragment caching off, so no fragment is cached");
    };
    let (requests, range) = match viewed(recorded, path, setup) {
        Ok(viewed) => viewed,
        Err(missing) => return missing,
    };
    let run = &requests[range.clone()];
    let refreshes = &run[1..];
    let hit = |request: &&&Panels| {
        request.verdict.outcome == "HIT"
            && request.verdict.strategy == Some("fragment")
            && request.verdict.backend == Some(backend.name())
    };
    if let Some(refresh) = refreshes.iter().find(|request| !hit(request)) {
        return Finding::missing(format!(
            "on your refresh of {path} the table did not come from the fragment cache on \
             {backend}: {}",
            verdict(refresh)
        ));
    }
    if refreshes
        .iter()
        .any(|request| request.sql.count > request.sql.cache_count)
    {
        return Finding::missing(format!(
            "every fragment of {path} was a hit, yet SQL ran: {}",
            catalogue_sql(refreshes)
        ));
    }
    Finding::seen(format!(
        "{REQUESTS} requests to {path}, the navbar time changed every time ({}); on the last \
         {} the table came from the fragment cache on {backend}, {} each, with no SQL",
        times(&requests, range),
        refreshes.len(),
        hits(refreshes)
    ))
}

/// The navbar times of `requests[range]`, as a list.
fn times(requests: &[&Panels], range: Range<usize>) -> String {
    let shown: Vec<String> = range
        .map(|i| shown_time(requests, i).map_or_else(|| "as stored".to_owned(), seconds))
        .collect();
    listed(&shown)
}

/// The cache hits of each request: `2 cache hits`, or each one's.
fn hits(requests: &[&Panels]) -> String {
    let counts: Vec<u64> = requests.iter().map(|request| request.cache.hits).collect();
    match counts.as_slice() {
        [first, ..] if counts.iter().all(|count| count == first) => {
            format!("{first} cache {}", if *first == 1 { "hit" } else { "hits" })
        }
        _ => {
            let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
            format!("{} cache hits", listed(&counts))
        }
    }
}

/// The SQL of cache hits: the catalogue's (none), and the database cache's own.
fn with_cache_sql(requests: &[&Panels]) -> String {
    let catalogue = catalogue_sql(requests);
    let cache: Vec<String> = requests
        .iter()
        .map(|request| request.sql.cache_count.to_string())
        .collect();
    match cache.as_slice() {
        [first, ..] if cache.iter().all(|count| count == first) && first == "0" => catalogue,
        [first, ..] if cache.iter().all(|count| count == first) => format!(
            "{catalogue} from the catalogue, and {first} {} on cache_table each (the \
             database cache's own)",
            if first == "1" {
                "statement"
            } else {
                "statements"
            }
        ),
        _ => format!(
            "{catalogue} from the catalogue, and {} statements on cache_table (the database \
             cache's own)",
            listed(&cache)
        ),
    }
}
