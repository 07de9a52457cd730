//! One URL per page: every other spelling of a page's address is answered `301` to
//! it, and addresses of pages that do not exist get the 404 page, not a redirect.

use axum::http::{Method, StatusCode};
use pokedex::cache::backends::CacheBackend;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn other_spellings_of_a_page_are_moved_permanently_to_it() {
    let app = spawn_app().await.seen_from([127, 0, 0, 1]);
    let cases = [
        ("/type/GRASS", "/type/grass"),
        ("/type/Grass/", "/type/grass"),
        ("/all/", "/all"),
        ("/all/?sort=name", "/all?sort=name"),
        ("/pokemon/25/", "/pokemon/25"),
        ("/pokemon/025", "/pokemon/25"),
        ("/pokemon/0025/?x=1", "/pokemon/25?x=1"),
        ("/type/grass/", "/type/grass"),
        ("/lab/", "/lab"),
        ("/static/css/pokedex.css/", "/static/css/pokedex.css"),
    ];
    for (from, to) in cases {
        for method in [Method::GET, Method::HEAD] {
            let page = app.request(method.clone(), from).await;
            assert_eq!(
                page.status,
                StatusCode::MOVED_PERMANENTLY,
                "{method} {from}"
            );
            assert_eq!(page.header("location"), Some(to), "{method} {from}");
        }
        let target = app.get(to).await;
        assert_eq!(target.status, StatusCode::OK, "{to} is a page");
    }
    let home = app.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "/ stays");
}

#[tokio::test]
async fn addresses_of_pages_that_do_not_exist_get_the_404_page_without_a_redirect() {
    let app = spawn_app().await;
    for uri in [
        "/type/NOPE",
        "/type/nope/",
        "/pokemon/0",
        "/pokemon/01026",
        "/pokemon/1026/",
        "/pokemon/abc/",
        "//evil.example/",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(page.header("location"), None, "{uri}");
        assert_eq!(page.texts("h1"), ["404 — Not found"], "{uri}");
    }
}

#[tokio::test]
async fn a_post_to_a_trailing_slash_form_is_not_redirected() {
    let app = spawn_app().await;
    let page = app.post_form("/lab/reset/", "", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.header("location"), None);
}

#[tokio::test]
async fn two_spellings_of_a_page_share_one_site_cache_entry() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory)).await;
    let first = app.get("/type/grass").await;
    assert_eq!(first.header("x-cache"), Some("MISS"));
    let moved = app.get("/type/GRASS/").await;
    assert_eq!(moved.header("location"), Some("/type/grass"));
    assert_eq!(
        moved.header("x-cache"),
        None,
        "a redirect never reaches the cache"
    );
    let again = app.get(moved.header("location").unwrap()).await;
    assert_eq!(again.header("x-cache"), Some("HIT"));
    assert_eq!(again.response_time(), first.response_time());
}
