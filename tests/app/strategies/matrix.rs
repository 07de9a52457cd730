//! Each strategy on each backend: a miss, then a hit, and what the page shows.

use axum::http::StatusCode;
use pokedex::cache::backends::CacheBackend;
use pokedex::settings::Settings;

use crate::cache::subjects::redis_is_up;
use crate::helpers::{TestApp, spawn_app_with};

/// The app with one strategy on `backend`, or `None` for Redis when none answers.
pub async fn app_with(
    backend: CacheBackend,
    test: &str,
    choose: impl FnOnce(&mut Settings, CacheBackend),
) -> Option<TestApp> {
    if backend == CacheBackend::Redis && !redis_is_up(test).await {
        return None;
    }
    Some(spawn_app_with(|settings| choose(settings, backend)).await)
}

async fn site_cache_freezes_every_page(backend: CacheBackend) {
    let Some(app) = app_with(backend, "site", |s, b| s.site.backend = Some(b)).await else {
        return;
    };
    for uri in ["/", "/all", "/pokemon/25"] {
        let before = app.state.db.statements();
        let first = app.get(uri).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.header("x-cache"), Some("MISS"), "{uri}");
        assert_eq!(first.header("x-cache-backend"), Some(backend_name(backend)));
        assert_eq!(first.header("cache-control"), Some("max-age=600"));
        assert!(first.header("expires").is_some());
        assert!(
            app.state.db.statements() > before,
            "{uri}: the miss ran its queries"
        );

        let queries = app.state.db.statements();
        let second = app.get(uri).await;
        assert_eq!(second.header("x-cache"), Some("HIT"), "{uri}");
        assert!(second.header("age").is_some());
        assert_eq!(
            app.state.db.statements(),
            queries,
            "{uri}: a hit runs no SQL"
        );
        assert_eq!(
            second.response_time(),
            first.response_time(),
            "{uri}: the navbar time is frozen"
        );
        assert_eq!(second.body, first.body);
        let etag = second.header("etag").unwrap();
        assert_eq!(first.header("etag"), Some(etag));

        let not_modified = app.get_with(uri, &[("if-none-match", etag)]).await;
        assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
        assert!(not_modified.body.is_empty());
    }
}

async fn view_cache_freezes_only_its_routes(backend: CacheBackend) {
    let Some(app) = app_with(backend, "view", |s, b| s.view.backend = Some(b)).await else {
        return;
    };
    let first = app.get("/all").await;
    assert_eq!(first.header("x-cache"), Some("MISS"));
    let queries = app.state.db.statements();
    let second = app.get("/all").await;
    assert_eq!(second.header("x-cache"), Some("HIT"));
    assert_eq!(
        second.header("x-cache-backend"),
        Some(backend_name(backend))
    );
    assert_eq!(app.state.db.statements(), queries);
    assert_eq!(second.response_time(), first.response_time(), "/all stays");
    assert_eq!(second.header("cache-control"), Some("max-age=60"));

    let home = app.get("/").await;
    let again = app.get("/").await;
    assert_eq!(home.header("x-cache"), None, "/ is not a cached view");
    assert_ne!(home.response_time(), again.response_time(), "/ changes");

    let etag = second.header("etag").unwrap();
    let not_modified = app.get_with("/all", &[("if-none-match", etag)]).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
}

async fn fragment_cache_keeps_the_tables_and_times_the_view_afresh(backend: CacheBackend) {
    let Some(app) = app_with(backend, "fragment", |s, b| s.fragment.backend = Some(b)).await else {
        return;
    };
    for (uri, misses) in [("/all", 1), ("/", 3)] {
        let before = app.state.db.statements();
        let first = app.get(uri).await;
        assert_eq!(
            app.state.db.statements() - before,
            misses,
            "{uri}: one query per table"
        );
        let queries = app.state.db.statements();
        let second = app.get(uri).await;
        assert_eq!(
            app.state.db.statements(),
            queries,
            "{uri}: the tables came from the cache"
        );
        assert_eq!(second.header("x-cache"), None);
        assert_ne!(
            second.response_time(),
            first.response_time(),
            "{uri}: the view ran again"
        );
        assert_eq!(second.table_rows(0), first.table_rows(0));
        let etag = second.header("etag").unwrap();
        assert_ne!(
            first.header("etag"),
            Some(etag),
            "the navbar time is in the body"
        );
        let not_modified = app.get_with(uri, &[("if-none-match", etag)]).await;
        assert_eq!(
            not_modified.status,
            StatusCode::OK,
            "a fresh page has a fresh ETag"
        );
    }
    assert_eq!(app.get("/all").await.table_rows(0).len(), 1025);
}

async fn a_hand_edit_makes_stored_pages_unreachable_in_version_mode(backend: CacheBackend) {
    let Some(app) = app_with(backend, "hand edit", |s, b| {
        s.site.backend = Some(b);
        s.invalidation = pokedex::cache::invalidation::InvalidationMode::Version;
    })
    .await
    else {
        return;
    };
    assert_eq!(app.get("/all").await.header("x-cache"), Some("MISS"));
    assert_eq!(app.get("/all").await.header("x-cache"), Some("HIT"));
    let before = app.state.strategies.invalidation.catalogue().data_version;
    // As someone would in sqlite3, behind the app's back: the triggers see it.
    sqlx::query("UPDATE pokemon SET name = 'Pika' WHERE pokedex_id = 25")
        .execute(&app.db)
        .await
        .unwrap();
    app.state.strategies.invalidation.refresh().await.unwrap();
    assert_eq!(
        app.state.strategies.invalidation.catalogue().data_version,
        before + 1
    );
    let after = app.get("/all").await;
    assert_eq!(
        after.header("x-cache"),
        Some("MISS"),
        "a new version, a new key"
    );
    assert!(after.body.contains(">Pika<"), "the new name");
    assert_eq!(app.get("/all").await.header("x-cache"), Some("HIT"));
}

fn backend_name(backend: CacheBackend) -> &'static str {
    backend.name()
}

macro_rules! matrix {
    ($($backend:ident: $choice:expr;)*) => {$(
        mod $backend {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn site_cache_freezes_every_page() {
                super::site_cache_freezes_every_page($choice).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn view_cache_freezes_only_its_routes() {
                super::view_cache_freezes_only_its_routes($choice).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fragment_cache_keeps_the_tables_and_times_the_view_afresh() {
                super::fragment_cache_keeps_the_tables_and_times_the_view_afresh($choice).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_hand_edit_makes_stored_pages_unreachable_in_version_mode() {
                super::a_hand_edit_makes_stored_pages_unreachable_in_version_mode($choice).await;
            }
        }
    )*};
}

matrix! {
    memory: CacheBackend::Memory;
    file: CacheBackend::File;
    database: CacheBackend::Database;
    redis: CacheBackend::Redis;
}
