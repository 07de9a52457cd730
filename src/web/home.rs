//! `/`: the top five Normal, Grass and Water Pokémon, as in the tutorial.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::render;
use super::timing::{ResponseTime, ViewTimer};
use crate::app::AppState;
use crate::db::pokemon::{self, ListedPokemon};
use crate::error::Result;

/// The primary types the home page lists, in order.
pub const HOME_TYPES: [&str; 3] = ["normal", "grass", "water"];
/// How many Pokémon each home-page table shows.
pub const PER_TYPE: u32 = 5;

/// One table of the home page.
pub struct TypeSection {
    /// Primary type, lower case.
    pub type_name: &'static str,
    /// Its first Pokémon by name.
    pub rows: Vec<ListedPokemon>,
}

/// The home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// One section per entry of [`HOME_TYPES`].
    pub sections: Vec<TypeSection>,
    /// The view's time for the navbar.
    pub response_time: Option<ResponseTime>,
}

/// Runs the tutorial's three queries and renders the three tables.
pub async fn home(State(state): State<AppState>) -> Result<Html<String>> {
    let timer = ViewTimer::start();
    let mut sections = Vec::with_capacity(HOME_TYPES.len());
    for type_name in HOME_TYPES {
        let rows = pokemon::first_of_type(&state.db, type_name, PER_TYPE).await?;
        sections.push(TypeSection { type_name, rows });
    }
    render(&HomePage {
        sections,
        response_time: timer.stop(),
    })
}
