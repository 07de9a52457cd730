//! The outermost layer, as a list of steps: decide whether to record, record the
//! request, build its panels, add `Server-Timing`, inject the toolbar (and the lab's
//! link) into an HTML page, and keep the panels, with the headers that left, in the
//! history. Caches sit inside it, so they
//! never store either.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use super::Toolbar;
use super::inject::{flash_of, inject, with_toolbar};
use super::panels::headers::listed;
use super::panels::{Asked, Panels, TimerPanel};
use crate::cache::strategies::page_rules::{headers_only, is_page_path};
use crate::record;

/// The toolbar middleware; see the module docs.
pub async fn toolbar(
    State(toolbar): State<Arc<Toolbar>>,
    mut request: Request,
    next: Next,
) -> Response {
    if !is_page_path(request.uri().path()) || !toolbar.gate.is_internal(&request) {
        return next.run(request).await;
    }
    let asked = Asked::of(&request);
    // What an internal client sees is edited on its way out (the toolbar, the
    // lab's link), so its pages come in identity.
    request.headers_mut().remove(header::ACCEPT_ENCODING);
    // A HEAD is answered with the headers of the GET this client would get —
    // decorated, so its `Content-Length` is that GET's.
    let head_only = request.method() == Method::HEAD;
    if head_only {
        *request.method_mut() = Method::GET;
    }
    let response = decorated(&toolbar, asked, request, next).await;
    if head_only {
        headers_only(response)
    } else {
        response
    }
}

/// The steps of [`toolbar`] for an internal client's request.
async fn decorated(toolbar: &Toolbar, asked: Asked, request: Request, next: Next) -> Response {
    let flash = flash_of(&request);
    if !toolbar.enabled {
        let (head, body) = next.run(request).await.into_parts();
        return inject(head, body, flash.as_deref(), None).await;
    }
    let started = Instant::now();
    let (response, record) = record::recording(next.run(request)).await;
    let (mut head, body) = response.into_parts();
    let mut panels = Panels::new(
        toolbar.next_id(),
        asked,
        started.elapsed(),
        record,
        &head,
        &toolbar.strategies,
    );
    add_server_timing(&mut head.headers, &panels.timer);
    panels.headers.received = listed(&with_toolbar(&head.headers, flash.is_some()));
    let response = inject(head, body, flash.as_deref(), Some(&panels)).await;
    // The history's copy says exactly what left, its length and all.
    panels.headers.received = listed(response.headers());
    toolbar.remember(Arc::new(panels));
    response
}

/// `Server-Timing`, so the browser's developer tools show the split too.
fn add_server_timing(headers: &mut HeaderMap, timer: &TimerPanel) {
    let timing = format!(
        "total;dur={:.3}, view;dur={:.3}, cache;dur={:.3}, sql;dur={:.3}",
        timer.total_ms,
        timer.view_ms.unwrap_or(0.0),
        timer.cache_ms,
        timer.sql_ms
    );
    if let Ok(timing) = HeaderValue::from_str(&timing) {
        headers.insert("server-timing", timing);
    }
}
