//! One log line per request, as `runserver` prints it: method, path, status and how
//! long the app took — `GET /all 200 0.143ms` — with no span. A request pays for
//! reading the clock twice and copying one short line into the log's buffer
//! ([`crate::logging`]): the layer's future is not boxed, and the line is written
//! without `core::fmt` or an event dispatch unless the log goes to a terminal.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::http::{Method, Request, Response, Uri};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::logging;

/// The log's target, which `RUST_LOG` can name (`RUST_LOG=pokedex::access=off`).
const TARGET: &str = "pokedex::access";

/// The access log around a router: `router.layer(AccessLogLayer)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessLogLayer;

impl<S> Layer<S> for AccessLogLayer {
    type Service = AccessLog<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AccessLog { inner }
    }
}

/// A service that logs each request it answers.
#[derive(Debug, Clone)]
pub struct AccessLog<S> {
    inner: S,
}

impl<S, In, Out> Service<Request<In>> for AccessLog<S>
where
    S: Service<Request<In>, Response = Response<Out>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Logged<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<In>) -> Self::Future {
        Logged {
            method: request.method().clone(),
            uri: request.uri().clone(),
            started: Instant::now(),
            answering: self.inner.call(request),
        }
    }
}

pin_project! {
    /// A request being answered; its line is written when the response is ready.
    pub struct Logged<F> {
        #[pin]
        answering: F,
        method: Method,
        uri: Uri,
        started: Instant,
    }
}

impl<F, Out, E> Future for Logged<F>
where
    F: Future<Output = Result<Response<Out>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answered = ready!(this.answering.poll(cx));
        if let Ok(response) = &answered {
            log(
                this.method,
                this.uri.path(),
                response.status().as_u16(),
                this.started.elapsed(),
            );
        }
        Poll::Ready(answered)
    }
}

/// Writes the line `GET /all 200 0.143ms`, if the log's filter lets it through.
fn log(method: &Method, path: &str, status: u16, took: Duration) {
    if !tracing::enabled!(target: TARGET, tracing::Level::INFO) {
        return;
    }
    // Rounded to the microsecond, as `{:.3}` rounds milliseconds.
    let micros = u64::try_from((took.as_nanos() + 500) / 1000).unwrap_or(u64::MAX);
    let written = logging::info_line(TARGET, |line| {
        line.extend_from_slice(method.as_str().as_bytes());
        line.push(b' ');
        line.extend_from_slice(path.as_bytes());
        line.push(b' ');
        logging::push_digits(line, u64::from(status), 3);
        line.push(b' ');
        line.extend_from_slice(itoa::Buffer::new().format(micros / 1000).as_bytes());
        line.push(b'.');
        logging::push_digits(line, micros % 1000, 3);
        line.extend_from_slice(b"ms");
    });
    if !written {
        let millis = took.as_secs_f64() * 1000.0;
        tracing::info!(target: TARGET, "{method} {path} {status} {millis:.3}ms");
    }
}
