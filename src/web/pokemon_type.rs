//! `/type/{name}`: every Pokémon with that primary or secondary type.

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Html;

use super::render_holding;
use super::table::PokemonTable;
use super::timing::{ResponseTime, ViewTimer};
use crate::app::AppState;
use crate::db::pokemon::listed;
use crate::error::{AppError, Result};

/// The list of one type's Pokémon.
#[derive(Template)]
#[template(path = "type.html")]
pub struct TypePage {
    /// The type, lower case as stored.
    pub type_name: String,
    /// The table of its Pokémon, by name.
    pub table: String,
    /// The view's time for the navbar.
    pub response_time: Option<ResponseTime>,
}

/// Lists a type's Pokémon; a type no Pokémon has is a 404.
pub async fn pokemon_type(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Html<String>> {
    let timer = ViewTimer::start();
    let Ok(Path(type_name)) = name else {
        return Err(AppError::NotFound("There is no such type.".to_owned()));
    };
    let listed = listed::of_type(&state.db, &type_name).await?;
    if listed.is_empty() {
        return Err(AppError::NotFound(format!(
            "No Pokémon has the type “{type_name}”."
        )));
    }
    let table = PokemonTable::render_listed(&listed, true)?;
    let inner = table.len();
    render_holding(
        &TypePage {
            type_name,
            table,
            response_time: timer.stop(),
        },
        inner,
    )
}
