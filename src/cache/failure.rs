//! The failure policy's logging: one warning per burst of failures, not one per call.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long after a logged warning further ones are only counted.
const BURST: Duration = Duration::from_secs(10);

/// Rate-limits one kind of warning.
#[derive(Debug, Default)]
pub struct BurstLog {
    state: Mutex<Burst>,
}

#[derive(Debug, Default)]
struct Burst {
    last_logged: Option<Instant>,
    suppressed: u64,
}

impl BurstLog {
    /// Calls `warn` with the number of warnings held back since the last one, unless
    /// one was logged in the last ten seconds (then it only counts this one).
    pub fn warn(&self, warn: impl FnOnce(u64)) {
        let mut burst = self.state.lock().unwrap_or_else(PoisonError::into_inner);
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
        warn(suppressed);
    }
}
