//! How a value is stored: integers as plain decimal text (so backends can add to
//! them in place, atomically), everything else behind a small header naming the
//! entry format, compressed with zstd above a size threshold.

use bytes::{BufMut, Bytes, BytesMut};

/// First byte of a headed entry: never the first byte of a decimal integer, nor
/// of valid UTF-8, so the two forms cannot be confused.
const MAGIC: u8 = 0xFE;
/// Entry format written today. A reader that meets another is looking at a future
/// format, which it reads as a miss.
const FORMAT_VERSION: u8 = 1;
/// Flag bit: the payload is zstd-compressed.
const ZSTD: u8 = 0b0000_0001;
/// Header length: magic, format version, flags.
const HEADER_LEN: usize = 3;
/// zstd's fastest level: values are compressed on the request path. Measured on the
/// rendered `/all` page (154 KB), level 1 packs in two thirds of level 3's time to
/// the same size (26.2 KB against 26.3 KB) and unpacks as fast (`benches/codecs.rs`).
const ZSTD_LEVEL: i32 = 1;

/// Whether the codec may compress a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// Above the threshold, as the backend's `compress_threshold` says.
    AsConfigured,
    /// Never: the value is compressed already (a page in a content coding), or is
    /// the identity copy of a page stored beside its compressed copies, kept as it is
    /// so that a client taking no coding is served without a decompression.
    AsIs,
}

/// Encodes and decodes stored entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Codec {
    /// Values longer than this many bytes are compressed; `None` never compresses.
    threshold: Option<usize>,
}

impl Codec {
    /// A codec compressing values above `threshold` bytes (`0` turns compression off).
    #[must_use]
    pub fn new(threshold: usize) -> Self {
        Self {
            threshold: (threshold > 0).then_some(threshold),
        }
    }

    /// The stored form of `value`.
    #[must_use]
    pub fn encode(&self, value: &[u8]) -> Bytes {
        self.encode_packed(value, Packing::AsConfigured)
    }

    /// The stored form of `value`, compressed only if `packing` allows it.
    #[must_use]
    pub fn encode_packed(&self, value: &[u8], packing: Packing) -> Bytes {
        if parse_integer(value).is_some() {
            return Bytes::copy_from_slice(value);
        }
        if packing == Packing::AsConfigured
            && self.threshold.is_some_and(|limit| value.len() > limit)
            && let Ok(compressed) = zstd::bulk::compress(value, ZSTD_LEVEL)
            && compressed.len() < value.len()
        {
            return headed(ZSTD, &compressed);
        }
        headed(0, value)
    }

    /// The value of a stored entry; `None` for a format this build cannot read
    /// (corrupt, truncated, or written by a newer build), which callers treat as a miss.
    #[must_use]
    pub fn decode(stored: &Bytes) -> Option<Bytes> {
        match stored.first() {
            Some(&MAGIC) => {}
            _ => return parse_integer(stored).map(|_| stored.clone()),
        }
        let &[_, version, flags] = stored.get(..HEADER_LEN)? else {
            return None;
        };
        if version != FORMAT_VERSION {
            return None;
        }
        let payload = stored.slice(HEADER_LEN..);
        match flags {
            0 => Some(payload),
            ZSTD => zstd::stream::decode_all(&payload[..]).ok().map(Bytes::from),
            _ => None,
        }
    }
}

fn headed(flags: u8, payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(HEADER_LEN + payload.len());
    out.put_slice(&[MAGIC, FORMAT_VERSION, flags]);
    out.put_slice(payload);
    out.freeze()
}

/// The integer `bytes` spell in canonical decimal (`0`, `42`, `-7`; not `+1`,
/// `007` or ` 1`), the only form `incr` and `decr` accept.
#[must_use]
pub fn parse_integer(bytes: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(bytes).ok()?;
    let number: i64 = text.parse().ok()?;
    (number.to_string() == text).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_stored_as_plain_decimal() {
        let codec = Codec::new(1024);
        assert_eq!(codec.encode(b"42"), Bytes::from_static(b"42"));
        assert_eq!(codec.encode(b"-7"), Bytes::from_static(b"-7"));
        assert_eq!(codec.encode(b"007")[0], MAGIC, "not canonical: headed");
        assert_eq!(Codec::decode(&Bytes::from_static(b"42")).unwrap(), "42");
    }

    #[test]
    fn small_values_round_trip_uncompressed_and_large_ones_compressed() {
        let codec = Codec::new(1024);
        let small = b"hello".to_vec();
        let stored = codec.encode(&small);
        assert_eq!(&stored[..3], &[MAGIC, FORMAT_VERSION, 0]);
        assert_eq!(Codec::decode(&stored).unwrap(), small);

        let large = "<tr><td>Bulbasaur</td></tr>".repeat(200).into_bytes();
        let stored = codec.encode(&large);
        assert_eq!(stored[2], ZSTD);
        assert!(stored.len() < large.len() / 4, "{} bytes", stored.len());
        assert_eq!(Codec::decode(&stored).unwrap(), large);
    }

    #[test]
    fn incompressible_or_unthresholded_values_stay_raw() {
        // xorshift64: bytes with no pattern for zstd to find.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        assert_eq!(Codec::new(1024).encode(&noise)[2], 0);
        let text = "abc".repeat(1000);
        assert_eq!(Codec::new(0).encode(text.as_bytes())[2], 0);
    }

    #[test]
    fn unknown_formats_and_garbage_are_unreadable() {
        for stored in [
            &[MAGIC, 2, 0, b'x'][..],
            &[MAGIC, FORMAT_VERSION, 0x80, b'x'],
            &[MAGIC, FORMAT_VERSION, ZSTD, 1, 2, 3],
            &[MAGIC, FORMAT_VERSION],
            b"not a number",
            b"",
        ] {
            assert_eq!(
                Codec::decode(&Bytes::copy_from_slice(stored)),
                None,
                "{stored:?}"
            );
        }
    }

    #[test]
    fn only_canonical_decimals_are_integers() {
        assert_eq!(parse_integer(b"0"), Some(0));
        assert_eq!(parse_integer(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b"+1"[..],
            b"01",
            b" 1",
            b"1 ",
            b"-0",
            b"9223372036854775808",
            b"",
        ] {
            assert_eq!(parse_integer(bad), None, "{bad:?}");
        }
    }
}
