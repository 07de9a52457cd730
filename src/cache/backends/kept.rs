//! An entry as a backend hands it to the cache API, with, for a backend that holds
//! its entries in this process, the slot beside it where the entry's decoded form is
//! kept: the first hit decodes, the next ones share what it made.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use super::Expiry;
use crate::cache::call::Sizes;

/// An entry found under a key.
pub struct Kept {
    /// Its stored bytes.
    pub value: Bytes,
    /// Its expiry, where the backend was asked for it and can tell.
    pub expiry: Option<Expiry>,
    /// Where its decoded form is kept, where the backend keeps one.
    pub decoded: Option<DecodedSlot>,
}

/// The place beside an entry for what its bytes decode to, with their sizes: filled
/// once, by the entry's first hit, and gone with the entry, so that replacing the
/// entry never leaves an old decoding behind.
#[derive(Clone, Default)]
pub struct DecodedSlot(Arc<OnceLock<(Arc<dyn Any + Send + Sync>, Sizes)>>);

impl DecodedSlot {
    /// What the entry decoded to, if it was decoded as a `T`.
    #[must_use]
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<(Arc<T>, Sizes)> {
        let (decoded, sizes) = self.0.get()?;
        Some((Arc::clone(decoded).downcast::<T>().ok()?, *sizes))
    }

    /// Keeps `decoded` for the next hits, unless a concurrent first hit kept its own.
    pub fn fill<T: Send + Sync + 'static>(&self, decoded: Arc<T>, sizes: Sizes) {
        // Two first hits decode the same bytes to equal values: either may stay.
        let _ = self.0.set((decoded, sizes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_gives_back_what_was_kept_only_as_its_own_type() {
        let slot = DecodedSlot::default();
        assert!(slot.get::<String>().is_none(), "empty until filled");
        let sizes = Sizes { raw: 5, stored: 8 };
        slot.fill(Arc::new(String::from("hello")), sizes);
        slot.fill(Arc::new(String::from("later")), sizes);
        let (kept, kept_sizes) = slot.get::<String>().expect("filled");
        assert_eq!((kept.as_str(), kept_sizes), ("hello", sizes));
        assert!(slot.get::<Vec<u8>>().is_none(), "another type is a miss");
        assert!(
            slot.clone().get::<String>().is_some(),
            "clones share the slot"
        );
    }
}
