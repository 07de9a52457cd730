//! The per-site strategy: one page cache around the whole router, like Django's
//! `UpdateCacheMiddleware` + `FetchFromCacheMiddleware`.

use std::sync::Arc;

use super::page::PageCacheLayer;
use super::{Strategies, Strategy};

/// The layer caching every page (static files and debug pages excepted) while the
/// site strategy is on.
#[must_use]
pub fn site_cache(strategies: &Arc<Strategies>) -> PageCacheLayer {
    PageCacheLayer::new(Arc::clone(strategies), Strategy::Site, None)
}
