//! The failure policy's logging: one warning per burst of errors, not one per call.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long after a logged error further errors are only counted.
const BURST: Duration = Duration::from_secs(10);

/// Rate-limits a backend's error warnings.
#[derive(Debug, Default)]
pub struct ErrorLog {
    state: Mutex<Burst>,
}

#[derive(Debug, Default)]
struct Burst {
    last_logged: Option<Instant>,
    suppressed: u64,
}

impl ErrorLog {
    /// Logs `error` from `backend`'s `operation`, unless one was logged in the last
    /// ten seconds; the next warning says how many were held back.
    pub fn record(&self, backend: &str, operation: &str, error: &dyn std::fmt::Display) {
        let mut burst = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if burst
            .last_logged
            .is_some_and(|at| now.duration_since(at) < BURST)
        {
            burst.suppressed += 1;
            return;
        }
        let suppressed = std::mem::take(&mut burst.suppressed);
        burst.last_logged = Some(now);
        drop(burst);
        tracing::warn!(
            backend,
            operation,
            %error,
            suppressed,
            "cache backend failed; serving without it"
        );
    }
}
