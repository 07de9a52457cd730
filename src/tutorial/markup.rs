//! The little markup the steps' sentences use, Markdown's own: `` `code` `` and
//! `[words](/path)` — read once into [`Piece`]s, then written as HTML for the pages,
//! or as Markdown for `docs/tutorial.md`.

use std::fmt::Write;

/// A piece of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Words as they are.
    Text(&'a str),
    /// `` `code` ``.
    Code(&'a str),
    /// `[words](href)`; the words may hold code.
    Link {
        /// What the link says.
        words: &'a str,
        /// Where it leads.
        href: &'a str,
    },
}

/// The pieces of `text`, in order; a backtick or bracket that opens nothing is text.
#[must_use]
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    let mut plain = 0;
    while let Some(at) = rest[plain..].find(['`', '[']).map(|at| plain + at) {
        let tail = &rest[at..];
        let (piece, after) = if let Some((code, after)) = code_span(tail) {
            (Piece::Code(code), after)
        } else if let Some((words, href, after)) = link(tail) {
            (Piece::Link { words, href }, after)
        } else {
            plain = at + 1;
            continue;
        };
        if at > 0 {
            pieces.push(Piece::Text(&rest[..at]));
        }
        pieces.push(piece);
        rest = after;
        plain = 0;
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

/// `text` as HTML: escaped, with its code spans and links made elements.
#[must_use]
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    for piece in pieces(text) {
        let _ = match piece {
            Piece::Text(words) => write!(out, "{}", escape(words)),
            Piece::Code(code) => write!(out, "<code>{}</code>", escape(code)),
            Piece::Link { words, href } => {
                write!(out, "<a href=\"{}\">{}</a>", escape(href), html(words))
            }
        };
    }
    out
}

/// `` `code` `` at the start of `text`: the code, and what follows it.
fn code_span(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_prefix('`')?;
    let end = inner.find('`')?;
    Some((&inner[..end], &inner[end + 1..]))
}

/// `[words](href)` at the start of `text`: the words, the address, and what follows.
fn link(text: &str) -> Option<(&str, &str, &str)> {
    let inner = text.strip_prefix('[')?;
    let (words, after) = inner.split_once("](")?;
    let (href, after) = after.split_once(')')?;
    Some((words, href, after))
}

/// `text` with HTML's special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Piece, html, pieces};

    #[test]
    fn code_spans_and_links_become_elements_and_the_rest_is_escaped() {
        assert_eq!(
            html("Open [/all](/all): `{% cache 60 %}` <b> & [not a link] `open"),
            "Open <a href=\"/all\">/all</a>: <code>{% cache 60 %}</code> &lt;b&gt; &amp; \
             [not a link] `open"
        );
        assert_eq!(
            html("[`/`](/?a=\"b\")"),
            "<a href=\"/?a=&quot;b&quot;\"><code>/</code></a>"
        );
    }

    #[test]
    fn a_link_inside_code_is_code() {
        assert_eq!(
            pieces("see `[x](y)` [the home page](/)"),
            [
                Piece::Text("see "),
                Piece::Code("[x](y)"),
                Piece::Text(" "),
                Piece::Link {
                    words: "the home page",
                    href: "/"
                },
            ]
        );
    }
}
