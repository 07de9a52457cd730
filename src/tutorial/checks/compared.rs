//! The last step's check: the comparison its Apply starts — steps 1 to 4's
//! configurations of `/all` — read from the runs the lab records.

use std::time::Duration;

use super::{Finding, listed};
use crate::app::AppState;
use crate::bench::plan::{Amount, Configuration, Load, Plan};
use crate::bench::report::{Report, RunResult};
use crate::cache::strategies::Strategy;
use crate::db::compare_runs::{self, StoredRun};
use crate::tutorial::content::STEPS;
use crate::tutorial::setup::{Setup, Use, words};
use crate::tutorial::step::Apply;

/// The page compared: the one the tutorial caches.
const PAGE: &str = "/all";

/// The comparison the last step starts: `/all` with each configuration of steps 1
/// to 4, the uncached one first, warmed for half a second, then loaded for a
/// second by 4 connections: a short run, on a machine that may be small.
#[must_use]
pub fn plan() -> Plan {
    let mut configurations: Vec<Configuration> = Vec::new();
    for part in STEPS[..4].iter().flat_map(|step| step.parts) {
        if let Apply::Setup(setup) = part.apply {
            let configuration = configuration(&setup);
            if !configurations.contains(&configuration) {
                configurations.push(configuration);
            }
        }
    }
    Plan {
        configurations,
        load: Load {
            warmup: Amount::Duration(Duration::from_millis(500)),
            amount: Amount::Duration(Duration::from_secs(1)),
            connections: 4,
        },
    }
}

/// `setup` as a configuration of the engine: the strategies it turns on, and their
/// backend (the steps use one at a time).
fn configuration(setup: &Setup) -> Configuration {
    let on: Vec<(Strategy, _)> = Strategy::ALL
        .into_iter()
        .filter_map(|strategy| match setup.uses(strategy) {
            Use::On(backend, _) => Some((strategy, backend)),
            Use::Off => None,
        })
        .collect();
    Configuration {
        page: PAGE.to_owned(),
        strategies: on.iter().map(|(strategy, _)| *strategy).collect(),
        backend: on.first().map(|(_, backend)| *backend),
    }
}

/// The newest run of [`plan`], read back: done, with every configuration measured.
pub async fn finding(state: &AppState) -> Finding {
    let parameters = serde_json::to_string(&plan()).unwrap_or_default();
    let runs = match compare_runs::list(state.db.pool()).await {
        Ok(runs) => runs,
        Err(error) => return Finding::missing(format!("cannot read the comparison runs: {error}")),
    };
    let Some(run) = runs.into_iter().find(|run| run.parameters == parameters) else {
        return Finding::missing(
            "no comparison of these configurations has run yet — Apply this step",
        );
    };
    match run.status.as_str() {
        "done" => done(state, run.id).await,
        "running" => {
            let progress = state.lab.compare().progress().borrow().clone();
            Finding::missing(format!(
                "run {} is running: {} of {} configurations done — this page follows it",
                run.id, progress.done, progress.total
            ))
        }
        status => Finding::missing(format!(
            "run {} ended {status} — Apply this step to run it again",
            run.id
        )),
    }
}

/// What finished run `id` measured, with its chart.
async fn done(state: &AppState, id: i64) -> Finding {
    let stored: Option<StoredRun> = compare_runs::get(state.db.pool(), id).await.ok().flatten();
    let Some(report) = stored
        .and_then(|run| run.report)
        .and_then(|json| serde_json::from_str::<Report>(&json).ok())
    else {
        return Finding::missing(format!("run {id} finished, but its results cannot be read"));
    };
    let skipped: Vec<String> = report
        .results
        .iter()
        .filter_map(|result| Some(format!("{} ({})", name(result), result.skipped.as_ref()?)))
        .collect();
    let mut finding = if skipped.is_empty() {
        let measured: Vec<String> = report.ranked().into_iter().map(rate).collect();
        Finding::seen(format!(
            "run {id} measured {} configurations of {PAGE}, fastest first: {}",
            measured.len(),
            listed(&measured)
        ))
    } else {
        Finding::missing(format!(
            "run {id} could not measure {} — make the backend answer, then Apply this step again",
            listed(&skipped)
        ))
    };
    finding.chart = Some(report.svg());
    finding.more = Some(format!("/lab/compare?run={id}"));
    finding
}

/// A configuration's name in a sentence: `uncached`, `per-site caching on memory`.
fn name(result: &RunResult) -> String {
    let strategy: &str = match Strategy::named(&result.strategy) {
        Some(strategy) => words(strategy),
        None => &result.strategy,
    };
    match &result.backend {
        Some(backend) => format!("{strategy} on {backend}"),
        None => "uncached".to_owned(),
    }
}

/// A configuration's rate: `per-site caching on memory 18652 req/s (26.8×)`.
fn rate(result: &RunResult) -> String {
    let speedup = result
        .speedup
        .map_or_else(String::new, |speedup| format!(" ({speedup:.1}×)"));
    format!(
        "{} {:.0} req/s{speedup}",
        name(result),
        result.requests_per_second
    )
}
