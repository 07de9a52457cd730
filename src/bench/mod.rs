//! The measuring engine behind `pokedex bench` and the lab's Compare page: each
//! configuration on an isolated server of its own ([`server`]), warmed, then loaded
//! by a real HTTP client ([`load`]); figures read from the client and from the
//! server's own counters ([`counters`]); results in every form ([`report`]).

pub mod cli;
pub mod counters;
pub mod load;
pub mod plan;
pub mod report;
pub mod server;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hyper::Uri;

use counters::Counters;
use load::{HttpClient, Measured};
use plan::{Amount, Configuration, Plan};
use report::{Report, RunResult};
use server::{Environment, Isolated, TOKEN_HEADER};

/// The longest the client's ceiling is measured.
const CEILING_FOR: Duration = Duration::from_secs(1);

/// What the engine is doing, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// Configuration `index` (of `total`) starts.
    Started {
        /// Its place, from 0.
        index: usize,
        /// How many there are.
        total: usize,
        /// Which.
        configuration: &'a Configuration,
    },
    /// The one running has answered `answered` requests in `elapsed`, `fraction` of
    /// what it will.
    Progress {
        /// Its place.
        index: usize,
        /// Requests answered so far.
        answered: u64,
        /// Time measured so far.
        elapsed: Duration,
        /// From 0 to 1.
        fraction: f64,
    },
    /// It is done.
    Finished {
        /// Its place.
        index: usize,
        /// What it measured, or why it was skipped.
        result: &'a RunResult,
    },
}

/// Runs plans, one configuration after another.
pub struct Engine {
    environment: Environment,
}

impl Engine {
    /// An engine starting servers as `environment` says.
    #[must_use]
    pub fn new(environment: Environment) -> Self {
        Self { environment }
    }

    /// Measures every configuration of `plan`, telling `observe` as it goes; stops
    /// early, with what it has, when `cancelled` is set. A configuration whose server
    /// cannot start, or whose backend does not answer, is reported as skipped with the
    /// reason. Every server it started is stopped and its files removed before it
    /// returns; it sends requests to none but those.
    pub async fn run(
        &self,
        plan: &Plan,
        cancelled: &Arc<AtomicBool>,
        observe: &(dyn Fn(Event<'_>) + Sync),
    ) -> Report {
        let client = load::client(plan.load.connections);
        let total = plan.configurations.len();
        let mut report = Report {
            results: Vec::with_capacity(total),
            client_ceiling: None,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        for (index, configuration) in plan.configurations.iter().enumerate() {
            if cancelled.load(Ordering::Relaxed) {
                break;
            }
            observe(Event::Started {
                index,
                total,
                configuration,
            });
            let measured = self
                .measure(&client, plan, index, configuration, cancelled, observe)
                .await;
            let result = match measured {
                // Interrupted before its first measured request: no figure to tell.
                Ok((result, _)) if result.requests == 0 && cancelled.load(Ordering::Relaxed) => {
                    break;
                }
                Ok((result, ceiling)) => {
                    report.client_ceiling = report.client_ceiling.or(ceiling);
                    result
                }
                Err(reason) => skipped_result(configuration, reason),
            };
            report.results.push(result);
            observe(Event::Finished {
                index,
                result: &report.results[index],
            });
        }
        speedups(&mut report.results);
        report
    }

    /// One configuration on a server of its own: warm, count, load, count; and, on
    /// the first, the client's ceiling.
    async fn measure(
        &self,
        client: &HttpClient,
        plan: &Plan,
        index: usize,
        configuration: &Configuration,
        cancelled: &Arc<AtomicBool>,
        observe: &(dyn Fn(Event<'_>) + Sync),
    ) -> Result<(RunResult, Option<f64>), String> {
        let server = Isolated::start(&self.environment, configuration).await?;
        let page = uri(&server, &configuration.page)?;
        let connections = plan.load.connections;
        let token = server.token().to_owned();
        let quiet = |_: u64, _: Duration| {};
        load::drive(
            client,
            page.clone(),
            &token,
            connections,
            plan.load.warmup,
            Arc::clone(cancelled),
            &quiet,
        )
        .await;
        let before = counters(client, &server).await;
        let amount = plan.load.amount;
        let report = |answered: u64, elapsed: Duration| {
            observe(Event::Progress {
                index,
                answered,
                elapsed,
                fraction: fraction(amount, answered, elapsed),
            });
        };
        let measured = load::drive(
            client,
            page,
            &token,
            connections,
            amount,
            Arc::clone(cancelled),
            &report,
        )
        .await;
        let after = counters(client, &server).await;
        // An interrupted run has no ceiling to tell: a few requests would understate it.
        let ceiling = if index == 0 && !cancelled.load(Ordering::Relaxed) {
            let ping = uri(&server, "/__bench__/ping")?;
            let amount = match amount {
                Amount::Duration(duration) => Amount::Duration(duration.min(CEILING_FOR)),
                requests @ Amount::Requests(_) => requests,
            };
            let measured = load::drive(
                client,
                ping,
                &token,
                connections,
                amount,
                Arc::clone(cancelled),
                &quiet,
            )
            .await;
            (!cancelled.load(Ordering::Relaxed) && measured.successes > 0)
                .then(|| measured.requests_per_second())
        } else {
            None
        };
        server.stop().await;
        let moved = match (before, after) {
            (Ok(before), Ok(after)) => after.since(before),
            (Err(error), _) | (_, Err(error)) => return Err(error),
        };
        Ok((result_of(configuration, &measured, moved), ceiling))
    }
}

/// The URL of `path` on `server`.
fn uri(server: &Isolated, path: &str) -> Result<Uri, String> {
    format!("http://{}{path}", server.addr())
        .parse()
        .map_err(|error| format!("cannot request {path}: {error}"))
}

/// The server's counters now.
async fn counters(client: &HttpClient, server: &Isolated) -> Result<Counters, String> {
    use http_body_util::BodyExt;
    let mut request = hyper::Request::get(uri(server, "/__bench__/counters")?)
        .body(http_body_util::Empty::new())
        .map_err(|error| error.to_string())?;
    let token =
        hyper::header::HeaderValue::from_str(server.token()).map_err(|error| error.to_string())?;
    request.headers_mut().insert(TOKEN_HEADER, token);
    let response = client
        .request(request)
        .await
        .map_err(|error| format!("cannot read the server's counters: {error}"))?;
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|error| format!("cannot read the server's counters: {error}"))?
        .to_bytes();
    serde_json::from_slice(&body)
        .map_err(|error| format!("cannot read the server's counters: {error}"))
}

/// How far along a load is.
fn fraction(amount: Amount, answered: u64, elapsed: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "a progress fraction")]
    let done = match amount {
        Amount::Duration(duration) => elapsed.as_secs_f64() / duration.as_secs_f64(),
        Amount::Requests(requests) => answered as f64 / requests.max(1) as f64,
    };
    done.clamp(0.0, 1.0)
}

/// What `measured` and the server's counters say of `configuration`.
fn result_of(configuration: &Configuration, measured: &Measured, moved: Counters) -> RunResult {
    #[allow(clippy::cast_precision_loss, reason = "latencies for display")]
    let millis = |quantile: f64| measured.latencies.value_at_quantile(quantile) as f64 / 1000.0;
    #[allow(clippy::cast_precision_loss, reason = "figures for display")]
    let (answered, ok, lookups) = (
        measured.answered as f64,
        measured.successes as f64,
        (moved.hits + moved.misses) as f64,
    );
    #[allow(clippy::cast_precision_loss, reason = "figures for display")]
    RunResult {
        requests_per_second: measured.requests_per_second(),
        p50_ms: millis(0.50),
        p90_ms: millis(0.90),
        p99_ms: millis(0.99),
        max_ms: measured.latencies.max() as f64 / 1000.0,
        requests: measured.answered + measured.transport_errors,
        successes: measured.successes,
        errors: measured.transport_errors + measured.status_errors,
        transport_errors: measured.transport_errors,
        status_errors: measured.status_errors,
        bytes_per_response: if ok > 0.0 {
            measured.bytes as f64 / ok
        } else {
            0.0
        },
        sql_per_request: if answered > 0.0 {
            moved.statements as f64 / answered
        } else {
            0.0
        },
        hit_ratio: (lookups > 0.0).then(|| moved.hits as f64 / lookups),
        ..unmeasured(configuration, None)
    }
}

fn skipped_result(configuration: &Configuration, reason: String) -> RunResult {
    unmeasured(configuration, Some(reason))
}

/// `configuration` with every figure at zero.
fn unmeasured(configuration: &Configuration, skipped: Option<String>) -> RunResult {
    RunResult {
        page: configuration.page.clone(),
        strategy: configuration.strategy_name(),
        backend: configuration
            .backend
            .map(|backend| backend.name().to_owned()),
        requests_per_second: 0.0,
        p50_ms: 0.0,
        p90_ms: 0.0,
        p99_ms: 0.0,
        max_ms: 0.0,
        requests: 0,
        successes: 0,
        errors: 0,
        transport_errors: 0,
        status_errors: 0,
        bytes_per_response: 0.0,
        sql_per_request: 0.0,
        hit_ratio: None,
        speedup: None,
        skipped,
    }
}

/// Each result's speed over its page's baseline.
fn speedups(results: &mut [RunResult]) {
    let baselines: Vec<(String, f64)> = results
        .iter()
        .filter(|r| r.is_baseline() && r.skipped.is_none())
        .map(|r| (r.page.clone(), r.requests_per_second))
        .collect();
    for result in results
        .iter_mut()
        .filter(|r| !r.is_baseline() && r.skipped.is_none())
    {
        result.speedup = baselines
            .iter()
            .find(|(page, _)| *page == result.page)
            .filter(|(_, baseline)| *baseline > 0.0)
            .map(|(_, baseline)| result.requests_per_second / baseline);
    }
}
