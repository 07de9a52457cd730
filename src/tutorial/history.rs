//! The toolbar's history as the checks read it: the requests to one page in order,
//! the navbar time each showed, and the newest run of them made with a step's setup.

use std::ops::Range;

use super::setup::Setup;
use super::step::EDITED;
use crate::toolbar::Toolbar;
use crate::toolbar::panels::Panels;

/// The recorded requests, oldest first.
pub struct Recorded {
    requests: Vec<Panels>,
}

impl Recorded {
    /// What `toolbar` holds now.
    #[must_use]
    pub fn of(toolbar: &Toolbar) -> Self {
        let mut requests = toolbar.history();
        requests.reverse();
        Self { requests }
    }

    /// The `GET`s of the page at `path` (whatever their query) answered `200`.
    #[must_use]
    pub fn page(&self, path: &str) -> Vec<&Panels> {
        self.requests
            .iter()
            .filter(|request| {
                request.method == "GET"
                    && request.status == 200
                    && request.path.split('?').next() == Some(path)
            })
            .collect()
    }

    /// The saves of the edited Pokémon's form: `POST`s answered with the redirect a
    /// save makes.
    #[must_use]
    pub fn saves(&self) -> Vec<&Panels> {
        let form = format!("{EDITED}/edit");
        self.requests
            .iter()
            .filter(|request| request.method == "POST" && request.status == 303)
            .filter(|request| request.path == form)
            .collect()
    }
}

/// Whether a page cache served `request` whole, so that its view did not run.
#[must_use]
pub fn from_page_cache(request: &Panels) -> bool {
    request.verdict.served_from_cache()
}

/// The navbar time `requests[index]` showed, in nanoseconds: its view's own, or —
/// when a page cache served it — that of the request whose miss stored the copy, if
/// the history still holds it. `requests` are one page's, oldest first.
#[must_use]
pub fn shown_time(requests: &[&Panels], index: usize) -> Option<u64> {
    let request = requests[index];
    if let Some(view) = request.timer.view_ns {
        return Some(view);
    }
    if !from_page_cache(request) {
        return None;
    }
    let stored_by = |earlier: &&&Panels| {
        earlier.verdict.outcome == "MISS"
            && earlier.verdict.strategy == request.verdict.strategy
            && earlier.verdict.backend == request.verdict.backend
            && earlier.timer.view_ns.is_some()
    };
    requests[..index]
        .iter()
        .rev()
        .find(stored_by)
        .and_then(|miss| miss.timer.view_ns)
}

/// Where in `requests` each run of consecutive requests made with `setup` stands,
/// newest first.
#[must_use]
pub fn runs(requests: &[&Panels], setup: &Setup) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        if !setup.differences(&request.settings).is_empty() {
            continue;
        }
        match runs.last_mut() {
            Some(run) if run.end == i => run.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    runs.reverse();
    runs
}
