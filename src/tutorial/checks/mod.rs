//! What to look for, checked: each [`Expect`] read against the person's recorded
//! requests — the toolbar's history, never a timer or a guess — or, for the
//! comparison, the runs the lab recorded; each says plainly what it saw, or what is
//! missing.

mod compared;
mod pages;
mod saves;
mod sizes;

use std::ops::Range;
use std::time::Duration;

use super::history::{Recorded, runs, shown_time};
use super::setup::Setup;
use super::step::{Apply, Expect, Part, Step};
use crate::app::AppState;
use crate::toolbar::panels::Panels;
use crate::web::timing::ResponseTime;
pub use compared::plan;

/// How many requests a check of one page reads: the first, then two refreshes.
const REQUESTS: usize = 3;

/// What a check found.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Whether what the step shows was seen.
    pub passed: bool,
    /// What was seen, or what is missing, in a sentence that starts with ✓ or ✗.
    pub says: String,
    /// A comparison's chart, drawn by the app as SVG.
    pub chart: Option<String>,
    /// Where to see more of it.
    pub more: Option<String>,
}

impl Finding {
    fn seen(says: impl AsRef<str>) -> Self {
        Self::new(true, says.as_ref())
    }

    fn missing(says: impl AsRef<str>) -> Self {
        Self::new(false, says.as_ref())
    }

    fn new(passed: bool, says: &str) -> Self {
        Self {
            passed,
            says: format!("{} {says}", if passed { '✓' } else { '✗' }),
            chart: None,
            more: None,
        }
    }
}

/// The findings of every check of every part of `step`, part by part, as the
/// history and the lab's runs stand now.
pub async fn findings(step: &Step, state: &AppState) -> Vec<Vec<Finding>> {
    let recorded = Recorded::of(&state.toolbar);
    let mut all = Vec::with_capacity(step.parts.len());
    for part in step.parts {
        let mut found = Vec::with_capacity(part.checks.len());
        for check in part.checks {
            found.push(finding(part, check.expect, &recorded, state).await);
        }
        all.push(found);
    }
    all
}

/// One check of `part`. A part that starts a comparison is checked by that
/// comparison; the others by what their requests show with the part's setup.
async fn finding(part: &Part, expect: Expect, recorded: &Recorded, state: &AppState) -> Finding {
    let Apply::Setup(setup) = part.apply else {
        return compared::finding(state).await;
    };
    match expect {
        Expect::Compared => compared::finding(state).await,
        _ if !state.toolbar.is_on() => Finding::missing(
            "the toolbar is off (--toolbar off): no request is recorded, so none can be \
             checked — start the server without it",
        ),
        Expect::Fresh(path) => pages::fresh(recorded, path, &setup),
        Expect::Frozen(path, strategy) => pages::frozen(recorded, path, strategy, &setup),
        Expect::Fragments(path) => pages::fragments(recorded, path, &setup),
        Expect::Stored { path, compressed } => sizes::stored(recorded, path, compressed, &setup),
        Expect::HitCosts(path, backends) => sizes::hit_costs(recorded, path, backends),
        Expect::Saved => saves::saved(recorded, &setup),
        Expect::AfterSave(path, after) => saves::after_save(recorded, path, after, &setup),
    }
}

/// Where in `requests` (one page's, oldest first) the last [`REQUESTS`] made with
/// `setup` in a row stand — in the newest run of them that long, so that a check
/// seen stays seen while the history holds it; or what is missing.
fn recent(requests: &[&Panels], path: &str, setup: &Setup) -> Result<Range<usize>, Finding> {
    let runs = runs(requests, setup);
    let Some(newest) = runs.first() else {
        return Err(not_in_setup(requests, path, setup));
    };
    if let Some(long) = runs.iter().find(|run| run.len() >= REQUESTS) {
        return Ok(long.end - REQUESTS..long.end);
    }
    let more = REQUESTS - newest.len();
    Err(Finding::missing(format!(
        "{} of {REQUESTS} requests to {path} so far with this step's setup — refresh it \
         {more} more {}",
        newest.len(),
        if more == 1 { "time" } else { "times" }
    )))
}

/// Why no request to `path` counts: none was made, or none with `setup` — said with
/// what the newest ones showed, and how their setup differed.
fn not_in_setup(requests: &[&Panels], path: &str, setup: &Setup) -> Finding {
    let Some(newest) = requests.last() else {
        return Finding::missing(format!("no request to {path} is recorded yet — open it"));
    };
    let last = requests.len().saturating_sub(REQUESTS)..requests.len();
    let times: Vec<Option<u64>> = last.clone().map(|i| shown_time(requests, i)).collect();
    let known: Vec<u64> = times.iter().flatten().copied().collect();
    let observation = if known.len() >= 2 && known.len() == times.len() {
        if known.windows(2).all(|pair| pair[0] == pair[1]) {
            format!("the time stayed {}", seconds(known[0]))
        } else {
            "the time changed".to_owned()
        }
    } else {
        format!("your last request to {path} was {}", verdict(newest))
    };
    Finding::missing(format!(
        "{observation}: {} — Apply this step",
        setup.differences(&newest.settings).join(", ")
    ))
}

/// A navbar time, as the navbar shows it: `0.002811235 s`.
fn seconds(nanos: u64) -> String {
    format!("{} s", ResponseTime(Duration::from_nanos(nanos)))
}

/// What the caches did with `request`, as the toolbar's handle says it, with the
/// failure of a backend when one failed.
fn verdict(request: &Panels) -> String {
    match &request.verdict.problem {
        Some(problem) => format!("{} ({problem})", request.verdict),
        None => request.verdict.to_string(),
    }
}

/// `items` joined as a sentence does: `a`, `a and b`, `a, b and c`.
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The catalogue's SQL statements of each request — the database cache's own
/// excepted — in a few words: `1 SQL statement each`, `no SQL`.
fn catalogue_sql(requests: &[&Panels]) -> String {
    let counts: Vec<usize> = requests
        .iter()
        .map(|request| request.sql.count - request.sql.cache_count)
        .collect();
    let each = if counts.len() > 1 { " each" } else { "" };
    match counts.as_slice() {
        [first, ..] if counts.iter().all(|count| count == first) => match first {
            0 => "no SQL".to_owned(),
            1 => format!("1 SQL statement{each}"),
            n => format!("{n} SQL statements{each}"),
        },
        _ => {
            let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
            format!("{} SQL statements", listed(&counts))
        }
    }
}

/// A number of bytes with its thousands apart: `154 232`.
fn bytes(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}
