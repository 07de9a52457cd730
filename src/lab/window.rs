//! Every backend's counters over the last minute, from a sample taken each second
//! while the server runs.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::cache::backends::PerBackend;
use crate::cache::stats::StatsSnapshot;

/// The span the lab's "last minute" columns cover.
pub const SPAN: Duration = Duration::from_secs(60);
/// Samples kept: one a second over the span, and one more as its start.
const KEPT: usize = 62;

/// Recent samples of every backend's counters, oldest first.
#[derive(Debug, Default)]
pub struct Window {
    samples: Mutex<VecDeque<(Instant, PerBackend<StatsSnapshot>)>>,
}

impl Window {
    /// Keeps `counters` as they are now.
    pub fn sample(&self, counters: PerBackend<StatsSnapshot>) {
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        if samples.len() == KEPT {
            samples.pop_front();
        }
        samples.push_back((Instant::now(), counters));
    }

    /// How much each counter moved over the last minute — or since the first
    /// sample, when the server has run for less: `now` less the newest sample that
    /// is at least a minute old.
    #[must_use]
    pub fn last_minute(&self, now: &PerBackend<StatsSnapshot>) -> PerBackend<StatsSnapshot> {
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let start = samples
            .iter()
            .rev()
            .find(|(at, _)| at.elapsed() >= SPAN)
            .or_else(|| samples.front())
            .map(|(_, counters)| counters.clone())
            .unwrap_or_default();
        PerBackend {
            memory: now.memory.since(&start.memory),
            file: now.file.since(&start.file),
            database: now.database.since(&start.database),
            redis: now.redis.since(&start.redis),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(hits: u64) -> PerBackend<StatsSnapshot> {
        PerBackend {
            memory: StatsSnapshot {
                hits,
                ..StatsSnapshot::default()
            },
            ..PerBackend::default()
        }
    }

    #[test]
    fn the_last_minute_counts_from_the_oldest_sample_until_a_minute_has_passed() {
        let window = Window::default();
        assert_eq!(
            window.last_minute(&hits(5)).memory.hits,
            5,
            "no sample: since start"
        );
        window.sample(hits(2));
        window.sample(hits(3));
        assert_eq!(window.last_minute(&hits(10)).memory.hits, 8);
    }
}
