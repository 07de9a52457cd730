//! The Headers panel: the request as received, the response as this browser
//! received it (the toolbar's page is this request's own: `no-store`, no `ETag`),
//! and the response as the app — and its caches — send it to everyone else.

use axum::http::HeaderMap;
use serde::Serialize;

/// Request and response headers.
#[derive(Debug, Clone, Serialize)]
pub struct HeadersPanel {
    /// The request's, as received.
    pub request: Vec<(String, String)>,
    /// What this browser received, the toolbar's changes included.
    pub received: Vec<(String, String)>,
    /// What the app sent before the toolbar changed it: what a cache stored, and
    /// what a client without the toolbar receives.
    pub without_toolbar: Vec<(String, String)>,
}

/// The headers the Headers panel lists first, where cache behaviour shows.
pub const CACHE_HEADERS: [&str; 7] = [
    "cache-control",
    "expires",
    "etag",
    "vary",
    "age",
    "x-cache",
    "x-cache-backend",
];

/// `headers` as name and value pairs, cache headers first.
#[must_use]
pub fn listed(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    list.sort_by_key(|(name, _)| !CACHE_HEADERS.contains(&name.as_str()));
    list
}
