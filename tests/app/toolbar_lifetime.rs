//! A hit shows the lifetime its entry has left, on every backend: moka's per-entry
//! expiry, the file's and the row's stored expiry, Redis's PTTL (asked in the same
//! round trip as the GET).

use pokedex::cache::backends::CacheBackend;

use crate::cache::subjects::redis_is_up;
use crate::helpers::spawn_app_with;
use crate::toolbar::{LOCAL, opened, panels, request_id};

/// The site cache's seconds in these tests.
const SECONDS: u64 = 600;

async fn a_hit_shows_the_lifetime_left(backend: CacheBackend) {
    let app = spawn_app_with(|s| s.site.backend = Some(backend))
        .await
        .seen_from(LOCAL);
    app.get("/all").await;
    let page = app.get("/all").await;
    assert_eq!(page.header("x-cache"), Some("HIT"), "{backend}");
    let json = panels(&app, request_id(&page)).await;
    let hits: Vec<&serde_json::Value> = json["cache"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["result"] == "hit")
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "{backend}: the page, its Vary list remembered"
    );
    for hit in hits {
        let left = hit["left"]["ms"]
            .as_u64()
            .unwrap_or_else(|| panic!("{backend}: no lifetime in {hit}"));
        assert!(
            (SECONDS - 30) * 1000 < left && left <= SECONDS * 1000,
            "{backend}: {left} ms left of {SECONDS} s"
        );
    }
    let shown = opened(&app, &page).await.texts(".pdt-cache-calls .pdt-ttl");
    assert!(
        shown.iter().all(|text| text.ends_with(" s left")),
        "{backend}: {shown:?}"
    );
}

/// The fragment cache's seconds in these tests (its default).
const FRAGMENT_SECONDS: u64 = 60;

/// A fragment hit is a `get_many` row: it shows the soonest lifetime of its entries.
async fn a_fragment_hit_shows_the_lifetime_left(backend: CacheBackend) {
    let app = spawn_app_with(|s| s.fragment.backend = Some(backend))
        .await
        .seen_from(LOCAL);
    app.get("/").await;
    let page = app.get("/").await;
    let json = panels(&app, request_id(&page)).await;
    let rows = json["cache"]["rows"].as_array().unwrap();
    let hits: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|row| row["operation"] == "get_many" && row["hits"].as_u64() > Some(0))
        .collect();
    assert!(!hits.is_empty(), "{backend}: a fragment hit in {rows:#?}");
    for hit in hits {
        let left = hit["left"]["ms"]
            .as_u64()
            .unwrap_or_else(|| panic!("{backend}: no lifetime in {hit}"));
        assert!(
            (FRAGMENT_SECONDS - 30) * 1000 < left && left <= FRAGMENT_SECONDS * 1000,
            "{backend}: {left} ms left of {FRAGMENT_SECONDS} s"
        );
    }
}

#[tokio::test]
async fn fragment_hits_show_the_lifetime_left_on_every_backend() {
    for backend in [
        CacheBackend::Memory,
        CacheBackend::File,
        CacheBackend::Database,
    ] {
        a_fragment_hit_shows_the_lifetime_left(backend).await;
    }
    if redis_is_up("fragment_hits_show_the_lifetime_left (redis)").await {
        a_fragment_hit_shows_the_lifetime_left(CacheBackend::Redis).await;
    }
}

#[tokio::test]
async fn a_memory_hit_shows_the_lifetime_left() {
    a_hit_shows_the_lifetime_left(CacheBackend::Memory).await;
}

#[tokio::test]
async fn a_file_hit_shows_the_lifetime_left() {
    a_hit_shows_the_lifetime_left(CacheBackend::File).await;
}

#[tokio::test]
async fn a_database_hit_shows_the_lifetime_left() {
    a_hit_shows_the_lifetime_left(CacheBackend::Database).await;
}

#[tokio::test]
async fn a_redis_hit_shows_the_lifetime_left() {
    if !redis_is_up("a_redis_hit_shows_the_lifetime_left").await {
        return;
    }
    a_hit_shows_the_lifetime_left(CacheBackend::Redis).await;
}
