//! The toolbar tells the whole truth: the database cache's own SQL, the rows a
//! person counts, parameters as values, why a backend failed, the headers that
//! reached the browser beside those a cache keeps, and no toolbar through a proxy.

use axum::http::StatusCode;
use pokedex::cache::backends::CacheBackend;
use serde_json::Value;

use crate::helpers::spawn_app_with;
use crate::toolbar::{LOCAL, opened, panels, request_id};

fn array(value: &Value) -> &Vec<Value> {
    value.as_array().expect("an array")
}

/// The value of header `name` in a panel's list of `[name, value]` pairs.
fn header<'a>(list: &'a Value, name: &str) -> Option<&'a str> {
    array(list)
        .iter()
        .find(|pair| pair[0] == name)
        .and_then(|pair| pair[1].as_str())
}

#[tokio::test]
async fn a_database_backend_hit_shows_the_cache_sql_apart_from_the_views() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Database))
        .await
        .seen_from(LOCAL);
    let miss = app.get("/all").await;
    let before_hit = app.state.db.statements();
    let hit = app.get("/all").await;
    assert_eq!(hit.header("x-cache"), Some("HIT"));
    assert_eq!(
        app.state.db.statements(),
        before_hit,
        "the catalogue ran nothing for the hit"
    );

    let hit = panels(&app, request_id(&hit)).await;
    let queries = array(&hit["sql"]["queries"]);
    assert!(!queries.is_empty(), "a database hit is not 0 queries");
    assert!(queries.iter().all(|query| query["cache_sql"] == true));
    assert!(queries.iter().any(|query| {
        let sql = query["sql"].as_str().unwrap();
        sql.starts_with("SELECT cache_key") && sql.contains("cache_table")
    }));
    assert_eq!(hit["sql"]["cache_count"], hit["sql"]["count"]);

    let miss_page = miss;
    let miss = panels(&app, request_id(&miss_page)).await;
    let queries = array(&miss["sql"]["queries"]);
    let catalogue: Vec<&Value> = queries.iter().filter(|q| q["cache_sql"] == false).collect();
    assert_eq!(catalogue.len(), 1, "the view's one query");
    assert!(
        queries
            .iter()
            .any(|q| q["cache_sql"] == true && q["sql"].as_str().unwrap().starts_with("INSERT")),
        "the store, run in a transaction, is shown too: {queries:?}"
    );
    let marked = opened(&app, &miss_page)
        .await
        .texts(".pdt-queries tr.pdt-cache-sql .pdt-tag");
    assert_eq!(
        marked.len(),
        queries.len() - 1,
        "every cache statement is marked in the panel"
    );
}

#[tokio::test]
async fn all_shows_the_1025_rows_its_json_row_carried_and_parameters_as_values() {
    let app = spawn_app_with(|_| {}).await.seen_from(LOCAL);
    let all = app.get("/all").await;
    let rows = opened(&app, &all)
        .await
        .texts(".pdt-queries tbody tr td:nth-child(3)");
    assert_eq!(rows, ["1025 in one JSON row"]);

    let page = app.get("/type/normal").await;
    let json = panels(&app, request_id(&page)).await;
    assert_eq!(
        json["sql"]["queries"][0]["params"],
        serde_json::json!(["'normal'"])
    );
    let shown = opened(&app, &page)
        .await
        .texts(".pdt-queries tbody tr td:nth-child(2)");
    assert_eq!(shown, ["'normal'"]);

    let home = app.get("/").await;
    let json = panels(&app, request_id(&home)).await;
    let params = &json["sql"]["queries"][0]["params"];
    assert_eq!(params[1], "5", "the limit, a number: {params}");
    assert!(params[0].as_str().unwrap().starts_with('\''), "{params}");
}

#[tokio::test]
async fn a_failing_backend_says_why_in_its_row_and_on_the_handle() {
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Redis);
        s.caches.redis.location = Some("redis://127.0.0.1:1".to_owned());
    })
    .await
    .seen_from(LOCAL);
    let page = app.get("/all").await;
    assert_eq!(page.status, StatusCode::OK, "served without the cache");
    let json = panels(&app, request_id(&page)).await;
    let failed = array(&json["cache"]["rows"])
        .iter()
        .find(|row| row["result"] == "error")
        .expect("a failed call");
    let why = failed["error"].as_str().unwrap();
    assert!(
        why.to_ascii_lowercase().contains("refused"),
        "port 1 refuses the connection: {why}"
    );
    let shown = opened(&app, &page)
        .await
        .texts(".pdt-cache-calls .pdt-error");
    assert!(shown.iter().any(|text| text.contains(why)), "{shown:?}");
    let handle = page.texts("#pokedex-toolbar .pdt-handle-problem");
    assert!(handle[0].starts_with("redis failed: "), "{handle:?}");
}

#[tokio::test]
async fn the_headers_panel_shows_what_the_browser_received_and_what_the_cache_keeps() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory))
        .await
        .seen_from(LOCAL);
    app.get("/all").await;
    let page = app.get("/all").await;
    let json = panels(&app, request_id(&page)).await;
    let received = &json["headers"]["received"];
    for name in [
        "cache-control",
        "server-timing",
        "x-cache",
        "content-length",
    ] {
        assert_eq!(header(received, name), page.header(name), "{name}");
    }
    assert_eq!(header(received, "cache-control"), Some("no-store"));
    assert_eq!(header(received, "etag"), None);
    assert_eq!(
        header(received, "content-length"),
        Some(page.body.len().to_string().as_str())
    );
    let kept = &json["headers"]["without_toolbar"];
    assert_eq!(header(kept, "cache-control"), Some("max-age=600"));
    assert!(header(kept, "etag").is_some());
    assert_eq!(header(kept, "server-timing"), None);

    let sections = opened(&app, &page).await;
    let shown = sections.texts(".pdt-received tr");
    assert!(
        shown.contains(&"cache-controlno-store".to_owned()),
        "{shown:?}"
    );
    assert!(
        shown.contains(&format!("content-length{}", page.body.len())),
        "the length that left: {shown:?}"
    );
    let shown = sections.texts(".pdt-without-toolbar tr");
    assert!(
        shown.contains(&"cache-controlmax-age=600".to_owned()),
        "{shown:?}"
    );
}

#[tokio::test]
async fn proxied_requests_get_no_toolbar_and_leave_no_record() {
    let app = spawn_app_with(|_| {}).await.seen_from(LOCAL);
    for proxy in ["forwarded", "x-forwarded-for", "x-real-ip"] {
        let page = app.get_with("/", &[(proxy, "203.0.113.9")]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("pokedex-toolbar"), "{proxy}");
        assert_eq!(page.header("server-timing"), None, "{proxy}");
    }
    assert!(
        app.state.toolbar.history().is_empty(),
        "nothing was recorded"
    );
    assert!(
        app.get("/").await.body.contains("pokedex-toolbar"),
        "direct"
    );
}
