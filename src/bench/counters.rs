//! The one endpoint an isolated server exposes to the engine that started it: its SQL
//! statement and cache hit counters, and a trivial page to measure the client's own
//! ceiling against — both only for the token it was started with.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::server::TOKEN_HEADER;
use crate::app::AppState;
use crate::cache::backends::CacheBackend;
use crate::error::AppError;

/// What the engine reads before and after measuring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// SQL statements the pages ran.
    pub statements: u64,
    /// Cache lookups that found a value, on every backend.
    pub hits: u64,
    /// Cache lookups that found none.
    pub misses: u64,
}

impl Counters {
    /// How much each counter moved since `earlier`.
    #[must_use]
    pub fn since(self, earlier: Self) -> Self {
        Self {
            statements: self.statements.saturating_sub(earlier.statements),
            hits: self.hits.saturating_sub(earlier.hits),
            misses: self.misses.saturating_sub(earlier.misses),
        }
    }
}

/// The routes, answering only requests carrying the token the server was started
/// with; a server started without one has none.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__bench__/counters", get(counters))
        .route("/__bench__/ping", get(ping))
}

/// The counters now.
async fn counters(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    allowed(&state, &request)?;
    let mut counters = Counters {
        statements: state.db.statements(),
        ..Counters::default()
    };
    for backend in CacheBackend::ALL {
        if let Some(cache) = state.strategies.backends.built(backend) {
            let counted = cache.stats();
            counters.hits += counted.hits;
            counters.misses += counted.misses;
        }
    }
    Ok(Json(counters).into_response())
}

/// A trivial page, through every layer of the app: the client's ceiling.
async fn ping(State(state): State<AppState>, request: Request) -> Result<&'static str, AppError> {
    allowed(&state, &request)?;
    Ok("ok")
}

fn allowed(state: &AppState, request: &Request) -> Result<(), AppError> {
    let given = request
        .headers()
        .get(TOKEN_HEADER)
        .map(HeaderValue::as_bytes);
    match state.bench_token.as_deref() {
        Some(token) if given == Some(token.as_bytes()) => Ok(()),
        _ => Err(AppError::NotFound(
            "There is no page at this address.".to_owned(),
        )),
    }
}
