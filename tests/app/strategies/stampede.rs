//! Fifty requests missing the same key at once compute it once, on every backend.

use axum::http::StatusCode;
use pokedex::cache::backends::CacheBackend;

use super::matrix::app_with;
use crate::helpers::TestApp;

/// Fifty GETs of `uri` at once: each response's `X-Cache` and body.
pub async fn fifty_at_once(app: &TestApp, uri: &str) -> Vec<(Option<String>, String)> {
    let requests: Vec<_> = (0..50)
        .map(|_| {
            let router = app.router.clone();
            let uri = uri.to_owned();
            tokio::spawn(async move {
                use tower::ServiceExt;
                let request = axum::http::Request::get(uri)
                    .body(axum::body::Body::empty())
                    .unwrap();
                let response = router.oneshot(request).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let x_cache = response
                    .headers()
                    .get("x-cache")
                    .map(|value| value.to_str().unwrap().to_owned());
                let bytes = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .unwrap()
                    .to_bytes();
                (x_cache, String::from_utf8(bytes.to_vec()).unwrap())
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for request in requests {
        bodies.push(request.await.unwrap());
    }
    bodies
}

async fn site_misses_compute_once(backend: CacheBackend) {
    let Some(app) = app_with(backend, "stampede site", |s, b| s.site.backend = Some(b)).await
    else {
        return;
    };
    let answers = fifty_at_once(&app, "/all").await;
    assert_eq!(
        app.state.db.statements(),
        1,
        "one request ran the query; 49 waited for it"
    );
    assert!(
        answers.iter().all(|(_, body)| *body == answers[0].1),
        "all 50 got the same page"
    );
}

async fn fragment_misses_compute_once(backend: CacheBackend) {
    let Some(app) = app_with(backend, "stampede fragment", |s, b| {
        s.fragment.backend = Some(b);
    })
    .await
    else {
        return;
    };
    let answers = fifty_at_once(&app, "/all").await;
    assert_eq!(
        app.state.db.statements(),
        1,
        "one request ran the query; 49 waited for it"
    );
    assert!(answers.iter().all(|(_, body)| body.contains("Abomasnow")));
}

macro_rules! stampede {
    ($($backend:ident: $choice:expr;)*) => {$(
        mod $backend {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fifty_site_misses_run_the_view_once() {
                super::site_misses_compute_once($choice).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fifty_fragment_misses_run_the_query_once() {
                super::fragment_misses_compute_once($choice).await;
            }
        }
    )*};
}

stampede! {
    memory: CacheBackend::Memory;
    file: CacheBackend::File;
    database: CacheBackend::Database;
    redis: CacheBackend::Redis;
}
