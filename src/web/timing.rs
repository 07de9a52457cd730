//! The navbar's response time: the view's own processing time, as the tutorial shows.

use std::fmt;
use std::time::{Duration, Instant};

/// Started at the top of a handler and stopped just before rendering, like the
/// tutorial's pair of `time.time()` calls.
#[derive(Debug, Clone, Copy)]
pub struct ViewTimer(Instant);

impl ViewTimer {
    /// Starts timing the view.
    #[must_use]
    pub fn start() -> Self {
        Self(Instant::now())
    }

    /// The time since [`ViewTimer::start`], ready for the navbar.
    #[must_use]
    pub fn stop(self) -> Option<ResponseTime> {
        let elapsed = self.0.elapsed();
        crate::record::view_time(elapsed);
        Some(ResponseTime(elapsed))
    }
}

/// A view's processing time, shown in seconds with nanosecond digits
/// (`0.000412318`), so that two fast uncached views never look alike by accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseTime(pub Duration);

impl fmt::Display for ResponseTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.0.as_secs(), self.0.subsec_nanos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_seconds_with_nine_digits() {
        let time = ResponseTime(Duration::from_nanos(412_318));
        assert_eq!(time.to_string(), "0.000412318");
        let time = ResponseTime(Duration::new(2, 5));
        assert_eq!(time.to_string(), "2.000000005");
    }
}
