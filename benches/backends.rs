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

mod support;

use std::time::Duration;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pokedex::cache::backends::{CacheBackend, PerBackend};
use pokedex::cache::configured::Backends;
use pokedex::cache::{Cache, Timeout};

fn backends(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (router, pool) = support::app(&runtime, dir.path(), |_| {});
    let (_, page) = runtime.block_on(support::get(&router, "/all"));
    let kib: Bytes = page.slice(..1024);

    let mut settings = PerBackend::defaults();
    settings.file.location = Some(dir.path().join("backend-cache").display().to_string());
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
    let backends = Backends::new(settings, pool);

    let mut group = c.benchmark_group("backends");
    group.measurement_time(Duration::from_secs(3));
    for kind in CacheBackend::ALL {
        let cache: Cache = runtime
            .block_on(backends.cache(kind))
            .expect("backend ready");
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
