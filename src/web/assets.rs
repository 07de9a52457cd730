//! `static/`: the project's own CSS, served from disk with a long-lived Cache-Control.

use axum::Router;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::middleware::map_response;
use tower_http::services::ServeDir;

use super::not_found::not_found;

/// Where the static files live: the crate's own `static/` folder, wherever the
/// binary is started from.
const STATIC_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/static");

/// A year: the stylesheet's URL changes whenever its content does.
const LONG_LIVED: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// A hash of the stylesheet, added to its URL (`?v=`) so a changed file is a new
/// URL and the year-long Cache-Control never serves a stale one.
pub const CSS_VERSION: u64 = fnv1a(include_bytes!("../../static/css/pokedex.css"));
/// The same for the debug toolbar's stylesheet.
pub const TOOLBAR_CSS_VERSION: u64 = fnv1a(include_bytes!("../../static/toolbar/toolbar.css"));
/// The same for the lab's stylesheet.
pub const LAB_CSS_VERSION: u64 = fnv1a(include_bytes!("../../static/lab/lab.css"));
/// The same for the lab's script.
pub const LAB_JS_VERSION: u64 = fnv1a(include_bytes!("../../static/lab/lab.js"));
/// The same for the Compare page's script.
pub const COMPARE_JS_VERSION: u64 = fnv1a(include_bytes!("../../static/lab/compare.js"));
/// The same for the debug toolbar's script.
pub const TOOLBAR_JS_VERSION: u64 = fnv1a(include_bytes!("../../static/toolbar/toolbar.js"));

/// Serves `static/` under the path it is nested at; only successful answers are
/// marked cacheable, so a missing file is not remembered for a year.
pub fn static_files<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .fallback_service(ServeDir::new(STATIC_DIR).not_found_service(not_found.into_service()))
        .layer(map_response(mark_long_lived))
}

async fn mark_long_lived<B>(mut response: Response<B>) -> Response<B> {
    if matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, LONG_LIVED);
    }
    response
}

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}
