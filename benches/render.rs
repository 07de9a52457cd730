//! Server time of the uncached pages: the router driven in-process (no socket), so
//! the figures are the view, its queries and its template, plus routing.
//!
//! Run with `cargo bench --bench render`.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use pokedex::app::{self, AppState};
use pokedex::db;
use pokedex::settings::Settings;
use tower::ServiceExt;

fn pages(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut settings = Settings::default();
    settings.database.url = format!("sqlite://{}", dir.path().join("bench.sqlite3").display());
    let pool = runtime
        .block_on(db::connect_and_prepare(&settings.database))
        .expect("database ready");
    let state = runtime
        .block_on(AppState::new(&settings, pool))
        .expect("state");
    let router = app::router(state, &[]);

    let mut group = c.benchmark_group("uncached");
    for path in ["/", "/all", "/pokemon/25", "/type/grass"] {
        group.bench_function(path, |b| {
            b.to_async(&runtime).iter(|| async {
                let request = Request::get(path).body(Body::empty()).expect("request");
                let response = router.clone().oneshot(request).await.expect("response");
                assert!(response.status().is_success());
                response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, pages);
criterion_main!(benches);
