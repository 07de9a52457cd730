//! Stampede protection: when many requests miss the same key at once, one computes
//! (it leads the flight) and hands its result to the others, who never compute it
//! again — even when storing it fails or stalls. A leader that takes longer than
//! the bound, or goes away, releases its waiters to compute on their own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// Generations are kept per stripe of keys: enough that unrelated keys rarely share
/// one, few enough to cost nothing.
const STRIPES: usize = 64;

/// The flights under way for values of type `V`.
#[derive(Debug)]
pub struct Flights<V> {
    in_flight: Mutex<HashMap<String, Boarding<V>>>,
    /// Bumped whenever a flight of a key in the stripe ends, so a request can tell
    /// that one ended between its lookup and its turn (and look again).
    landed: [AtomicU64; STRIPES],
    /// The last flight of each stripe that ended with a value: a request that missed
    /// that flight by a hair takes its value too (storing it may have failed).
    last: [Mutex<Option<Ended<V>>>; STRIPES],
    max_wait: Duration,
}

/// A flight that ended with a value.
#[derive(Debug)]
struct Ended<V> {
    key: String,
    /// The stripe's generation once it ended.
    generation: u64,
    landing: watch::Receiver<Landing<V>>,
}

/// What a waiter needs to join a flight.
#[derive(Debug)]
struct Boarding<V> {
    started: Instant,
    landing: watch::Receiver<Landing<V>>,
}

/// What a flight came to, as its waiters see it.
#[derive(Debug, Clone)]
enum Landing<V> {
    Pending,
    Value(V),
    Unshareable,
}

/// A request's place before it looks a key up: which stripe, at which generation.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    stripe: usize,
    generation: u64,
}

/// What a request does after its lookup missed.
pub enum Turn<'a, V> {
    /// It computes; others wait for its [`Lead::land`].
    Lead(Lead<'a, V>),
    /// Another request computes; wait for it.
    Wait(Wait<V>),
    /// A flight of this key ended after the lookup, with this value.
    Landed(V),
    /// A flight of a key of this stripe ended after the lookup: the value may be
    /// stored now.
    LookAgain,
}

/// Held by the request computing a key; dropping it ends the flight.
pub struct Lead<'a, V> {
    flights: &'a Flights<V>,
    key: String,
    stripe: usize,
    landing: watch::Sender<Landing<V>>,
}

/// A place in another request's flight.
pub struct Wait<V> {
    deadline: Instant,
    landing: watch::Receiver<Landing<V>>,
}

/// What a waiter got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handed<V> {
    /// The leader's value.
    Value(V),
    /// The leader's result may not be shared (not storable): compute your own.
    Unshareable,
    /// The leader went away without a result (cancelled, or failed).
    Abandoned,
    /// The leader ran past the bound ([`Flights::max_wait`]).
    TimedOut,
}

impl<V: Clone> Flights<V> {
    /// No flights; waiters wait at most `max_wait` from the start of a flight.
    #[must_use]
    pub fn new(max_wait: Duration) -> Self {
        Self {
            in_flight: Mutex::new(HashMap::new()),
            landed: std::array::from_fn(|_| AtomicU64::new(0)),
            last: std::array::from_fn(|_| Mutex::new(None)),
            max_wait,
        }
    }

    /// Taken before looking `key` up, so that [`Flights::turn`] can tell whether a
    /// flight of it ended meanwhile.
    #[must_use]
    pub fn ticket(&self, key: &str) -> Ticket {
        let stripe = stripe_of(key);
        Ticket {
            stripe,
            generation: self.landed[stripe].load(Ordering::Acquire),
        }
    }

    /// Leads the flight of `key`, joins the one under way, or — when one ended since
    /// `ticket` was taken — says to look again.
    pub fn turn(&self, ticket: Ticket, key: &str) -> Turn<'_, V> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(boarding) = in_flight.get(key) {
            return Turn::Wait(Wait {
                deadline: boarding.started + self.max_wait,
                landing: boarding.landing.clone(),
            });
        }
        if self.landed[ticket.stripe].load(Ordering::Acquire) != ticket.generation {
            let last = self.last[ticket.stripe]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            return match &*last {
                Some(ended) if ended.key == key && ended.generation > ticket.generation => {
                    match &*ended.landing.borrow() {
                        Landing::Value(value) => Turn::Landed(value.clone()),
                        Landing::Pending | Landing::Unshareable => Turn::LookAgain,
                    }
                }
                _ => Turn::LookAgain,
            };
        }
        let (landing, receiver) = watch::channel(Landing::Pending);
        in_flight.insert(
            key.to_owned(),
            Boarding {
                started: Instant::now(),
                landing: receiver,
            },
        );
        Turn::Lead(Lead {
            flights: self,
            key: key.to_owned(),
            stripe: ticket.stripe,
            landing,
        })
    }

    /// The bound on a flight.
    #[must_use]
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }
}

impl<V> Lead<'_, V> {
    /// Hands the result to every waiter, present and arriving until the lead is
    /// dropped; `None` when it may not be shared.
    pub fn land(&self, value: Option<V>) {
        self.landing.send_replace(match value {
            Some(value) => Landing::Value(value),
            None => Landing::Unshareable,
        });
    }
}

impl<V> Drop for Lead<'_, V> {
    fn drop(&mut self) {
        let mut in_flight = self
            .flights
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        in_flight.remove(&self.key);
        let generation = self.flights.landed[self.stripe].fetch_add(1, Ordering::Release) + 1;
        if matches!(*self.landing.borrow(), Landing::Value(_)) {
            *self.flights.last[self.stripe]
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Ended {
                key: std::mem::take(&mut self.key),
                generation,
                landing: self.landing.subscribe(),
            });
        }
    }
}

impl<V: Clone> Wait<V> {
    /// Waits for the leader's result, until the flight's deadline.
    pub async fn landing(mut self) -> Handed<V> {
        let deadline = self.deadline;
        let landed = self
            .landing
            .wait_for(|landing| !matches!(landing, Landing::Pending));
        match tokio::time::timeout_at(deadline, landed).await {
            Err(_) => Handed::TimedOut,
            Ok(Err(_)) => Handed::Abandoned,
            Ok(Ok(landing)) => match &*landing {
                Landing::Value(value) => Handed::Value(value.clone()),
                Landing::Unshareable => Handed::Unshareable,
                Landing::Pending => Handed::Abandoned,
            },
        }
    }
}

fn stripe_of(key: &str) -> usize {
    let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
    usize::try_from(hash % STRIPES as u64).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicU32;

    use super::*;

    fn flights() -> Arc<Flights<u32>> {
        Arc::new(Flights::new(Duration::from_secs(10)))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifty_callers_of_one_key_compute_once_and_share_the_result() {
        let flights = flights();
        let computed = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (flights, computed) = (Arc::clone(&flights), Arc::clone(&computed));
                tokio::spawn(async move {
                    let ticket = flights.ticket("k");
                    match flights.turn(ticket, "k") {
                        Turn::Lead(lead) => {
                            computed.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            lead.land(Some(42));
                            42
                        }
                        Turn::Wait(wait) => match wait.landing().await {
                            Handed::Value(value) => value,
                            other => panic!("{other:?}"),
                        },
                        Turn::Landed(_) | Turn::LookAgain => panic!("no flight ended"),
                    }
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), 42);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        assert!(flights.in_flight.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_flight_that_ended_after_the_ticket_hands_its_value_or_says_look_again() {
        let flights = flights();
        let late = flights.ticket("k");
        let Turn::Lead(lead) = flights.turn(flights.ticket("k"), "k") else {
            panic!("first");
        };
        lead.land(Some(1));
        drop(lead);
        assert!(
            matches!(flights.turn(late, "k"), Turn::Landed(1)),
            "its value"
        );
        let neighbour = (0..10_000)
            .map(|i| format!("other{i}"))
            .find(|key| stripe_of(key) == stripe_of("k"))
            .unwrap();
        let Turn::Lead(other) = flights.turn(flights.ticket(&neighbour), &neighbour) else {
            panic!("another key");
        };
        other.land(Some(2));
        drop(other);
        assert!(
            matches!(flights.turn(late, "k"), Turn::LookAgain),
            "another flight ended since: look again"
        );
        assert!(matches!(
            flights.turn(flights.ticket("k"), "k"),
            Turn::Lead(_)
        ));
    }

    #[tokio::test]
    async fn waiters_are_released_when_the_leader_overruns_the_bound() {
        let flights = Arc::new(Flights::<u32>::new(Duration::from_millis(50)));
        let Turn::Lead(_lead) = flights.turn(flights.ticket("k"), "k") else {
            panic!("first");
        };
        let Turn::Wait(wait) = flights.turn(flights.ticket("k"), "k") else {
            panic!("second");
        };
        assert_eq!(wait.landing().await, Handed::TimedOut);
    }

    #[tokio::test]
    async fn waiters_are_released_when_the_leader_goes_away_without_a_result() {
        let flights = flights();
        let Turn::Lead(lead) = flights.turn(flights.ticket("k"), "k") else {
            panic!("first");
        };
        let Turn::Wait(wait) = flights.turn(flights.ticket("k"), "k") else {
            panic!("second");
        };
        drop(lead);
        assert_eq!(wait.landing().await, Handed::Abandoned);
    }

    #[tokio::test]
    async fn an_unshareable_result_sends_waiters_to_compute_their_own() {
        let flights = flights();
        let Turn::Lead(lead) = flights.turn(flights.ticket("k"), "k") else {
            panic!("first");
        };
        let Turn::Wait(wait) = flights.turn(flights.ticket("k"), "k") else {
            panic!("second");
        };
        lead.land(None);
        assert_eq!(wait.landing().await, Handed::Unshareable);
    }
}
