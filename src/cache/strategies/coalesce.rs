//! Stampede protection: when many requests miss the same key at once, one computes
//! and the others wait for it, then read what it stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedRwLockWriteGuard, RwLock};

/// The keys being computed right now.
#[derive(Debug, Default)]
pub struct Coalescer {
    in_flight: Mutex<HashMap<String, Arc<RwLock<()>>>>,
}

/// A request's turn for a key.
pub enum Turn<'a> {
    /// This request computes; others wait until the guard is dropped.
    Lead(LeadGuard<'a>),
    /// Another request computed while this one waited: look the key up again.
    Waited,
}

/// Held by the one request computing a key.
pub struct LeadGuard<'a> {
    coalescer: &'a Coalescer,
    key: String,
    _computing: OwnedRwLockWriteGuard<()>,
}

impl Drop for LeadGuard<'_> {
    fn drop(&mut self) {
        // Forget the key before releasing the waiters, so a late arrival either
        // finds the stored value or leads a computation of its own.
        let mut in_flight = self
            .coalescer
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        in_flight.remove(&self.key);
    }
}

impl Coalescer {
    /// Leads the computation of `key`, or waits for the one under way.
    ///
    /// # Panics
    ///
    /// Never: the lock it write-locks at once is one it has just created.
    pub async fn turn(&self, key: &str) -> Turn<'_> {
        let running = {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(running) = in_flight.get(key) {
                Arc::clone(running)
            } else {
                let lock = Arc::new(RwLock::new(()));
                let computing = Arc::clone(&lock)
                    .try_write_owned()
                    .expect("a new lock is free");
                in_flight.insert(key.to_owned(), lock);
                return Turn::Lead(LeadGuard {
                    coalescer: self,
                    key: key.to_owned(),
                    _computing: computing,
                });
            }
        };
        drop(running.read().await);
        Turn::Waited
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifty_callers_of_one_key_compute_once() {
        let coalescer = Arc::new(Coalescer::default());
        let computed = Arc::new(AtomicU32::new(0));
        let stored = Arc::new(Mutex::new(None::<u32>));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (coalescer, computed, stored) = (
                    Arc::clone(&coalescer),
                    Arc::clone(&computed),
                    Arc::clone(&stored),
                );
                tokio::spawn(async move {
                    loop {
                        if let Some(value) = *stored.lock().unwrap() {
                            return value;
                        }
                        if let Turn::Lead(_guard) = coalescer.turn("k").await
                            && stored.lock().unwrap().is_none()
                        {
                            {
                                computed.fetch_add(1, Ordering::SeqCst);
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                *stored.lock().unwrap() = Some(42);
                            }
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), 42);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        assert!(coalescer.in_flight.lock().unwrap().is_empty());
    }
}
