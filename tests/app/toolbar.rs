//! The debug toolbar: who sees it, what it records, and what it never touches.

use std::net::SocketAddr;

use axum::http::{Method, StatusCode};
use pokedex::app::Application;
use pokedex::cache::backends::CacheBackend;
use pokedex::settings::{Settings, Switch};
use pokedex::toolbar::inject::HEAD_SCAN;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app_with};

pub const LOCAL: [u8; 4] = [127, 0, 0, 1];

/// The request id the injected toolbar names.
pub fn request_id(page: &crate::helpers::Page) -> u64 {
    let selector = scraper::Selector::parse("#pokedex-toolbar").unwrap();
    let html = page.html();
    let toolbar = html
        .select(&selector)
        .next()
        .expect("the toolbar is injected");
    toolbar
        .value()
        .attr("data-request-id")
        .unwrap()
        .parse()
        .unwrap()
}

/// The JSON of request `id`'s panels.
pub async fn panels(app: &TestApp, id: u64) -> Value {
    let page = app.get(&format!("/__debug__/requests/{id}.json")).await;
    assert_eq!(page.status, StatusCode::OK);
    serde_json::from_str(&page.body).unwrap()
}

/// The panels the toolbar on `page` loads when it is first opened.
pub async fn opened(app: &TestApp, page: &crate::helpers::Page) -> crate::helpers::Page {
    let id = request_id(page);
    let sections = app.get(&format!("/__debug__/requests/{id}/panels")).await;
    assert_eq!(sections.status, StatusCode::OK);
    assert_eq!(sections.header("cache-control"), Some("no-store"));
    sections
}

async fn site_cached_app() -> TestApp {
    spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory))
        .await
        .seen_from(LOCAL)
}

#[tokio::test]
async fn internal_clients_get_the_toolbar_and_server_timing() {
    let app = spawn_app_with(|_| {}).await.seen_from(LOCAL);
    let page = app.get("/").await;
    assert!(
        page.body
            .contains("<div id=\"pokedex-toolbar\" data-request-id=")
    );
    let toolbar_at = page.body.find("id=\"pokedex-toolbar\"").unwrap();
    assert!(
        toolbar_at < page.body.rfind("</body>").unwrap(),
        "before </body>"
    );
    let timing = page.header("server-timing").unwrap();
    for part in ["total;dur=", "view;dur=", "cache;dur=", "sql;dur="] {
        assert!(timing.contains(part), "{timing}");
    }
    let json = panels(&app, request_id(&page)).await;
    assert_eq!(json["sql"]["count"], 3, "the home page's three queries");
    assert_eq!(json["path"], "/");
    assert!(json["timer"]["view_ms"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn clients_without_a_known_address_get_nothing() {
    let app = spawn_app_with(|_| {}).await;
    let page = app.get("/").await;
    assert!(!page.body.contains("pokedex-toolbar"));
    assert_eq!(page.header("server-timing"), None);
    assert!(
        app.state.toolbar.history().is_empty(),
        "nothing was recorded"
    );
    assert_eq!(
        app.get("/__debug__/history").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_site_cache_hit_records_the_gets_and_no_sql_and_a_miss_the_query_and_set() {
    let app = site_cached_app().await;
    let miss = app.get("/all").await;
    let hit = app.get("/all").await;
    assert_eq!(hit.header("x-cache"), Some("HIT"));

    let miss = panels(&app, request_id(&miss)).await;
    assert_eq!(miss["sql"]["count"], 1);
    assert_eq!(
        miss["sql"]["queries"][0]["rows"], 1025,
        "the Pokémon its one JSON row carried"
    );
    assert_eq!(miss["sql"]["queries"][0]["rows_in_json"], true);
    let operations: Vec<&str> = miss["cache"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["operation"].as_str().unwrap())
        .collect();
    // One miss on the Vary list, then the store: a request that leads looks up once.
    assert_eq!(operations, ["get", "set_many"]);
    assert_eq!(miss["cache"]["rows"][1]["result"], "stored");
    assert_eq!(miss["cache"]["rows"][1]["strategy"], "site");
    assert_eq!(miss["cache"]["misses"], 1);

    let hit = panels(&app, request_id(&hit)).await;
    assert_eq!(hit["sql"]["count"], 0);
    assert_eq!(
        hit["cache"]["hits"], 1,
        "the page: its Vary list is remembered"
    );
    assert_eq!(hit["cache"]["misses"], 0);
    assert!(hit["timer"]["view_ms"].is_null(), "no view ran");
    let key = hit["cache"]["rows"][0]["key"].as_str().unwrap();
    let identity = &app.state.strategies.invalidation.catalogue().identity;
    assert_eq!(key, format!("pokedex:1:site.page.{identity}./all"));
    assert!(hit["cache"]["rows"][0]["bytes_raw"].as_u64().unwrap() > 100_000);
}

#[tokio::test]
async fn the_panels_show_what_the_json_says() {
    let app = site_cached_app().await;
    app.get("/all").await;
    let page = app.get("/all").await;
    let json = panels(&app, request_id(&page)).await;
    let tabs = page.texts("#pokedex-toolbar .pdt-tabs button");
    let hits = json["cache"]["hits"].as_u64().unwrap();
    let misses = json["cache"]["misses"].as_u64().unwrap();
    assert!(
        tabs.contains(&format!("Cache {hits} hit · {misses} miss")),
        "{tabs:?}"
    );
    assert!(
        tabs.contains(&format!("SQL {} queries", json["sql"]["count"])),
        "{tabs:?}"
    );
    let sections = opened(&app, &page).await;
    let keys = sections.texts(".pdt-cache-calls .pdt-key");
    let json_keys: Vec<&str> = json["cache"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, json_keys);
    let backends = sections.texts("[data-panel=settings] tbody tr td:first-child");
    assert!(backends.contains(&"memory".to_owned()));
}

#[tokio::test]
async fn every_pages_markers_stand_where_the_toolbar_looks_for_them() {
    let app = spawn_app_with(|_| {}).await;
    for path in ["/", "/all", "/pokemon/25", "/type/grass", "/pokemon/9999"] {
        let page = app.get(path).await;
        // Where the last marker's comment ends, its `-->` included.
        let end = ["<!--internal:", "<!--flash-->"]
            .into_iter()
            .filter_map(|marker| page.body.rfind(marker))
            .max()
            .and_then(|last| page.body[last..].find("-->").map(|end| last + end + 3))
            .unwrap_or_else(|| panic!("{path} has markers"));
        assert!(end <= HEAD_SCAN, "{path}: a marker ending at byte {end}");
    }
}

#[tokio::test]
async fn the_toolbar_never_reaches_a_stored_entry() {
    let app = site_cached_app().await;
    app.get("/all").await;
    assert!(app.get("/all").await.body.contains("pokedex-toolbar"));
    let cache = app
        .state
        .strategies
        .backends
        .cache(CacheBackend::Memory)
        .await
        .unwrap();
    let identity = &app.state.strategies.invalidation.catalogue().identity;
    let stored = cache
        .get(&format!("site.page.{identity}./all"))
        .await
        .expect("the page is stored");
    let stored = String::from_utf8_lossy(&stored);
    assert!(stored.contains("Abomasnow"));
    assert!(!stored.contains("pokedex-toolbar"));
}

#[tokio::test]
async fn not_modified_and_non_html_responses_are_untouched() {
    let app = site_cached_app().await;
    let page = app.get("/all").await;
    assert_eq!(
        page.header("etag"),
        None,
        "a page with a toolbar is one request's own"
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let json = panels(&app, request_id(&page)).await;
    let sent = json["headers"]["without_toolbar"].as_array().unwrap();
    let etag = sent
        .iter()
        .find(|pair| pair[0] == "etag")
        .expect("the app's ETag")[1]
        .as_str()
        .unwrap();
    let not_modified = app.get_with("/all", &[("if-none-match", etag)]).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.body.is_empty());
    let css = app.get("/static/css/pokedex.css").await;
    assert!(!css.body.contains("pokedex-toolbar"));
    assert_eq!(css.header("server-timing"), None);
    let head = app.request(Method::HEAD, "/all").await;
    assert!(head.body.is_empty());
}

#[tokio::test]
async fn the_history_keeps_the_last_50_requests_newest_first() {
    let app = spawn_app_with(|_| {}).await.seen_from(LOCAL);
    let mut last = 0;
    for _ in 0..55 {
        last = request_id(&app.get("/pokemon/25").await);
    }
    let history = app.get("/__debug__/history").await;
    let ids = history.texts(".pdt-history tbody tr td:first-child");
    assert_eq!(ids.len(), 50);
    assert_eq!(ids[0], last.to_string());
    assert_eq!(ids[49], (last - 49).to_string());
    for gone in ["{}.json", "{}/panels"].map(|path| path.replace("{}", &(last - 50).to_string())) {
        let page = app.get(&format!("/__debug__/requests/{gone}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{gone}");
    }
    let page = app.get(&format!("/__debug__/requests/{last}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("GET /pokemon/25"));
}

#[tokio::test]
async fn toolbar_off_shows_and_records_nothing() {
    let app = spawn_app_with(|s| s.toolbar.show = Switch::Off)
        .await
        .seen_from(LOCAL);
    let page = app.get("/").await;
    assert!(!page.body.contains("pokedex-toolbar"));
    assert_eq!(page.header("server-timing"), None);
    assert!(
        app.state.toolbar.history().is_empty(),
        "nothing was recorded"
    );
    assert_eq!(
        app.get("/__debug__/history").await.status,
        StatusCode::NOT_FOUND
    );
}

/// GETs `path` from `server` over a socket whose local address is `from`, naming
/// the host `localhost`.
async fn get_from(from: [u8; 4], server: SocketAddr, path: &str) -> String {
    get_from_as(from, server, path, "localhost").await
}

/// GETs `path` from `server` over a socket whose local address is `from`, naming
/// `host` in the `Host` header.
async fn get_from_as(from: [u8; 4], server: SocketAddr, path: &str, host: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn on_0_0_0_0_only_internal_ips_see_the_toolbar() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings {
        addr: "0.0.0.0:0".parse().unwrap(),
        ..Settings::default()
    };
    settings.database.url = format!("sqlite://{}", dir.path().join("pokedex.sqlite3").display());
    let app = Application::build(&settings).await.unwrap();
    let port = app.local_addr().unwrap().port();
    let server = tokio::spawn(app.run_until_stopped());
    let target = SocketAddr::from((LOCAL, port));

    let outside = get_from([127, 0, 0, 2], target, "/").await;
    assert!(outside.starts_with("HTTP/1.1 200 OK"), "{outside}");
    assert!(
        !outside.contains("pokedex-toolbar"),
        "127.0.0.2 is not an internal IP"
    );
    assert!(!outside.to_ascii_lowercase().contains("server-timing"));
    let debug = get_from([127, 0, 0, 2], target, "/__debug__/history").await;
    assert!(debug.starts_with("HTTP/1.1 404"), "{debug}");

    let inside = get_from(LOCAL, target, "/").await;
    assert!(inside.contains("<div id=\"pokedex-toolbar\" data-request-id="));
    let rebound = get_from_as(LOCAL, target, "/", "rebind.attacker.example").await;
    assert!(rebound.starts_with("HTTP/1.1 200 OK"), "{rebound}");
    assert!(
        !rebound.contains("pokedex-toolbar"),
        "a host this server does not answer to gets the plain page"
    );
    server.abort();
}

#[tokio::test]
async fn a_fragment_hit_is_a_fragment_call_with_no_sql() {
    let app = spawn_app_with(|s| s.fragment.backend = Some(CacheBackend::Memory))
        .await
        .seen_from(LOCAL);
    app.get("/all").await;
    let page = app.get("/all").await;
    let json = panels(&app, request_id(&page)).await;
    assert_eq!(json["sql"]["count"], 0);
    assert_eq!(json["cache"]["hits"], 1);
    let call = &json["cache"]["rows"][0];
    assert_eq!(
        call["strategy"], "fragment",
        "not the /all route's (idle) view cache"
    );
    assert_eq!(call["operation"], "get_many");
    assert!(
        json["timer"]["view_ms"].as_f64().unwrap() > 0.0,
        "the view ran"
    );
}
