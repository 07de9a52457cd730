//! A page as the page caches store it, and as a request that computed it hands it to
//! the requests that waited.

use bytes::{BufMut, Bytes, BytesMut};
use serde::{Deserialize, Serialize};

/// A page as a page cache stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPage {
    /// When it was stored, in milliseconds since the epoch (for `Age`).
    pub stored_at: u64,
    /// Its headers, cache bookkeeping included (`Expires`, `ETag`, ...).
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub body: Bytes,
}

#[derive(Serialize, Deserialize)]
struct Head {
    stored_at: u64,
    headers: Vec<(String, String)>,
}

impl StoredPage {
    /// The bytes stored: a length-prefixed JSON head, then the body as is.
    #[must_use]
    pub fn encode(&self) -> Bytes {
        let head = serde_json::to_vec(&Head {
            stored_at: self.stored_at,
            headers: self.headers.clone(),
        })
        .unwrap_or_default();
        let mut out = BytesMut::with_capacity(4 + head.len() + self.body.len());
        out.put_u32(u32::try_from(head.len()).unwrap_or(u32::MAX));
        out.put_slice(&head);
        out.put_slice(&self.body);
        out.freeze()
    }

    /// The page in `stored`; `None` for bytes that are not one (a miss).
    #[must_use]
    pub fn decode(stored: &Bytes) -> Option<Self> {
        let len = usize::try_from(u32::from_be_bytes(stored.get(..4)?.try_into().ok()?)).ok()?;
        let head: Head = serde_json::from_slice(stored.get(4..4 + len)?).ok()?;
        Some(Self {
            stored_at: head.stored_at,
            headers: head.headers,
            body: stored.slice(4 + len..),
        })
    }
}

/// A stored page with what decides whom it is for: the key it is stored under, which
/// depends on the request headers it varies on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPage {
    /// The page.
    pub page: StoredPage,
    /// Its page key (unprefixed).
    pub key: String,
    /// The request headers it varies on, lower case.
    pub vary: Vec<String>,
}
