//! The comparison runs behind the lab's Compare page: one at a time, on the same
//! engine as `pokedex bench`, its progress published for the page's event stream,
//! every run recorded in the database.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime};

use serde::Serialize;
use sqlx::SqlitePool;
use tokio::sync::watch;

use crate::bench::plan::Plan;
use crate::bench::server::Environment;
use crate::bench::{Engine, Event};
use crate::db::compare_runs;

/// Where a run is, as the page's progress bar shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Progress {
    /// The run's number; `None` before any.
    pub run: Option<i64>,
    /// Configurations done.
    pub done: usize,
    /// Configurations in all.
    pub total: usize,
    /// The one being measured.
    pub configuration: String,
    /// From 0 to 1, over the whole run.
    pub fraction: f64,
    /// A guess of the seconds left.
    pub seconds_left: u64,
    /// `running`, `done`, `cancelled` or `failed`.
    pub status: String,
}

/// Why a run could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartRefused {
    /// One runs already.
    #[error("a comparison is already running (run {0}); cancel it or wait for it")]
    Busy(i64),
    /// This server was not started from its binary, which comparisons start again.
    #[error(
        "comparisons start copies of the pokedex binary, and this server does not know where it is"
    )]
    NoBinary,
    /// The run could not be recorded.
    #[error("cannot record the run: {0}")]
    Database(String),
}

/// The runs: the one under way, if any, and its progress.
pub struct Compare {
    binary: Option<PathBuf>,
    redis_url: String,
    db: SqlitePool,
    running: Mutex<Option<(i64, Arc<AtomicBool>)>>,
    progress: watch::Sender<Progress>,
}

impl Compare {
    /// Runs started from `binary`, on the catalogue in `db` and the Redis at
    /// `redis_url`.
    #[must_use]
    pub fn new(binary: Option<PathBuf>, redis_url: String, db: SqlitePool) -> Self {
        Self {
            binary,
            redis_url,
            db,
            running: Mutex::new(None),
            progress: watch::Sender::new(Progress::default()),
        }
    }

    /// Whether runs can start here.
    #[must_use]
    pub fn can_run(&self) -> bool {
        self.binary.is_some()
    }

    /// The progress now, and its changes.
    #[must_use]
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// The run under way, if any.
    #[must_use]
    pub fn running(&self) -> Option<i64> {
        self.slot().as_ref().map(|(id, _)| *id)
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(i64, Arc<AtomicBool>)>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks the run under way to stop; says whether there was one.
    pub fn cancel(&self) -> bool {
        self.slot()
            .as_ref()
            .map(|(_, cancelled)| cancelled.store(true, Ordering::Relaxed))
            .is_some()
    }

    /// Starts a run of `plan` in the background; returns its number.
    pub async fn start(self: &Arc<Self>, plan: Plan) -> Result<i64, StartRefused> {
        let binary = self.binary.clone().ok_or(StartRefused::NoBinary)?;
        if let Some(id) = self.running() {
            return Err(StartRefused::Busy(id));
        }
        let parameters = serde_json::to_string(&plan).unwrap_or_default();
        let started_at = httpdate::fmt_http_date(SystemTime::now());
        let version = env!("CARGO_PKG_VERSION");
        let id = compare_runs::start(&self.db, &started_at, version, &parameters)
            .await
            .map_err(|error| StartRefused::Database(error.to_string()))?;
        let cancelled = Arc::new(AtomicBool::new(false));
        {
            let mut slot = self.slot();
            if let Some((running, _)) = slot.as_ref() {
                return Err(StartRefused::Busy(*running));
            }
            *slot = Some((id, Arc::clone(&cancelled)));
        }
        let environment = Environment {
            binary,
            catalogue: Some(self.db.clone()),
            redis_url: self.redis_url.clone(),
            work_dir: std::env::temp_dir(),
        };
        tokio::spawn(Arc::clone(self).run(id, plan, environment, cancelled));
        Ok(id)
    }

    async fn run(
        self: Arc<Self>,
        id: i64,
        plan: Plan,
        environment: Environment,
        cancelled: Arc<AtomicBool>,
    ) {
        let started = Instant::now();
        let total = plan.configurations.len();
        self.progress.send_replace(Progress {
            run: Some(id),
            total,
            status: "running".to_owned(),
            ..Progress::default()
        });
        let observe = |event: Event<'_>| {
            self.progress.send_modify(|progress| match event {
                Event::Started {
                    index,
                    configuration,
                    ..
                } => {
                    progress.done = index;
                    progress.configuration = configuration.to_string();
                }
                Event::Progress {
                    index, fraction, ..
                } => {
                    #[allow(clippy::cast_precision_loss, reason = "a progress fraction")]
                    let overall = (index as f64 + fraction) / total.max(1) as f64;
                    progress.fraction = overall;
                    let elapsed = started.elapsed().as_secs_f64();
                    #[allow(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "a guess of seconds"
                    )]
                    let left = (elapsed * (1.0 - overall) / overall.max(0.01)) as u64;
                    progress.seconds_left = left;
                }
                Event::Finished { index, .. } => {
                    progress.done = index + 1;
                    #[allow(clippy::cast_precision_loss, reason = "a progress fraction")]
                    let overall = (index + 1) as f64 / total.max(1) as f64;
                    progress.fraction = overall;
                }
            });
        };
        let report = Engine::new(environment)
            .run(&plan, &cancelled, &observe)
            .await;
        let status = if cancelled.load(Ordering::Relaxed) {
            "cancelled"
        } else {
            "done"
        };
        let recorded = compare_runs::finish(&self.db, id, status, Some(&report.json())).await;
        if let Err(error) = &recorded {
            tracing::error!(%error, run = id, "cannot record the comparison's results");
        }
        *self.slot() = None;
        self.progress.send_modify(|progress| {
            progress.status = if recorded.is_ok() {
                status.to_owned()
            } else {
                "failed".to_owned()
            };
            progress.fraction = 1.0;
            progress.seconds_left = 0;
            progress.configuration.clear();
        });
        tracing::info!(run = id, status, "lab: comparison finished");
    }
}
