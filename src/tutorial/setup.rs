//! A step's configuration: which backend each strategy uses and for how long, and
//! the invalidation mode — applied through the lab, and compared with what a
//! recorded request's Settings panel says was in force when it ran.

use crate::cache::backends::CacheBackend;
use crate::cache::invalidation::InvalidationMode;
use crate::cache::strategies::Strategy;
use crate::cache::strategies::settings::StrategySettings;
use crate::lab::Lab;
use crate::toolbar::panels::settings::SettingsPanel;

/// What one strategy does in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Nothing.
    Off,
    /// Caches on this backend for this many seconds.
    On(CacheBackend, u64),
}

/// Every strategy and the invalidation mode, as a step has them. The per-view
/// strategy wraps `/all` alone, as the tutorial's `@cache_page(60)` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup {
    /// Per-site caching.
    pub site: Use,
    /// Per-view caching of `/all`.
    pub view: Use,
    /// Template-fragment caching.
    pub fragment: Use,
    /// What an edit does to the caches.
    pub invalidation: InvalidationMode,
}

impl Setup {
    /// The starter project: nothing cached.
    pub const OFF: Self = Self {
        site: Use::Off,
        view: Use::Off,
        fragment: Use::Off,
        invalidation: InvalidationMode::Ttl,
    };

    /// What `strategy` does.
    #[must_use]
    pub fn uses(&self, strategy: Strategy) -> Use {
        match strategy {
            Strategy::Site => self.site,
            Strategy::View => self.view,
            Strategy::Fragment => self.fragment,
        }
    }

    /// `strategy`'s settings in this setup: its defaults (per-view on `/all`), with
    /// this backend and these seconds.
    #[must_use]
    pub fn settings(&self, strategy: Strategy) -> StrategySettings {
        let mut settings = StrategySettings::defaults(strategy);
        if let Use::On(backend, seconds) = self.uses(strategy) {
            settings.backend = Some(backend);
            settings.seconds = seconds;
        }
        settings
    }

    /// The page cache it uses — per-site, else per-view — with its backend and
    /// seconds.
    #[must_use]
    pub fn page_cache(&self) -> Option<(Strategy, CacheBackend, u64)> {
        [Strategy::Site, Strategy::View]
            .into_iter()
            .find_map(|strategy| match self.uses(strategy) {
                Use::On(backend, seconds) => Some((strategy, backend, seconds)),
                Use::Off => None,
            })
    }

    /// The fragment cache it uses, with its backend and seconds.
    #[must_use]
    pub fn fragment_cache(&self) -> Option<(Strategy, CacheBackend, u64)> {
        match self.fragment {
            Use::On(backend, seconds) => Some((Strategy::Fragment, backend, seconds)),
            Use::Off => None,
        }
    }

    /// The backends it uses, each once.
    #[must_use]
    pub fn backends(&self) -> Vec<CacheBackend> {
        let mut backends = Vec::new();
        for strategy in Strategy::ALL {
            if let Use::On(backend, _) = self.uses(strategy)
                && !backends.contains(&backend)
            {
                backends.push(backend);
            }
        }
        backends
    }

    /// How the configuration a request ran with (its Settings panel) differs from
    /// this one, one sentence per difference; empty when it is this one.
    #[must_use]
    pub fn differences(&self, seen: &SettingsPanel) -> Vec<String> {
        let mut differences = Vec::new();
        for strategy in Strategy::ALL {
            let Some(row) = seen
                .strategies
                .iter()
                .find(|row| row.strategy == strategy.name())
            else {
                continue;
            };
            let words = words(strategy);
            let wanted = self.settings(strategy);
            let difference = match self.uses(strategy) {
                Use::Off if row.backend != "off" => Some(format!(
                    "{words} is on ({}), where this step has it off",
                    row.backend
                )),
                Use::On(..) if row.backend == "off" => Some(format!("{words} is not on")),
                Use::On(backend, _) if row.backend != backend.name() => {
                    Some(format!("{words} is on {}, not {backend}", row.backend))
                }
                Use::On(_, seconds) if row.seconds != seconds => Some(format!(
                    "{words} keeps what it stores {} s, where this step says {seconds} s",
                    row.seconds
                )),
                Use::On(..) if row.routes != wanted.routes => Some(format!(
                    "{words} wraps {}, where this step wraps /all alone",
                    row.routes.join(" ")
                )),
                _ => None,
            };
            differences.extend(difference);
        }
        if seen.invalidation != self.invalidation {
            differences.push(format!(
                "the invalidation mode is {}, not {}",
                seen.invalidation, self.invalidation
            ));
        }
        differences
    }

    /// The setup in a sentence: `per-site caching on memory for 300 s, per-view
    /// caching off, fragment caching off, invalidation tags`.
    #[must_use]
    pub fn describe(&self) -> String {
        let strategies: Vec<String> = Strategy::ALL
            .into_iter()
            .map(|strategy| match self.uses(strategy) {
                Use::Off => format!("{} off", words(strategy)),
                Use::On(backend, seconds) => {
                    format!("{} on {backend} for {seconds} s", words(strategy))
                }
            })
            .collect();
        format!(
            "{}, invalidation {}",
            strategies.join(", "),
            self.invalidation
        )
    }

    /// Puts the running server in this setup through the lab, and empties the
    /// backends it uses so that the step starts cold.
    pub async fn apply(&self, lab: &Lab, client: &str) {
        for strategy in Strategy::ALL {
            lab.switch(strategy, self.settings(strategy), client);
        }
        lab.set_mode(self.invalidation, client);
        lab.clear(&self.backends(), client).await;
    }
}

/// A strategy's name in a sentence.
#[must_use]
pub fn words(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::Site => "per-site caching",
        Strategy::View => "per-view caching",
        Strategy::Fragment => "fragment caching",
    }
}
