//! What an internal client's HTML page gets on its way out: the lab's link in the
//! navbar and, when the toolbar is on, the toolbar before `</body>` — never in a 304
//! or anything but HTML.

use askama::Template;
use axum::body::Body;
use axum::http::response::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use http_body_util::BodyExt;

use super::panels::Panels;
use crate::cache::strategies::page_rules::is_html;

/// Where `base.html` leaves room for links only internal clients see.
const INTERNAL_LINKS: &[u8] = b"<!--internal-links-->";
/// What goes there.
const LAB_LINK: &[u8] = br#"<a class="nav-link" href="/lab">Lab</a>"#;

/// The injected markup: `templates/toolbar/toolbar.html`.
#[derive(Template)]
#[template(path = "toolbar/toolbar.html")]
pub struct ToolbarHtml<'a> {
    /// What to show.
    pub panels: &'a Panels,
}

/// The response with the lab's link in its navbar and, given `panels`, the toolbar
/// before its `</body>`, when it is an HTML page.
pub async fn inject(mut head: Parts, body: Body, panels: Option<&Panels>) -> Response {
    if head.status == StatusCode::NOT_MODIFIED || !is_html(&head.headers) {
        return Response::from_parts(head, body);
    }
    let Ok(collected) = body.collect().await else {
        return Response::from_parts(head, Body::empty());
    };
    let page = collected.to_bytes();
    let toolbar = panels.and_then(|panels| (ToolbarHtml { panels }).render().ok());
    let injected = insert(&page, toolbar.as_deref().map(str::as_bytes));
    if injected.len() == page.len() {
        return Response::from_parts(head, Body::from(page));
    }
    head.headers.remove(header::CONTENT_LENGTH);
    if toolbar.is_some() {
        describe_one_request(&mut head.headers);
    } else {
        weaken_etag(&mut head.headers);
    }
    Response::from_parts(head, Body::from(injected))
}

/// `page` with the lab's link where the navbar leaves room for it, and `toolbar`
/// before the last `</body>`.
fn insert(page: &Bytes, toolbar: Option<&[u8]>) -> Bytes {
    let link_at = page
        .windows(INTERNAL_LINKS.len())
        .position(|window| window == INTERNAL_LINKS);
    let toolbar_at = toolbar.and_then(|toolbar| {
        let at = page
            .windows(7)
            .rposition(|window| window.eq_ignore_ascii_case(b"</body>"))?;
        Some((at, toolbar))
    });
    if link_at.is_none() && toolbar_at.is_none() {
        return page.clone();
    }
    let extra = LAB_LINK.len() + toolbar.map_or(0, <[u8]>::len);
    let mut out = Vec::with_capacity(page.len() + extra);
    let mut from = 0;
    if let Some(at) = link_at {
        out.extend_from_slice(&page[..at]);
        out.extend_from_slice(LAB_LINK);
        from = at + INTERNAL_LINKS.len();
    }
    if let Some((at, toolbar)) = toolbar_at.filter(|(at, _)| *at >= from) {
        out.extend_from_slice(&page[from..at]);
        out.extend_from_slice(toolbar);
        from = at;
    }
    out.extend_from_slice(&page[from..]);
    Bytes::from(out)
}

/// A page carrying the toolbar describes this one request: a browser must not show
/// it again for another (after a 304, or from its cache), or the toolbar would tell
/// an old story. The Headers panel shows the headers the app itself sent.
fn describe_one_request(headers: &mut HeaderMap) {
    headers.remove(header::ETAG);
    headers.remove(header::EXPIRES);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page that only gained the lab's link is the same page to whoever sees it: its
/// ETag stays, made weak, as its bytes changed.
fn weaken_etag(headers: &mut HeaderMap) {
    let weak = headers
        .get(header::ETAG)
        .filter(|etag| !etag.as_bytes().starts_with(b"W/"))
        .and_then(|etag| HeaderValue::from_bytes(&[b"W/", etag.as_bytes()].concat()).ok());
    if let Some(weak) = weak {
        headers.insert(header::ETAG, weak);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_goes_in_the_navbar_and_the_toolbar_before_the_last_body_end() {
        let page = Bytes::from_static(b"<nav><!--internal-links--></nav><p>x</p></body></html>");
        let out = insert(&page, Some(b"<div>T</div>"));
        assert_eq!(
            &out[..],
            br#"<nav><a class="nav-link" href="/lab">Lab</a></nav><p>x</p><div>T</div></body></html>"#
        );
        let link_only = insert(&page, None);
        assert_eq!(
            &link_only[..],
            br#"<nav><a class="nav-link" href="/lab">Lab</a></nav><p>x</p></body></html>"#
        );
        let plain = Bytes::from_static(b"<p>no room</p>");
        assert_eq!(insert(&plain, None), plain);
    }
}
