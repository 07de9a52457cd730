//! The per-view strategy: Django's `cache_page`, put on the routes the settings name
//! when the router is built.

use std::sync::Arc;

use super::Caching;
use super::page::PageCacheLayer;
use super::selection::Strategy;

/// `cache_page`: the layer a chosen route gets; its backend and seconds are read
/// from the selection on every request.
#[must_use]
pub fn cache_page(caching: &Arc<Caching>) -> PageCacheLayer {
    PageCacheLayer::new(Arc::clone(caching), Strategy::View)
}
