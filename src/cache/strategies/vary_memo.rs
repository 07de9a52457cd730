//! The `Vary` lists of pages, remembered in this process for a second, so that a hit
//! is one read — the page — where Django's is two (the list, then the page).
//!
//! The page key is made from the list's names and the request's values of them,
//! so a page found under a remembered list was stored with that list and is right
//! for the request. A list this process stores is remembered at once; one another
//! process stores is seen within [`REMEMBERED_FOR`], when the list is read again.

use std::sync::Arc;
use std::time::Duration;

use crate::cache::backends::CacheBackend;

/// How long a list read from the cache is used before it is read again.
pub const REMEMBERED_FOR: Duration = Duration::from_secs(1);
/// At most this many lists (pages) are remembered.
const CAPACITY: u64 = 10_000;

/// The remembered lists, by backend and key of the list.
pub struct VaryMemo {
    lists: moka::sync::Cache<(CacheBackend, String), Arc<[String]>>,
}

impl Default for VaryMemo {
    fn default() -> Self {
        Self {
            lists: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(REMEMBERED_FOR)
                .build(),
        }
    }
}

impl VaryMemo {
    /// The list remembered for `key` (a full key: prefix and version included) on
    /// `backend`.
    #[must_use]
    pub fn get(&self, backend: CacheBackend, key: &str) -> Option<Arc<[String]>> {
        self.lists.get(&(backend, key.to_owned()))
    }

    /// Remembers `list` for `key` on `backend`.
    pub fn remember(&self, backend: CacheBackend, key: String, list: Arc<[String]>) {
        self.lists.insert((backend, key), list);
    }
}
