//! What each strategy does now, read on every request, so that it can be switched
//! while the server runs.

use std::sync::{Arc, PoisonError, RwLock};

use super::Strategy;
use super::settings::StrategySettings;

/// The current settings of every strategy.
#[derive(Debug)]
pub struct Selection {
    current: RwLock<[Arc<StrategySettings>; 3]>,
}

impl Selection {
    /// The strategies as the settings start them.
    #[must_use]
    pub fn new(site: StrategySettings, view: StrategySettings, fragment: StrategySettings) -> Self {
        Self {
            current: RwLock::new([site, view, fragment].map(Arc::new)),
        }
    }

    /// What `strategy` does now.
    #[must_use]
    pub fn get(&self, strategy: Strategy) -> Arc<StrategySettings> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&current[strategy.index()])
    }

    /// What every strategy does now, read at once, indexed by [`Strategy::index`].
    #[must_use]
    pub fn now(&self) -> [Arc<StrategySettings>; 3] {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Switches `strategy` to `settings`, from the next request on.
    pub fn set(&self, strategy: Strategy, settings: StrategySettings) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        current[strategy.index()] = Arc::new(settings);
    }
}
