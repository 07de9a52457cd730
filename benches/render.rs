//! Server time of the uncached pages: the router driven in-process (no socket), so
//! the figures are the view, its queries and its template, plus routing.
//!
//! Run with `cargo bench --bench render`.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};

fn pages(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (router, _) = support::app(&runtime, dir.path(), |_| {});

    let mut group = c.benchmark_group("uncached");
    for path in ["/", "/all", "/pokemon/25", "/type/grass"] {
        group.bench_function(path, |b| {
            b.to_async(&runtime).iter(|| support::get(&router, path));
        });
    }
    group.finish();
}

criterion_group!(benches, pages);
criterion_main!(benches);
