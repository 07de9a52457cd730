//! Latency of a cache hit and of a write on each backend, through the cache API
//! (keys, codec and counters included), at 1 KiB and at the size of the rendered
//! `/all` page.
//!
//! Run with `cargo bench --bench backends`; Redis is measured when one answers on
//! 127.0.0.1:6379.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::BodyExt;
use pokedex::app::{self, AppState};
use pokedex::cache::configured::{BackendKind, Caches};
use pokedex::cache::{Cache, Timeout};
use pokedex::db;
use pokedex::settings::{CachesSettings, Settings};
use tower::ServiceExt;

/// The `/all` page as the app renders it: real HTML, realistically compressible.
async fn all_page(router: axum::Router) -> Bytes {
    let request = Request::get("/all").body(Body::empty()).expect("request");
    let response = router.oneshot(request).await.expect("response");
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
}

fn backends(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut app_settings = Settings::default();
    app_settings.database.url = format!("sqlite://{}", dir.path().join("bench.sqlite3").display());
    let pool = runtime
        .block_on(db::connect_and_prepare(&app_settings.database))
        .expect("database ready");
    let state = runtime
        .block_on(AppState::new(&app_settings, pool.clone()))
        .expect("state");
    let page = runtime.block_on(all_page(app::router(state, &[])));
    let kib: Bytes = page.slice(..1024);

    let mut settings = CachesSettings::default();
    settings.file.location = Some(dir.path().join("cache").display().to_string());
    for backend in [
        &mut settings.memory,
        &mut settings.file,
        &mut settings.database,
        &mut settings.redis,
    ] {
        backend.max_entries = 10_000;
        // Never touch the keys of an app running against the same Redis.
        "pokedex-bench".clone_into(&mut backend.key_prefix);
    }
    let caches = Caches::new(settings, pool);

    let mut group = c.benchmark_group("backends");
    group.measurement_time(Duration::from_secs(3));
    for kind in BackendKind::ALL {
        let cache: Cache = runtime.block_on(caches.get(kind)).expect("backend ready");
        if !runtime.block_on(cache.set("probe", b"1", Timeout::seconds(60))) {
            eprintln!("skipping {kind}: it does not answer");
            continue;
        }
        for (size, value) in [("1KiB", &kib), ("all-page", &page)] {
            group.throughput(Throughput::Bytes(value.len() as u64));
            runtime.block_on(cache.set("hit", value, Timeout::seconds(600)));
            group.bench_function(BenchmarkId::new(format!("{kind}/get-hit"), size), |b| {
                b.to_async(&runtime)
                    .iter(|| async { cache.get("hit").await.expect("a hit") });
            });
            group.bench_function(BenchmarkId::new(format!("{kind}/set"), size), |b| {
                b.to_async(&runtime)
                    .iter(|| async { cache.set("written", value, Timeout::seconds(600)).await });
            });
        }
        runtime.block_on(cache.clear());
    }
    group.finish();
}

criterion_group!(benches, backends);
criterion_main!(benches);
