//! The HTTP server: accepts connections within a limit, bounds how long a client may
//! take to send a request head or sit idle, and stops within a grace period.

pub mod access_log;
mod head_clock;
mod open_files;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

use crate::settings::ServerSettings;
use head_clock::{Clocked, HeadClock};

/// How long accepting pauses after the OS refuses a connection (out of file
/// descriptors, say), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until `stop` resolves, then lets requests in flight
/// finish for at most `settings.shutdown_grace_secs`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: &ServerSettings,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        // hyper starts this when a connection waits for a head: the idle bound.
        .header_read_timeout(settings.keep_alive_timeout());
    let limit = open_files::connections_within_limit(settings.max_connections.max(1));
    let connections = Arc::new(Semaphore::new(limit));
    let graceful = GracefulShutdown::new();
    let header_read_timeout = settings.header_read_timeout();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = accept_within(&listener, &connections) => accepted,
        };
        let Some((stream, client, permit)) = accepted else {
            tokio::time::sleep(ACCEPT_BACKOFF).await;
            continue;
        };
        let clock = HeadClock::new();
        let connection = http.serve_connection(
            TokioIo::new(Clocked::new(stream, Arc::clone(&clock))),
            hyper::service::service_fn(answer(
                router.clone(),
                client,
                Arc::clone(&clock),
                header_read_timeout,
            )),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                () = clock.overdue(header_read_timeout) => {
                    tracing::debug!(%client, "closed: its request head took too long");
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    let grace = settings.shutdown_grace();
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            ?grace,
            "requests still in flight after the grace period; stopping anyway"
        );
    }
    Ok(())
}

/// The next connection, once fewer than the limit are open; `None` when accepting
/// failed (logged).
async fn accept_within(
    listener: &TcpListener,
    connections: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, tokio::sync::OwnedSemaphorePermit)> {
    let permit = Arc::clone(connections).acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, client)) => {
            // Small responses go out at once rather than waiting for more to send.
            let _ = stream.set_nodelay(true);
            Some((stream, client, permit))
        }
        Err(err) => {
            tracing::warn!(error = %err, "cannot accept a connection");
            None
        }
    }
}

/// A response on its way.
type Answering = std::pin::Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

/// The router as one connection's hyper service: it knows the client (for the
/// toolbar and the access gate), tells the connection's clock about each request,
/// and gives up on a body that stalls for `stall` (a slow sender answers 400).
fn answer(
    router: Router,
    client: SocketAddr,
    clock: Arc<HeadClock>,
    stall: Duration,
) -> impl Fn(Request<Incoming>) -> Answering + Clone {
    move |request: Request<Incoming>| {
        clock.request_started();
        let mut request = request.map(|body| Body::new(TimeoutBody::new(stall, body)));
        request.extensions_mut().insert(ConnectInfo(client));
        let clock = Arc::clone(&clock);
        let answered = router.clone().oneshot(request);
        Box::pin(async move {
            let response = answered.await;
            clock.request_answered();
            response
        })
    }
}
