//! Content codings (RFC 9110 §8.4): which one a client gets — by its
//! `Accept-Encoding`, q-values included — and the compressors. A cached page is
//! compressed once, when it is stored, in every coding ([`Effort::Stored`]); a page
//! no cache stores is compressed for the one request, quickly ([`Effort::PerRequest`],
//! in [`layer`]).

pub mod layer;

use std::io::Write;

use axum::http::{HeaderMap, HeaderValue, header};
use bytes::Bytes;

/// Responses smaller than this are sent as they are: the coding's overhead would
/// eat the gain.
pub const MIN_SIZE: usize = 1024;

/// A content coding this app sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// The bytes as they are.
    Identity,
    /// Zstandard.
    Zstd,
    /// Brotli.
    Brotli,
    /// Gzip.
    Gzip,
}

/// How hard a compressor works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// Once, for a page a cache stores and serves many times: smaller bytes.
    Stored,
    /// For one response, on its request's time: fast.
    PerRequest,
}

impl Encoding {
    /// The codings compressed, in the order preferred when a client accepts several
    /// equally: the smallest bytes for the time a miss may spend (at their stored
    /// levels `/all`'s 154 KB become 19.7 KB in zstd, 21.3 KB in brotli and 22.3 KB
    /// in gzip, in about 35 ms together), and zstd is the quickest for the browser to
    /// read.
    pub const COMPRESSED: [Self; 3] = [Self::Zstd, Self::Brotli, Self::Gzip];

    /// Its name in `Accept-Encoding` and `Content-Encoding`.
    #[must_use]
    pub fn token(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Zstd => "zstd",
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    /// The coding a request's `Accept-Encoding` asks for: the compressed coding with
    /// the highest q-value above 0 (ties go by [`Encoding::COMPRESSED`]), unless
    /// `identity` is named with a higher one; identity when the header is absent
    /// or names nothing this app sends.
    #[must_use]
    pub fn negotiate(request: &HeaderMap) -> Self {
        let mut listed: [Option<f32>; 4] = [None; 4];
        let mut any = None;
        for value in request.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|param| param.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0)
                    .clamp(0.0, 1.0);
                match coding.as_str() {
                    "*" => any = Some(q),
                    "x-gzip" => listed[Self::Gzip.index()] = Some(q),
                    coding => {
                        if let Some(encoding) = Self::named(coding) {
                            listed[encoding.index()] = Some(q);
                        }
                    }
                }
            }
        }
        let q_of = |encoding: Self| listed[encoding.index()].or(any).unwrap_or(0.0);
        let best = Self::COMPRESSED
            .into_iter()
            .filter(|&encoding| q_of(encoding) > 0.0)
            .fold(None, |best: Option<Self>, encoding| match best {
                Some(best) if q_of(best) >= q_of(encoding) => Some(best),
                _ => Some(encoding),
            });
        match (best, listed[Self::Identity.index()]) {
            (Some(best), Some(identity)) if identity > q_of(best) => Self::Identity,
            (Some(best), _) => best,
            (None, _) => Self::Identity,
        }
    }

    fn named(token: &str) -> Option<Self> {
        [Self::Identity, Self::Zstd, Self::Brotli, Self::Gzip]
            .into_iter()
            .find(|encoding| encoding.token() == token)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Its `Content-Encoding`; none for identity.
    #[must_use]
    pub fn header_value(self) -> Option<HeaderValue> {
        (self != Self::Identity).then(|| HeaderValue::from_static(self.token()))
    }

    /// `body` in this coding, or `None` for identity or when the compressor fails.
    #[must_use]
    pub fn compress(self, body: &[u8], effort: Effort) -> Option<Bytes> {
        let stored = effort == Effort::Stored;
        let compressed = match self {
            Self::Identity => return None,
            Self::Zstd => zstd::bulk::compress(body, if stored { 15 } else { 1 }).ok()?,
            Self::Brotli => {
                let mut out = Vec::with_capacity(body.len() / 4);
                // Quality 6, measured on `/all`: 21.3 KB in 4.3 ms with 3.4 MB of
                // hash tables; quality 9 took 20.7 KB, 21 ms and 27 MB (its hasher's
                // fixed 32 MB table), which made every miss the server's peak memory.
                // A 256 KiB window: as small for a page as the 4 MiB default.
                let quality = if stored { 6 } else { 1 };
                let mut writer = brotli::CompressorWriter::new(&mut out, 16 * 1024, quality, 18);
                writer.write_all(body).ok()?;
                writer.flush().ok()?;
                drop(writer);
                out
            }
            Self::Gzip => {
                let level = flate2::Compression::new(if stored { 9 } else { 1 });
                let mut writer =
                    flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), level);
                writer.write_all(body).ok()?;
                writer.finish().ok()?
            }
        };
        Some(Bytes::from(compressed))
    }
}

/// Whether a response of this type is worth compressing: text, which shrinks;
/// never images, fonts or what is compressed already.
#[must_use]
pub fn is_compressible(response: &HeaderMap) -> bool {
    if response.contains_key(header::CONTENT_ENCODING) {
        return false;
    }
    let Some(kind) = response
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let kind = kind.split(';').next().unwrap_or_default().trim();
    (kind.starts_with("text/") && kind != "text/event-stream")
        || matches!(
            kind,
            "application/javascript" | "application/json" | "image/svg+xml"
        )
}

/// The ETag of a representation in `encoding` whose identity ETag is `etag`: a
/// strong validator names one representation, so each coding gets its own
/// (`"…-br"`); identity keeps it.
#[must_use]
fn etag_in(etag: &HeaderValue, encoding: Encoding) -> HeaderValue {
    let bytes = etag.as_bytes();
    let Some(open) = bytes.strip_suffix(b"\"") else {
        return etag.clone();
    };
    if encoding == Encoding::Identity {
        return etag.clone();
    }
    let tagged = [open, b"-", encoding.token().as_bytes(), b"\""].concat();
    HeaderValue::from_bytes(&tagged).unwrap_or_else(|_| etag.clone())
}

/// Makes the headers of a response in identity those of its body in `encoding`:
/// its `Content-Encoding`, its own ETag, and no `Content-Length` (the identity one).
pub fn mark_encoded(response: &mut HeaderMap, encoding: Encoding) {
    if let Some(value) = encoding.header_value() {
        response.insert(header::CONTENT_ENCODING, value);
    }
    response.remove(header::CONTENT_LENGTH);
    if let Some(etag) = response.get(header::ETAG) {
        let etag = etag_in(etag, encoding);
        response.insert(header::ETAG, etag);
    }
}

/// Adds `Accept-Encoding` to a response's `Vary`, unless it is there.
pub fn vary_on_accept_encoding(response: &mut HeaderMap) {
    let named = response
        .get_all(header::VARY)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|name| name.trim().eq_ignore_ascii_case("accept-encoding"));
    if !named {
        response.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(accept: &str) -> Encoding {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).unwrap(),
        );
        Encoding::negotiate(&headers)
    }

    #[test]
    fn a_client_gets_the_coding_it_prefers_and_identity_when_it_asks_for_none() {
        assert_eq!(Encoding::negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(asking(""), Encoding::Identity);
        assert_eq!(asking("gzip, deflate, br, zstd"), Encoding::Zstd);
        assert_eq!(asking("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(asking("gzip, deflate"), Encoding::Gzip);
        assert_eq!(asking("x-gzip"), Encoding::Gzip);
        assert_eq!(asking("deflate, compress"), Encoding::Identity);
        assert_eq!(asking("gzip;q=0.5, zstd;q=0.8, br;q=0.1"), Encoding::Zstd);
        assert_eq!(asking("GZIP ; Q=0.5"), Encoding::Gzip);
        assert_eq!(asking("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(asking("*"), Encoding::Zstd);
        assert_eq!(asking("*;q=0.5, zstd;q=0"), Encoding::Brotli);
        assert_eq!(asking("*;q=0"), Encoding::Identity);
        assert_eq!(asking("gzip;q=0.5, identity"), Encoding::Identity);
        assert_eq!(asking("gzip, identity;q=0.5"), Encoding::Gzip);
        assert_eq!(asking("gzip;q=abc"), Encoding::Gzip, "a bad q reads as 1");
        assert_eq!(asking("identity"), Encoding::Identity);
    }

    #[test]
    fn every_coding_round_trips_at_both_efforts() {
        let page = "<tr><td>Pikachu</td><td>Electric</td></tr>\n".repeat(200);
        for effort in [Effort::Stored, Effort::PerRequest] {
            let zstd = Encoding::Zstd.compress(page.as_bytes(), effort).unwrap();
            assert_eq!(zstd::decode_all(&zstd[..]).unwrap(), page.as_bytes());
            let gzip = Encoding::Gzip.compress(page.as_bytes(), effort).unwrap();
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut out)
                .unwrap();
            assert_eq!(out, page.as_bytes());
            let br = Encoding::Brotli.compress(page.as_bytes(), effort).unwrap();
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut brotli::Decompressor::new(&br[..], 4096), &mut out)
                .unwrap();
            assert_eq!(out, page.as_bytes());
            assert!(br.len() < page.len() / 10, "{effort:?}: {}", br.len());
        }
        assert_eq!(Encoding::Identity.compress(b"x", Effort::Stored), None);
    }

    #[test]
    fn only_text_not_yet_encoded_is_compressible_and_vary_is_added_once() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        assert!(is_compressible(&headers));
        headers.insert(header::VARY, HeaderValue::from_static("Cookie"));
        vary_on_accept_encoding(&mut headers);
        vary_on_accept_encoding(&mut headers);
        let vary: Vec<_> = headers.get_all(header::VARY).iter().collect();
        assert_eq!(vary, ["Cookie", "Accept-Encoding"]);
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        assert!(!is_compressible(&headers));
        headers.remove(header::CONTENT_ENCODING);
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
        assert!(!is_compressible(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        assert!(!is_compressible(&headers), "events go as they come");
    }
}
