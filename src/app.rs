//! The application: its state, its router with the layers in order, and the server.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use tokio::net::TcpListener;
use tower::ServiceBuilder;

use crate::access::Gate;
use crate::bench;
use crate::cache::configured::Backends;
use crate::cache::invalidation::Invalidation;
use crate::cache::strategies::conditional::conditional_get;
use crate::cache::strategies::selection::Selection;
use crate::cache::strategies::site::site_cache;
use crate::cache::strategies::{Strategies, Strategy};
use crate::db::{self, Db, DbError};
use crate::encoding;
use crate::lab::Lab;
use crate::server;
use crate::settings::{ServerSettings, Settings, Switch};
use crate::toolbar::{self, Toolbar};
use crate::web;

/// What every handler may reach: shared, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The catalogue, counting its statements; the only way handlers reach SQL.
    pub db: Db,
    /// The caching strategies and their backends.
    pub strategies: Arc<Strategies>,
    /// The debug toolbar and its history.
    pub toolbar: Arc<Toolbar>,
    /// Who may see debug data and change the server's state.
    pub gate: Arc<Gate>,
    /// The lab: the strategies switched while the server runs.
    pub lab: Arc<Lab>,
    /// The token of the counters endpoint, for a server a comparison started.
    pub bench_token: Option<Arc<str>>,
}

/// What the binary adds to the settings when it starts a server: its own path (for
/// the isolated servers of the lab's comparisons) and, for a server a comparison
/// started, the token of its counters endpoint.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// This program's binary.
    pub binary: Option<PathBuf>,
    /// The token `/__bench__/` answers to.
    pub bench_token: Option<String>,
}

impl AppState {
    /// The state for `settings` on an opened, migrated database.
    pub async fn new(settings: &Settings, pool: sqlx::SqlitePool) -> Result<Self, DbError> {
        Self::launched(settings, pool, Launch::default()).await
    }

    /// The state for `settings` on an opened, migrated database, started as
    /// `launch` says.
    pub async fn launched(
        settings: &Settings,
        pool: sqlx::SqlitePool,
        launch: Launch,
    ) -> Result<Self, DbError> {
        let invalidation =
            Invalidation::load(pool.clone(), settings.invalidation, web::tags::tags_of)
                .await
                .map_err(DbError::Query)?;
        let invalidation = Arc::new(invalidation);
        db::compare_runs::fail_interrupted(&pool)
            .await
            .map_err(DbError::Query)?;
        invalidation.watch();
        let strategies = Arc::new(Strategies::new(
            Backends::new(settings.caches.clone(), pool.clone()),
            Selection::new(
                settings.site.clone(),
                settings.view.clone(),
                settings.fragment.clone(),
            ),
            invalidation,
            settings.coalescing.max_wait(),
        ));
        let gate = Arc::new(Gate::new(
            &settings.toolbar.internal_ips,
            &settings.allowed_hosts,
            settings.addr,
        ));
        Ok(Self {
            toolbar: Arc::new(Toolbar::new(
                &settings.toolbar,
                Arc::clone(&gate),
                Arc::clone(&strategies),
            )),
            lab: Lab::start(
                settings,
                Arc::clone(&strategies),
                pool.clone(),
                &web::ROUTES,
                launch.binary,
            ),
            bench_token: launch.bench_token.map(Arc::from),
            gate,
            strategies,
            db: Db::new(pool),
        })
    }
}

/// The whole app as a router, for the server and for tests (`oneshot`).
///
/// Layers, outermost first: the debug toolbar (so it sees cached responses too),
/// conditional GET (ETag, 304), the redirects to canonical URLs (so a page has one
/// cache entry), compression of what no cache encoded, the per-site cache, then the
/// pages, each with its `cache_page`; the caches store what the pages render, in
/// every coding, never the toolbar. The layers wrap the routes once, as one service,
/// rather than each route (`Router::layer`): a request then clones that stack's few
/// `Arc`s, where the router cloned a boxed copy of every layer for each request.
pub fn router(state: AppState) -> Router {
    let strategies = Arc::clone(&state.strategies);
    let toolbar = Arc::clone(&state.toolbar);
    let routes = Router::new()
        .merge(web::routes(&strategies))
        .merge(toolbar::routes::routes(Arc::clone(&toolbar)))
        .merge(state.lab.routes(Arc::clone(&state.gate)))
        .merge(web::edit::routes(Arc::clone(&state.gate)))
        .merge(crate::tutorial::routes(Arc::clone(&state.gate)))
        .merge(bench::counters::routes())
        .merge(web::assets::routes())
        .fallback(web::not_found::not_found)
        .with_state(state);
    let layered = ServiceBuilder::new()
        .layer(from_fn_with_state(toolbar, toolbar::layer::toolbar))
        .layer(from_fn(conditional_get))
        .layer(from_fn(web::canonical::redirect_to_canonical))
        .layer(from_fn(encoding::layer::compress_response))
        .layer(site_cache(&strategies))
        .service(routes);
    Router::new().fallback_service(layered)
}

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened, migrated or seeded.
    #[error(transparent)]
    Database(#[from] DbError),
    /// A strategy's settings break its rules (a route the app does not have, say).
    #[error("setting `{strategy}.{field}`: {message}")]
    Strategy {
        /// The strategy.
        strategy: Strategy,
        /// Its field at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}{hint}")]
    Bind {
        /// The address from the settings.
        addr: SocketAddr,
        /// What the OS said.
        source: io::Error,
        /// What to try instead, when the port is taken.
        hint: &'static str,
    },
}

/// A bound, ready server: build it, read its port, then run it.
pub struct Application {
    listener: TcpListener,
    router: Router,
    server: ServerSettings,
}

impl Application {
    /// Prepares the database and binds the address (port 0 picks a free one).
    pub async fn build(settings: &Settings) -> Result<Self, StartError> {
        Self::launch(settings, Launch::default()).await
    }

    /// [`Application::build`], started as `launch` says.
    pub async fn launch(settings: &Settings, launch: Launch) -> Result<Self, StartError> {
        for strategy in Strategy::ALL {
            let problem = settings.strategy(strategy).problem(strategy, &web::ROUTES);
            if let Some((field, message)) = problem {
                return Err(StartError::Strategy {
                    strategy,
                    field,
                    message,
                });
            }
        }
        let pool = db::connect_and_prepare(&settings.database).await?;
        let state = AppState::launched(settings, pool, launch).await?;
        state.lab.warn_unreachable().await;
        let listener =
            TcpListener::bind(settings.addr)
                .await
                .map_err(|source| StartError::Bind {
                    addr: settings.addr,
                    hint: if source.kind() == io::ErrorKind::AddrInUse {
                        "; another server has that port: pass --addr 127.0.0.1:0 for any free one, or name another port"
                    } else {
                        ""
                    },
                    source,
                })?;
        let router = match settings.server.access_log {
            Switch::On => router(state).layer(server::access_log::AccessLogLayer),
            Switch::Off => router(state),
        };
        Ok(Self {
            listener,
            router,
            server: settings.server.clone(),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish within
    /// the grace period.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves, then as [`Application::run_until_stopped`]: for
    /// tests, which stop a server without a signal.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> io::Result<()> {
        server::serve(self.listener, self.router, &self.server, stop).await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
