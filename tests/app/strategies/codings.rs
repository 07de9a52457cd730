//! Content codings and the one-read hit: a cached page is compressed once, when it
//! is stored, and served as stored to each client in the coding it negotiated; a
//! client that asked for none gets identity; HEAD and 304 stay exact; and where
//! the page's `Vary` list is known, a hit is one read of the cache.

use std::io::Read;
use std::time::Duration;

use axum::http::StatusCode;
use pokedex::cache::Timeout;
use pokedex::cache::backends::CacheBackend;
use pokedex::cache::strategies::Strategy;
use pokedex::cache::strategies::page_rules::{headers_key, key_in, page_key};
use pokedex::cache::strategies::stored_page::StoredPage;
use pokedex::cache::strategies::vary_memo::FRESH_FOR;
use pokedex::encoding::Encoding;
use pokedex::record::Record;

use super::matrix::app_with;
use crate::helpers::{RawResponse, TestApp, spawn_app};

/// What Chromium sends.
const BROWSER: &str = "gzip, deflate, br, zstd";

fn decoded(response: &RawResponse) -> Vec<u8> {
    let body = &response.bytes[..];
    let mut out = Vec::new();
    match response
        .headers
        .get("content-encoding")
        .map(|value| value.to_str().unwrap())
    {
        None => out.extend_from_slice(body),
        Some("br") => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("zstd") => out = zstd::decode_all(body).unwrap(),
        Some(other) => panic!("unexpected coding {other}"),
    }
    out
}

/// The app with the per-site cache in memory.
async fn site_on_memory(test: &str) -> TestApp {
    app_with(CacheBackend::Memory, test, |s, b| s.site.backend = Some(b))
        .await
        .expect("memory never fails")
}

async fn get(app: &TestApp, uri: &str, accept: Option<&str>) -> RawResponse {
    let headers: Vec<(&str, &str)> = accept.map(|a| ("accept-encoding", a)).into_iter().collect();
    app.get_bytes(uri, &headers).await
}

fn header<'a>(response: &'a RawResponse, name: &str) -> Option<&'a str> {
    response
        .headers
        .get(name)
        .map(|value| value.to_str().unwrap())
}

async fn every_coding_is_stored_once_and_served_as_stored(backend: CacheBackend) {
    let Some(app) = app_with(backend, "codings", |s, b| {
        s.site.backend = Some(b);
    })
    .await
    else {
        return;
    };
    let first = get(&app, "/all", Some(BROWSER)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(header(&first, "x-cache"), Some("MISS"));
    assert_eq!(header(&first, "content-encoding"), Some("zstd"));
    assert!(
        first.bytes.len() <= 20 * 1024,
        "/all is {} bytes on the wire",
        first.bytes.len()
    );
    assert!(header(&first, "vary").unwrap().contains("Accept-Encoding"));
    let page = decoded(&first);
    let statements = app.state.db.statements();
    // One miss stored every coding: each client's first request is a hit.
    for accept in [None, Some("gzip"), Some("br, gzip;q=0.5"), Some(BROWSER)] {
        let hit = get(&app, "/all", accept).await;
        assert_eq!(header(&hit, "x-cache"), Some("HIT"), "{accept:?}");
        assert_eq!(decoded(&hit), page, "{accept:?}: the same page");
        let expected = match accept {
            None => None,
            Some("gzip") => Some("gzip"),
            Some(BROWSER) => Some("zstd"),
            Some(_) => Some("br"),
        };
        assert_eq!(header(&hit, "content-encoding"), expected, "{accept:?}");
        if accept == Some(BROWSER) {
            assert_eq!(hit.bytes, first.bytes, "served as stored");
            assert_eq!(header(&hit, "etag"), header(&first, "etag"));
        }
    }
    assert_eq!(app.state.db.statements(), statements, "no hit ran SQL");
}

#[tokio::test]
async fn every_coding_is_stored_once_and_served_as_stored_on_memory() {
    every_coding_is_stored_once_and_served_as_stored(CacheBackend::Memory).await;
}

#[tokio::test]
async fn every_coding_is_stored_once_and_served_as_stored_on_file() {
    every_coding_is_stored_once_and_served_as_stored(CacheBackend::File).await;
}

#[tokio::test]
async fn every_coding_is_stored_once_and_served_as_stored_on_database() {
    every_coding_is_stored_once_and_served_as_stored(CacheBackend::Database).await;
}

#[tokio::test]
async fn every_coding_is_stored_once_and_served_as_stored_on_redis() {
    every_coding_is_stored_once_and_served_as_stored(CacheBackend::Redis).await;
}

#[tokio::test]
async fn a_client_that_did_not_ask_never_gets_a_compressed_body() {
    let app = spawn_app().await;
    for accept in [
        None,
        Some("identity"),
        Some("gzip;q=0"),
        Some("deflate"),
        Some("*;q=0"),
    ] {
        let page = get(&app, "/all", accept).await;
        assert_eq!(header(&page, "content-encoding"), None, "{accept:?}");
        assert!(header(&page, "vary").unwrap().contains("Accept-Encoding"));
        assert!(String::from_utf8(page.bytes).unwrap().contains("Abomasnow"));
    }
    // Caching off, a browser still gets the page compressed, for its request.
    let compressed = get(&app, "/all", Some("gzip")).await;
    assert_eq!(header(&compressed, "content-encoding"), Some("gzip"));
    assert!(
        String::from_utf8(decoded(&compressed))
            .unwrap()
            .contains("Abomasnow")
    );
}

#[tokio::test]
async fn head_and_304_stay_exact_in_every_coding() {
    let app = site_on_memory("exact").await;
    for accept in [None, Some("gzip"), Some(BROWSER)] {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let full = app.get_bytes("/all", &headers).await;
        let head = app
            .request_raw(axum::http::Method::HEAD, "/all", &headers)
            .await;
        assert!(head.bytes.is_empty());
        assert_eq!(
            header(&head, "content-length"),
            Some(full.bytes.len().to_string().as_str()),
            "{accept:?}: HEAD says the GET's length"
        );
        assert_eq!(
            header(&head, "content-encoding"),
            header(&full, "content-encoding")
        );
        let etag = header(&full, "etag").unwrap().to_owned();
        let mut conditional = headers.clone();
        conditional.push(("if-none-match", &etag));
        let not_modified = app.get_bytes("/all", &conditional).await;
        assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED, "{accept:?}");
        assert!(not_modified.bytes.is_empty());
        assert_eq!(header(&not_modified, "content-encoding"), None);
        assert_eq!(header(&not_modified, "etag"), Some(etag.as_str()));
    }
    let identity = get(&app, "/all", None).await;
    let br = get(&app, "/all", Some("br")).await;
    assert_ne!(
        header(&identity, "etag"),
        header(&br, "etag"),
        "each coding is its own representation"
    );
}

#[tokio::test]
async fn an_internal_client_gets_identity_with_its_toolbar() {
    let app = site_on_memory("internal").await.seen_from([127, 0, 0, 1]);
    let page = get(&app, "/all", Some(BROWSER)).await;
    assert_eq!(header(&page, "content-encoding"), None);
    assert!(
        String::from_utf8(page.bytes)
            .unwrap()
            .contains("pokedex-toolbar")
    );
}

#[tokio::test]
async fn a_hit_is_one_read_once_the_vary_list_is_known() {
    let app = site_on_memory("one-read").await;
    get(&app, "/all", None).await;
    // The request's own record: a refresh of the list beside it is not its read.
    let (x_cache, record) = recorded_get_all(&app, None).await;
    assert_eq!(x_cache, "HIT");
    let data = app.state.strategies.invalidation.key_part_of_page("/all");
    let page = page_key(
        Strategy::Site,
        &data,
        "/all",
        &[],
        &axum::http::HeaderMap::new(),
    );
    let calls: Vec<(&str, &str, u64, u64)> = record
        .cache_calls
        .iter()
        .map(|call| (call.operation, call.key.as_str(), call.hits, call.misses))
        .collect();
    assert_eq!(
        calls,
        [("get", format!("pokedex:1:{page}").as_str(), 1, 0)],
        "one read, of the page"
    );
}

/// A GET of `/all` asking for `accept`, recorded: its `X-Cache` and its own cache
/// calls (not those of a refresh of the `Vary` list beside it).
async fn recorded_get_all(app: &TestApp, accept: Option<&'static str>) -> (String, Record) {
    let router = app.router.clone();
    let (x_cache, record) = pokedex::record::recording(async move {
        let mut request = axum::http::Request::get("/all").header("host", "localhost");
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        let request = request.body(axum::body::Body::empty()).unwrap();
        let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
        response.headers().get("x-cache").cloned()
    })
    .await;
    (x_cache.unwrap().to_str().unwrap().to_owned(), record)
}

/// A recorded GET of `/all` asking for `accept`: its `X-Cache`, and the bytes raw
/// and stored of the page it read from the cache.
async fn read_sizes(app: &TestApp, accept: Option<&'static str>) -> (String, u64, u64) {
    let (x_cache, record) = recorded_get_all(app, accept).await;
    let page = record
        .cache_calls
        .iter()
        .filter(|call| call.hits > 0)
        .max_by_key(|call| call.bytes_raw)
        .expect("a page read");
    (x_cache, page.bytes_raw.unwrap(), page.bytes_stored.unwrap())
}

#[tokio::test]
async fn the_identity_copy_is_kept_as_it_is_beside_the_compressed_ones() {
    // Files compress values over 1024 bytes; a page's identity copy is the exception.
    let Some(app) = app_with(CacheBackend::File, "identity-as-is", |s, b| {
        s.site.backend = Some(b);
    })
    .await
    else {
        return;
    };
    assert_eq!(
        get(&app, "/all", Some(BROWSER)).await.status,
        StatusCode::OK
    );
    let (x_cache, raw, stored) = read_sizes(&app, None).await;
    assert_eq!(x_cache, "HIT");
    assert!(raw > 150_000, "the whole page: {raw} bytes");
    assert!(stored >= raw, "stored as it is: {raw} raw, {stored} stored");
    let (x_cache, raw, stored) = read_sizes(&app, Some(BROWSER)).await;
    assert_eq!(x_cache, "HIT");
    assert!(
        raw < 25_000 && stored >= raw,
        "the zstd copy, compressed once and stored as it is: {raw} raw, {stored} stored"
    );
}

#[tokio::test]
async fn a_vary_list_another_process_stores_is_followed_after_a_second() {
    let app = site_on_memory("followed").await;
    let cache = app
        .state
        .strategies
        .backends
        .cache(CacheBackend::Memory)
        .await
        .unwrap();
    let first = get(&app, "/all", None).await;
    assert_eq!(header(&first, "x-cache"), Some("MISS"));
    // Another process's view now varies on Cookie, and stored its page for `a=1`.
    let data = app.state.strategies.invalidation.key_part_of_page("/all");
    let vary = vec!["cookie".to_owned()];
    let mut request = axum::http::HeaderMap::new();
    request.insert("cookie", "a=1".parse().unwrap());
    let key = page_key(Strategy::Site, &data, "/all", &vary, &request);
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("content-type", "text/html; charset=utf-8".parse().unwrap());
    headers.insert("vary", "Cookie".parse().unwrap());
    let theirs = StoredPage {
        stored_at: 0,
        headers,
        body: bytes::Bytes::from_static(b"<p>stored by another process</p>"),
    };
    let list = serde_json::to_vec(&vary).unwrap();
    let stored = cache
        .set_many(
            &[
                (&key_in(&key, Encoding::Identity), &theirs.encode()[..]),
                (&headers_key(Strategy::Site, &data, "/all"), &list[..]),
            ],
            Timeout::seconds(60),
        )
        .await;
    assert!(stored);
    tokio::time::sleep(FRESH_FOR + Duration::from_millis(200)).await;
    // The first request past the second uses the list it knew, and has it read again.
    let stale = app.get_bytes("/all", &[("cookie", "a=1")]).await;
    assert_eq!(header(&stale, "x-cache"), Some("HIT"));
    let mut followed = stale;
    for _ in 0..50 {
        if followed.bytes == b"<p>stored by another process</p>" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        followed = app.get_bytes("/all", &[("cookie", "a=1")]).await;
    }
    assert_eq!(header(&followed, "x-cache"), Some("HIT"));
    assert_eq!(followed.bytes, b"<p>stored by another process</p>");
}
