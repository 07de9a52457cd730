//! Compression of the responses no cache encoded — a page with caching off, a
//! bypass, a static file — for the one request, with a fast compressor. Pages a
//! cache stores arrive encoded already, compressed once when they were stored.

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

use super::{Effort, Encoding, MIN_SIZE, is_compressible, mark_encoded, vary_on_accept_encoding};

/// The compression middleware (`axum::middleware::from_fn`).
pub async fn compress_response(request: Request, next: Next) -> Response {
    let encoding = Encoding::negotiate(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if !is_compressible(response.headers())
        || status == StatusCode::NOT_MODIFIED
        || status == StatusCode::NO_CONTENT
    {
        return response;
    }
    let (mut head, body) = response.into_parts();
    vary_on_accept_encoding(&mut head.headers);
    // A stream (the Compare page's progress, say) goes as it comes: collecting it
    // to compress would hold every event back until its end.
    let whole = body.size_hint().exact();
    let small = whole.is_some_and(|size| size < MIN_SIZE as u64);
    if encoding == Encoding::Identity || whole.is_none() || small {
        return Response::from_parts(head, body);
    }
    let Ok(collected) = body.collect().await else {
        return Response::from_parts(head, Body::empty());
    };
    let bytes = collected.to_bytes();
    let compressed = (bytes.len() >= MIN_SIZE)
        .then(|| encoding.compress(&bytes, Effort::PerRequest))
        .flatten()
        .filter(|compressed| compressed.len() < bytes.len());
    let Some(compressed) = compressed else {
        return Response::from_parts(head, Body::from(bytes));
    };
    mark_encoded(&mut head.headers, encoding);
    Response::from_parts(head, Body::from(compressed))
}
