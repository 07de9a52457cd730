//! The caching strategies the tutorial teaches — per-site, per-view and
//! template-fragment — each on any backend, chosen per request from [`Selection`],
//! and all taking the one get-or-compute path in [`compute`].

pub mod compute;
pub mod conditional;
pub mod flight;
pub mod fragment;
pub mod invalidate;
pub mod page;
pub mod page_rules;
pub mod selection;
pub mod settings;
pub mod site;
pub mod stored_page;
pub mod vary_memo;
pub mod view;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytestring::ByteString;

use super::configured::Backends;
use super::failure::BurstLog;
use super::invalidation::Invalidation;
use flight::Flights;
use selection::Selection;
use stored_page::SharedPage;
use vary_memo::VaryMemo;

/// The three caching strategies the tutorial teaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// The whole site, as Django's cache middleware does.
    Site,
    /// Chosen views, as Django's `cache_page` does.
    View,
    /// Named template fragments, as Django's `{% cache %}` tag does.
    Fragment,
}

impl Strategy {
    /// Every strategy, in the tutorial's order.
    pub const ALL: [Self; 3] = [Self::Site, Self::View, Self::Fragment];

    /// The strategy named `name` (`site`, `view`, `fragment`).
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|strategy| strategy.name() == name)
    }

    /// The strategy's name in keys, headers and logs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::View => "view",
            Self::Fragment => "fragment",
        }
    }

    /// Its place in [`Strategy::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the strategies share: the backends, what each strategy does now, what keys
/// fold in for invalidation, and the computations in flight.
pub struct Strategies {
    /// The configured backends, built on first use.
    pub backends: Backends,
    /// What each strategy does now.
    pub selection: Selection,
    /// What every key folds in so that a write to the catalogue reaches it.
    pub invalidation: Arc<Invalidation>,
    pages: Flights<Arc<SharedPage>>,
    /// The pages' `Vary` lists, remembered so that a hit is one read.
    vary_memo: Arc<VaryMemo>,
    fragments: Flights<ByteString>,
    /// Waiters released by a leader that gave up or overran: one warning per burst.
    released: BurstLog,
    /// Backends that could not be built: one warning per burst.
    unavailable: BurstLog,
}

impl Strategies {
    /// The strategies over `backends`, starting as `selection` says, keys made current
    /// by `invalidation`; a request waits at most `max_wait` for another computing
    /// what it needs.
    #[must_use]
    pub fn new(
        backends: Backends,
        selection: Selection,
        invalidation: Arc<Invalidation>,
        max_wait: Duration,
    ) -> Self {
        Self {
            backends,
            selection,
            invalidation,
            pages: Flights::new(max_wait),
            vary_memo: Arc::default(),
            fragments: Flights::new(max_wait),
            released: BurstLog::default(),
            unavailable: BurstLog::default(),
        }
    }
}
