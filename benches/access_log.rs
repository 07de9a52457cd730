//! What the access log costs a request: a trivial route served in-process with the
//! log on and off, the process's log installed as the binary installs it (its lines
//! going to a sink that discards them, so the terminal is not measured).
//!
//! Run with `cargo bench --bench access_log`.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use tower::ServiceExt;

fn access_log(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let _flushed = pokedex::logging::install(std::io::sink(), false);
    let plain = Router::new().route("/", get(|| async { "ok" }));
    let logged = plain
        .clone()
        .layer(pokedex::server::access_log::AccessLogLayer);
    let mut group = c.benchmark_group("access-log");
    for (name, router) in [("off", plain), ("on", logged)] {
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                let request = Request::get("/").body(Body::empty()).expect("request");
                router.clone().oneshot(request).await.expect("response")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, access_log);
criterion_main!(benches);
