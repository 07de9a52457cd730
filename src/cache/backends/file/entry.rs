//! The layout of one entry file: `PDXF`, a layout byte, the expiry (little-endian u64
//! millis since the epoch, 0 = never), the key's length (little-endian u32), the key,
//! the value. The key is kept because digests hide it and `clear` must spare other
//! prefixes.

use std::fs;
use std::io::{self, ErrorKind, Read};
use std::path::Path;

use bytes::Bytes;

use super::super::Expiry;

/// Opens every entry file, so a stray file is never taken for an entry.
const MAGIC: &[u8; 4] = b"PDXF";
/// The layout written today; a file of another layout reads as a miss.
const LAYOUT: u8 = 1;
/// Magic, layout, expiry and key length: the part of the header before the key.
pub(super) const FIXED: usize = 4 + 1 + 8 + 4;

/// What a key's file holds, as far as a reader of that key can tell.
pub(super) enum Stored {
    Missing,
    /// Expired, corrupt, truncated, or another key's entry (a digest collision).
    Dead,
    Live {
        value: Bytes,
        expiry: Expiry,
    },
}

impl Stored {
    /// A live entry's value and its stored expiry.
    pub(super) fn live(self) -> Option<(Bytes, Option<Expiry>)> {
        match self {
            Self::Live { value, expiry } => Some((value, Some(expiry))),
            Self::Missing | Self::Dead => None,
        }
    }
}

/// The bytes of an entry file for `key`.
pub(super) fn encode(key: &str, value: &[u8], expiry: Expiry) -> io::Result<Vec<u8>> {
    let key_len = u32::try_from(key.len()).map_err(io::Error::other)?;
    // 0 means "never", so an expiry at the epoch itself becomes the next millisecond.
    let expires = expiry.as_millis().map_or(0, |at| at.max(1));
    let mut entry = Vec::with_capacity(FIXED + key.len() + value.len());
    entry.extend_from_slice(MAGIC);
    entry.push(LAYOUT);
    entry.extend_from_slice(&expires.to_le_bytes());
    entry.extend_from_slice(&key_len.to_le_bytes());
    entry.extend_from_slice(key.as_bytes());
    entry.extend_from_slice(value);
    Ok(entry)
}

/// The expiry and key length a header starts with, unless it is not ours.
fn parse_fixed(header: &[u8]) -> Option<(Expiry, usize)> {
    let (magic, rest) = header.split_first_chunk::<4>()?;
    let (&layout, rest) = rest.split_first()?;
    let (expires, rest) = rest.split_first_chunk::<8>()?;
    let (key_len, _) = rest.split_first_chunk::<4>()?;
    if magic != MAGIC || layout != LAYOUT {
        return None;
    }
    let expiry = match u64::from_le_bytes(*expires) {
        0 => Expiry::Never,
        at => Expiry::At(at),
    };
    Some((expiry, usize::try_from(u32::from_le_bytes(*key_len)).ok()?))
}

/// What `file` holds for `key` at `now`.
pub(super) fn decode(file: &Bytes, key: &str, now: u64) -> Stored {
    let Some((expiry, key_len)) = parse_fixed(file) else {
        return Stored::Dead;
    };
    let value_start = FIXED.saturating_add(key_len);
    if file.get(FIXED..value_start) != Some(key.as_bytes()) || expiry.is_expired_at(now) {
        return Stored::Dead;
    }
    Stored::Live {
        value: file.slice(value_start..),
        expiry,
    }
}

/// The expiry and key of an entry file, read without its value; `None` if the file
/// is corrupt or gone.
pub(super) fn read_header(path: &Path) -> io::Result<Option<(Expiry, Vec<u8>)>> {
    let mut file = match fs::File::open(path) {
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
        opened => opened?,
    };
    let mut fixed = [0; FIXED];
    match file.read_exact(&mut fixed) {
        Err(error) if error.kind() == ErrorKind::UnexpectedEof => return Ok(None),
        read => read?,
    }
    let Some((expiry, key_len)) = parse_fixed(&fixed) else {
        return Ok(None);
    };
    let mut key = Vec::new();
    // `take` bounds the read by the header's claim, not a corrupt file's size.
    file.take(key_len as u64).read_to_end(&mut key)?;
    Ok((key.len() == key_len).then_some((expiry, key)))
}
