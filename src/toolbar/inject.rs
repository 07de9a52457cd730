//! What an internal client's HTML page gets on its way out: the links only such
//! clients may follow (the lab, a Pokémon's edit form), the message of a save it just
//! made, and, when the toolbar is on, the toolbar before `</body>` — never in a 304
//! or anything but HTML. The caches inside keep the page as everyone else sees it.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::response::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::convert::Infallible;
use std::sync::LazyLock;

use bytes::Bytes;
use http_body_util::BodyExt;
use memchr::memmem::Finder;

use super::entry::Entry;
use crate::cache::strategies::page_rules::is_html;
use crate::web::edit::FLASH_COOKIE;

/// Markup only internal clients see: the page carries it as `<!--internal:…-->`.
const INTERNAL: &[u8] = b"<!--internal:";
/// The start of an HTML comment, which each marker is.
const COMMENT_START: &[u8] = b"<!--";
/// The end of an HTML comment.
const COMMENT_END: &[u8] = b"-->";
/// Where `base.html` leaves room for the message of a save.
const FLASH: &[u8] = b"<!--flash-->";
/// How far into a page its markers may stand: the navbar, the message's place and
/// the heading, all within the first kilobyte of every page. Scanning no further
/// keeps a large page as cheap as a small one.
pub const HEAD_SCAN: usize = 2 * 1024;
/// How near its end a page's `</body>` stands.
const TAIL_SCAN: usize = 1024;
/// Room for the injected toolbar and the end of the page after it, so that neither
/// grows its buffer.
const TOOLBAR_SIZE: usize = 4 * 1024;
/// The tag the toolbar goes before, in any case.
const BODY_END: &[u8] = b"</body>";
/// The search for a comment's end, built once.
static COMMENT_ENDS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(COMMENT_END));

/// The injected markup, `templates/toolbar/toolbar.html`: the handle, the tabs and
/// an empty section per panel, which the toolbar's script fills from
/// `/__debug__/requests/{id}/panels` when it is first opened.
#[derive(Template)]
#[template(path = "toolbar/toolbar.html")]
pub struct ToolbarHtml<'a> {
    /// The request it describes.
    pub entry: &'a Entry,
}

/// The message a save left for this client, from its cookie.
#[must_use]
pub fn flash_of(request: &Request) -> Option<String> {
    let cookies = request.headers().get_all(header::COOKIE);
    let value = cookies
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(FLASH_COOKIE)?.strip_prefix('='))?;
    let message: String = form_urlencoded::parse(format!("m={value}").as_bytes())
        .map(|(_, message)| message.into_owned())
        .next()?;
    (!message.is_empty()).then_some(message)
}

/// Tells the browser the save's message has been shown.
pub fn spend_flash(headers: &mut HeaderMap) {
    let spent = format!("{FLASH_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict; HttpOnly");
    if let Ok(spent) = HeaderValue::from_str(&spent) {
        headers.append(header::SET_COOKIE, spent);
    }
}

/// How [`inject`] changed a page's headers when it added to the page's bytes: kept
/// by the history, so that the Headers panel applies them again to the headers as
/// sent instead of the history keeping a second copy of every response's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageEdits {
    /// The page's new length.
    length: usize,
    /// Whether it gained a save's message.
    flash: bool,
    /// Whether it gained the toolbar.
    toolbar: bool,
}

impl PageEdits {
    /// Makes `headers` those of the page as edited.
    pub fn apply(self, headers: &mut HeaderMap) {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(self.length));
        mark_changed(headers, self.flash, self.toolbar);
    }
}

/// The response with what an internal client sees added, when it is an HTML page:
/// `flash`, once, and the toolbar of `entry`; with how its headers were changed,
/// when they were.
pub async fn inject(
    mut head: Parts,
    body: Body,
    flash: Option<&str>,
    entry: Option<&Entry>,
) -> (Response, Option<PageEdits>) {
    if head.status == StatusCode::NOT_MODIFIED || !is_html(&head.headers) {
        return (Response::from_parts(head, body), None);
    }
    let Ok(collected) = body.collect().await else {
        return (Response::from_parts(head, Body::empty()), None);
    };
    let page = collected.to_bytes();
    let toolbar = entry.and_then(|entry| {
        let mut toolbar = String::with_capacity(TOOLBAR_SIZE);
        (ToolbarHtml { entry }).render_into(&mut toolbar).ok()?;
        Some(toolbar)
    });
    let flash = flash.map(|message| {
        format!(
            "<p class=\"flash\" role=\"status\">{}</p>",
            askama::filters::escape(message, askama::filters::Html)
                .map(|escaped| escaped.to_string())
                .unwrap_or_default()
        )
    });
    let (has_flash, has_toolbar) = (flash.is_some(), toolbar.is_some());
    let Some(pieces) = insert(&page, flash.as_deref(), toolbar) else {
        return (Response::from_parts(head, Body::from(page)), None);
    };
    let edits = PageEdits {
        length: pieces.iter().map(Bytes::len).sum(),
        flash: has_flash,
        toolbar: has_toolbar,
    };
    edits.apply(&mut head.headers);
    let pieces = futures_util::stream::iter(pieces.into_iter().map(Ok::<_, Infallible>));
    (
        Response::from_parts(head, Body::from_stream(pieces)),
        Some(edits),
    )
}

/// `page` with its internal markup uncommented, `flash` in its place and `toolbar`
/// before `</body>`, in at most three pieces: the rewritten head (a copy of at most
/// [`HEAD_SCAN`] bytes), the page's middle (shared, never copied), and the toolbar
/// with the end of the page after it; `None` when there was nothing to add. Markers
/// stand in a page's head and `</body>` at its end, so only those are searched: a
/// large page costs no more than a small one.
fn insert(page: &Bytes, mut flash: Option<&str>, toolbar: Option<String>) -> Option<Vec<Bytes>> {
    let scan = &page[..page.len().min(HEAD_SCAN)];
    let mut head = Vec::with_capacity(scan.len() + flash.map_or(0, str::len));
    let mut from = 0;
    let mut changed = false;
    // One pass over the head, comment by comment: both markers open one.
    let mut search = 0;
    while let Some(at) = next_comment(scan, search) {
        let comment = &scan[at..];
        if comment.starts_with(FLASH) {
            head.extend_from_slice(&page[from..at]);
            if let Some(flash) = flash.take() {
                head.extend_from_slice(flash.as_bytes());
                changed = true;
            }
            from = at + FLASH.len();
        } else if comment.starts_with(INTERNAL) {
            let inner = at + INTERNAL.len();
            let Some(end) = COMMENT_ENDS.find(&scan[inner..]).map(|end| inner + end) else {
                break;
            };
            head.extend_from_slice(&page[from..at]);
            head.extend_from_slice(&page[inner..end]);
            from = end + COMMENT_END.len();
            changed = true;
        }
        search = from.max(at + COMMENT_START.len());
    }
    let tail = page.len().saturating_sub(TAIL_SCAN).max(from);
    let body_end = toolbar
        .as_ref()
        .and_then(|_| last_body_end(&page[tail..]).map(|at| tail + at));
    let mut pieces = vec![Bytes::from(head)];
    match (body_end, toolbar) {
        (Some(at), Some(toolbar)) => {
            let mut end = toolbar.into_bytes();
            end.extend_from_slice(&page[at..]);
            pieces.push(page.slice(from..at));
            pieces.push(Bytes::from(end));
            changed = true;
        }
        _ => pieces.push(page.slice(from..)),
    }
    pieces.retain(|piece| !piece.is_empty());
    changed.then_some(pieces)
}

/// Where the first comment at or after `start` begins in `scan`. A `!` is rare in a
/// page's head (its doctype and its comments), and a search for one byte is the
/// cheapest there is.
fn next_comment(scan: &[u8], start: usize) -> Option<usize> {
    let mut from = start;
    while let Some(found) = memchr::memchr(b'!', scan.get(from..)?) {
        let bang = from + found;
        if bang > start && scan[bang - 1..].starts_with(COMMENT_START) {
            return Some(bang - 1);
        }
        from = bang + 1;
    }
    None
}

/// Where the last `</body>` (in any case) starts in `tail`.
fn last_body_end(tail: &[u8]) -> Option<usize> {
    memchr::memrchr_iter(b'<', tail).find(|&at| {
        tail[at..]
            .get(..BODY_END.len())
            .is_some_and(|tag| tag.eq_ignore_ascii_case(BODY_END))
    })
}

/// The headers of a page that gained a save's message (`flash`), the toolbar
/// (`toolbar`) or only internal links.
fn mark_changed(headers: &mut HeaderMap, flash: bool, toolbar: bool) {
    if flash {
        spend_flash(headers);
    }
    if toolbar || flash {
        describe_one_request(headers);
    } else {
        weaken_etag(headers);
    }
}

/// A page carrying the toolbar (or a save's message) describes this one request: a
/// browser must not show it again for another (after a 304, or from its cache), or
/// it would tell an old story. The Headers panel shows both: as received, and as
/// the app sent them.
fn describe_one_request(headers: &mut HeaderMap) {
    headers.remove(header::ETAG);
    headers.remove(header::EXPIRES);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page that only gained internal links is the same page to whoever sees it: its
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

    const PAGE: &[u8] = b"<nav><!--internal:<a href=\"/lab\">Lab</a>--></nav><main>\n<!--flash-->\n<h1>P <!--internal:<a href=\"/e\">Edit</a>--></h1></main></body></html>";

    #[test]
    fn internal_markup_is_uncommented_the_flash_placed_and_the_toolbar_added() {
        let page = Bytes::from_static(PAGE);
        let joined = |pieces: Vec<Bytes>| String::from_utf8(pieces.concat()).unwrap();
        let out =
            joined(insert(&page, Some("<p>saved</p>"), Some("<div>T</div>".to_owned())).unwrap());
        assert_eq!(
            out,
            "<nav><a href=\"/lab\">Lab</a></nav><main>\n<p>saved</p>\n<h1>P <a href=\"/e\">Edit</a></h1></main><div>T</div></body></html>"
        );
        let links_only = joined(insert(&page, None, None).unwrap());
        assert_eq!(
            links_only,
            "<nav><a href=\"/lab\">Lab</a></nav><main>\n\n<h1>P <a href=\"/e\">Edit</a></h1></main></body></html>"
        );
        assert_eq!(
            insert(&Bytes::from_static(b"<p>plain</p>"), None, None),
            None
        );
    }

    #[test]
    fn a_large_page_is_shared_not_copied_in_three_pieces() {
        let mut html = PAGE[..PAGE.len() - b"</main></body></html>".len()].to_vec();
        html.extend(std::iter::repeat_n(b'x', 100_000));
        html.extend_from_slice(b"</main></body></html>");
        let page = Bytes::from(html);
        let pieces = insert(&page, Some("<p>saved</p>"), Some("<div>T</div>".to_owned())).unwrap();
        assert_eq!(pieces.len(), 3, "head, middle, toolbar and end");
        let middle = pieces[1].as_ptr() as usize;
        let shared = page.as_ptr() as usize..page.as_ptr() as usize + page.len();
        assert!(
            shared.contains(&middle),
            "the middle is the page's own bytes"
        );
        assert!(pieces[1].len() > 100_000);
        assert_eq!(pieces[2], b"<div>T</div></body></html>"[..]);
    }

    #[test]
    fn comments_are_found_past_doctypes_exclamations_and_the_start() {
        let scan = b"<!doctype html><p>Hi!</p><!-- a --><b>!</b><!--b-->";
        assert_eq!(next_comment(scan, 0), Some(25));
        assert_eq!(next_comment(scan, 26), Some(43));
        assert_eq!(next_comment(scan, 44), None);
        assert_eq!(
            next_comment(b"<!--", 1),
            None,
            "a comment begun before the start"
        );
        assert_eq!(next_comment(b"<!", 0), None);
        assert_eq!(next_comment(b"", 3), None);
    }

    #[test]
    fn the_toolbar_goes_before_the_last_body_end_tag_in_any_case() {
        assert_eq!(last_body_end(b"<p></BODY></html>"), Some(3));
        assert_eq!(last_body_end(b"</body><p></Body>"), Some(10));
        assert_eq!(last_body_end(b"<p></bod"), None);
        let page = Bytes::from_static(b"<main></main></BODY></html>");
        let out = insert(&page, None, Some("<div>T</div>".to_owned())).unwrap();
        assert_eq!(out.concat(), b"<main></main><div>T</div></BODY></html>");
    }

    #[test]
    fn other_comments_are_kept_and_an_unclosed_marker_is_left_as_it_is() {
        let page = Bytes::from_static(
            b"<!-- a note --><!--><nav><!--internal:<b>L</b>--></nav><!--internal:<i>",
        );
        let out = String::from_utf8(insert(&page, None, None).unwrap().concat()).unwrap();
        assert_eq!(
            out,
            "<!-- a note --><!--><nav><b>L</b></nav><!--internal:<i>"
        );
    }
}
