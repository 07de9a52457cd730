//! The lab's routes: the page, its state as JSON, and the changes — each answering a
//! form with `303 See Other` back to the page and JSON with the new state, refusing a
//! bad value with `422` before anything changes, and logging every change.

use std::borrow::Borrow;
use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use super::Lab;
use super::input::{self, Fields, Invalid, is_json};
use super::state::{BackendCard, LabState, StrategyState};
use crate::access::client_of;
use crate::cache::backends::{CacheBackend, NAMES_OR_OFF};
use crate::cache::invalidation::InvalidationMode;
use crate::cache::strategies::Strategy;
use crate::db::seed;
use crate::error::AppError;
use crate::toolbar::inject::{flash_of, spend_flash};
use crate::web::edit::with_flash;
use crate::web::tags::covered_by;
use crate::web::timing::ResponseTime;

/// The largest body a lab form or JSON may have.
const BODY_LIMIT: usize = 16 * 1024;

/// `templates/lab.html`.
#[derive(Template)]
#[template(path = "lab.html")]
struct LabPage<'a> {
    state: &'a LabState,
    /// What was refused, shown above the forms.
    error: Option<&'a str>,
    /// What the last reset of the catalogue did, shown once.
    flash: Option<&'a str>,
    /// Every choice of backend, `off` first.
    choices: &'static [&'static str],
    /// Every invalidation mode.
    modes: &'static [InvalidationMode],
    response_time: Option<ResponseTime>,
}

impl LabPage<'_> {
    /// Every backend's card, in the settings' order.
    fn cards(&self) -> [(&'static str, &BackendCard); 4] {
        CacheBackend::ALL.map(|backend| (backend.name(), &self.state.backends[backend]))
    }

    // Templates pass fields by reference, hence `Borrow`.

    /// A count, or a dash when unknown.
    fn count(count: impl Borrow<Option<u64>>) -> String {
        count
            .borrow()
            .map_or_else(|| "–".to_owned(), |count| count.to_string())
    }

    /// Bytes in kB, or a dash when unknown.
    fn size(bytes: impl Borrow<Option<u64>>) -> String {
        #[allow(clippy::cast_precision_loss, reason = "a size for display")]
        bytes.borrow().map_or_else(
            || "–".to_owned(),
            |bytes| format!("{:.1} kB", bytes as f64 / 1000.0),
        )
    }

    /// A ratio as a percentage, or a dash before any lookup.
    fn ratio(ratio: impl Borrow<Option<f64>>) -> String {
        ratio
            .borrow()
            .map_or_else(|| "–".to_owned(), |ratio| format!("{:.0} %", ratio * 100.0))
    }

    /// Milliseconds with one decimal.
    fn millis(millis: impl Borrow<f64>) -> String {
        format!("{:.1} ms", millis.borrow())
    }

    /// The strategies in the tutorial's order, with their titles.
    fn strategies(&self) -> [(&'static str, &StrategyState); 3] {
        let strategies = &self.state.strategies;
        [
            ("Per-site", &strategies.site),
            ("Per-view", &strategies.view),
            ("Template fragment", &strategies.fragment),
        ]
    }
}

/// `GET /lab`, with the message of the last reset of the catalogue, once.
pub async fn page(State(lab): State<Arc<Lab>>, request: Request) -> Response {
    let state = lab.state().await;
    let flash = flash_of(&request);
    let mut response = lab_page(&state, None, flash.as_deref(), StatusCode::OK);
    if flash.is_some() {
        spend_flash(response.headers_mut());
    }
    response
}

/// `GET /lab/state.json`.
pub async fn state(State(lab): State<Arc<Lab>>) -> Response {
    no_store(Json(lab.state().await).into_response())
}

/// `POST /lab/strategies/{strategy}`: `backend`, `seconds`, and for per-view `routes`.
pub async fn set_strategy(
    State(lab): State<Arc<Lab>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let client = client_name(&request);
    let json = is_json(request.headers());
    let headers = request.headers().clone();
    let Ok(body) = to_bytes(request.into_body(), BODY_LIMIT).await else {
        let too_big = Invalid {
            field: "body",
            message: format!("body: at most {BODY_LIMIT} bytes"),
        };
        return refused(&lab, json, &too_big).await;
    };
    let changed = input::strategy(&name).and_then(|strategy| {
        let fields = Fields::parse(&headers, &body)?;
        let current = lab.strategies.selection.get(strategy);
        let next = input::strategy_settings(strategy, &current, &fields, lab.routes)?;
        Ok((strategy, next))
    });
    let (strategy, next) = match changed {
        Ok(changed) => changed,
        Err(invalid) => return refused(&lab, json, &invalid).await,
    };
    lab.switch(strategy, next, &client);
    answered(&lab, json).await
}

/// `POST /lab/caches/{backend}/clear`.
pub async fn clear_one(
    State(lab): State<Arc<Lab>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let json = is_json(request.headers());
    match input::backend(&name) {
        Ok(backend) => {
            lab.clear(&[backend], &client_name(&request)).await;
            answered(&lab, json).await
        }
        Err(invalid) => refused(&lab, json, &invalid).await,
    }
}

/// `POST /lab/caches/clear`: every backend.
pub async fn clear_all(State(lab): State<Arc<Lab>>, request: Request) -> Response {
    lab.clear(&CacheBackend::ALL, &client_name(&request)).await;
    answered(&lab, is_json(request.headers())).await
}

/// `POST /lab/invalidation`: `mode`, `ttl`, `version` or `tags`.
pub async fn set_invalidation(State(lab): State<Arc<Lab>>, request: Request) -> Response {
    let client = client_name(&request);
    let json = is_json(request.headers());
    let headers = request.headers().clone();
    let body = to_bytes(request.into_body(), BODY_LIMIT)
        .await
        .unwrap_or_default();
    let mode = Fields::parse(&headers, &body).and_then(|fields| input::invalidation_mode(&fields));
    match mode {
        Ok(mode) => {
            lab.set_mode(mode, &client);
            answered(&lab, json).await
        }
        Err(invalid) => refused(&lab, json, &invalid).await,
    }
}

/// `POST /lab/catalogue/reset`: every Pokémon back as seeded — a write like any
/// other, invalidated as the mode in force says.
pub async fn reset_catalogue(State(lab): State<Arc<Lab>>, request: Request) -> Response {
    let client = client_name(&request);
    let json = is_json(request.headers());
    let restored = match seed::restore(&lab.db, seed::POKEMON_CSV).await {
        Ok(restored) => restored,
        Err(error) => return AppError::from(error).into_response(),
    };
    let report = match lab.strategies.after_write(None, covered_by).await {
        Ok(report) => report.to_string(),
        Err(error) => return AppError::from(error).into_response(),
    };
    let message =
        format!("The catalogue is as seeded again ({restored} Pokémon restored). {report}");
    tracing::info!(client, restored, "lab: catalogue reset; {report}");
    if json {
        return no_store(Json(json!({"restored": restored, "report": message})).into_response());
    }
    with_flash(Redirect::to("/lab").into_response(), &message)
}

/// `POST /lab/reset`: every strategy and the invalidation mode back to what the
/// settings said.
pub async fn reset(State(lab): State<Arc<Lab>>, request: Request) -> Response {
    for strategy in Strategy::ALL {
        lab.strategies
            .selection
            .set(strategy, lab.configured(strategy).clone());
    }
    lab.strategies.invalidation.set_mode(lab.configured_mode);
    tracing::info!(
        client = client_name(&request),
        "lab: strategies reset to the settings"
    );
    answered(&lab, is_json(request.headers())).await
}

/// After a change: back to the page for a form, the new state for JSON.
async fn answered(lab: &Lab, json: bool) -> Response {
    if json {
        no_store(Json(lab.state().await).into_response())
    } else {
        Redirect::to("/lab").into_response()
    }
}

/// A bad value: `422`, naming the field, with nothing changed.
async fn refused(lab: &Lab, json: bool, invalid: &Invalid) -> Response {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    if json {
        let body = json!({"error": invalid.message, "field": invalid.field});
        return no_store((status, Json(body)).into_response());
    }
    lab_page(&lab.state().await, Some(&invalid.message), None, status)
}

fn lab_page(
    state: &LabState,
    error: Option<&str>,
    flash: Option<&str>,
    status: StatusCode,
) -> Response {
    let page = LabPage {
        state,
        error,
        flash,
        choices: NAMES_OR_OFF,
        modes: &InvalidationMode::ALL,
        response_time: None,
    };
    match page.render() {
        Ok(html) => no_store((status, Html(html)).into_response()),
        Err(error) => AppError::from(error).into_response(),
    }
}

/// The lab describes this moment: never kept by a browser or a proxy.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn client_name(request: &Request) -> String {
    client_of(request).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}
