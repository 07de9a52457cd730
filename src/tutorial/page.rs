//! The tutorial's pages: the list of steps, one page per step, and a step's checks
//! alone, which its page reads again every two seconds to follow them live.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use super::checks::{Finding, findings};
use super::content::STEPS;
use super::numbered;
use super::step::{Apply, Check, Part, Step};
use crate::app::AppState;
use crate::error::Result;
use crate::toolbar::inject::{flash_of, spend_flash};
use crate::web::timing::ResponseTime;

/// A step in the progress indicator.
struct Stage {
    number: usize,
    step: &'static Step,
    /// Every check of the step passes (for internal clients; never for others).
    done: bool,
}

/// A part as its page shows it.
struct PartView {
    part: &'static Part,
    /// What its Apply button does, in a sentence.
    applies: String,
    /// Each check, with what it found for an internal client.
    checks: Vec<(&'static Check, Option<Finding>)>,
}

/// `templates/tutorial/overview.html`.
#[derive(Template)]
#[template(path = "tutorial/overview.html")]
struct OverviewPage {
    progress: Vec<Stage>,
    /// No step is the current one.
    number: usize,
    internal: bool,
    response_time: Option<ResponseTime>,
}

/// `templates/tutorial/step.html`.
#[derive(Template)]
#[template(path = "tutorial/step.html")]
struct StepPage {
    number: usize,
    step: &'static Step,
    parts: Vec<PartView>,
    progress: Vec<Stage>,
    internal: bool,
    /// What the last Apply did, once.
    flash: Option<String>,
    response_time: Option<ResponseTime>,
}

/// `templates/tutorial/live.html`: a step's checks alone.
#[derive(Template)]
#[template(path = "tutorial/live.html")]
struct LiveChecks {
    parts: Vec<PartView>,
}

/// `GET /tutorial`: every step, those whose checks all pass ticked.
pub async fn overview(State(state): State<AppState>, request: Request) -> Result<Response> {
    let internal = state.gate.is_internal(&request);
    let page = OverviewPage {
        progress: progress(&state, internal).await,
        number: 0,
        internal,
        response_time: None,
    };
    Ok(no_store(Html(page.render()?).into_response()))
}

/// `GET /tutorial/{step}`: the step, with its Apply buttons and its checks for the
/// clients the lab lets in, its text and commands for everyone.
pub async fn step(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    request: Request,
) -> Result<Response> {
    let (number, step) = numbered(&raw)?;
    let internal = state.gate.is_internal(&request);
    let flash = flash_of(&request).filter(|_| internal);
    let page = StepPage {
        number,
        step,
        parts: parts(&state, step, internal).await,
        progress: progress(&state, internal).await,
        internal,
        response_time: None,
        flash,
    };
    let mut response = no_store(Html(page.render()?).into_response());
    if page.flash.is_some() {
        spend_flash(response.headers_mut());
    }
    Ok(response)
}

/// `GET /tutorial/{step}/checks`, behind the gate: the step's checks as they stand.
pub async fn checks(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Response> {
    let (_, step) = numbered(&raw)?;
    let live = LiveChecks {
        parts: parts(&state, step, true).await,
    };
    Ok(no_store(Html(live.render()?).into_response()))
}

/// The parts of `step`, checked when `internal`.
async fn parts(state: &AppState, step: &'static Step, internal: bool) -> Vec<PartView> {
    let mut found = if internal {
        findings(step, state).await
    } else {
        Vec::new()
    }
    .into_iter();
    step.parts
        .iter()
        .map(|part| {
            let mut part_found = found.next().unwrap_or_default().into_iter();
            PartView {
                part,
                applies: applies(part),
                checks: part
                    .checks
                    .iter()
                    .map(|check| (check, part_found.next()))
                    .collect(),
            }
        })
        .collect()
}

/// Every step, each ticked when `internal` and its checks all pass.
async fn progress(state: &AppState, internal: bool) -> Vec<Stage> {
    let mut stages = Vec::with_capacity(STEPS.len());
    for (index, step) in STEPS.iter().enumerate() {
        let done = internal
            && findings(step, state)
                .await
                .iter()
                .flatten()
                .all(|finding| finding.passed);
        stages.push(Stage {
            number: index + 1,
            step,
            done,
        });
    }
    stages
}

/// What `part`'s Apply button does.
fn applies(part: &Part) -> String {
    match part.apply {
        Apply::Setup(setup) => {
            let backends: Vec<&str> = setup.backends().iter().map(|b| b.name()).collect();
            let emptied = if backends.is_empty() {
                String::new()
            } else {
                format!(", and empties {}", backends.join(" and "))
            };
            format!("Sets {}{emptied}.", setup.describe())
        }
        Apply::Compare => "Starts a comparison of steps 1 to 4's configurations of /all, each \
                           on a server of its own."
            .to_owned(),
    }
}

/// The tutorial shows this moment, for this client: never kept by a browser or a
/// proxy.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
