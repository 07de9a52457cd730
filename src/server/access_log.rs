//! One log line per request, as `runserver` prints it: method, path, status and how
//! long the app took — `GET /all 200 0.143ms` — with no span, so a request pays for
//! formatting one short line and copying it into the log's buffer
//! ([`crate::logging`]).

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// The access log as a middleware (`axum::middleware::from_fn`).
pub async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "pokedex::access",
        "{method} {path} {} {millis:.3}ms",
        response.status().as_u16()
    );
    response
}
