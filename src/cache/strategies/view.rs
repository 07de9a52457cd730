//! The per-view strategy: Django's `cache_page`, on every page route, caching those
//! the strategy's routes name now — so the lab can change them without a restart.

use std::sync::Arc;

use super::page::PageCacheLayer;
use super::{Strategies, Strategy};

/// `cache_page` for `route` (as the router spells it); its backend, seconds and
/// whether it applies are read from the selection on every request.
#[must_use]
pub fn cache_page(strategies: &Arc<Strategies>, route: &'static str) -> PageCacheLayer {
    PageCacheLayer::new(Arc::clone(strategies), Strategy::View, Some(route))
}
