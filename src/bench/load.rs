//! The load: keep-alive connections, each with one request in flight, for a time or
//! a number of requests, every latency kept in an HDR histogram; transport errors
//! and non-2xx answers counted apart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Empty};
use hyper::Uri;
use hyper::header::HeaderValue;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::plan::Amount;
use super::server::TOKEN_HEADER;

/// The client every measurement uses.
pub type HttpClient = Client<HttpConnector, Empty<Bytes>>;

/// A client keeping up to `connections` connections alive to a host.
#[must_use]
pub fn client(connections: usize) -> HttpClient {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(connections)
        .build_http()
}

/// What one load measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Requests that got an answer (2xx or not).
    pub answered: u64,
    /// Answers that were 2xx.
    pub successes: u64,
    /// Requests that got no answer (refused, reset, timed out).
    pub transport_errors: u64,
    /// Answers that were not 2xx.
    pub status_errors: u64,
    /// Body bytes of the 2xx answers.
    pub bytes: u64,
    /// How long it took.
    pub elapsed: Duration,
    /// Every answered request's latency, in microseconds.
    pub latencies: Histogram<u64>,
}

impl Measured {
    /// No request yet.
    fn nothing() -> Self {
        Self {
            answered: 0,
            successes: 0,
            transport_errors: 0,
            status_errors: 0,
            bytes: 0,
            elapsed: Duration::ZERO,
            latencies: histogram(),
        }
    }

    /// Answered requests per second.
    #[must_use]
    pub fn requests_per_second(&self) -> f64 {
        #[allow(clippy::cast_precision_loss, reason = "a rate for display")]
        let answered = self.answered as f64;
        answered / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// What every connection's task shares.
struct Shared {
    client: HttpClient,
    uri: Uri,
    token: HeaderValue,
    amount: Amount,
    started: Instant,
    issued: AtomicU64,
    done: AtomicU64,
    cancelled: Arc<AtomicBool>,
}

/// Drives `uri` with `connections` connections for `amount`, calling `progress`
/// with the requests answered so far about four times a second; stops early when
/// `cancelled` is set.
pub async fn drive(
    client: &HttpClient,
    uri: Uri,
    token: &str,
    connections: usize,
    amount: Amount,
    cancelled: Arc<AtomicBool>,
    progress: &(dyn Fn(u64, Duration) + Sync),
) -> Measured {
    let shared = Arc::new(Shared {
        client: client.clone(),
        uri,
        token: HeaderValue::from_str(token).unwrap_or(HeaderValue::from_static("")),
        amount,
        started: Instant::now(),
        issued: AtomicU64::new(0),
        done: AtomicU64::new(0),
        cancelled,
    });
    let tasks: Vec<_> = (0..connections.max(1))
        .map(|_| tokio::spawn(connection(Arc::clone(&shared))))
        .collect();
    let mut ticks = tokio::time::interval(Duration::from_millis(250));
    while !tasks.iter().all(tokio::task::JoinHandle::is_finished) {
        ticks.tick().await;
        progress(
            shared.done.load(Ordering::Relaxed),
            shared.started.elapsed(),
        );
    }
    let elapsed = shared.started.elapsed();
    let mut measured = Measured::nothing();
    for task in tasks {
        if let Ok(part) = task.await {
            measured.answered += part.answered;
            measured.successes += part.successes;
            measured.transport_errors += part.transport_errors;
            measured.status_errors += part.status_errors;
            measured.bytes += part.bytes;
            let _ = measured.latencies.add(&part.latencies);
        }
    }
    measured.elapsed = elapsed;
    progress(measured.answered, elapsed);
    measured
}

/// One connection's loop: a request, its answer read whole, the next.
async fn connection(shared: Arc<Shared>) -> Measured {
    let mut measured = Measured::nothing();
    while more(&shared) {
        let mut request = hyper::Request::get(shared.uri.clone())
            .body(Empty::<Bytes>::new())
            .unwrap_or_default();
        request
            .headers_mut()
            .insert(TOKEN_HEADER, shared.token.clone());
        let sent = Instant::now();
        let Ok(response) = shared.client.request(request).await else {
            measured.transport_errors += 1;
            continue;
        };
        let ok = response.status().is_success();
        let answer = body_length(response.into_body())
            .await
            .map(|bytes| (ok, bytes));
        match answer {
            Ok((ok, bytes)) => {
                let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                let _ = measured.latencies.record(micros.max(1));
                measured.answered += 1;
                if ok {
                    measured.successes += 1;
                    measured.bytes += bytes;
                } else {
                    measured.status_errors += 1;
                }
                shared.done.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => measured.transport_errors += 1,
        }
    }
    measured
}

/// Reads a body to its end, counting its bytes without keeping them: the client
/// must cost as little as it can, or it measures itself.
async fn body_length(mut body: hyper::body::Incoming) -> Result<u64, hyper::Error> {
    let mut length = 0;
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            length += data.len() as u64;
        }
    }
    Ok(length)
}

/// Whether another request is due.
fn more(shared: &Shared) -> bool {
    if shared.cancelled.load(Ordering::Relaxed) {
        return false;
    }
    match shared.amount {
        Amount::Duration(duration) => shared.started.elapsed() < duration,
        Amount::Requests(requests) => shared.issued.fetch_add(1, Ordering::Relaxed) < requests,
    }
}

/// A histogram of microseconds, from 1 µs to an hour, to three significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("constant bounds that are valid")
}
