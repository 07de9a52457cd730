//! The lab: its API for every route, each bad input, who may use it, and what a
//! switch does to the next request.

use axum::http::StatusCode;
use pokedex::cache::backends::CacheBackend;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const LOCAL: [u8; 4] = [127, 0, 0, 1];

async fn lab_app() -> TestApp {
    spawn_app().await.seen_from(LOCAL)
}

async fn state(app: &TestApp) -> Value {
    let page = app.get("/lab/state.json").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    page.json()
}

#[tokio::test]
async fn the_state_lists_every_strategy_and_backend_as_the_settings_start_them() {
    let app = lab_app().await;
    let state = state(&app).await;
    assert_eq!(state["strategies"]["site"]["backend"], "off");
    assert_eq!(state["strategies"]["site"]["seconds"], 600);
    assert_eq!(state["strategies"]["view"]["seconds"], 60);
    assert_eq!(state["strategies"]["view"]["routes"], json!(["/all"]));
    assert_eq!(state["strategies"]["fragment"]["seconds"], 60);
    assert!(state["strategies"]["site"].get("routes").is_none());
    for backend in ["memory", "file", "database"] {
        let card = &state["backends"][backend];
        assert_eq!(card["reachable"], true, "{backend}: {card}");
        for field in ["entries", "bytes", "hits", "misses", "errors", "sets"] {
            assert_eq!(card[field], 0, "{backend}.{field}");
        }
        assert!(card["last_error"].is_null());
        assert!(card["last_minute"]["hits"].is_number());
    }
    assert_eq!(
        state["routes"],
        json!(["/", "/all", "/pokemon/{id}", "/type/{name}"])
    );
    let page = app.get("/lab").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("form[data-strategy] h3").len(), 3);
    assert_eq!(
        state["invalidation"],
        json!({"mode": "ttl", "settings": "ttl"})
    );
    assert_eq!(
        page.texts(".lab-card h3"),
        ["memory", "file", "database", "redis"]
    );
}

#[tokio::test]
async fn switching_per_site_to_memory_freezes_the_next_pages_and_marks_the_change() {
    let app = lab_app().await;
    assert_eq!(app.get("/all").await.header("x-cache"), None);
    let switched = app
        .post_json(
            "/lab/strategies/site",
            &json!({"backend": "memory", "seconds": 120}),
        )
        .await;
    assert_eq!(switched.status, StatusCode::OK);
    let state = switched.json();
    assert_eq!(state["strategies"]["site"]["backend"], "memory");
    assert_eq!(
        state["strategies"]["site"]["differs"],
        json!(["backend", "seconds"])
    );
    let miss = app.get("/all").await;
    let hit = app.get("/all").await;
    assert_eq!(miss.header("x-cache"), Some("MISS"));
    assert_eq!(hit.header("x-cache"), Some("HIT"));
    assert_eq!(
        hit.header("cache-control"),
        Some("no-store"),
        "the toolbar's page"
    );
    let state = crate::lab::state(&app).await;
    let memory = &state["backends"]["memory"];
    assert_eq!(
        (memory["hits"].clone(), memory["sets"].clone()),
        (json!(1), json!(5)),
        "a hit reads the page; a miss stores it in four codings, and its Vary list"
    );
    assert_eq!(
        memory["entries"], 5,
        "the page in four codings and its Vary list"
    );
    assert_eq!(memory["used_by"], json!(["site"]));

    let page = app.get("/lab").await;
    assert!(
        page.texts(".lab-differs")
            .contains(&"settings: off".to_owned())
    );
}

#[tokio::test]
async fn a_form_is_answered_with_a_redirect_back_to_the_lab() {
    let app = lab_app().await;
    let answer = app
        .post_form("/lab/strategies/fragment", "backend=file&seconds=30", &[])
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header("location"), Some("/lab"));
    let state = state(&app).await;
    assert_eq!(state["strategies"]["fragment"]["backend"], "file");
    assert_eq!(state["strategies"]["fragment"]["seconds"], 30);
}

#[tokio::test]
async fn the_per_view_routes_switch_without_a_restart() {
    let app = lab_app().await;
    let form = "backend=memory&routes=&routes=%2F&routes=%2Ftype%2F%7Bname%7D";
    let answer = app.post_form("/lab/strategies/view", form, &[]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/").await.header("x-cache"), Some("MISS"));
    assert_eq!(app.get("/").await.header("x-cache"), Some("HIT"));
    assert_eq!(app.get("/type/grass").await.header("x-cache"), Some("MISS"));
    assert_eq!(
        app.get("/all").await.header("x-cache"),
        None,
        "no longer wrapped"
    );
    let unwrapped = app.post_form("/lab/strategies/view", "routes=", &[]).await;
    assert_eq!(unwrapped.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/").await.header("x-cache"),
        None,
        "no route is wrapped"
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_422_naming_the_field_and_nothing_changes() {
    let app = lab_app().await;
    let before = state(&app).await["strategies"].clone();
    let cases: [(&str, Value, &str); 9] = [
        (
            "/lab/strategies/everything",
            json!({"backend": "memory"}),
            "strategy",
        ),
        (
            "/lab/strategies/site",
            json!({"backend": "memcached"}),
            "backend",
        ),
        ("/lab/strategies/site", json!({"seconds": "abc"}), "seconds"),
        ("/lab/strategies/site", json!({"seconds": 1.5}), "seconds"),
        ("/lab/strategies/site", json!({"seconds": -1}), "seconds"),
        (
            "/lab/strategies/site",
            json!({"backend": "memory", "seconds": 31_536_001}),
            "seconds",
        ),
        (
            "/lab/strategies/view",
            json!({"backend": "memory", "routes": ["/nope"]}),
            "routes",
        ),
        (
            "/lab/strategies/site",
            json!({"routes": ["/all"]}),
            "routes",
        ),
        ("/lab/caches/memcached/clear", json!({}), "backend"),
    ];
    for (uri, body, field) in cases {
        let answer = app.post_json(uri, &body).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri} {body}"
        );
        let error = answer.json();
        assert_eq!(error["field"], field, "{uri} {body}: {error}");
        assert!(
            error["error"].as_str().unwrap().starts_with(field),
            "the message names the field: {error}"
        );
    }
    let form = app
        .post_form("/lab/strategies/site", "backend=memory&seconds=soon", &[])
        .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = form.texts(".lab-error");
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0].starts_with("seconds: expected a whole number"),
        "{shown:?}"
    );
    assert_eq!(state(&app).await["strategies"], before, "nothing changed");
}

#[tokio::test]
async fn cross_site_changes_get_403_wrong_hosts_400_and_nothing_changes() {
    let app = lab_app().await;
    let before = state(&app).await["strategies"].clone();
    let memory = "backend=memory";
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "http://evil.example")],
        vec![("origin", "null")],
        vec![("host", "evil.example")],
        vec![
            ("host", "rebind.attacker.example:8000"),
            ("sec-fetch-site", "same-origin"),
        ],
    ] {
        let answer = app
            .post_form("/lab/strategies/site", memory, &headers)
            .await;
        let wrong_host = headers.iter().any(|(name, _)| *name == "host");
        let expected = if wrong_host {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(answer.status, expected, "{headers:?}");
        assert!(
            answer.body.contains("Nothing was changed."),
            "{}",
            answer.body
        );
    }
    assert_eq!(state(&app).await["strategies"], before, "nothing changed");
    for headers in [
        vec![("sec-fetch-site", "same-origin")],
        vec![("sec-fetch-site", "none")],
        vec![("origin", "http://localhost")],
        vec![
            ("host", "127.0.0.1:8000"),
            ("origin", "http://127.0.0.1:8000"),
        ],
        vec![],
    ] {
        let answer = app
            .post_form("/lab/strategies/site", memory, &headers)
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{headers:?}");
    }
    let page = app.get_with("/lab", &[("host", "evil.example")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn clients_that_are_not_internal_or_come_through_a_proxy_get_the_404_page() {
    let unknown = spawn_app().await;
    let outside = spawn_app().await.seen_from([127, 0, 0, 2]);
    let local = lab_app().await;
    for app in [&unknown, &outside] {
        for uri in ["/lab", "/lab/state.json"] {
            assert_eq!(app.get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let post = app.post_form("/lab/reset", "", &[]).await;
        assert_eq!(post.status, StatusCode::NOT_FOUND);
        assert!(post.body.contains("There is no page at this address."));
    }
    for proxy in ["forwarded", "x-forwarded-for", "x-real-ip"] {
        let header = [(proxy, "for=203.0.113.7")];
        assert_eq!(
            local.get_with("/lab", &header).await.status,
            StatusCode::NOT_FOUND
        );
        let page = local.get_with("/", &header).await;
        assert!(
            !page.body.contains("pokedex-toolbar"),
            "{proxy}: no toolbar"
        );
        assert!(
            page.hrefs("a[href='/lab']").is_empty(),
            "{proxy}: no lab link"
        );
        assert_eq!(
            local.get_with("/__debug__/history", &header).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn clearing_a_cache_empties_it_memory_included() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory))
        .await
        .seen_from(LOCAL);
    app.get("/all").await;
    assert_eq!(app.get("/all").await.header("x-cache"), Some("HIT"));
    let cleared = app.post_json("/lab/caches/memory/clear", &json!({})).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.json()["backends"]["memory"]["entries"], 0);
    assert_eq!(app.get("/all").await.header("x-cache"), Some("MISS"));
    assert_eq!(app.get("/all").await.header("x-cache"), Some("HIT"));
    let all = app.post_form("/lab/caches/clear", "", &[]).await;
    assert_eq!(all.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/all").await.header("x-cache"), Some("MISS"));
}

#[tokio::test]
async fn reset_restores_what_the_settings_say() {
    let app = spawn_app_with(|s| s.fragment.backend = Some(CacheBackend::File))
        .await
        .seen_from(LOCAL);
    app.post_json(
        "/lab/strategies/fragment",
        &json!({"backend": "off", "seconds": 5}),
    )
    .await;
    app.post_json("/lab/strategies/site", &json!({"backend": "memory"}))
        .await;
    let reset = app.post_form("/lab/reset", "", &[]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    let state = state(&app).await;
    assert_eq!(state["strategies"]["fragment"]["backend"], "file");
    assert_eq!(state["strategies"]["fragment"]["seconds"], 60);
    assert_eq!(state["strategies"]["site"]["backend"], "off");
    for strategy in ["site", "view", "fragment"] {
        assert_eq!(state["strategies"][strategy]["differs"], json!([]));
    }
}

#[tokio::test]
async fn a_backend_that_is_down_is_red_with_its_reason_and_the_handle_says_so() {
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Redis);
        s.caches.redis.location = Some("redis://127.0.0.1:1".to_owned());
        s.caches.redis.command_timeout_ms = 200;
    })
    .await
    .seen_from(LOCAL);
    let redis = &state(&app).await["backends"]["redis"];
    assert_eq!(redis["reachable"], false);
    let error = redis["error"].as_str().unwrap();
    assert!(error.contains("Connection refused"), "{error}");
    assert!(redis["entries"].is_null());
    let page = app.get("/all").await;
    assert_eq!(page.status, StatusCode::OK);
    let handle = page.texts("#pokedex-toolbar .pdt-handle-problem");
    assert_eq!(handle.len(), 1);
    assert!(handle[0].starts_with("redis failed:"), "{handle:?}");
    assert!(app.get("/lab").await.texts(".lab-card.lab-down h3") == ["redis"]);
}

#[tokio::test]
async fn the_handle_says_what_the_caches_did_and_the_navbar_links_the_lab() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory))
        .await
        .seen_from(LOCAL);
    let miss = app.get("/all").await;
    let hit = app.get("/all").await;
    let verdict = |page: &crate::helpers::Page| page.texts("#pokedex-toolbar .pdt-handle-verdict");
    assert!(
        verdict(&miss)[0].starts_with("MISS · site · memory · "),
        "{:?}",
        verdict(&miss)
    );
    assert!(
        verdict(&hit)[0].starts_with("HIT · site · memory · "),
        "{:?}",
        verdict(&hit)
    );
    assert!(verdict(&hit)[0].ends_with(" ms"));
    assert_eq!(hit.hrefs("nav a[href='/lab']"), ["/lab"]);

    let uncached = spawn_app().await.seen_from(LOCAL).get("/").await;
    assert!(verdict(&uncached)[0].starts_with("UNCACHED · "));
    let outside = spawn_app().await.seen_from([127, 0, 0, 2]).get("/").await;
    assert!(outside.hrefs("nav a[href='/lab']").is_empty());
    let toolbar_off = spawn_app_with(|s| s.toolbar.show = pokedex::settings::Switch::Off)
        .await
        .seen_from(LOCAL)
        .get("/")
        .await;
    assert_eq!(
        toolbar_off.hrefs("nav a[href='/lab']"),
        ["/lab"],
        "the lab needs no toolbar"
    );
    assert!(!toolbar_off.body.contains("pokedex-toolbar"));
    assert!(toolbar_off.header("etag").unwrap().starts_with("W/"));
}
