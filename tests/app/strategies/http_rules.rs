//! The page cache's HTTP rules, on handlers made to test them: what is looked up,
//! what is stored, and how `Vary` splits entries.

use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use pokedex::cache::backends::CacheBackend;
use pokedex::cache::strategies::site::site_cache;

use crate::helpers::{TestApp, spawn_app_with};

/// The app's caching on memory, around handlers that set the headers under test.
async fn rules_app() -> TestApp {
    // Each run of a view says which it was, so a computed page never equals another.
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory)).await;
    let counted = |body: &'static str| {
        move || async move {
            let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Html(format!("{body} {run}"))
        }
    };
    app.router = Router::new()
        .route("/plain", get(counted("plain")).post(counted("posted")))
        .route(
            "/cookie",
            get(|| async {
                (
                    [(header::SET_COOKIE, "session=abc")],
                    Html("for one client"),
                )
            }),
        )
        .route(
            "/private",
            get(|| async { ([(header::CACHE_CONTROL, "private")], Html("mine")) }),
        )
        .route(
            "/star",
            get(|| async { ([(header::VARY, "*")], Html("anything")) }),
        )
        .route(
            "/language",
            get(|headers: HeaderMap| async move {
                let language = headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("en")
                    .to_owned();
                (
                    [(header::VARY, "Accept-Language")],
                    Html(format!("hello in {language}")),
                )
                    .into_response()
            }),
        )
        .route(
            "/missing",
            get(|| async { (StatusCode::NOT_FOUND, Html("gone")) }),
        )
        .route(
            "/brief",
            get(|| async {
                (
                    [(header::CACHE_CONTROL, "public, s-maxage=1, max-age=30")],
                    Html(format!(
                        "brief {}",
                        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    )),
                )
            }),
        )
        .layer(site_cache(&app.state.strategies));
    app
}

#[tokio::test]
async fn post_is_never_looked_up_or_stored() {
    let app = rules_app().await;
    let posted = app.request(Method::POST, "/plain").await;
    assert_eq!(posted.header("x-cache"), Some("BYPASS"));
    assert!(posted.body.starts_with("posted"));
    let got = app.get("/plain").await;
    assert_eq!(
        got.header("x-cache"),
        Some("MISS"),
        "the POST stored nothing"
    );
    assert_eq!(
        app.request(Method::POST, "/plain").await.header("x-cache"),
        Some("BYPASS")
    );
    assert_eq!(app.get("/plain").await.body, got.body);
}

#[tokio::test]
async fn a_head_miss_stores_the_get_and_a_cached_head_says_its_length() {
    let app = rules_app().await;
    let head_first = app.request(Method::HEAD, "/plain").await;
    assert_eq!(
        head_first.header("x-cache"),
        Some("MISS"),
        "the view ran as a GET and its page was stored"
    );
    assert!(head_first.body.is_empty());
    let got = app.get("/plain").await;
    assert_eq!(got.header("x-cache"), Some("HIT"), "the GET finds it");
    assert!(got.body.starts_with("plain "), "{}", got.body);
    let length = got.body.len().to_string();
    assert_eq!(head_first.header("content-length"), Some(length.as_str()));
    let head = app.request(Method::HEAD, "/plain").await;
    assert_eq!(head.header("x-cache"), Some("HIT"));
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), got.header("etag"));
    assert_eq!(
        head.header("content-length"),
        Some(length.as_str()),
        "the GET's length, not 0"
    );
}

#[tokio::test]
async fn a_request_with_authorization_is_neither_looked_up_nor_stored() {
    let app = rules_app().await;
    let stored = app.get("/plain").await;
    let mine = app
        .get_with("/plain", &[("authorization", "Basic dXNlcjpwYXNz")])
        .await;
    assert_eq!(mine.header("x-cache"), Some("BYPASS"));
    assert_ne!(mine.body, stored.body, "computed for its own sender");
    assert_eq!(
        app.get("/plain").await.body,
        stored.body,
        "and not stored over the shared entry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_asking_for_less_time_is_kept_that_long() {
    let app = rules_app().await;
    let first = app.get("/brief").await;
    assert_eq!(first.header("x-cache"), Some("MISS"));
    assert_eq!(app.get("/brief").await.body, first.body, "held for now");
    // s-maxage=1 (a shared cache's own) wins over max-age=30 and the strategy's 600.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let later = app.get("/brief").await;
    assert_eq!(later.header("x-cache"), Some("MISS"), "expired after 1 s");
    assert_ne!(later.body, first.body);
}

#[tokio::test]
async fn private_cookie_star_and_error_responses_are_not_stored() {
    let app = rules_app().await;
    for uri in ["/cookie", "/private", "/star", "/missing"] {
        for _ in 0..2 {
            let page = app.get(uri).await;
            assert_eq!(page.header("x-cache"), Some("BYPASS"), "{uri}");
        }
    }
    let cookie = app.get("/cookie").await;
    assert_eq!(
        cookie.header("set-cookie"),
        Some("session=abc"),
        "its own cookie, never replayed"
    );
}

#[tokio::test]
async fn vary_keeps_one_entry_per_value_of_the_named_header() {
    let app = rules_app().await;
    let english = app
        .get_with("/language", &[("accept-language", "en")])
        .await;
    assert_eq!(english.header("x-cache"), Some("MISS"));
    let french = app
        .get_with("/language", &[("accept-language", "fr")])
        .await;
    assert_eq!(
        french.header("x-cache"),
        Some("MISS"),
        "another language is another entry"
    );
    assert_eq!(french.body, "hello in fr");
    let english_again = app
        .get_with("/language", &[("accept-language", "en")])
        .await;
    assert_eq!(english_again.header("x-cache"), Some("HIT"));
    assert_eq!(english_again.body, "hello in en");
    let french_again = app
        .get_with("/language", &[("accept-language", "fr")])
        .await;
    assert_eq!(french_again.header("x-cache"), Some("HIT"));
    assert_eq!(french_again.body, "hello in fr");
}

#[tokio::test]
async fn static_files_are_never_stored_by_the_site_cache() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory)).await;
    for _ in 0..2 {
        let css = app.get("/static/css/pokedex.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert_eq!(css.header("x-cache"), Some("BYPASS"));
    }
}

#[tokio::test]
async fn an_unreachable_redis_serves_the_page_uncached() {
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Redis);
        s.caches.redis.location = Some("redis://127.0.0.1:1".to_owned());
        s.caches.redis.command_timeout_ms = 200;
    })
    .await;
    for _ in 0..2 {
        let page = app.get("/all").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.table_rows(0).len(), 1025);
        assert_eq!(page.header("x-cache"), Some("BYPASS"));
        assert_eq!(page.header("x-cache-backend"), Some("redis"));
    }
}

#[tokio::test]
async fn switching_a_strategy_takes_effect_on_the_next_request() {
    use pokedex::cache::strategies::Strategy;
    use pokedex::cache::strategies::settings::StrategySettings;

    let app = spawn_app_with(|_| {}).await;
    assert_eq!(
        app.get("/all").await.header("x-cache"),
        None,
        "off at the tutorial's start"
    );
    let selection = &app.state.strategies.selection;
    let memory = StrategySettings {
        backend: Some(CacheBackend::Memory),
        ..StrategySettings::defaults(Strategy::Site)
    };
    selection.set(Strategy::Site, memory);
    assert_eq!(app.get("/all").await.header("x-cache"), Some("MISS"));
    assert_eq!(app.get("/all").await.header("x-cache"), Some("HIT"));
    selection.set(Strategy::Site, StrategySettings::defaults(Strategy::Site));
    assert_eq!(app.get("/all").await.header("x-cache"), None);
}

#[tokio::test]
async fn the_per_view_routes_can_change_while_the_app_runs() {
    use pokedex::cache::strategies::Strategy;
    use pokedex::cache::strategies::settings::StrategySettings;

    let app = spawn_app_with(|s| s.view.backend = Some(CacheBackend::Memory)).await;
    assert_eq!(app.get("/all").await.header("x-cache"), Some("MISS"));
    assert_eq!(
        app.get("/").await.header("x-cache"),
        None,
        "not a cached view"
    );
    let home_only = StrategySettings {
        backend: Some(CacheBackend::Memory),
        routes: vec!["/".to_owned()],
        ..StrategySettings::defaults(Strategy::View)
    };
    app.state
        .strategies
        .selection
        .set(Strategy::View, home_only);
    assert_eq!(app.get("/").await.header("x-cache"), Some("MISS"));
    assert_eq!(app.get("/").await.header("x-cache"), Some("HIT"));
    assert_eq!(
        app.get("/all").await.header("x-cache"),
        None,
        "no longer wrapped"
    );
}
