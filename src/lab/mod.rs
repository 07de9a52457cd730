//! The lab: switch strategies and backends while the server runs, watch every cache,
//! clear any of them — as a page (`/lab`) and as a JSON API for scripts and tests,
//! all behind the access gate.

mod changes;
pub mod compare;
mod compare_page;
mod handlers;
pub mod input;
pub mod state;
mod window;

use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::access::{self, Gate};
use sqlx::SqlitePool;

use crate::cache::backends::options::DEFAULT_REDIS_LOCATION;
use crate::cache::backends::{CacheBackend, PerBackend};
use crate::cache::invalidation::InvalidationMode;
use crate::cache::stats::StatsSnapshot;
use crate::cache::strategies::settings::StrategySettings;
use crate::cache::strategies::{Strategies, Strategy};
use crate::settings::Settings;
use compare::Compare;
use window::Window;

/// What the lab works on: the strategies it switches, what the settings had them
/// be (what "Reset to settings" restores), and the last minute of every counter.
pub struct Lab {
    strategies: Arc<Strategies>,
    configured: [StrategySettings; 3],
    configured_mode: InvalidationMode,
    /// The catalogue, which "Reset the catalogue" restores.
    db: SqlitePool,
    database_url: String,
    routes: &'static [&'static str],
    window: Window,
    compare: Arc<Compare>,
}

impl Lab {
    /// The lab over `strategies` and the catalogue in `db`, for an app whose page
    /// routes are `routes`; it samples the counters once a second for as long as it
    /// lives.
    #[must_use]
    pub fn start(
        settings: &Settings,
        strategies: Arc<Strategies>,
        db: SqlitePool,
        routes: &'static [&'static str],
        binary: Option<PathBuf>,
    ) -> Arc<Self> {
        let redis_url = settings
            .caches
            .redis
            .location()
            .unwrap_or(DEFAULT_REDIS_LOCATION)
            .to_owned();
        let lab = Arc::new(Self {
            strategies,
            configured: Strategy::ALL.map(|strategy| settings.strategy(strategy).clone()),
            configured_mode: settings.invalidation,
            compare: Arc::new(Compare::new(binary, redis_url, db.clone())),
            db,
            database_url: settings.database.url.clone(),
            routes,
            window: Window::default(),
        });
        tokio::spawn(sample_every_second(Arc::downgrade(&lab)));
        lab
    }

    /// The lab's page and API, behind `gate`.
    pub fn routes<S: Clone + Send + Sync + 'static>(
        self: &Arc<Self>,
        gate: Arc<Gate>,
    ) -> Router<S> {
        Router::new()
            .route("/lab", get(handlers::page))
            .route("/lab/state.json", get(handlers::state))
            .route("/lab/strategies/{strategy}", post(handlers::set_strategy))
            .route("/lab/caches/clear", post(handlers::clear_all))
            .route("/lab/caches/{backend}/clear", post(handlers::clear_one))
            .route("/lab/reset", post(handlers::reset))
            .route("/lab/invalidation", post(handlers::set_invalidation))
            .route("/lab/catalogue/reset", post(handlers::reset_catalogue))
            .route("/lab/compare", get(compare_page::page))
            .route("/lab/compare/runs", post(compare_page::start))
            .route("/lab/compare/runs/{file}", get(compare_page::download))
            .route("/lab/compare/cancel", post(compare_page::cancel))
            .route("/lab/compare/events", get(compare_page::events))
            .route_layer(from_fn_with_state(gate, access::guard))
            .with_state(Arc::clone(self))
    }

    /// What the settings had `strategy` be at start.
    fn configured(&self, strategy: Strategy) -> &StrategySettings {
        &self.configured[strategy.index()]
    }

    /// Every backend's counters now (zero for one no strategy has used).
    fn counters(&self) -> PerBackend<StatsSnapshot> {
        let stats = |backend| {
            self.strategies
                .backends
                .built(backend)
                .map(|cache| cache.stats())
                .unwrap_or_default()
        };
        PerBackend {
            memory: stats(CacheBackend::Memory),
            file: stats(CacheBackend::File),
            database: stats(CacheBackend::Database),
            redis: stats(CacheBackend::Redis),
        }
    }

    /// Logs, once at start, each backend a strategy uses that does not answer: the
    /// server starts anyway, and caching resumes when the backend comes up.
    pub async fn warn_unreachable(&self) {
        for backend in CacheBackend::ALL {
            let used = Strategy::ALL
                .into_iter()
                .any(|strategy| self.strategies.selection.get(strategy).backend == Some(backend));
            if !used {
                continue;
            }
            if let Err(error) = self.probe(backend).await {
                tracing::warn!(
                    backend = backend.name(),
                    location = %self.location(backend),
                    %error,
                    "cache backend unreachable; serving without it until it answers"
                );
            }
        }
    }
}

async fn sample_every_second(lab: Weak<Lab>) {
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    loop {
        ticks.tick().await;
        let Some(lab) = lab.upgrade() else {
            return;
        };
        lab.window.sample(lab.counters());
    }
}
