//! The changes the lab makes to the running server — a strategy switched, the
//! invalidation mode set, backends emptied — written once for the lab's own routes
//! and for the tutorial's "Apply this step", each logged with the client that asked.

use std::sync::Arc;

use super::Lab;
use super::compare::Compare;
use crate::cache::backends::CacheBackend;
use crate::cache::invalidation::InvalidationMode;
use crate::cache::strategies::Strategy;
use crate::cache::strategies::settings::StrategySettings;

impl Lab {
    /// Switches `strategy` to `next`, from the next request on; `next` has been
    /// checked against the strategy's rules.
    pub fn switch(&self, strategy: Strategy, next: StrategySettings, client: &str) {
        tracing::info!(
            client,
            strategy = strategy.name(),
            backend = CacheBackend::name_or_off(next.backend),
            seconds = next.seconds,
            routes = ?next.routes,
            "lab: strategy switched"
        );
        self.strategies.selection.set(strategy, next);
    }

    /// Sets what an edit does to the caches, from the next write on.
    pub fn set_mode(&self, mode: InvalidationMode, client: &str) {
        self.strategies.invalidation.set_mode(mode);
        tracing::info!(
            client,
            mode = mode.name(),
            "lab: invalidation mode switched"
        );
    }

    /// Empties this app's entries in `backends`, logging what became of each.
    pub async fn clear(&self, backends: &[CacheBackend], client: &str) {
        for &backend in backends {
            match self.strategies.backends.cache(backend).await {
                Ok(cache) if cache.clear().await => {
                    tracing::info!(client, backend = backend.name(), "lab: cache cleared");
                }
                Ok(cache) => tracing::warn!(
                    client,
                    backend = backend.name(),
                    error = cache.last_error().unwrap_or_default(),
                    "lab: could not clear the cache"
                ),
                Err(error) => tracing::warn!(
                    client,
                    backend = backend.name(),
                    %error,
                    "lab: could not clear the cache"
                ),
            }
        }
    }

    /// The comparison runs, which the tutorial's last step starts too.
    #[must_use]
    pub fn compare(&self) -> &Arc<Compare> {
        &self.compare
    }
}
