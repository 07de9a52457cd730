//! A page as the page caches store it, and as a request that computed it hands it to
//! the requests that waited.
//!
//! Stored as a small binary head — when it was stored, the body's length, then each
//! header as a length-prefixed name and value — followed by the body as is, so that a
//! hit reads the headers straight into a `HeaderMap` without parsing text, and a
//! truncated entry is a miss, never a short page.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::encoding::Encoding;

/// First bytes of a stored page: a page written in another layout reads as a miss.
const MAGIC: &[u8; 4] = b"PGE1";
/// The magic, when it was stored, the body's length and how many headers.
const HEAD_LEN: usize = 4 + 8 + 8 + 2;

/// A page as a page cache stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPage {
    /// When it was stored, in milliseconds since the epoch (for `Age`).
    pub stored_at: u64,
    /// Its headers, cache bookkeeping included (`Expires`, `ETag`, ...).
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

impl StoredPage {
    /// The bytes stored.
    #[must_use]
    pub fn encode(&self) -> Bytes {
        let head: usize = self
            .headers
            .iter()
            .map(|(name, value)| 4 + name.as_str().len() + value.len())
            .sum();
        let mut out = BytesMut::with_capacity(HEAD_LEN + head + self.body.len());
        out.put_slice(MAGIC);
        out.put_u64(self.stored_at);
        out.put_u64(self.body.len() as u64);
        out.put_u16(u16::try_from(self.headers.len()).unwrap_or(u16::MAX));
        for (name, value) in self.headers.iter().take(usize::from(u16::MAX)) {
            put_field(&mut out, name.as_str().as_bytes());
            put_field(&mut out, value.as_bytes());
        }
        out.put_slice(&self.body);
        out.freeze()
    }

    /// The page in `stored`; `None` for bytes that are not one (a miss).
    #[must_use]
    pub fn decode(stored: &Bytes) -> Option<Self> {
        let mut rest = stored.clone();
        if rest.len() < HEAD_LEN || rest.get(..MAGIC.len())? != MAGIC {
            return None;
        }
        rest.advance(MAGIC.len());
        let stored_at = rest.get_u64();
        let body_len = usize::try_from(rest.get_u64()).ok()?;
        let count = rest.get_u16();
        let mut headers = HeaderMap::with_capacity(usize::from(count));
        for _ in 0..count {
            let name = HeaderName::from_bytes(&take_field(&mut rest)?).ok()?;
            let value = HeaderValue::from_maybe_shared(take_field(&mut rest)?).ok()?;
            headers.append(name, value);
        }
        (rest.len() == body_len).then_some(Self {
            stored_at,
            headers,
            body: rest,
        })
    }
}

fn put_field(out: &mut BytesMut, field: &[u8]) {
    out.put_u16(u16::try_from(field.len()).unwrap_or(u16::MAX));
    out.put_slice(&field[..field.len().min(usize::from(u16::MAX))]);
}

fn take_field(rest: &mut Bytes) -> Option<Bytes> {
    if rest.len() < 2 {
        return None;
    }
    let len = usize::from(rest.get_u16());
    (rest.len() >= len).then(|| rest.split_to(len))
}

/// A stored page, in the codings it was stored in, with what decides whom it is
/// for: the key it is stored under, which depends on the request headers it varies
/// on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPage {
    /// The page in each coding at hand: every coding stored, for the request that
    /// computed it and those that waited; the one read, for a hit.
    pub copies: Vec<(Encoding, Arc<StoredPage>)>,
    /// Its page key in identity (unprefixed).
    pub key: String,
    /// The request headers it varies on, lower case.
    pub vary: Arc<[String]>,
}

impl SharedPage {
    /// The copy for a request that negotiated `coding`: that coding's, else identity.
    #[must_use]
    pub fn copy_in(&self, coding: Encoding) -> Option<&StoredPage> {
        let find = |wanted: Encoding| {
            self.copies
                .iter()
                .find(|(coding, _)| *coding == wanted)
                .map(|(_, page)| &**page)
        };
        find(coding).or_else(|| find(Encoding::Identity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> StoredPage {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.append("vary", HeaderValue::from_static("Accept-Language"));
        headers.append("vary", HeaderValue::from_static("Cookie"));
        StoredPage {
            stored_at: 1_700_000_000_123,
            headers,
            body: Bytes::from_static(b"<html>\x00binary</html>"),
        }
    }

    #[test]
    fn a_page_round_trips_with_repeated_headers_and_any_body() {
        let page = page();
        assert_eq!(StoredPage::decode(&page.encode()), Some(page));
    }

    #[test]
    fn truncated_or_foreign_bytes_are_not_a_page() {
        let stored = page().encode();
        for cut in [0, 3, 4, 21, 30, 60, stored.len() - 1] {
            assert_eq!(
                StoredPage::decode(&stored.slice(..cut)),
                None,
                "cut at {cut}"
            );
        }
        assert_eq!(
            StoredPage::decode(&Bytes::from_static(b"{\"stored_at\":1}")),
            None
        );
    }
}
