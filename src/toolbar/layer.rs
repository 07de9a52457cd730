//! The outermost layer: for an internal client it records the request, adds
//! `Server-Timing`, injects the toolbar before `</body>` of an HTML page, and keeps
//! the panels in the history. Caches sit inside it, so they never store the toolbar.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

use super::Toolbar;
use super::panels::{Answered, Panels};
use super::record;

/// Paths never recorded: the toolbar's own pages and static files.
const UNRECORDED: [&str; 2] = ["/__debug__/", "/static/"];

/// The injected markup: `templates/toolbar/toolbar.html`.
#[derive(Template)]
#[template(path = "toolbar/toolbar.html")]
pub struct ToolbarHtml<'a> {
    /// What to show.
    pub panels: &'a Panels,
}

/// The address of the client: from the connection when the server was started with
/// connect info, or from `MockConnectInfo` in router tests, as axum's extractor does.
#[must_use]
pub fn client_of(request: &Request) -> Option<std::net::IpAddr> {
    let extensions = request.extensions();
    let connected = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let mocked = || {
        extensions
            .get::<MockConnectInfo<SocketAddr>>()
            .map(|MockConnectInfo(addr)| *addr)
    };
    connected.or_else(mocked).map(|addr| addr.ip())
}

/// The toolbar middleware; see the module docs.
pub async fn toolbar(
    State(toolbar): State<Arc<Toolbar>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !toolbar.shows_to(client_of(&request)) || UNRECORDED.iter().any(|p| path.starts_with(p)) {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let request_headers = request.headers().clone();
    let started = Instant::now();
    let (response, record) = record::recording(next.run(request)).await;
    let total = started.elapsed();
    let (mut head, body) = response.into_parts();
    let panels = Arc::new(
        Panels::new(
            Answered {
                request_id: toolbar.next_id(),
                method: &method,
                path: &path,
                status: head.status.as_u16(),
                total,
                record,
                request_headers: &request_headers,
                response_headers: &head.headers,
            },
            &toolbar.caching,
        )
        .await,
    );
    let timing = format!(
        "total;dur={:.3}, view;dur={:.3}, cache;dur={:.3}, sql;dur={:.3}",
        panels.timer.total_ms,
        panels.timer.view_ms.unwrap_or(0.0),
        panels.timer.cache_ms,
        panels.timer.sql_ms
    );
    if let Ok(timing) = HeaderValue::from_str(&timing) {
        head.headers.insert("server-timing", timing);
    }
    toolbar.remember(Arc::clone(&panels));
    let is_html = head
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if head.status == StatusCode::NOT_MODIFIED || !is_html {
        return Response::from_parts(head, body);
    }
    let Ok(collected) = body.collect().await else {
        return Response::from_parts(head, Body::empty());
    };
    let page = collected.to_bytes();
    let Some(at) = page
        .windows(7)
        .rposition(|window| window.eq_ignore_ascii_case(b"</body>"))
    else {
        return Response::from_parts(head, Body::from(page));
    };
    let Ok(markup) = (ToolbarHtml { panels: &panels }).render() else {
        return Response::from_parts(head, Body::from(page));
    };
    let mut injected = Vec::with_capacity(page.len() + markup.len());
    injected.extend_from_slice(&page[..at]);
    injected.extend_from_slice(markup.as_bytes());
    injected.extend_from_slice(&page[at..]);
    head.headers.remove(header::CONTENT_LENGTH);
    // This page now describes this one request: a browser must not show it again for
    // another (after a 304, or from its cache), or the toolbar would tell an old
    // story. The Headers panel shows the headers the app itself sent.
    head.headers.remove(header::ETAG);
    head.headers.remove(header::EXPIRES);
    head.headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(head, Body::from(injected))
}
