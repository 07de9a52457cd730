//! What the history keeps of one request: what was recorded, as it was recorded.
//! Its panels are built from it only when a debug page or the open toolbar asks
//! (django-debug-toolbar's `RENDER_PANELS = False`), so a request pays for
//! recording and for the toolbar's handle, never for panels nobody opens.

use std::time::{Duration, SystemTime};

use axum::extract::Request;
use axum::http::response::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};

use super::inject::PageEdits;
use super::panels::settings::SetupSeen;
use super::panels::verdict::Verdict;
use crate::record::{Record, nanos};
use crate::web::format::written_by_write_to;

/// `Server-Timing`, which `http` has no constant for.
const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

/// One recorded request and its answer.
pub struct Entry {
    /// Its number in the history.
    pub request_id: u64,
    /// When it was answered.
    pub at: SystemTime,
    /// The request as it arrived.
    pub asked: Asked,
    /// The answer's status.
    pub status: StatusCode,
    /// The answer's headers as the app sent them, before the toolbar changed them.
    pub sent: HeaderMap,
    /// How the toolbar changed the page's headers besides `Server-Timing`, when it
    /// added to the page: with `sent`, what left (see [`Entry::received`]).
    pub edits: Option<PageEdits>,
    /// What the caches did, in a word.
    pub verdict: Verdict,
    /// Where the time went.
    pub times: Times,
    /// Every cache call and SQL statement.
    pub record: Record,
    /// The caching set-up the request met.
    pub setup: SetupSeen,
}

/// What the toolbar keeps of a request before passing it on.
pub struct Asked {
    /// Its method.
    pub method: Method,
    /// Its address.
    pub uri: Uri,
    /// Its headers.
    pub headers: HeaderMap,
}

impl Asked {
    /// The method, address and headers of `request`.
    #[must_use]
    pub fn of(request: &Request) -> Self {
        Self {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
        }
    }

    /// Its path and query, as the panels show it.
    #[must_use]
    pub fn path(&self) -> &str {
        self.uri.path_and_query().map_or("/", |pq| pq.as_str())
    }
}

/// A request's times and counts: what its handle, its tabs and `Server-Timing`
/// show without building a panel.
#[derive(Debug, Clone, Copy)]
pub struct Times {
    /// The whole request, measured outside every cache.
    pub total: Duration,
    /// The view's own time, when a view ran.
    pub view_ns: Option<u64>,
    /// Time in cache calls.
    pub cache_ns: u64,
    /// Time in SQL.
    pub sql_ns: u64,
    /// Lookups that found a value.
    pub hits: u64,
    /// Lookups that found none.
    pub misses: u64,
    /// SQL statements run.
    pub queries: usize,
}

impl Times {
    /// The times and counts of `record`, for a request that took `total`.
    #[must_use]
    pub fn of(record: &Record, total: Duration) -> Self {
        let calls = &record.cache_calls;
        Self {
            total,
            view_ns: record.view_ns,
            cache_ns: calls.iter().map(|call| call.time_ns).sum(),
            sql_ns: record.queries.iter().map(|query| query.time_ns).sum(),
            hits: calls.iter().map(|call| call.hits).sum(),
            misses: calls.iter().map(|call| call.misses).sum(),
            queries: record.queries.len(),
        }
    }

    /// The whole request in milliseconds.
    #[must_use]
    pub fn total_ms(&self) -> f64 {
        millis(nanos(self.total))
    }

    /// The whole request in milliseconds with `places` decimals, as the handle and
    /// the Timer tab show it.
    #[must_use]
    pub fn total(&self, places: u32) -> Ms {
        Ms::new(nanos(self.total), places)
    }

    /// `Server-Timing`, so the browser's developer tools show the split too.
    #[must_use]
    pub fn server_timing(&self) -> Option<HeaderValue> {
        let parts = [
            ("total;dur=", nanos(self.total)),
            (", view;dur=", self.view_ns.unwrap_or(0)),
            (", cache;dur=", self.cache_ns),
            (", sql;dur=", self.sql_ns),
        ];
        let mut timing = String::with_capacity(96);
        for (name, nanos) in parts {
            timing.push_str(name);
            Ms::new(nanos, 3).write_to(&mut timing).ok()?;
        }
        HeaderValue::from_str(&timing).ok()
    }
}

/// Nanoseconds in milliseconds.
#[must_use]
pub fn millis(nanos: u64) -> f64 {
    Duration::from_nanos(nanos).as_secs_f64() * 1000.0
}

/// Nanoseconds shown in milliseconds with a fixed number of decimals, rounded half
/// up — what `{:.3}` prints of the float — written with integers, as every request
/// carrying the toolbar writes several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ms {
    /// In units of the last decimal shown.
    units: u64,
    /// Decimals shown, at most 6.
    places: u32,
}

impl Ms {
    /// `nanos` with `places` decimals (at most 6, the nanosecond).
    #[must_use]
    pub fn new(nanos: u64, places: u32) -> Self {
        let places = places.min(6);
        let unit = 10_u64.pow(6 - places);
        Self {
            units: nanos.saturating_add(unit / 2) / unit,
            places,
        }
    }

    /// Writes it to `out` piece by piece, without `core::fmt`'s machinery.
    pub fn write_to<W: std::fmt::Write + ?Sized>(&self, out: &mut W) -> std::fmt::Result {
        let scale = 10_u64.pow(self.places);
        let mut digits = itoa::Buffer::new();
        out.write_str(digits.format(self.units / scale))?;
        if self.places == 0 {
            return Ok(());
        }
        out.write_str(".")?;
        let fraction = digits.format(self.units % scale);
        for _ in fraction.len()..self.places as usize {
            out.write_char('0')?;
        }
        out.write_str(fraction)
    }
}

written_by_write_to!(Ms);

/// Digits and a point: nothing to escape.
impl askama::filters::HtmlSafe for Ms {}

impl Entry {
    /// The entry of request `request_id`, `asked` and answered with `response`
    /// after `total`, having done what `record` holds with the set-up `setup`.
    /// `edits` stays empty until the toolbar layer has changed the page.
    #[must_use]
    pub fn new(
        request_id: u64,
        asked: Asked,
        total: Duration,
        record: Record,
        response: &Parts,
        setup: SetupSeen,
    ) -> Self {
        Self {
            request_id,
            at: SystemTime::now(),
            asked,
            status: response.status,
            sent: response.headers.clone(),
            edits: None,
            verdict: Verdict::of(&record),
            times: Times::of(&record, total),
            record,
            setup,
        }
    }

    /// Adds this request's `Server-Timing` to `headers`.
    pub fn stamp(&self, headers: &mut HeaderMap) {
        if let Some(timing) = self.times.server_timing() {
            headers.insert(SERVER_TIMING, timing);
        }
    }

    /// The answer's headers as they left: those sent, stamped and edited by the same
    /// calls the toolbar layer made on the answer itself.
    #[must_use]
    pub fn received(&self) -> HeaderMap {
        let mut headers = self.sent.clone();
        self.stamp(&mut headers);
        if let Some(edits) = self.edits {
            edits.apply(&mut headers);
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_are_written_as_the_float_formatting_would_round_them() {
        let shown = |nanos, places| Ms::new(nanos, places).to_string();
        assert_eq!(shown(1_234_567, 3), "1.235");
        assert_eq!(shown(1_234_567, 2), "1.23");
        assert_eq!(shown(1_234_567, 6), "1.234567");
        assert_eq!(shown(999_999, 2), "1.00");
        assert_eq!(shown(5_000, 3), "0.005");
        assert_eq!(shown(0, 3), "0.000");
        assert_eq!(shown(12_345_678_901, 0), "12346");
        assert_eq!(shown(u64::MAX, 6), "18446744073709.551615");
        assert_eq!(
            shown(u64::MAX, 0),
            "18446744073709",
            "saturated, not rounded"
        );
        let times = Times {
            total: Duration::from_nanos(2_345_678),
            view_ns: None,
            cache_ns: 12_345,
            sql_ns: 1_000_000,
            hits: 1,
            misses: 0,
            queries: 1,
        };
        assert_eq!(
            times.server_timing().unwrap(),
            "total;dur=2.346, view;dur=0.000, cache;dur=0.012, sql;dur=1.000"
        );
        for nanos in [1, 499, 500, 1_499_999, 87_654_321, 3_000_000_001] {
            let float = millis(nanos);
            assert_eq!(shown(nanos, 3), format!("{float:.3}"), "{nanos} ns");
        }
    }
}
