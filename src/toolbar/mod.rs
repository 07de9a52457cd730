//! The debug toolbar — Django Debug Toolbar's Timer, Cache, SQL, Headers and
//! Settings panels — shown to internal clients, outside every cache, so it tells the
//! truth about pages served whole from a cache too.

pub mod inject;
pub mod layer;
pub mod panels;
pub mod routes;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::access::Gate;
use crate::cache::strategies::Strategies;
use crate::settings::{Switch, ToolbarSettings};
use panels::Panels;

/// How many requests the history keeps (Django Debug Toolbar's `RESULTS_CACHE_SIZE`
/// is 25; the issue asks for 50).
const HISTORY: usize = 50;

/// The toolbar's settings, its history, and what its Settings panel reads.
pub struct Toolbar {
    enabled: bool,
    gate: Arc<Gate>,
    next_id: AtomicU64,
    history: Mutex<VecDeque<Arc<Panels>>>,
    strategies: Arc<Strategies>,
}

impl Toolbar {
    /// A toolbar as `settings` describe it, shown to the clients `gate` lets in,
    /// reporting on `strategies`.
    #[must_use]
    pub fn new(settings: &ToolbarSettings, gate: Arc<Gate>, strategies: Arc<Strategies>) -> Self {
        Self {
            enabled: settings.show == Switch::On,
            gate,
            next_id: AtomicU64::new(1),
            history: Mutex::new(VecDeque::with_capacity(HISTORY)),
            strategies,
        }
    }

    /// Whether it records anything: `--toolbar off` keeps no history.
    #[must_use]
    pub fn is_on(&self) -> bool {
        self.enabled
    }

    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn remember(&self, panels: Arc<Panels>) {
        let mut history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        if history.len() == HISTORY {
            history.pop_front();
        }
        history.push_back(panels);
    }

    /// The recorded requests, newest first.
    #[must_use]
    pub fn history(&self) -> Vec<Arc<Panels>> {
        let history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        history.iter().rev().cloned().collect()
    }

    /// One recorded request.
    #[must_use]
    pub fn request(&self, id: u64) -> Option<Arc<Panels>> {
        let history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        history
            .iter()
            .find(|panels| panels.request_id == id)
            .cloned()
    }
}
