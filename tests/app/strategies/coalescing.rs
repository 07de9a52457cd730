//! Coalescing that holds: waiters take the leader's result even when storing it
//! fails or stalls, a leader past the bound releases them, and fragments coalesce
//! one by one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use axum::response::Html;
use axum::routing::get;
use pokedex::cache::backends::CacheBackend;
use pokedex::cache::backends::database::create_table;
use pokedex::cache::strategies::fragment::Fragment;
use pokedex::cache::strategies::site::site_cache;
use tower::ServiceExt;

use crate::helpers::spawn_app_with;

/// Fifty GETs of one page at once through the app's per-site cache, the page's view
/// held until all fifty have reached the cache, so that none can come after the
/// computation ended however loaded the machine is. Says how often the view ran,
/// and each response's `X-Cache` and body.
async fn fifty_held_together(
    app: &crate::helpers::TestApp,
    backend: CacheBackend,
) -> (usize, Vec<(Option<String>, String)>) {
    fifty_held_together_as(app, backend, |_| Method::GET).await
}

/// [`fifty_held_together`], the `i`th request made with `method_of(i)`.
async fn fifty_held_together_as(
    app: &crate::helpers::TestApp,
    backend: CacheBackend,
    method_of: fn(usize) -> Method,
) -> (usize, Vec<(Option<String>, String)>) {
    const FIFTY: usize = 50;
    // Built beforehand, so that a request counted at the door goes on to its lookup
    // without waiting: no request can reach its lookup after the computation ended.
    app.state.strategies.backends.cache(backend).await.unwrap();
    let arrived = Arc::new(AtomicUsize::new(0));
    let runs = Arc::new(AtomicUsize::new(0));
    let (arrivals, counted) = (Arc::clone(&arrived), Arc::clone(&runs));
    let page = Router::new()
        .route(
            "/held",
            get(move || {
                let (arrived, counted) = (Arc::clone(&arrived), Arc::clone(&counted));
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    while arrived.load(Ordering::SeqCst) < FIFTY {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    Html("<p>held</p>")
                }
            }),
        )
        .layer(site_cache(&app.state.strategies))
        .layer(axum::middleware::from_fn(
            move |request, next: axum::middleware::Next| {
                arrivals.fetch_add(1, Ordering::SeqCst);
                next.run(request)
            },
        ));
    let requests: Vec<_> = (0..FIFTY)
        .map(|i| {
            let page = page.clone();
            tokio::spawn(async move {
                let request = Request::builder()
                    .method(method_of(i))
                    .uri("/held")
                    .body(Body::empty())
                    .unwrap();
                let response = page.oneshot(request).await.unwrap();
                let x_cache = response
                    .headers()
                    .get("x-cache")
                    .map(|value| value.to_str().unwrap().to_owned());
                let body = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .unwrap()
                    .to_bytes();
                (x_cache, String::from_utf8(body.to_vec()).unwrap())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for request in requests {
        answers.push(request.await.unwrap());
    }
    (runs.load(Ordering::SeqCst), answers)
}

/// One request leads and stores (or fails to); the other 49 are served its page.
fn assert_one_computation(runs: usize, answers: &[(Option<String>, String)]) {
    assert_eq!(runs, 1, "the view ran once for 50 requests");
    let hits = answers
        .iter()
        .filter(|(x_cache, _)| x_cache.as_deref() == Some("HIT"))
        .count();
    assert_eq!(hits, 49, "49 were handed the leader's page");
    assert!(answers.iter().all(|(_, body)| *body == answers[0].1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_misses_compute_once_when_the_store_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache.sqlite3");
    let writable = pokedex::db::pool::open(&format!("sqlite://{}", file.display()), 1)
        .await
        .unwrap();
    create_table(&writable).await.unwrap();
    let read_only = format!("sqlite://{}?mode=ro", file.display());
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Database);
        s.caches.database.location = Some(read_only);
    })
    .await;
    let (runs, answers) = fifty_held_together(&app, CacheBackend::Database).await;
    assert_one_computation(runs, &answers);
    let stats = app
        .state
        .strategies
        .backends
        .cache(CacheBackend::Database)
        .await
        .unwrap()
        .stats();
    assert_eq!((stats.sets, stats.errors), (0, 1), "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_and_gets_of_one_page_compute_it_once() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory)).await;
    let head_first = |i: usize| {
        if i.is_multiple_of(2) {
            Method::HEAD
        } else {
            Method::GET
        }
    };
    let (runs, answers) = fifty_held_together_as(&app, CacheBackend::Memory, head_first).await;
    assert_eq!(runs, 1, "a HEAD leads or waits like a GET");
    let hits = answers
        .iter()
        .filter(|(x_cache, _)| x_cache.as_deref() == Some("HIT"))
        .count();
    assert_eq!(hits, 49);
    for (i, (_, body)) in answers.iter().enumerate() {
        let expected = if i.is_multiple_of(2) {
            ""
        } else {
            "<p>held</p>"
        };
        assert_eq!(body, expected, "request {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_misses_compute_once_when_the_store_stalls_past_the_command_timeout() {
    let url = super::breaker::silent_redis().await;
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Redis);
        s.caches.redis.location = Some(url);
        s.caches.redis.command_timeout_ms = 300;
    })
    .await;
    let (runs, answers) = fifty_held_together(&app, CacheBackend::Redis).await;
    assert_one_computation(runs, &answers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_past_the_bound_releases_its_waiters_who_say_so() {
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Memory);
        s.coalescing.max_wait_ms = 50;
    })
    .await;
    let runs = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&runs);
    let slow = Router::new()
        .route(
            "/slow",
            get(move || {
                let counted = Arc::clone(&counted);
                async move {
                    *counted.lock().unwrap() += 1;
                    tokio::time::sleep(Duration::from_millis(400)).await;
                    Html("<p>slow</p>")
                }
            }),
        )
        .layer(site_cache(&app.state.strategies));
    let requests: Vec<_> = (0..5)
        .map(|_| {
            let slow = slow.clone();
            tokio::spawn(pokedex::record::recording(async move {
                let request = Request::get("/slow").body(Body::empty()).unwrap();
                slow.oneshot(request).await.unwrap().status()
            }))
        })
        .collect();
    let mut released = 0;
    for request in requests {
        let (status, record) = request.await.unwrap();
        assert!(status.is_success());
        released += record
            .cache_calls
            .iter()
            .filter(|call| {
                call.result
                    .starts_with("released: the request computing it took over 50 ms")
            })
            .count();
    }
    assert_eq!(released, 4, "every waiter was released and said so");
    assert_eq!(
        *runs.lock().unwrap(),
        5,
        "each released waiter computed its own"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragments_coalesce_one_by_one_whatever_else_their_pages_miss() {
    let app = spawn_app_with(|s| s.fragment.backend = Some(CacheBackend::Memory)).await;
    let rendered: Arc<Mutex<HashMap<&'static str, u32>>> = Arc::default();
    let pages = [["a", "b"], ["b", "c"]];
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (strategies, rendered) = (Arc::clone(&app.state.strategies), Arc::clone(&rendered));
            let names = pages[i % 2];
            tokio::spawn(async move {
                let fragments = names.map(|name| Fragment::new(name, &[]));
                strategies
                    .fragments(&fragments, |missing| async move {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let mut counts = rendered.lock().unwrap();
                        let html = missing.iter().map(|&i| {
                            *counts.entry(names[i]).or_default() += 1;
                            format!("<p>{}</p>", names[i])
                        });
                        Ok::<_, std::convert::Infallible>(html.collect())
                    })
                    .await
                    .unwrap()
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let html = task.await.unwrap();
        let names = pages[i % 2];
        assert_eq!(html, names.map(|name| format!("<p>{name}</p>")));
    }
    let rendered = rendered.lock().unwrap();
    assert_eq!(
        *rendered,
        HashMap::from([("a", 1), ("b", 1), ("c", 1)]),
        "each fragment rendered once"
    );
}
