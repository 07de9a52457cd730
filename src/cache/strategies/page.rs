//! The whole-page cache both the per-site and the per-view strategies are: Django's
//! `FetchFromCacheMiddleware` and `UpdateCacheMiddleware` in one tower service,
//! taking the get-or-compute path with the HTTP rules of [`page_rules`].

use std::borrow::Cow;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::Response;
use futures_core::future::BoxFuture;
use http_body_util::BodyExt;
use tower::{Layer, Service, ServiceExt};

use super::compute::{Cacheable, Computed, Entry, Fate, Resolved};
use super::flight::Flights;
use super::page_rules::{
    X_CACHE, X_CACHE_BACKEND, etag_for, headers_key, headers_only, is_authorized, is_lookup_method,
    is_page_path, key_in, max_age_of, not_storable, page_key, stamp_freshness, url_of,
    varies_on_coding, vary_of,
};
use super::stored_page::{SharedPage, StoredPage};
use super::vary_memo::VaryMemo;
use super::{Strategies, Strategy};
use crate::cache::Cache;
use crate::cache::backends::{CacheBackend, now_millis};
use crate::cache::codec::Packing;
use crate::encoding::{
    Effort, Encoding, MIN_SIZE, is_compressible, mark_encoded, vary_on_accept_encoding,
};
use crate::record;

/// Wraps a service in a page cache for `strategy`.
#[derive(Clone)]
pub struct PageCacheLayer {
    strategies: Arc<Strategies>,
    strategy: Strategy,
    route: Option<&'static str>,
}

impl PageCacheLayer {
    /// A page cache for `strategy`; with a `route`, it caches only while the
    /// strategy's routes name it, and passes requests through untouched otherwise.
    pub(super) fn new(
        strategies: Arc<Strategies>,
        strategy: Strategy,
        route: Option<&'static str>,
    ) -> Self {
        Self {
            strategies,
            strategy,
            route,
        }
    }
}

impl<S> Layer<S> for PageCacheLayer {
    type Service = PageCache<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PageCache {
            inner,
            layer: self.clone(),
        }
    }
}

/// The page cache service; see [`PageCacheLayer`].
#[derive(Clone)]
pub struct PageCache<S> {
    inner: S,
    layer: PageCacheLayer,
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
        let layer = self.layer.clone();
        Box::pin(record::as_strategy(layer.strategy.name(), async move {
            Ok(layer.serve(inner, request).await)
        }))
    }
}

impl PageCacheLayer {
    /// Answers `request` from the cache, or through `inner` and into the cache.
    async fn serve<S>(&self, inner: S, request: Request) -> Response
    where
        S: Service<Request, Response = Response, Error = Infallible> + Send,
        S::Future: Send,
    {
        let settings = self.strategies.selection.get(self.strategy);
        let Some(backend) = settings.backend else {
            return respond(inner, request).await;
        };
        if self
            .route
            .is_some_and(|route| !settings.routes.iter().any(|r| r == route))
        {
            return respond(inner, request).await;
        }
        let kind = backend;
        let backend = backend.name();
        if let Some(reason) = self.skipped(&request) {
            // Decided before the backend is asked for, so a POST never builds one.
            return bypass(respond(inner, request).await, backend, reason);
        }
        let (parts, body) = request.into_parts();
        let data = self
            .strategies
            .invalidation
            .key_part_of_page(parts.uri.path());
        let page = PageRequest::new(self, kind, &data, &parts);
        let resolved = self
            .strategies
            .get_or_compute(&settings, &page, |_| async {
                // A HEAD runs the view as the GET it stands for, so that its page is
                // stored, and GETs of it wait for it as for any other. The view's
                // page comes in identity: this layer compresses it, in every coding.
                let mut as_get = parts.clone();
                as_get.method = Method::GET;
                as_get.headers.remove(header::ACCEPT_ENCODING);
                let response = respond(inner, Request::from_parts(as_get, body)).await;
                // While the backend fails writes, only the identity copy is offered to
                // it (the probe that finds it well again): compressing for nothing
                // would make an outage cost every request tens of milliseconds.
                let cache = self.strategies.backends.cache(kind).await;
                let compress = cache.is_ok_and(|cache| !cache.skips_writes());
                let computed = page.computed(response, settings.seconds, compress).await;
                Ok::<_, Infallible>(vec![computed])
            })
            .await;
        let Ok(resolved) = resolved;
        let resolved = resolved.into_iter().next();
        let response = match resolved.expect("the path answers every item it is given") {
            Resolved::Cached(shared) | Resolved::Shared(shared) => {
                let coding = page.coding_for(&shared.vary);
                let copy = shared.copy_in(coding);
                replay(
                    copy.expect("a page is handed only to requests it has a copy for"),
                    backend,
                )
            }
            Resolved::Computed(response, Fate::Stored) => {
                // Remembered once stored: a list whose page is not there would cost
                // every later miss a read.
                page.remember(&response);
                mark(response, backend, "MISS")
            }
            Resolved::Computed(response, Fate::Bypassed(reason)) => {
                bypass(response, backend, reason)
            }
            Resolved::Computed(response, Fate::Off) => response,
        };
        if parts.method == Method::HEAD {
            headers_only(response)
        } else {
            response
        }
    }

    /// Why `request` is not for this cache, if it is not.
    fn skipped(&self, request: &Request) -> Option<&'static str> {
        if !is_lookup_method(request.method()) {
            return Some("method is not GET or HEAD");
        }
        if is_authorized(request.headers()) {
            return Some("request carries Authorization");
        }
        if self.strategy == Strategy::Site && !is_page_path(request.uri().path()) {
            return Some("path is never cached");
        }
        None
    }
}

/// One request for a page, as the get-or-compute path sees it.
struct PageRequest<'a> {
    strategy: Strategy,
    backend: CacheBackend,
    memo: &'a Arc<VaryMemo>,
    data: &'a str,
    url: Cow<'a, str>,
    headers: &'a HeaderMap,
    /// The coding the request negotiated, for a page that varies on it.
    encoding: Encoding,
    /// The key of the page's `Vary` list: the one key of this item.
    keys: [String; 1],
}

impl<'a> PageRequest<'a> {
    fn new(
        layer: &'a PageCacheLayer,
        backend: CacheBackend,
        data: &'a str,
        parts: &'a Parts,
    ) -> Self {
        let url = url_of(parts);
        let keys = [headers_key(layer.strategy, data, &url)];
        Self {
            strategy: layer.strategy,
            backend,
            memo: &layer.strategies.vary_memo,
            data,
            url,
            headers: &parts.headers,
            encoding: Encoding::negotiate(&parts.headers),
            keys,
        }
    }

    /// The coding of the copy this request gets of a page varying on `vary`.
    fn coding_for(&self, vary: &[String]) -> Encoding {
        if varies_on_coding(vary) {
            self.encoding
        } else {
            Encoding::Identity
        }
    }

    /// Remembers the `Vary` list of the page `stored` answers with.
    fn remember(&self, stored: &Response) {
        let vary = vary_of(stored.headers()).unwrap_or_default();
        self.memo
            .remember(self.backend, self.keys[0].clone(), vary.into());
    }

    /// The stored page for this request: one read where this process knows the
    /// page's `Vary` list; else the list, then the page, as Django does.
    async fn find(&self, cache: &Cache) -> Option<Arc<SharedPage>> {
        let remembered = self.memo.get(cache, &self.keys[0]);
        if let Some(vary) = &remembered
            && let Some(page) = self.read(cache, vary).await
        {
            return Some(page);
        }
        let vary: Vec<String> = cache.get_json(&self.keys[0]).await?;
        let vary: Arc<[String]> = vary.into();
        self.memo
            .remember(self.backend, self.keys[0].clone(), Arc::clone(&vary));
        if remembered.as_deref() == Some(&*vary) {
            return None;
        }
        self.read(cache, &vary).await
    }

    /// This request's copy of the page stored for `vary`.
    async fn read(&self, cache: &Cache, vary: &Arc<[String]>) -> Option<Arc<SharedPage>> {
        let key = page_key(self.strategy, self.data, &self.url, vary, self.headers);
        let coding = self.coding_for(vary);
        let page = cache
            .get_decoded(&key_in(&key, coding), |stored| StoredPage::decode(&stored))
            .await?;
        Some(Arc::new(SharedPage {
            copies: vec![(coding, page)],
            key,
            vary: Arc::clone(vary),
        }))
    }

    /// The view's response, and what to store of it unless it may not be stored:
    /// the page in identity and, when it varies on `Accept-Encoding` and `compress`
    /// says so, in every coding, compressed once here.
    async fn computed(
        &self,
        response: Response,
        seconds: u64,
        compress: bool,
    ) -> Computed<Arc<SharedPage>, Response> {
        let (mut head, body) = response.into_parts();
        for own in [X_CACHE, X_CACHE_BACKEND, header::AGE] {
            head.headers.remove(own);
        }
        let refused = |head, body, reason| Computed {
            output: Response::from_parts(head, body),
            entry: Err(reason),
        };
        if let Some(reason) = not_storable(&head) {
            return refused(head, body, reason);
        }
        let Ok(collected) = body.collect().await else {
            return refused(head, Body::empty(), "body failed");
        };
        let body = collected.to_bytes();
        // A response asking for less time than the strategy's is kept that long.
        let asked = max_age_of(&head.headers).filter(|&asked| asked < seconds);
        stamp_freshness(&mut head.headers, seconds);
        if !head.headers.contains_key(header::ETAG) {
            head.headers.insert(header::ETAG, etag_for(&body));
        }
        if is_compressible(&head.headers) && body.len() >= MIN_SIZE {
            vary_on_accept_encoding(&mut head.headers);
        }
        let vary: Arc<[String]> = vary_of(&head.headers).unwrap_or_default().into();
        let identity = StoredPage {
            stored_at: now_millis(),
            headers: std::mem::take(&mut head.headers),
            body,
        };
        let copies = if compress && varies_on_coding(&vary) {
            in_every_coding(identity).await
        } else {
            vec![(Encoding::Identity, Arc::new(identity))]
        };
        let key = page_key(self.strategy, self.data, &self.url, &vary, self.headers);
        // With its coded copies beside it, the identity copy is stored as it is: its
        // compressed forms are stored already, and unpacking zstd took an identity
        // hit of `/all` on files from 93 to 188 µs of CPU.
        let packing = if copies.len() > 1 {
            Packing::AsIs
        } else {
            Packing::AsConfigured
        };
        let mut stored: Vec<_> = copies
            .iter()
            .map(|(coding, page)| (key_in(&key, *coding).into_owned(), page.encode(), packing))
            .collect();
        stored.push((
            self.keys[0].clone(),
            serde_json::to_vec(&vary).unwrap_or_default().into(),
            Packing::AsConfigured,
        ));
        let shared = Arc::new(SharedPage { copies, key, vary });
        let copy = shared.copy_in(self.coding_for(&shared.vary));
        let copy = copy.expect("a computed page has its identity copy");
        head.headers.clone_from(&copy.headers);
        Computed {
            output: Response::from_parts(head, Body::from(copy.body.clone())),
            entry: Ok(Entry {
                value: shared,
                stored,
                seconds: asked,
            }),
        }
    }
}

/// `identity` and its copy in each coding, compressed once, one after another (one
/// compressor's memory at a time), off the async threads: a miss on `/all` costs
/// tens of milliseconds of CPU, once.
async fn in_every_coding(identity: StoredPage) -> Vec<(Encoding, Arc<StoredPage>)> {
    let body = identity.body.clone();
    let compressed = tokio::task::spawn_blocking(move || {
        Encoding::COMPRESSED
            .into_iter()
            .filter_map(|coding| Some((coding, coding.compress(&body, Effort::Stored)?)))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let mut copies = Vec::with_capacity(1 + compressed.len());
    for (coding, body) in compressed {
        let mut headers = identity.headers.clone();
        mark_encoded(&mut headers, coding);
        copies.push((
            coding,
            Arc::new(StoredPage {
                stored_at: identity.stored_at,
                headers,
                body,
            }),
        ));
    }
    copies.insert(0, (Encoding::Identity, Arc::new(identity)));
    copies
}

impl Cacheable for PageRequest<'_> {
    type Value = Arc<SharedPage>;

    fn flights<'s>(&self, strategies: &'s Strategies) -> &'s Flights<Arc<SharedPage>> {
        &strategies.pages
    }

    fn keys(&self) -> &[String] {
        &self.keys
    }

    async fn lookup(&self, cache: &Cache, _items: &[usize]) -> Vec<Option<Arc<SharedPage>>> {
        vec![self.find(cache).await]
    }

    fn fits(&self, _item: usize, shared: &Arc<SharedPage>) -> bool {
        page_key(
            self.strategy,
            self.data,
            &self.url,
            &shared.vary,
            self.headers,
        ) == shared.key
            && shared.copy_in(self.coding_for(&shared.vary)).is_some()
    }
}

async fn respond<S>(inner: S, request: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    match inner.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// A response rebuilt from a stored page, with its `Age`.
fn replay(page: &StoredPage, backend: &'static str) -> Response {
    let age = now_millis().saturating_sub(page.stored_at) / 1000;
    let mut response = Response::new(Body::from(page.body.clone()));
    let headers = response.headers_mut();
    headers.clone_from(&page.headers);
    headers.insert(header::AGE, HeaderValue::from(age));
    mark(response, backend, "HIT")
}

fn bypass(response: Response, backend: &'static str, reason: &'static str) -> Response {
    tracing::debug!(reason, backend, "cache bypass");
    record::event(backend, "bypass", &format!("bypass: {reason}"));
    mark(response, backend, "BYPASS")
}

/// Says what a page cache did, in `X-Cache` and `X-Cache-Backend`.
fn mark(mut response: Response, backend: &'static str, outcome: &'static str) -> Response {
    record::page_outcome(backend, outcome);
    let headers = response.headers_mut();
    headers.insert(X_CACHE, HeaderValue::from_static(outcome));
    headers.insert(X_CACHE_BACKEND, HeaderValue::from_static(backend));
    response
}
