//! The HTTP rules every page cache shares, written once: which requests are looked
//! up, how keys are made (with `Vary`), which responses may be stored, the headers a
//! stored response carries, and ETags.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, request, response};

use super::Strategy;
use crate::cache::key::digest;
use crate::encoding::Encoding;

/// `Accept-Encoding`, as [`vary_of`] lists it.
const ACCEPT_ENCODING: &str = "accept-encoding";

/// Headers the caches add to what they serve, never stored with a page.
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
/// Which backend a strategy used for this response.
pub const X_CACHE_BACKEND: HeaderName = HeaderName::from_static("x-cache-backend");

/// Whether a request may be answered from a page cache (Django looks up GET and
/// HEAD only).
#[must_use]
pub fn is_lookup_method(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// Whether a request is someone's own: one carrying `Authorization` is neither
/// looked up nor stored by a shared cache (RFC 9111 §3.5).
#[must_use]
pub fn is_authorized(request: &HeaderMap) -> bool {
    request.contains_key(header::AUTHORIZATION)
}

/// The parts of the site that are not pages of the catalogue — static files and the
/// icon, the debug pages, the lab, the counters a comparison reads, the tutorial
/// (whose checks read the history) — which no page cache stores and the toolbar does
/// not record.
pub const NOT_PAGES: [&str; 6] = [
    "/static",
    "/favicon.ico",
    "/__debug__",
    "/lab",
    "/__bench__",
    "/tutorial",
];

/// Whether `path` is a page of the catalogue rather than in one of [`NOT_PAGES`].
#[must_use]
pub fn is_page_path(path: &str) -> bool {
    !NOT_PAGES.iter().any(|root| {
        path.strip_prefix(root)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Whether a response is an HTML page: only those get ETags and the toolbar.
#[must_use]
pub fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

/// What a page is cached under: its path, percent-decoded. The app's pages read no
/// query string, so `/all?x=1` and `/all?x=2` are one page and share one entry —
/// where keying on the whole URL, as Django does, would let anyone fill a cache with
/// copies of one page; and `/pokemon/%32%35` is `/pokemon/25`.
#[must_use]
pub fn url_of(parts: &request::Parts) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(parts.uri.path()).decode_utf8_lossy()
}

/// The key holding the `Vary` header names of the page at `url` (Django's
/// `cache_header` key); `data` is the part that changes when what the page shows
/// changes (see [`crate::cache::invalidation`]).
#[must_use]
pub fn headers_key(strategy: Strategy, data: &str, url: &str) -> String {
    format!("{strategy}.headers.{data}.{url}")
}

/// The key holding the page at `url` for a request whose values of the `vary`
/// headers are those in `request` (Django's `cache_page` key), in identity; each
/// coding's copy is under [`key_in`]. `Accept-Encoding` is left out of the digest:
/// the coding a request negotiates picks the copy, so every browser shares one.
#[must_use]
pub fn page_key(
    strategy: Strategy,
    data: &str,
    url: &str,
    vary: &[String],
    request: &HeaderMap,
) -> String {
    let mut values = String::new();
    for name in vary.iter().filter(|name| *name != ACCEPT_ENCODING) {
        // Names too: varying on one header is not varying on another that has
        // the same value.
        values.push_str(name);
        values.push(':');
        for value in request.get_all(name.as_str()) {
            values.push_str(&String::from_utf8_lossy(value.as_bytes()));
            values.push('\u{0}');
        }
        values.push('\u{1}');
    }
    if values.is_empty() {
        return format!("{strategy}.page.{data}.{url}");
    }
    format!("{strategy}.page.{data}.{url}.{}", digest(&values))
}

/// The key of the copy in `encoding` of the page whose identity key is `page_key`.
#[must_use]
pub fn key_in(page_key: &str, encoding: Encoding) -> Cow<'_, str> {
    match encoding {
        Encoding::Identity => Cow::Borrowed(page_key),
        encoding => Cow::Owned(format!("{page_key}.{}", encoding.token())),
    }
}

/// Every key a page stored under `page_key` may occupy: identity and each coding.
#[must_use]
pub fn keys_in_every_coding(page_key: &str) -> Vec<String> {
    std::iter::once(Encoding::Identity)
        .chain(Encoding::COMPRESSED)
        .map(|encoding| key_in(page_key, encoding).into_owned())
        .collect()
}

/// Whether a page varying on `vary` is stored in every coding.
#[must_use]
pub fn varies_on_coding(vary: &[String]) -> bool {
    vary.iter().any(|name| name == ACCEPT_ENCODING)
}

/// The header names a response varies on, lower case; `Err` for `Vary: *`.
pub fn vary_of(headers: &HeaderMap) -> Result<Vec<String>, &'static str> {
    let mut names = Vec::new();
    for value in headers.get_all(header::VARY) {
        for name in value.to_str().unwrap_or("*").split(',') {
            let name = name.trim().to_ascii_lowercase();
            if name == "*" {
                return Err("Vary: *");
            }
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    Ok(names)
}

/// Why a response may not be stored, or `None` when it may. Stricter than Django,
/// which stores some of these and replays one client's cookies to others.
#[must_use]
pub fn not_storable(response: &response::Parts) -> Option<&'static str> {
    if response.status != StatusCode::OK {
        return Some("status is not 200");
    }
    if response.headers.contains_key(header::SET_COOKIE) {
        return Some("Set-Cookie");
    }
    if vary_of(&response.headers).is_err() {
        return Some("Vary: *");
    }
    for value in response.headers.get_all(header::CACHE_CONTROL) {
        let Ok(value) = value.to_str() else {
            return Some("unreadable Cache-Control");
        };
        for directive in value.split(',').map(|d| d.trim().to_ascii_lowercase()) {
            match directive.as_str() {
                "private" => return Some("Cache-Control: private"),
                "no-store" => return Some("Cache-Control: no-store"),
                "no-cache" => return Some("Cache-Control: no-cache"),
                "max-age=0" => return Some("Cache-Control: max-age=0"),
                _ => {}
            }
        }
    }
    if response
        .headers
        .values()
        .any(|value| value.to_str().is_err())
    {
        return Some("a header that is not text");
    }
    None
}

/// The answer to a HEAD made from its GET's: the same headers, `Content-Length`
/// included (as set, or the body's exact size), and no body.
#[must_use]
pub fn headers_only(response: axum::response::Response) -> axum::response::Response {
    let (mut head, body) = response.into_parts();
    let exact = axum::body::HttpBody::size_hint(&body).exact();
    if let (false, Some(length)) = (head.headers.contains_key(header::CONTENT_LENGTH), exact) {
        head.headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    axum::response::Response::from_parts(head, axum::body::Body::empty())
}

/// Marks a response as fresh for `seconds`, as Django's `patch_response_headers`
/// does: `Expires` and `Cache-Control: max-age`, unless already set.
pub fn stamp_freshness(headers: &mut HeaderMap, seconds: u64) {
    if !headers.contains_key(header::EXPIRES) {
        let expires = SystemTime::now() + Duration::from_secs(seconds);
        if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(expires)) {
            headers.insert(header::EXPIRES, value);
        }
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        let max_age = HeaderValue::from_str(&format!("max-age={seconds}"));
        if let Ok(max_age) = max_age {
            headers.insert(header::CACHE_CONTROL, max_age);
        }
    }
}

/// A strong ETag for `body`.
#[must_use]
pub fn etag_for(body: &[u8]) -> HeaderValue {
    let tag = format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(body));
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// Whether the request's `If-None-Match` names `etag` (or is `*`), compared weakly
/// as RFC 9110 asks for GET; a header that does not parse names nothing.
#[must_use]
pub fn if_none_match_hits(request: &HeaderMap, etag: &HeaderValue) -> bool {
    use headers::HeaderMapExt;
    let Some(wanted) = request.typed_get::<headers::IfNoneMatch>() else {
        return false;
    };
    let Ok(etag) = etag.to_str().unwrap_or_default().parse::<headers::ETag>() else {
        return false;
    };
    !wanted.precondition_passes(&etag)
}

/// The lifetime a response asks shared caches for, in seconds: `s-maxage`, else
/// `max-age` (Django's `get_max_age` reads `max-age`; a shared cache prefers
/// `s-maxage`, RFC 9111 §5.2.2.10).
#[must_use]
pub fn max_age_of(headers: &HeaderMap) -> Option<u64> {
    let mut max_age = None;
    for value in headers.get_all(header::CACHE_CONTROL) {
        for directive in value.to_str().unwrap_or_default().split(',') {
            let (name, seconds) = directive.trim().split_once('=').unwrap_or((directive, ""));
            let Ok(seconds) = seconds.trim().trim_matches('"').parse::<u64>() else {
                continue;
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "s-maxage" => return Some(seconds),
                "max-age" => max_age = Some(seconds),
                _ => {}
            }
        }
    }
    max_age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(if_none_match: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(if_none_match).unwrap(),
        );
        headers
    }

    #[test]
    fn if_none_match_compares_weakly_reads_lists_and_star() {
        let etag = HeaderValue::from_static("\"abc\"");
        for hit in [
            "\"abc\"",
            "W/\"abc\"",
            "\"x\", \"abc\"",
            "*",
            "\"x\",W/\"abc\"",
        ] {
            assert!(if_none_match_hits(&request(hit), &etag), "{hit}");
        }
        for miss in ["\"abd\"", "abc", "\"abc", "W/abc", "\"x\", \"y\""] {
            assert!(!if_none_match_hits(&request(miss), &etag), "{miss}");
        }
        assert!(!if_none_match_hits(&HeaderMap::new(), &etag));
    }

    #[test]
    fn a_shared_cache_prefers_s_maxage_to_max_age() {
        let headers = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
            headers
        };
        assert_eq!(max_age_of(&headers("max-age=30")), Some(30));
        assert_eq!(
            max_age_of(&headers("public, max-age=30, s-maxage=5")),
            Some(5)
        );
        assert_eq!(max_age_of(&headers("S-MaxAge=\"7\"")), Some(7));
        assert_eq!(max_age_of(&headers("no-cache, max-age=x")), None);
        assert_eq!(max_age_of(&HeaderMap::new()), None);
    }
}
