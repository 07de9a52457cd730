//! The outermost layer, as a list of steps: decide whether to record, record the
//! request, add `Server-Timing`, inject the toolbar (and the lab's link) into an
//! HTML page, and keep what was recorded, with the headers that left, in the
//! history, whose panels are built when asked. Caches sit inside it, so they never
//! store either.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

use super::Toolbar;
use super::entry::{Asked, Entry};
use super::inject::{flash_of, inject};
use super::panels::settings::SetupSeen;
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
    // The request as it arrived, for the panels: only a toolbar that is on keeps it.
    let asked = toolbar.enabled.then(|| Asked::of(&request));
    // What an internal client sees is edited on its way out (the toolbar, the
    // lab's link), so its pages come in identity.
    request.headers_mut().remove(header::ACCEPT_ENCODING);
    // A HEAD is answered with the headers of the GET this client would get —
    // decorated, so its `Content-Length` is that GET's.
    let head_only = request.method() == Method::HEAD;
    if head_only {
        *request.method_mut() = Method::GET;
    }
    // Boxed apart, so that this layer's own future, which axum moves into a box for
    // every request (a visitor's too), stays small: these steps' future is 2.5 KB.
    let response = Box::pin(decorated(&toolbar, asked, request, next)).await;
    if head_only {
        headers_only(response)
    } else {
        response
    }
}

/// The steps of [`toolbar`] for an internal client's request, recorded when the
/// toolbar is on, which is when `asked` holds the request as it arrived.
async fn decorated(
    toolbar: &Toolbar,
    asked: Option<Asked>,
    request: Request,
    next: Next,
) -> Response {
    let flash = flash_of(&request);
    let Some(asked) = asked else {
        let (head, body) = next.run(request).await.into_parts();
        return inject(head, body, flash.as_deref(), None).await.0;
    };
    let started = Instant::now();
    let (response, record) = record::recording(next.run(request)).await;
    let total = started.elapsed();
    let (mut head, body) = response.into_parts();
    let setup = SetupSeen::now(&toolbar.strategies);
    let mut entry = Entry::new(toolbar.next_id(), asked, total, record, &head, setup);
    entry.stamp(&mut head.headers);
    let (response, edits) = inject(head, body, flash.as_deref(), Some(&entry)).await;
    entry.edits = edits;
    toolbar.remember(entry);
    response
}
