//! `pokedex bench`: the engine in the terminal — a progress bar per configuration
//! with its requests per second, then a table sorted by requests per second with the
//! speed-up over the baseline, and the results as JSON, CSV or SVG when asked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::plan::{Amount, Asked, Plan};
use super::report::Report;
use super::server::Environment;
use super::{Engine, Event};
use crate::cache::backends::options::DEFAULT_REDIS_LOCATION;
use crate::db;
use crate::settings::{BenchArgs, Settings};

/// Runs `pokedex bench` with the person's `settings` (their catalogue and Redis):
/// exit 2 for a bad flag (nothing started), 1 when a file cannot be written, 130
/// when interrupted.
pub async fn run(args: &BenchArgs, settings: &Settings) -> ExitCode {
    let asked = Asked {
        pages: &args.pages,
        strategies: &args.strategies,
        backends: &args.backends,
        duration: &args.duration,
        requests: args.requests.as_deref(),
        connections: &args.connections,
        warmup: &args.warmup,
    };
    let plan = match asked.plan() {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("pokedex: {error}");
            return ExitCode::from(2);
        }
    };
    let binary = match std::env::current_exe() {
        Ok(binary) => binary,
        Err(error) => {
            eprintln!("pokedex: cannot find this program's binary: {error}");
            return ExitCode::FAILURE;
        }
    };
    let environment = Environment {
        binary,
        catalogue: existing_catalogue(&settings.database.url).await,
        redis_url: settings
            .caches
            .redis
            .location()
            .unwrap_or(DEFAULT_REDIS_LOCATION)
            .to_owned(),
        work_dir: std::env::temp_dir(),
    };
    let cancelled = Arc::new(AtomicBool::new(false));
    let interrupt = Arc::clone(&cancelled);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            interrupt.store(true, Ordering::Relaxed);
        }
    });
    let bars = Bars::new(&plan);
    let report = Engine::new(environment)
        .run(&plan, &cancelled, &|event| bars.show(event))
        .await;
    println!("{}", report.table());
    if let Some(ceiling) = report.client_ceiling {
        println!(
            "Client ceiling: {ceiling:.0} req/s against a trivial page of the same server, with {} connections: \
             figures near it measure the client, not the server.",
            plan.load.connections
        );
    }
    if let Err(error) = write_files(args, &report) {
        eprintln!("pokedex: {error}");
        return ExitCode::FAILURE;
    }
    if cancelled.load(Ordering::Relaxed) {
        eprintln!("pokedex: interrupted; every server it started is stopped");
        return ExitCode::from(130);
    }
    ExitCode::SUCCESS
}

/// The person's catalogue, to copy, if its file exists (never created here).
async fn existing_catalogue(url: &str) -> Option<sqlx::SqlitePool> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if !Path::new(path).exists() {
        return None;
    }
    db::pool::open(url, 1).await.ok()
}

fn write_files(args: &BenchArgs, report: &Report) -> Result<(), String> {
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))
    };
    if let Some(path) = &args.json {
        write(path, report.json())?;
    }
    if let Some(path) = &args.csv {
        write(path, report.csv().map_err(|error| error.to_string())?)?;
    }
    if let Some(path) = &args.svg {
        write(path, report.svg())?;
    }
    Ok(())
}

/// One progress bar per configuration.
struct Bars {
    all: MultiProgress,
    started: Mutex<Vec<ProgressBar>>,
    /// Bar length: seconds for a duration, requests for a count.
    length: u64,
    amount: Amount,
}

impl Bars {
    fn new(plan: &Plan) -> Self {
        let length = match plan.load.amount {
            Amount::Duration(_) => 1000,
            Amount::Requests(requests) => requests,
        };
        Self {
            all: MultiProgress::new(),
            started: Mutex::new(Vec::new()),
            length,
            amount: plan.load.amount,
        }
    }

    fn show(&self, event: Event<'_>) {
        let mut bars = self.started.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            Event::Started { configuration, .. } => {
                let bar = self.all.add(ProgressBar::new(self.length));
                bar.set_style(
                    ProgressStyle::with_template("{prefix:32} [{bar:30}] {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                bar.set_prefix(configuration.to_string());
                bar.set_message("starting its server…");
                bars.push(bar);
            }
            Event::Progress {
                index,
                answered,
                elapsed,
                fraction,
            } => {
                if let Some(bar) = bars.get(index) {
                    #[allow(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "a bar position"
                    )]
                    bar.set_position(match self.amount {
                        Amount::Duration(_) => (fraction * 1000.0) as u64,
                        Amount::Requests(_) => answered,
                    });
                    #[allow(clippy::cast_precision_loss, reason = "a rate for display")]
                    let rate = answered as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
                    bar.set_message(format!("{rate:.0} req/s"));
                }
            }
            Event::Finished { index, result } => {
                if let Some(bar) = bars.get(index) {
                    let message = match &result.skipped {
                        Some(reason) => format!("skipped: {reason}"),
                        None => format!(
                            "{:.0} req/s · p99 {:.2} ms",
                            result.requests_per_second, result.p99_ms
                        ),
                    };
                    bar.finish_with_message(message);
                }
            }
        }
    }
}
