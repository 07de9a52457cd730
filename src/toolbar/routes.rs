//! `/__debug__/`: the history of recorded requests, each request's panels, and the
//! same as JSON — behind the access gate; everyone else gets the 404 page.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::Toolbar;
use super::panels::Panels;
use crate::access::guard;
use crate::error::{AppError, Result};
use crate::web::render;
use crate::web::timing::ResponseTime;

/// The history page (Django Debug Toolbar's History panel).
#[derive(Template)]
#[template(path = "toolbar/history.html")]
struct HistoryPage {
    requests: Vec<Arc<Panels>>,
    response_time: Option<ResponseTime>,
}

/// One request's panels, as a page.
#[derive(Template)]
#[template(path = "toolbar/request.html")]
struct RequestPage {
    panels: Panels,
    response_time: Option<ResponseTime>,
}

/// The debug routes, behind the access gate, for a router of any state.
pub fn routes<S: Clone + Send + Sync + 'static>(toolbar: Arc<Toolbar>) -> Router<S> {
    Router::new()
        .route("/__debug__/history", get(history))
        .route("/__debug__/requests/{id}", get(request))
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
    render(&HistoryPage {
        requests: toolbar.history(),
        response_time: None,
    })
}

/// `/__debug__/requests/{id}` shows the panels; `{id}.json` returns them as JSON.
async fn request(State(toolbar): State<Arc<Toolbar>>, Path(id): Path<String>) -> Result<Response> {
    if !toolbar.enabled {
        return Err(hidden());
    }
    let (id, json) = match id.strip_suffix(".json") {
        Some(id) => (id, true),
        None => (id.as_str(), false),
    };
    let recorded = id
        .parse()
        .ok()
        .and_then(|id| toolbar.request(id))
        .ok_or_else(hidden)?;
    let mut panels = Panels::clone(&recorded);
    panels.count_entries(&toolbar.strategies).await;
    if json {
        return Ok(Json(panels).into_response());
    }
    Ok(render(&RequestPage {
        panels,
        response_time: None,
    })?
    .into_response())
}
