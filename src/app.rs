//! The application: its state, its router with the layers in order, and the server.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::Response;
use sqlx::SqlitePool;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::db::{self, DbError};
use crate::settings::Settings;
use crate::web;

/// What every handler may reach: shared, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The catalogue's connection pool; the only way handlers reach SQL.
    pub db: SqlitePool,
}

/// The whole app as a router, for the server and for tests (`oneshot`).
///
/// Layers, outermost first: the request log, then the pages.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(web::routes())
        .nest("/static", web::assets::static_files())
        .fallback(web::not_found::not_found)
        .with_state(state)
        // One log line per request: method, path, status, latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(|response: &Response<_>, latency: Duration, _: &Span| {
                    tracing::info!(status = response.status().as_u16(), ?latency, "served");
                }),
        )
}

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened, migrated or seeded.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address from the settings.
        addr: SocketAddr,
        /// What the OS said.
        source: io::Error,
    },
}

/// A bound, ready server: build it, read its port, then run it.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Prepares the database and binds the address (port 0 picks a free one).
    pub async fn build(settings: &Settings) -> Result<Self, StartError> {
        let db = db::connect_and_prepare(&settings.database).await?;
        let listener =
            TcpListener::bind(settings.addr)
                .await
                .map_err(|source| StartError::Bind {
                    addr: settings.addr,
                    source,
                })?;
        Ok(Self {
            listener,
            router: router(AppState { db }),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await
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
