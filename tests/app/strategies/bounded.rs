//! Bounded on every backend: a page's key depends only on what the page reads (its
//! path, not the query string), and a flood of distinct pages leaves at most
//! `max_entries` entries — in Redis too, under this app's prefix only.

use axum::http::StatusCode;
use pokedex::cache::backends::CacheBackend;

use super::matrix::app_with;
use crate::helpers::TestApp;

/// Entries the backend holds now under the app's prefix.
async fn entries(app: &TestApp, backend: CacheBackend) -> u64 {
    let cache = app.state.strategies.backends.cache(backend).await.unwrap();
    cache.usage().await.unwrap().entries
}

async fn clear(app: &TestApp, backend: CacheBackend) {
    let cache = app.state.strategies.backends.cache(backend).await.unwrap();
    assert!(cache.clear().await);
}

async fn query_strings_share_one_entry(backend: CacheBackend) {
    let Some(app) = app_with(backend, "query strings", |s, b| s.site.backend = Some(b)).await
    else {
        return;
    };
    let first = app.get("/pokemon/25?x=0").await;
    assert_eq!(first.header("x-cache"), Some("MISS"));
    let held = entries(&app, backend).await;
    for n in 1..200 {
        let page = app.get(&format!("/pokemon/25?x={n}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.header("x-cache"), Some("HIT"), "?x={n}");
    }
    let encoded = app.get("/pokemon/%32%35").await;
    assert_eq!(
        encoded.header("x-cache"),
        Some("HIT"),
        "the same path, encoded"
    );
    assert_eq!(entries(&app, backend).await, held, "no entry per variant");
    clear(&app, backend).await;
}

async fn a_flood_of_pages_stays_within_max_entries(backend: CacheBackend) {
    const MAX: u64 = 40;
    let Some(app) = app_with(backend, "flood", |s, b| {
        s.site.backend = Some(b);
        s.caches[b].max_entries = MAX;
    })
    .await
    else {
        return;
    };
    let mut most = 0;
    for id in 1..=300 {
        let page = app.get(&format!("/pokemon/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.header("x-cache"), Some("MISS"), "/pokemon/{id}");
        most = most.max(entries(&app, backend).await);
    }
    // A page is two entries (its Vary list and itself), written together.
    assert!(most <= MAX + 2, "{backend}: {most} entries held at most");
    assert!(most >= MAX / 2, "{backend}: the budget was used ({most})");
    if backend != CacheBackend::Memory {
        // Culls take the oldest (memory's TinyLFU may refuse a newcomer instead).
        let last = app.get("/pokemon/300").await;
        assert_eq!(
            last.header("x-cache"),
            Some("HIT"),
            "the newest page stayed"
        );
    }
    clear(&app, backend).await;
}

macro_rules! bounded {
    ($($backend:ident: $choice:expr;)*) => {$(
        mod $backend {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn query_strings_share_one_entry() {
                super::query_strings_share_one_entry($choice).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_flood_of_pages_stays_within_max_entries() {
                super::a_flood_of_pages_stays_within_max_entries($choice).await;
            }
        }
    )*};
}

bounded! {
    memory: CacheBackend::Memory;
    file: CacheBackend::File;
    database: CacheBackend::Database;
    redis: CacheBackend::Redis;
}
