//! Conditional GET, as Django's `ConditionalGetMiddleware`: every HTML page gets an
//! ETag, and a request naming it in `If-None-Match` gets `304 Not Modified` with no
//! body, whether the page came from a cache or not.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

use super::page_rules::{etag_for, if_none_match_hits, is_html, is_lookup_method};

/// Adds the ETag (unless a cache already stored one) and answers 304 when it matches.
pub async fn conditional_get(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let conditions: HeaderMap = request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .map(|value| (header::IF_NONE_MATCH, value.clone()))
        .collect();
    let response = next.run(request).await;
    if !is_lookup_method(&method)
        || response.status() != StatusCode::OK
        || !is_html(response.headers())
    {
        return response;
    }
    let (mut head, body) = response.into_parts();
    let body = match head.headers.get(header::ETAG) {
        Some(_) => body,
        // A HEAD response has no body to hash: only a stored page's ETag applies.
        None if method == Method::HEAD => return Response::from_parts(head, body),
        None => {
            let Ok(collected) = body.collect().await else {
                return Response::from_parts(head, Body::empty());
            };
            let bytes = collected.to_bytes();
            head.headers.insert(header::ETAG, etag_for(&bytes));
            Body::from(bytes)
        }
    };
    let etag = head.headers.get(header::ETAG).cloned();
    if etag.is_some_and(|etag| if_none_match_hits(&conditions, &etag)) {
        head.status = StatusCode::NOT_MODIFIED;
        head.headers.remove(header::CONTENT_LENGTH);
        head.headers.remove(header::CONTENT_TYPE);
        head.headers.remove(header::CONTENT_ENCODING);
        return Response::from_parts(head, Body::empty());
    }
    Response::from_parts(head, body)
}
