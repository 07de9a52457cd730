//! `/lab/compare`: pick pages, strategies, backends, a duration and connections;
//! start a run and watch it (server-sent events); see its results as a table and a
//! chart; download any run as JSON, CSV or SVG; set two runs side by side.

use std::convert::Infallible;
use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::body::to_bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use futures_core::Stream;
use serde::Deserialize;
use serde_json::json;

use super::Lab;
use super::compare::{Progress, StartRefused};
use super::input::{Fields, is_json};
use crate::bench::plan::Asked;
use crate::bench::report::Report;
use crate::db::compare_runs::{self, StoredRun};
use crate::error::AppError;
use crate::web::timing::ResponseTime;

/// Pages the form offers.
const PAGES: [&str; 4] = ["/", "/all", "/pokemon/25", "/type/electric"];
/// Strategies the form offers (the uncached baseline always runs).
const STRATEGIES: [&str; 3] = ["site", "view", "fragment"];
/// Backends the form offers.
const BACKENDS: [&str; 4] = ["memory", "file", "database", "redis"];
/// The largest body of the form.
const BODY_LIMIT: usize = 16 * 1024;

/// Which runs to show.
#[derive(Debug, Deserialize)]
pub struct Shown {
    /// One run.
    run: Option<i64>,
    /// Two runs, side by side.
    a: Option<i64>,
    b: Option<i64>,
}

/// A run with its results, as the page shows it.
struct ShownRun {
    run: StoredRun,
    report: Option<Report>,
}

/// `templates/compare.html`.
#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage<'a> {
    can_run: bool,
    progress: &'a Progress,
    runs: &'a [StoredRun],
    shown: &'a [ShownRun],
    pages: &'static [&'static str],
    strategies: &'static [&'static str],
    backends: &'static [&'static str],
    response_time: Option<ResponseTime>,
}

impl ComparePage<'_> {
    /// Whether the form starts with `backend` ticked: memory and Redis, as the page
    /// proposes.
    fn proposed(backend: &str) -> bool {
        matches!(backend, "memory" | "redis")
    }
}

/// `GET /lab/compare`.
pub async fn page(
    State(lab): State<Arc<Lab>>,
    Query(shown): Query<Shown>,
) -> Result<Response, AppError> {
    let latest = compare_runs::list(&lab.db).await?;
    let wanted: Vec<i64> = match (shown.a, shown.b, shown.run) {
        (Some(a), Some(b), _) => vec![a, b],
        (_, _, Some(run)) => vec![run],
        _ => latest
            .iter()
            .find(|run| run.status != "running")
            .map(|run| run.id)
            .into_iter()
            .collect(),
    };
    let mut runs = Vec::new();
    for id in wanted {
        let run = compare_runs::get(&lab.db, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("There is no run {id}.")))?;
        let report = run
            .report
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok());
        runs.push(ShownRun { run, report });
    }
    render(&lab, &latest, &runs)
}

fn render(lab: &Lab, latest: &[StoredRun], shown: &[ShownRun]) -> Result<Response, AppError> {
    let progress = lab.compare.progress().borrow().clone();
    let html = ComparePage {
        can_run: lab.compare.can_run(),
        progress: &progress,
        runs: latest,
        shown,
        pages: &PAGES,
        strategies: &STRATEGIES,
        backends: &BACKENDS,
        response_time: None,
    }
    .render()?;
    let mut response = Html(html).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /lab/compare/runs`: `pages`, `strategies`, `backends` (each repeated),
/// `duration` (seconds) and `connections`. One run at a time.
pub async fn start(State(lab): State<Arc<Lab>>, request: Request) -> Result<Response, AppError> {
    let json = is_json(request.headers());
    let headers = request.headers().clone();
    let body = to_bytes(request.into_body(), BODY_LIMIT)
        .await
        .unwrap_or_default();
    let fields = Fields::parse(&headers, &body)
        .map_err(|invalid| AppError::Refused(StatusCode::UNPROCESSABLE_ENTITY, invalid.message))?;
    let joined = |name: &str| fields.all(name).collect::<Vec<_>>().join(",");
    let strategies = format!("off,{}", joined("strategies"));
    let duration = format!("{}s", fields.get("duration").unwrap_or("3"));
    let pages = joined("pages");
    let backends = joined("backends");
    let asked = Asked {
        pages: &pages,
        strategies: &strategies,
        backends: &backends,
        duration: &duration,
        requests: None,
        connections: fields.get("connections").unwrap_or("16"),
        warmup: "500ms",
    };
    let refused = |status: StatusCode, message: String| -> Result<Response, AppError> {
        if json {
            return Ok((status, Json(json!({"error": message}))).into_response());
        }
        Err(AppError::Refused(status, message))
    };
    let plan = match asked.plan() {
        Ok(plan) => plan,
        Err(error) => {
            let field = error.flag;
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{field}: {}", error.message),
            );
        }
    };
    match lab.compare.start(plan).await {
        Ok(id) if json => Ok((StatusCode::ACCEPTED, Json(json!({"run": id}))).into_response()),
        Ok(_) => Ok(Redirect::to("/lab/compare").into_response()),
        Err(refusal @ StartRefused::Busy(_)) => refused(StatusCode::CONFLICT, refusal.to_string()),
        Err(refusal) => refused(StatusCode::SERVICE_UNAVAILABLE, refusal.to_string()),
    }
}

/// `POST /lab/compare/cancel`.
pub async fn cancel(State(lab): State<Arc<Lab>>, request: Request) -> Response {
    let cancelled = lab.compare.cancel();
    if is_json(request.headers()) {
        return Json(json!({"cancelled": cancelled})).into_response();
    }
    Redirect::to("/lab/compare").into_response()
}

/// `GET /lab/compare/events`: the progress, as it changes.
pub async fn events(
    State(lab): State<Arc<Lab>>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let receiver = lab.compare.progress();
    let stream =
        futures_util::stream::unfold((receiver, true), |(mut receiver, first)| async move {
            if !first && receiver.changed().await.is_err() {
                return None;
            }
            let progress = receiver.borrow_and_update().clone();
            let event = SseEvent::default().json_data(&progress).unwrap_or_default();
            Some((Ok(event), (receiver, false)))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// `GET /lab/compare/runs/{id}.json`, `.csv` or `.svg`.
pub async fn download(
    State(lab): State<Arc<Lab>>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let missing = || AppError::NotFound("There is no such run.".to_owned());
    let (id, kind) = file.rsplit_once('.').ok_or_else(missing)?;
    let id: i64 = id.parse().map_err(|_| missing())?;
    let run = compare_runs::get(&lab.db, id).await?.ok_or_else(missing)?;
    let report: Report = run
        .report
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .ok_or_else(|| AppError::NotFound("That run has no results yet.".to_owned()))?;
    let (body, content_type) = match kind {
        "json" => (report.json(), "application/json"),
        "csv" => (
            report.csv().map_err(|error| {
                AppError::Refused(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
            })?,
            "text/csv; charset=utf-8",
        ),
        "svg" => (report.svg(), "image/svg+xml"),
        _ => return Err(missing()),
    };
    let disposition = format!("attachment; filename=\"pokedex-run-{id}.{kind}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
