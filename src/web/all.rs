//! `/all`: every Pokémon by name — the page the tutorial caches, whose table is the
//! tutorial's `content_cache` fragment.

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

/// The list of every Pokémon.
#[derive(Template)]
#[template(path = "all.html")]
pub struct AllPage {
    /// The rendered table, fresh or from the fragment cache.
    pub table: ByteString,
    /// The view's time for the navbar.
    pub response_time: Option<ResponseTime>,
}

/// The tutorial's `{% cache 60 content_cache %}` around the table: it shows the
/// whole list.
#[must_use]
pub fn content_cache() -> Fragment {
    Fragment::new("content_cache", &[]).tagged(&["list:all"])
}

/// Lists the whole catalogue: one query and the table, unless the fragment is cached.
pub async fn all(State(state): State<AppState>) -> Result<Html<String>> {
    let timer = ViewTimer::start();
    let fragment = [content_cache()];
    let tables = state
        .strategies
        .fragments(&fragment, |_| async {
            let listed = listed::all_by_name(&state.db).await?;
            Ok::<_, AppError>(vec![PokemonTable::render_listed(&listed, true)?])
        })
        .await?;
    let table = tables.into_iter().next().unwrap_or_default();
    let inner = table.len();
    render_holding(
        &AllPage {
            table,
            response_time: timer.stop(),
        },
        inner,
    )
}
