//! What the caches did with a request, in a word, for the toolbar's handle — and
//! what the Timer panel says when no view was timed.

use serde::Serialize;

use crate::record::{CacheCall, Record};
use crate::web::format::written_by_write_to;

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

    /// The outcome in lower case, as the handle's class names it.
    #[must_use]
    pub fn class(&self) -> &'static str {
        match self.outcome {
            "HIT" => "hit",
            "MISS" => "miss",
            "BYPASS" => "bypass",
            _ => "uncached",
        }
    }

    /// Whether a page cache answered, so that no view ran.
    #[must_use]
    pub fn served_from_cache(&self) -> bool {
        self.outcome == "HIT" && self.strategy != Some("fragment")
    }

    /// What the Timer panel says in place of the view's time, when none was taken:
    /// a page cache answered, or the answer was not a page a view rendered (a
    /// redirect, the 404 or 500 page) — which may have run SQL all the same.
    #[must_use]
    pub fn untimed(&self, status: u16, queries: usize) -> String {
        if self.served_from_cache() {
            let strategy = self.strategy.unwrap_or("page");
            return format!("did not run — served from the {strategy} cache");
        }
        let answer = match status {
            200..=299 => "a response no view timed",
            300..=399 => "a redirect",
            404 => "the 404 page",
            400..=499 => "a client error",
            _ => "an error page",
        };
        match queries {
            0 => format!("not timed — the answer was {answer}"),
            1 => format!("not timed — the answer was {answer}, after 1 SQL statement"),
            n => format!("not timed — the answer was {answer}, after {n} SQL statements"),
        }
    }
}

impl Verdict {
    /// Writes `HIT · site · memory`, without `core::fmt`'s machinery.
    fn write_to<W: std::fmt::Write + ?Sized>(&self, out: &mut W) -> std::fmt::Result {
        out.write_str(self.outcome)?;
        for part in [self.strategy, self.backend].into_iter().flatten() {
            out.write_str(" · ")?;
            out.write_str(part)?;
        }
        Ok(())
    }
}

written_by_write_to!(Verdict);

/// Fixed words of the app's own (outcomes, strategies, backends): nothing to escape.
impl askama::filters::HtmlSafe for Verdict {}
