//! `static/`: the project's own CSS, scripts and icons, embedded in the binary so a
//! copy of it serves them from anywhere, each with its `Content-Type`, an `ETag` and,
//! on a `200` or `304`, a year-long Cache-Control.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::not_found::not_found;
use crate::cache::strategies::page_rules::if_none_match_hits;

/// A year: a file's URL changes whenever its content does (`?v=`).
const LONG_LIVED: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// One file of `static/`, as the binary holds it.
struct Asset {
    /// Its path under `static/`.
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    /// A hash of `bytes`: its URL's `?v=` and its `ETag`.
    version: u64,
}

/// Embeds `static/<path>` with its hash, computed while compiling.
macro_rules! asset {
    ($path:literal, $content_type:literal) => {{
        const BYTES: &[u8] = include_bytes!(concat!("../../static/", $path));
        Asset {
            path: $path,
            content_type: $content_type,
            bytes: BYTES,
            version: fnv1a(BYTES),
        }
    }};
}

/// Every file of `static/` (a test checks that none is left out).
const ASSETS: [Asset; 10] = [
    asset!("css/pokedex.css", "text/css"),
    asset!("favicon.ico", "image/x-icon"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("lab/compare.js", "text/javascript"),
    asset!("lab/lab.css", "text/css"),
    asset!("lab/lab.js", "text/javascript"),
    asset!("toolbar/toolbar.css", "text/css"),
    asset!("toolbar/toolbar.js", "text/javascript"),
    asset!("tutorial/tutorial.css", "text/css"),
    asset!("tutorial/tutorial.js", "text/javascript"),
];

/// The stylesheet's hash, added to its URL (`?v=`) so a changed file is a new URL
/// and the year-long Cache-Control never serves a stale one.
pub const CSS_VERSION: u64 = version("css/pokedex.css");
/// The same for the icon `base.html` links.
pub const FAVICON_VERSION: u64 = version("favicon.svg");
/// The same for the debug toolbar's stylesheet.
pub const TOOLBAR_CSS_VERSION: u64 = version("toolbar/toolbar.css");
/// The same for the lab's stylesheet.
pub const LAB_CSS_VERSION: u64 = version("lab/lab.css");
/// The same for the lab's script.
pub const LAB_JS_VERSION: u64 = version("lab/lab.js");
/// The same for the Compare page's script.
pub const COMPARE_JS_VERSION: u64 = version("lab/compare.js");
/// The same for the debug toolbar's script.
pub const TOOLBAR_JS_VERSION: u64 = version("toolbar/toolbar.js");
/// The same for the tutorial's stylesheet.
pub const TUTORIAL_CSS_VERSION: u64 = version("tutorial/tutorial.css");
/// The same for the tutorial's script.
pub const TUTORIAL_JS_VERSION: u64 = version("tutorial/tutorial.js");

/// Serves the embedded files under `/static/`, and the icon at `/favicon.ico`, where
/// browsers and feed readers look for it without reading a page; an unknown path
/// gets the 404 page, which is not marked cacheable.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/static/{*path}",
            get(|Path(path): Path<String>, headers: HeaderMap| async move {
                serve(&path, &headers).await
            }),
        )
        .route(
            "/favicon.ico",
            get(|headers: HeaderMap| async move { serve("favicon.ico", &headers).await }),
        )
}

/// The file at `path` under `static/`, or `304` when the request names its `ETag`.
async fn serve(path: &str, request: &HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.path == path) else {
        return not_found().await.into_response();
    };
    let etag = format!("\"{:016x}\"", asset.version);
    let etag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let status = if if_none_match_hits(request, &etag) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, LONG_LIVED);
    if status == StatusCode::NOT_MODIFIED {
        return (status, headers).into_response();
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    (status, headers, asset.bytes).into_response()
}

/// The hash of the embedded file at `path`; a path that is not embedded stops the
/// build, since every caller is a constant.
const fn version(path: &str) -> u64 {
    let mut i = 0;
    while i < ASSETS.len() {
        if same(ASSETS[i].path.as_bytes(), path.as_bytes()) {
            return ASSETS[i].version;
        }
        i += 1;
    }
    panic!("not an embedded static file")
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::ASSETS;

    fn files_under(dir: &Path, root: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_under(&path, root, found);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_file_of_static_is_embedded_with_its_bytes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
        let mut on_disk = Vec::new();
        files_under(&root, &root, &mut on_disk);
        on_disk.sort();
        let embedded: Vec<&str> = ASSETS.iter().map(|asset| asset.path).collect();
        assert_eq!(on_disk, embedded, "ASSETS lists static/, in order");
        for asset in &ASSETS {
            assert_eq!(std::fs::read(root.join(asset.path)).unwrap(), asset.bytes);
        }
    }
}
