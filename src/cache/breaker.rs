//! A circuit breaker: after a few failures in a row a backend is skipped for a
//! back-off period, then one request probes it; a success closes the circuit, a
//! failure opens it again for twice as long (up to a ceiling). A failing backend
//! then costs a request nothing, where waiting out its timeout on every call would
//! make the cache slower than no cache.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures in a row that open the circuit.
pub const FAILURES_TO_OPEN: u32 = 3;
/// The first back-off.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest back-off.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Whether a call may go to the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The circuit is closed: go ahead.
    Go,
    /// The circuit is half open and this call is the one probe.
    Probe,
    /// The circuit is open: skip the backend for about this long still.
    Skip(Duration),
}

/// One backend's circuit.
#[derive(Debug)]
pub struct Breaker {
    state: Mutex<State>,
    /// A probe that has not reported back after this long is taken as lost (its
    /// request was cancelled), and another may start.
    probe_lost_after: Duration,
}

#[derive(Debug)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
    backoff: Duration,
    probe_started: Option<Instant>,
}

impl Breaker {
    /// A closed circuit whose probes report back within `probe_lost_after`.
    #[must_use]
    pub fn new(probe_lost_after: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                failures: 0,
                open_until: None,
                backoff: FIRST_BACKOFF,
                probe_started: None,
            }),
            probe_lost_after,
        }
    }

    /// Whether a call made now may go to the backend.
    pub fn admit(&self) -> Admission {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Admission {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(open_until) = state.open_until else {
            return Admission::Go;
        };
        if now < open_until {
            return Admission::Skip(open_until - now);
        }
        let probing = state
            .probe_started
            .is_some_and(|started| now.duration_since(started) < self.probe_lost_after);
        if probing {
            return Admission::Skip(self.probe_lost_after);
        }
        state.probe_started = Some(now);
        Admission::Probe
    }

    /// Reports how an admitted call went.
    pub fn record(&self, succeeded: bool) {
        self.record_at(succeeded, Instant::now());
    }

    fn record_at(&self, succeeded: bool, now: Instant) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if succeeded {
            *state = State {
                failures: 0,
                open_until: None,
                backoff: FIRST_BACKOFF,
                probe_started: None,
            };
            return;
        }
        state.failures = state.failures.saturating_add(1);
        if state.probe_started.take().is_some() {
            state.backoff = (state.backoff * 2).min(MAX_BACKOFF);
            state.open_until = Some(now + state.backoff);
        } else if state.open_until.is_none() && state.failures >= FAILURES_TO_OPEN {
            state.open_until = Some(now + state.backoff);
        }
    }

    /// Whether the circuit is open now: calls are skipped, but for a probe.
    #[must_use]
    pub fn is_open(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.open_until.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOST: Duration = Duration::from_millis(500);

    #[test]
    fn three_failures_in_a_row_open_the_circuit_for_the_backoff() {
        let breaker = Breaker::new(LOST);
        let t0 = Instant::now();
        for _ in 0..FAILURES_TO_OPEN - 1 {
            assert_eq!(breaker.admit_at(t0), Admission::Go);
            breaker.record_at(false, t0);
        }
        breaker.record_at(true, t0);
        breaker.record_at(false, t0);
        assert_eq!(
            breaker.admit_at(t0),
            Admission::Go,
            "a success reset the count"
        );
        for _ in 0..FAILURES_TO_OPEN {
            breaker.record_at(false, t0);
        }
        assert!(breaker.is_open());
        assert_eq!(breaker.admit_at(t0), Admission::Skip(FIRST_BACKOFF));
    }

    #[test]
    fn after_the_backoff_one_probe_goes_and_its_result_decides() {
        let breaker = Breaker::new(LOST);
        let t0 = Instant::now();
        for _ in 0..FAILURES_TO_OPEN {
            breaker.record_at(false, t0);
        }
        let later = t0 + FIRST_BACKOFF;
        assert_eq!(breaker.admit_at(later), Admission::Probe);
        assert!(
            matches!(breaker.admit_at(later), Admission::Skip(_)),
            "one probe at a time"
        );
        breaker.record_at(false, later);
        assert_eq!(
            breaker.admit_at(later + FIRST_BACKOFF),
            Admission::Skip(FIRST_BACKOFF),
            "a failed probe doubles the back-off"
        );
        let again = later + FIRST_BACKOFF * 2;
        assert_eq!(breaker.admit_at(again), Admission::Probe);
        breaker.record_at(true, again);
        assert!(!breaker.is_open());
        assert_eq!(breaker.admit_at(again), Admission::Go);
    }

    #[test]
    fn a_lost_probe_lets_another_probe_and_the_backoff_has_a_ceiling() {
        let breaker = Breaker::new(LOST);
        let mut now = Instant::now();
        for _ in 0..FAILURES_TO_OPEN {
            breaker.record_at(false, now);
        }
        for _ in 0..10 {
            now += MAX_BACKOFF;
            assert_eq!(breaker.admit_at(now), Admission::Probe);
            breaker.record_at(false, now);
        }
        assert_eq!(breaker.admit_at(now), Admission::Skip(MAX_BACKOFF));
        now += MAX_BACKOFF;
        assert_eq!(breaker.admit_at(now), Admission::Probe);
        assert_eq!(
            breaker.admit_at(now + LOST),
            Admission::Probe,
            "the first probe never reported back"
        );
    }
}
