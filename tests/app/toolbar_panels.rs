//! The Timer, Settings and History panels: one unit of time with the navbar, what
//! an uncached or failed answer is called, every backend's limits and what each
//! holds now, and the history's times of day and totals.

use axum::http::StatusCode;
use pokedex::cache::backends::CacheBackend;

use crate::helpers::{Page, TestApp, spawn_app_with};
use crate::toolbar::{LOCAL, opened, panels, request_id};

/// Digits of a decimal text, as an integer count of its last digit's unit.
fn digits(text: &str) -> u64 {
    text.replace('.', "").parse().expect("a decimal")
}

#[tokio::test]
async fn the_toolbar_shows_the_navbar_time_in_milliseconds_with_every_digit() {
    let app = spawn_app_with(|_| {}).await.seen_from(LOCAL);
    let page = app.get("/pokemon/25").await;
    let seconds = page.response_time();
    let shown = opened(&app, &page).await.texts(".pdt-view");
    let ms = shown[0].strip_suffix(" ms").expect("in ms");
    assert_eq!(ms.split_once('.').unwrap().1.len(), 6, "{ms}");
    assert_eq!(digits(ms), digits(&seconds), "{ms} ms is {seconds} s");
    let json = panels(&app, request_id(&page)).await;
    assert_eq!(json["timer"]["view_ns"].as_u64(), Some(digits(&seconds)));
}

/// The toolbar's words about the view, and its verdict, on `page`.
async fn untimed(app: &TestApp, page: &Page) -> (String, String) {
    let view = opened(app, page).await.texts(".pdt-view").remove(0);
    let verdict = page.texts("#pokedex-toolbar .pdt-handle-verdict").remove(0);
    (view, verdict)
}

#[tokio::test]
async fn a_404_or_a_redirect_is_never_said_to_come_from_a_cache() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory))
        .await
        .seen_from(LOCAL);
    for _ in 0..2 {
        let missing = app.get("/pokemon/9999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let (view, verdict) = untimed(&app, &missing).await;
        assert_eq!(
            view,
            "not timed — the answer was the 404 page, after 1 SQL statement"
        );
        assert!(!verdict.starts_with("HIT"), "{verdict}");
        let json = panels(&app, request_id(&missing)).await;
        assert_eq!(json["sql"]["count"], 1, "the view ran its query");
    }
    app.get("/all").await;
    let hit = app.get("/all").await;
    let (view, verdict) = untimed(&app, &hit).await;
    assert_eq!(view, "did not run — served from the site cache");
    assert!(verdict.starts_with("HIT · site · memory"), "{verdict}");
}

#[tokio::test]
async fn a_redirect_records_no_view_and_says_so() {
    let app = spawn_app_with(|_| {}).await.seen_from(LOCAL);
    app.get("/type/GRASS").await;
    let history = app.state.toolbar.history();
    let redirect = history.first().expect("the redirect is recorded");
    assert_eq!(redirect.status, 301);
    assert_eq!(
        redirect.timer.untimed.as_deref(),
        Some("not timed — the answer was a redirect")
    );
    assert_eq!(redirect.verdict.outcome, "UNCACHED");
}

#[tokio::test]
async fn the_settings_panel_names_the_routes_the_limits_and_what_each_backend_holds_now() {
    let app = spawn_app_with(|s| {
        s.view.backend = Some(CacheBackend::Memory);
        s.fragment.backend = Some(CacheBackend::File);
    })
    .await
    .seen_from(LOCAL);
    let page = app.get("/all").await;
    let counted = opened(&app, &page)
        .await
        .texts(".pdt-backends tbody tr td:nth-child(11)");
    assert_eq!(
        counted,
        ["count them", "count them", "not used yet", "not used yet"],
        "the toolbar counts nothing"
    );
    let json = panels(&app, request_id(&page)).await;
    let settings = &json["settings"];
    let view = &settings["strategies"][1];
    assert_eq!(view["strategy"], "view");
    assert_eq!(view["routes"], serde_json::json!(["/all"]));
    let memory = &settings["backends"][0];
    assert_eq!(memory["backend"], "memory");
    assert_eq!(memory["max_entries"], 300);
    assert_eq!(memory["cull_frequency"], 3);
    assert_eq!(memory["compress_threshold"], 0);
    assert_eq!(
        memory["usage"]["entries"], 5,
        "the page in identity and in three codings, and its Vary list"
    );
    assert!(memory["usage"]["bytes"].as_u64().unwrap() > 100_000);
    let file = &settings["backends"][1];
    assert_eq!(
        file["location"],
        app.settings.caches.file.location.clone().unwrap()
    );
    assert_eq!(
        file["command_timeout_ms"],
        app.settings.caches.file.command_timeout_ms
    );
    assert_eq!(file["compress_threshold"], 1024);
    assert_eq!(file["usage"]["entries"], 1, "the table fragment");
    assert_eq!(
        settings["backends"][2]["location"],
        "cache_table in the app's database"
    );
    assert!(
        settings["backends"][3]["usage"].is_null(),
        "redis: not used"
    );

    let memory = app
        .state
        .strategies
        .backends
        .built(CacheBackend::Memory)
        .unwrap();
    assert!(memory.clear().await);
    let json = panels(&app, request_id(&page)).await;
    let usage = &json["settings"]["backends"][0]["usage"];
    assert_eq!(
        (usage["entries"].as_u64(), usage["bytes"].as_u64()),
        (Some(0), Some(0)),
        "what it holds now, not what was ever written"
    );
    let shown = app
        .get(&format!("/__debug__/requests/{}", request_id(&page)))
        .await;
    let cells = shown.texts(".pdt-backends tbody tr:first-child td");
    assert_eq!(cells[5..], ["300", "0", "3", "0", "1000", "0", "0"]);
}

#[tokio::test]
async fn history_rows_carry_the_time_of_day_and_the_totals() {
    let app = spawn_app_with(|_| {}).await.seen_from(LOCAL);
    app.get("/").await;
    app.get("/pokemon/25").await;
    app.get("/pokemon/9999").await;
    let history = app.get("/__debug__/history").await;
    let times = history.texts(".pdt-history .pdt-at");
    assert_eq!(times.len(), 3);
    for time in &times {
        let (clock, zone) = time.split_once(' ').unwrap();
        assert_eq!(zone, "UTC");
        let parts: Vec<&str> = clock.split([':', '.']).collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [2, 2, 2, 3],
            "{time}"
        );
    }
    let sql = history.texts(".pdt-history tbody tr td:nth-child(9)");
    let counts: Vec<u64> = sql
        .iter()
        .map(|cell| cell.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts, [1, 2, 3], "newest first: 404, a Pokémon, home");
    let totals = history.texts(".pdt-history tfoot .pdt-totals td");
    assert!(totals[3].starts_with("6 · "), "{totals:?}");
}
