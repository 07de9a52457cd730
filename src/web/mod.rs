//! The pages: one file per page, each holding its handler and its template struct.

pub mod all;
pub mod assets;
pub mod canonical;
pub mod edit;
pub mod edit_form;
pub mod format;
pub mod home;
pub mod not_found;
pub mod pokemon;
pub mod pokemon_type;
pub mod table;
pub mod tags;
pub mod timing;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::response::Html;
use axum::routing::{MethodRouter, get};

use crate::app::AppState;
use crate::cache::strategies::Strategies;
use crate::cache::strategies::view::cache_page;
use crate::error::Result;

/// The pages' routes, as `[view] routes` names them.
pub const ROUTES: [&str; 4] = ["/", "/all", "/pokemon/{id}", "/type/{name}"];

/// The route serving `path` when it is a page of the seeded catalogue: `/pokemon/25`
/// is `/pokemon/{id}`, `/type/grass` is `/type/{name}`; `None` for anything else.
#[must_use]
pub fn route_of(path: &str) -> Option<&'static str> {
    match path {
        "/" => Some(ROUTES[0]),
        "/all" => Some(ROUTES[1]),
        _ => {
            if let Some(id) = path.strip_prefix("/pokemon/").and_then(pokemon::parse_id) {
                let seeded = crate::db::seed::POKEMON_CSV
                    .lines()
                    .count()
                    .saturating_sub(1);
                return (1..=seeded).contains(&(id as usize)).then_some(ROUTES[2]);
            }
            let name = path.strip_prefix("/type/")?;
            edit_form::TYPES.contains(&name).then_some(ROUTES[3])
        }
    }
}

/// Every page's route, each wrapped in its `cache_page` (which caches while the
/// per-view strategy names the route); the app adds static files, the fallback and
/// the outer layers.
pub fn routes(strategies: &Arc<Strategies>) -> Router<AppState> {
    let page = |route: &'static str, handler: MethodRouter<AppState>| {
        handler.layer(cache_page(strategies, route))
    };
    Router::new()
        .route(ROUTES[0], page(ROUTES[0], get(home::home)))
        .route(ROUTES[1], page(ROUTES[1], get(all::all)))
        .route(ROUTES[2], page(ROUTES[2], get(pokemon::pokemon)))
        .route(ROUTES[3], page(ROUTES[3], get(pokemon_type::pokemon_type)))
}

/// Renders a page template into an HTML response body.
pub fn render(page: &impl Template) -> Result<Html<String>> {
    Ok(Html(page.render()?))
}

/// [`render`] for a page holding `inner` bytes of HTML rendered apart (its tables):
/// the buffer is sized for them and the layout from the start, so the 154 KB of
/// `/all` are copied into it once instead of growing it a dozen times.
pub fn render_holding<T: Template>(page: &T, inner: usize) -> Result<Html<String>> {
    let mut html = String::with_capacity(inner + 2 * T::SIZE_HINT);
    page.render_into(&mut html)?;
    Ok(Html(html))
}
