//! `/`: the top five Normal, Grass and Water Pokémon, as in the tutorial.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use bytestring::ByteString;

use super::render_holding;
use super::table::PokemonTable;
use super::timing::{ResponseTime, ViewTimer};
use crate::app::AppState;
use crate::cache::strategies::fragment::Fragment;
use crate::db::pokemon::listed;
use crate::error::{AppError, Result};

/// The primary types the home page lists, in order.
pub const HOME_TYPES: [&str; 3] = ["normal", "grass", "water"];
/// How many Pokémon each home-page table shows.
pub const PER_TYPE: u32 = 5;

/// One table of the home page.
pub struct TypeSection {
    /// Primary type, lower case.
    pub type_name: &'static str,
    /// The table of its first Pokémon by name, fresh or from the fragment cache.
    pub table: ByteString,
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

/// The fragment holding the table of `type_name`: it shows that type's list.
#[must_use]
pub fn home_table(type_name: &str) -> Fragment {
    Fragment::new("home_table", &[type_name]).tagged(&[&format!("type:{type_name}")])
}

/// Runs the tutorial's three queries and renders the three tables — only those the
/// fragment cache does not have (one fragment per type, fetched in one batch).
pub async fn home(State(state): State<AppState>) -> Result<Html<String>> {
    let timer = ViewTimer::start();
    let fragments = HOME_TYPES.map(home_table);
    let tables = state
        .strategies
        .fragments(&fragments, |missing| async {
            let mut tables = Vec::with_capacity(missing.len());
            for index in missing {
                let listed = listed::first_of_type(&state.db, HOME_TYPES[index], PER_TYPE).await?;
                tables.push(PokemonTable::render_listed(&listed, false)?);
            }
            Ok::<_, AppError>(tables)
        })
        .await?;
    let inner = tables.iter().map(|table| table.len()).sum();
    let sections = HOME_TYPES
        .into_iter()
        .zip(tables)
        .map(|(type_name, table)| TypeSection { type_name, table })
        .collect();
    render_holding(
        &HomePage {
            sections,
            response_time: timer.stop(),
        },
        inner,
    )
}
