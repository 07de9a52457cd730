//! The whole-page cache both the per-site and the per-view strategies are: Django's
//! `FetchFromCacheMiddleware` and `UpdateCacheMiddleware` in one tower service.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use futures_core::future::BoxFuture;
use http_body_util::BodyExt;
use tower::{Layer, Service, ServiceExt};

use super::Caching;
use super::coalesce::Turn;
use super::http::{
    StoredPage, X_CACHE, X_CACHE_BACKEND, etag_for, headers_key, is_lookup_method, not_storable,
    page_key, stamp_freshness, url_of, vary_of,
};
use super::selection::Strategy;
use crate::cache::Cache;
use crate::cache::Timeout;
use crate::cache::backends::now_millis;
use crate::toolbar::record;

/// Paths a page cache never stores: static files (the browser caches those) and
/// the debug pages.
const NEVER_CACHED: [&str; 2] = ["/static/", "/__debug__/"];

/// Wraps a service in a page cache for `strategy`.
#[derive(Clone)]
pub struct PageCacheLayer {
    caching: Arc<Caching>,
    strategy: Strategy,
}

impl PageCacheLayer {
    /// A page cache for `strategy` (site or view), reading its choice per request.
    #[must_use]
    pub fn new(caching: Arc<Caching>, strategy: Strategy) -> Self {
        Self { caching, strategy }
    }
}

impl<S> Layer<S> for PageCacheLayer {
    type Service = PageCache<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PageCache {
            inner,
            caching: Arc::clone(&self.caching),
            strategy: self.strategy,
        }
    }
}

/// The page cache service; see [`PageCacheLayer`].
#[derive(Clone)]
pub struct PageCache<S> {
    inner: S,
    caching: Arc<Caching>,
    strategy: Strategy,
}

impl<S> Service<Request> for PageCache<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The service that was polled ready handles this request; a clone takes its place.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        let (caching, strategy) = (Arc::clone(&self.caching), self.strategy);
        Box::pin(record::as_strategy(strategy.name(), async move {
            Ok(serve(&caching, strategy, inner, request).await)
        }))
    }
}

/// What became of a request, for `X-Cache`.
enum Outcome {
    Hit,
    Miss,
    Bypass,
}

async fn serve<S>(caching: &Caching, strategy: Strategy, inner: S, request: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible> + Send,
    S::Future: Send,
{
    let choice = caching.selection.get(strategy);
    let Some(kind) = choice.backend else {
        return call(inner, request).await;
    };
    let path = request.uri().path();
    let skip = if !is_lookup_method(request.method()) {
        Some("method is not GET or HEAD")
    } else if strategy == Strategy::Site && NEVER_CACHED.iter().any(|p| path.starts_with(p)) {
        Some("path is never cached")
    } else {
        None
    };
    if let Some(reason) = skip {
        // Decided before the backend is asked for, so a POST never builds one.
        return bypass(call(inner, request).await, kind.name(), reason);
    }
    let cache = match caching.caches.get(kind).await {
        Err(error) => {
            tracing::warn!(%error, backend = kind.name(), "cache backend unavailable");
            return bypass(
                call(inner, request).await,
                kind.name(),
                "backend unavailable",
            );
        }
        Ok(cache) => cache,
    };
    let (parts, body) = request.into_parts();
    let version = caching.data_version.get();
    let url = url_of(&parts).to_owned();
    let vary_key = headers_key(strategy, version, &url);
    if let Some(hit) = lookup(&cache, strategy, version, &vary_key, &parts).await {
        return served(hit, &parts.method, kind.name(), &Outcome::Hit);
    }
    // Leading, this request computes while others wait; it holds `turn` until then.
    let turn = caching.coalescer.turn(&cache.make_key(&vary_key)).await;
    if let Turn::Waited = turn {
        record::event(kind.name(), "wait", "coalesced");
    }
    // Whether it waited or leads, another request may have stored the page meanwhile.
    if let Some(hit) = lookup(&cache, strategy, version, &vary_key, &parts).await {
        return served(hit, &parts.method, kind.name(), &Outcome::Hit);
    }
    compute(
        &cache,
        choice.seconds,
        strategy,
        version,
        inner,
        parts,
        body,
    )
    .await
}

async fn call<S>(inner: S, request: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    match inner.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// The stored page for this request, if the `Vary` list and the page are there.
async fn lookup(
    cache: &Cache,
    strategy: Strategy,
    version: u64,
    vary_key: &str,
    request: &axum::http::request::Parts,
) -> Option<StoredPage> {
    let vary: Vec<String> = cache.get_json(vary_key).await?;
    let key = page_key(strategy, version, url_of(request), &vary, &request.headers);
    StoredPage::decode(&cache.get(&key).await?)
}

/// Runs the view and stores its response when it may be stored.
async fn compute<S>(
    cache: &Cache,
    seconds: u64,
    strategy: Strategy,
    version: u64,
    inner: S,
    parts: axum::http::request::Parts,
    body: Body,
) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible> + Send,
    S::Future: Send,
{
    let backend = cache.backend_name();
    let method = parts.method.clone();
    let url = url_of(&parts).to_owned();
    let request_headers = parts.headers.clone();
    let response = call(inner, Request::from_parts(parts, body)).await;
    let (mut head, body) = response.into_parts();
    for own in [X_CACHE, X_CACHE_BACKEND, header::AGE] {
        head.headers.remove(own);
    }
    if method == Method::HEAD {
        return bypass(
            Response::from_parts(head, body),
            backend,
            "HEAD is served, not stored",
        );
    }
    if let Some(reason) = not_storable(&head) {
        return bypass(Response::from_parts(head, body), backend, reason);
    }
    let Ok(collected) = body.collect().await else {
        return bypass(
            Response::from_parts(head, Body::empty()),
            backend,
            "body failed",
        );
    };
    let body = collected.to_bytes();
    stamp_freshness(&mut head.headers, seconds);
    if !head.headers.contains_key(header::ETAG) {
        head.headers.insert(header::ETAG, etag_for(&body));
    }
    let vary = vary_of(&head.headers).unwrap_or_default();
    let page = StoredPage {
        stored_at: now_millis(),
        headers: head
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect(),
        body: body.clone(),
    };
    let timeout = Timeout::seconds(seconds);
    let key = page_key(strategy, version, &url, &vary, &request_headers);
    let vary_json = serde_json::to_vec(&vary).unwrap_or_default();
    let entries: [(&str, &[u8]); 2] = [
        (&key, &page.encode()),
        (&headers_key(strategy, version, &url), &vary_json),
    ];
    let stored = cache.set_many(&entries, timeout).await;
    let response = Response::from_parts(head, Body::from(body));
    if !stored {
        return bypass(response, backend, "the backend failed to store it");
    }
    let mut response = response;
    mark(&mut response, backend, &Outcome::Miss);
    response
}

/// A response rebuilt from a stored page, with its `Age`.
fn served(page: StoredPage, method: &Method, backend: &'static str, outcome: &Outcome) -> Response {
    let age = now_millis().saturating_sub(page.stored_at) / 1000;
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(page.body)
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    for (name, value) in &page.headers {
        if let (Ok(name), Ok(value)) = (
            name.parse::<header::HeaderName>(),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    headers.insert(header::AGE, HeaderValue::from(age));
    mark(&mut response, backend, outcome);
    response
}

fn bypass(mut response: Response, backend: &'static str, reason: &'static str) -> Response {
    tracing::debug!(reason, backend, "cache bypass");
    record::event(backend, "bypass", &format!("bypass: {reason}"));
    mark(&mut response, backend, &Outcome::Bypass);
    response
}

fn mark(response: &mut Response, backend: &'static str, outcome: &Outcome) {
    let status = match outcome {
        Outcome::Hit => "HIT",
        Outcome::Miss => "MISS",
        Outcome::Bypass => "BYPASS",
    };
    let headers = response.headers_mut();
    headers.insert(X_CACHE, HeaderValue::from_static(status));
    headers.insert(X_CACHE_BACKEND, HeaderValue::from_static(backend));
}
