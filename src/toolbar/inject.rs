//! Putting the toolbar into a page: before `</body>` of a 200-or-other HTML page,
//! never into a 304 or anything but HTML.

use askama::Template;
use axum::body::Body;
use axum::http::response::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use http_body_util::BodyExt;

use super::panels::Panels;
use crate::cache::strategies::page_rules::is_html;

/// The injected markup: `templates/toolbar/toolbar.html`.
#[derive(Template)]
#[template(path = "toolbar/toolbar.html")]
pub struct ToolbarHtml<'a> {
    /// What to show.
    pub panels: &'a Panels,
}

/// The response with the toolbar before its `</body>`, when it is an HTML page.
pub async fn inject(mut head: Parts, body: Body, panels: &Panels) -> Response {
    if head.status == StatusCode::NOT_MODIFIED || !is_html(&head.headers) {
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
    let Ok(markup) = (ToolbarHtml { panels }).render() else {
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
