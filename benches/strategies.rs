//! Server time of `/all` under each strategy and backend, against returning the same
//! bytes from a static handler: the router driven in-process, so the figures are
//! what the server spends, without a socket.
//!
//! Run with `cargo bench --bench strategies`; Redis is measured when one answers on
//! 127.0.0.1:6379.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

mod support;

use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pokedex::cache::backends::CacheBackend;
use pokedex::cache::invalidation::InvalidationMode::{Tags, Ttl, Version};
use pokedex::settings::Settings;

fn strategies(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let app = |configure: &dyn Fn(&mut Settings)| support::app(&runtime, dir.path(), configure).0;

    let mut group = c.benchmark_group("all-page");
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));

    let uncached = app(&|_| {});
    let (_, page) = runtime.block_on(support::get(&uncached, "/all"));
    let static_page = Router::new().route(
        "/all",
        get(move || {
            let page = page.clone();
            async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page) }
        }),
    );
    for (name, router) in [("static-bytes", &static_page), ("uncached", &uncached)] {
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| support::get(router, "/all"));
        });
    }

    // Memory with compression and under the key-based invalidation modes are
    // measured per site only.
    let backends = [
        ("memory", CacheBackend::Memory, 0, Ttl),
        ("memory-compressed", CacheBackend::Memory, 1024, Ttl),
        ("memory-version", CacheBackend::Memory, 0, Version),
        ("memory-tags", CacheBackend::Memory, 0, Tags),
        ("file", CacheBackend::File, 1024, Ttl),
        ("database", CacheBackend::Database, 1024, Ttl),
        ("redis", CacheBackend::Redis, 1024, Ttl),
    ];
    for strategy in ["site", "view", "fragment"] {
        for (name, backend, threshold, mode) in backends {
            if strategy != "site" && name.starts_with("memory-") {
                continue;
            }
            let router = app(&|settings| {
                settings.invalidation = mode;
                settings.caches.memory.compress_threshold = threshold;
                match strategy {
                    "site" => settings.site.backend = Some(backend),
                    "view" => settings.view.backend = Some(backend),
                    _ => settings.fragment.backend = Some(backend),
                }
            });
            let (_, _) = runtime.block_on(support::get(&router, "/all"));
            let (x_cache, _) = runtime.block_on(support::get(&router, "/all"));
            if strategy != "fragment" && x_cache.as_deref() != Some("HIT") {
                eprintln!(
                    "skipping {strategy}/{name}: the second request was {x_cache:?}, not a hit"
                );
                continue;
            }
            group.bench_function(format!("{strategy}/{name}"), |b| {
                b.to_async(&runtime).iter(|| support::get(&router, "/all"));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, strategies);
criterion_main!(benches);
