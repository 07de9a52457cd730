//! The tutorial, followed inside the app: `/tutorial` walks through the steps of
//! "Improving Django Performance using Caching" in its order, one page each — the
//! Django change, the same here (`pokedex.toml` lines and a command), an "Apply this
//! step" button that switches the running server through the lab, behind the lab's
//! gate, and what to look for, checked against the person's own requests as the
//! debug toolbar recorded them.

mod apply;
pub mod checks;
pub mod content;
pub mod history;
pub mod markup;
mod page;
pub mod setup;
pub mod step;

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::access::{self, Gate};
use crate::app::AppState;
use crate::error::AppError;
use content::STEPS;
use step::Step;

/// The tutorial's routes: its pages for everyone; applying a step and the live
/// checks, which change the server or read its history, behind `gate`.
pub fn routes(gate: Arc<Gate>) -> Router<AppState> {
    let gated = Router::new()
        .route("/tutorial/{step}/apply", post(apply::apply))
        .route("/tutorial/{step}/checks", get(page::checks))
        .route_layer(from_fn_with_state(gate, access::guard));
    Router::new()
        .route("/tutorial", get(page::overview))
        .route("/tutorial/{step}", get(page::step))
        .merge(gated)
}

/// The step an address names, `1` to `7` written plainly; any other is the 404 page.
fn numbered(raw: &str) -> Result<(usize, &'static Step), AppError> {
    raw.parse::<usize>()
        .ok()
        .filter(|number| number.to_string() == raw)
        .and_then(|number| Some((number, STEPS.get(number.checked_sub(1)?)?)))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no step {raw:?}: the tutorial's steps are 1 to {}.",
                STEPS.len()
            ))
        })
}
