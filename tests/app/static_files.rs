//! The embedded static files and the icon: their bytes, types and cache headers.

use axum::http::StatusCode;
use pokedex::cache::backends::CacheBackend;

use crate::helpers::{spawn_app, spawn_app_with};

const YEAR: &str = "public, max-age=31536000, immutable";

/// The images of an ICO file as (width, bytes), read from its directory; panics
/// on anything that is not one.
fn ico_images(bytes: &[u8]) -> Vec<(u8, &[u8])> {
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!((u16_at(0), u16_at(2)), (0, 1), "an ICO header");
    (0..usize::from(u16_at(4)))
        .map(|n| {
            let entry = 6 + 16 * n;
            let size = u32_at(entry + 8) as usize;
            let offset = u32_at(entry + 12) as usize;
            (bytes[entry], &bytes[offset..offset + size])
        })
        .collect()
}

#[tokio::test]
async fn favicon_ico_is_a_real_icon_cached_for_a_year() {
    let app = spawn_app().await;
    let icon = app.get_bytes("/favicon.ico", &[]).await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.headers["content-type"], "image/x-icon");
    assert_eq!(icon.headers["cache-control"], YEAR);
    assert_eq!(
        icon.bytes,
        include_bytes!("../../static/favicon.ico").as_slice()
    );
    let images = ico_images(&icon.bytes);
    let widths: Vec<u8> = images.iter().map(|(width, _)| *width).collect();
    assert_eq!(widths, [16, 32]);
    for (width, png) in images {
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{width} px is a PNG");
        let png_width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(png_width, u32::from(width));
    }
}

#[tokio::test]
async fn every_page_links_an_svg_icon_that_is_served() {
    let app = spawn_app().await;
    let home = app.get("/").await;
    let href = home.hrefs("link[rel=icon]").remove(0);
    assert!(href.starts_with("/static/favicon.svg?v="), "{href}");
    let svg = app.get(&href).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert_eq!(svg.header("cache-control"), Some(YEAR));
    let document = roxmltree::Document::parse(&svg.body).expect("well-formed SVG");
    assert_eq!(document.root_element().tag_name().name(), "svg");
    assert!(
        document
            .descendants()
            .any(|node| node.has_tag_name("circle"))
    );
}

#[tokio::test]
async fn the_icon_is_neither_cached_by_the_site_nor_recorded_by_the_toolbar() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory))
        .await
        .seen_from([127, 0, 0, 1]);
    for _ in 0..2 {
        let icon = app.get_bytes("/favicon.ico", &[]).await;
        assert_eq!(icon.status, StatusCode::OK);
        assert_eq!(icon.headers["x-cache"], "BYPASS");
    }
    assert!(app.state.toolbar.history().is_empty(), "no history row");
}

#[tokio::test]
async fn a_static_file_answers_its_etag_with_304_and_scripts_say_they_are_scripts() {
    let app = spawn_app().await;
    let script = app.get("/static/toolbar/toolbar.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(script.header("content-type"), Some("text/javascript"));
    let etag = script.header("etag").expect("an ETag").to_owned();

    let again = app
        .get_with("/static/toolbar/toolbar.js", &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("cache-control"), Some(YEAR));

    let other = app
        .get_with("/static/lab/lab.js", &[("if-none-match", &etag)])
        .await;
    assert_eq!(other.status, StatusCode::OK, "another file's ETag");
    assert_ne!(other.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn unknown_static_paths_get_the_404_page_not_cached() {
    let app = spawn_app().await;
    for uri in [
        "/static/css/missing.css",
        "/static/css",
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/css/pokedex.css%00",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(page.texts("h1"), ["404 — Not found"], "{uri}");
        assert_eq!(page.header("cache-control"), None, "{uri}");
    }
}
