//! The pages: one file per page, each holding its handler and its template struct.

pub mod all;
pub mod assets;
pub mod format;
pub mod home;
pub mod not_found;
pub mod pokemon;
pub mod pokemon_type;
pub mod timing;

use askama::Template;
use axum::Router;
use axum::response::Html;
use axum::routing::get;

use crate::app::AppState;
use crate::error::Result;

/// Every page's route; the app adds static files, the fallback and the layers.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/all", get(all::all))
        .route("/pokemon/{id}", get(pokemon::pokemon))
        .route("/type/{name}", get(pokemon_type::pokemon_type))
}

/// Renders a page template into an HTML response body.
pub fn render(page: &impl Template) -> Result<Html<String>> {
    Ok(Html(page.render()?))
}
