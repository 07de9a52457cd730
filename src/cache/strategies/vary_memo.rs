//! The `Vary` lists of pages, remembered in this process, so that a hit is one read
//! — the page — where Django's is two (the list, then the page).
//!
//! The page key is made from the list's names and the request's values of them,
//! so a page found under a remembered list was stored with that list and is right
//! for the request. A list this process stores is remembered at once. A list read
//! more than [`FRESH_FOR`] ago is still used, and read again beside the request
//! that found it so (once per URL at a time, recorded on no request): a list another
//! process stores is followed within that second and one request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::cache::backends::CacheBackend;

/// How long a list is used before it is read again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// At most this many lists (pages) are remembered.
const CAPACITY: u64 = 10_000;

/// Whose list: a backend, and the key of the list there (unprefixed).
type ListOf = (CacheBackend, String);

/// A list, and when it was read.
type Remembered = (Arc<[String]>, Instant);

/// The remembered lists, by backend and key of the list, with when each was read.
pub struct VaryMemo {
    lists: moka::sync::Cache<ListOf, Remembered>,
}

impl Default for VaryMemo {
    fn default() -> Self {
        Self {
            lists: moka::sync::Cache::new(CAPACITY),
        }
    }
}

impl VaryMemo {
    /// The list remembered for `key` (unprefixed) in `cache`; one read more than
    /// [`FRESH_FOR`] ago is read again in the background.
    #[must_use]
    pub fn get(self: &Arc<Self>, cache: &Cache, key: &str) -> Option<Arc<[String]>> {
        let entry = (cache.backend(), key.to_owned());
        let (list, read_at) = self.lists.get(&entry)?;
        if read_at.elapsed() > FRESH_FOR {
            // Claimed for this refresh: the requests meanwhile use the list as is.
            self.lists
                .insert(entry.clone(), (Arc::clone(&list), Instant::now()));
            let (memo, cache) = (Arc::clone(self), cache.clone());
            tokio::spawn(async move {
                let read: Option<Vec<String>> = cache.get_json(&entry.1).await;
                match read {
                    Some(read) => memo.lists.insert(entry, (read.into(), Instant::now())),
                    None => memo.lists.invalidate(&entry),
                }
            });
        }
        Some(list)
    }

    /// Remembers `list` for `key` on `backend`.
    pub fn remember(&self, backend: CacheBackend, key: String, list: Arc<[String]>) {
        self.lists.insert((backend, key), (list, Instant::now()));
    }
}
