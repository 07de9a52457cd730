//! One strategy's settings — the `[site]`, `[view]` and `[fragment]` tables — and
//! the rule they follow, checked at start and whenever the lab changes them.

use serde::{Deserialize, Serialize};

use super::Strategy;
use crate::cache::backends::{CacheBackend, off_or_backend};

/// The longest a strategy may keep what it stores: a year, as the lab's form says.
pub const MAX_SECONDS: u64 = 31_536_000;

/// Which backend a strategy uses, if any, for how long it keeps what it stores, and
/// — for the per-view strategy only — which routes it wraps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategySettings {
    /// `off`, `memory`, `file`, `database` or `redis`.
    #[serde(with = "off_or_backend")]
    pub backend: Option<CacheBackend>,
    /// How long a stored page or fragment is served.
    pub seconds: u64,
    /// The routes wrapped in `cache_page`, as the router spells them (per-view only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
}

impl StrategySettings {
    /// The tutorial's starting point for `strategy`: off, with Django's timeouts —
    /// `CACHE_MIDDLEWARE_SECONDS` (600) per site, the tutorial's `cache_page(60)` on
    /// `/all`, and its `{% cache 60 %}`.
    #[must_use]
    pub fn defaults(strategy: Strategy) -> Self {
        let (seconds, routes) = match strategy {
            Strategy::Site => (600, Vec::new()),
            Strategy::View => (60, vec!["/all".to_owned()]),
            Strategy::Fragment => (60, Vec::new()),
        };
        Self {
            backend: None,
            seconds,
            routes,
        }
    }

    /// Why these settings cannot be `strategy`'s in an app whose page routes are
    /// `known_routes`, naming the field; `None` when they can.
    #[must_use]
    pub fn problem(
        &self,
        strategy: Strategy,
        known_routes: &[&str],
    ) -> Option<(&'static str, String)> {
        if self.seconds > MAX_SECONDS {
            return Some((
                "seconds",
                format!(
                    "{} is more than a year ({MAX_SECONDS} seconds)",
                    self.seconds
                ),
            ));
        }
        if strategy != Strategy::View && !self.routes.is_empty() {
            return Some((
                "routes",
                format!("only the per-view strategy wraps routes, not the {strategy} strategy"),
            ));
        }
        let unknown = self
            .routes
            .iter()
            .find(|route| !known_routes.contains(&route.as_str()))?;
        Some((
            "routes",
            format!("there is no route {unknown:?}; the routes are {known_routes:?}"),
        ))
    }
}
