//! `/all`: every Pokémon by name — the page the tutorial caches.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::render;
use super::timing::{ResponseTime, ViewTimer};
use crate::app::AppState;
use crate::db::pokemon::{self, ListedPokemon};
use crate::error::Result;

/// The list of every Pokémon.
#[derive(Template)]
#[template(path = "all.html")]
pub struct AllPage {
    /// Every Pokémon, by name.
    pub rows: Vec<ListedPokemon>,
    /// The view's time for the navbar.
    pub response_time: Option<ResponseTime>,
}

/// Lists the whole catalogue in one query.
pub async fn all(State(state): State<AppState>) -> Result<Html<String>> {
    let timer = ViewTimer::start();
    let rows = pokemon::all_by_name(&state.db).await?;
    render(&AllPage {
        rows,
        response_time: timer.stop(),
    })
}
