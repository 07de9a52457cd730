//! `/__debug__/`: the history of recorded requests, each request's panels, the same
//! as JSON, and the panels alone for the toolbar to load when it is opened — behind
//! the access gate; everyone else gets the 404 page.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::Toolbar;
use super::entry::Entry;
use super::panels::{Panels, exact_ms};
use crate::access::guard;
use crate::error::{AppError, Result};
use crate::web::render;
use crate::web::timing::ResponseTime;

/// The history page (Django Debug Toolbar's History panel).
#[derive(Template)]
#[template(path = "toolbar/history.html")]
struct HistoryPage {
    totals: Totals,
    requests: Vec<Panels>,
    response_time: Option<ResponseTime>,
}

/// The history's last row: the sums of its requests' columns.
#[derive(Default)]
struct Totals {
    total_ms: f64,
    view_ms: String,
    calls: usize,
    hits: u64,
    misses: u64,
    cache_ms: f64,
    queries: usize,
    sql_ms: f64,
}

impl Totals {
    fn of(requests: &[Panels]) -> Self {
        let view_ns = requests.iter().filter_map(|p| p.timer.view_ns).sum();
        let sums = Self {
            view_ms: exact_ms(view_ns),
            ..Self::default()
        };
        requests.iter().fold(sums, |sum, panels| Self {
            total_ms: sum.total_ms + panels.timer.total_ms,
            calls: sum.calls + panels.cache.calls,
            hits: sum.hits + panels.cache.hits,
            misses: sum.misses + panels.cache.misses,
            cache_ms: sum.cache_ms + panels.cache.time_ms,
            queries: sum.queries + panels.sql.count,
            sql_ms: sum.sql_ms + panels.sql.time_ms,
            view_ms: sum.view_ms,
        })
    }
}

/// One request's panels, as a page.
#[derive(Template)]
#[template(path = "toolbar/request.html")]
struct RequestPage {
    entry: Arc<Entry>,
    panels: Panels,
    response_time: Option<ResponseTime>,
}

/// One request's panels alone: what the open toolbar puts in its sections.
#[derive(Template)]
#[template(path = "toolbar/sections.html")]
struct Sections {
    panels: Panels,
}

/// The debug routes, behind the access gate, for a router of any state.
pub fn routes<S: Clone + Send + Sync + 'static>(toolbar: Arc<Toolbar>) -> Router<S> {
    Router::new()
        .route("/__debug__/history", get(history))
        .route("/__debug__/requests/{id}", get(request))
        .route("/__debug__/requests/{id}/panels", get(sections))
        .route_layer(from_fn_with_state(Arc::clone(&toolbar.gate), guard))
        .with_state(toolbar)
}

fn hidden() -> AppError {
    AppError::NotFound("There is no page at this address.".to_owned())
}

async fn history(State(toolbar): State<Arc<Toolbar>>) -> Result<Html<String>> {
    if !toolbar.enabled {
        return Err(hidden());
    }
    let requests = toolbar.history();
    render(&HistoryPage {
        totals: Totals::of(&requests),
        requests,
        response_time: None,
    })
}

/// `/__debug__/requests/{id}` shows the panels, with what each backend holds now;
/// `{id}.json` returns them as JSON.
async fn request(State(toolbar): State<Arc<Toolbar>>, Path(id): Path<String>) -> Result<Response> {
    let (id, json) = match id.strip_suffix(".json") {
        Some(id) => (id, true),
        None => (id.as_str(), false),
    };
    let entry = recorded(&toolbar, id)?;
    let mut panels = toolbar.panels(&entry);
    panels.settings.count_usage(&toolbar.strategies).await;
    if json {
        return Ok(Json(panels).into_response());
    }
    Ok(render(&RequestPage {
        entry,
        panels,
        response_time: None,
    })?
    .into_response())
}

/// `/__debug__/requests/{id}/panels`: the sections of the toolbar `{id}`'s page
/// carries, built now. Ids start again at 1 when the server does, so no browser
/// keeps them.
async fn sections(State(toolbar): State<Arc<Toolbar>>, Path(id): Path<String>) -> Result<Response> {
    let entry = recorded(&toolbar, &id)?;
    let mut response = render(&Sections {
        panels: toolbar.panels(&entry),
    })?
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The entry of request `id`, while the history holds it.
fn recorded(toolbar: &Toolbar, id: &str) -> Result<Arc<Entry>> {
    if !toolbar.enabled {
        return Err(hidden());
    }
    id.parse()
        .ok()
        .and_then(|id| toolbar.entry(id))
        .ok_or_else(hidden)
}
