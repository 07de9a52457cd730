//! The one get-or-compute path every strategy takes — the per-site and per-view page
//! caches and the template fragments alike: choose the backend, look up, coalesce,
//! compute, store, and say what became of each item.

use std::future::Future;

use bytes::Bytes;

use super::Strategies;
use super::flight::{Flights, Handed, Lead, Turn};
use super::settings::StrategySettings;
use crate::cache::codec::Packing;
use crate::cache::{Cache, Timeout};
use crate::record;

/// What a strategy caches, as the path needs to know it: one or more items, each
/// under its own key.
pub trait Cacheable: Sync {
    /// What is stored for an item and handed to requests that waited for it.
    type Value: Clone + Send + Sync + 'static;

    /// The flights of values of this kind.
    fn flights<'s>(&self, strategies: &'s Strategies) -> &'s Flights<Self::Value>;

    /// Each item's key (unprefixed), in item order.
    fn keys(&self) -> &[String];

    /// Looks `items` up in `cache`: one answer per item, in the same order.
    fn lookup(
        &self,
        cache: &Cache,
        items: &[usize],
    ) -> impl Future<Output = Vec<Option<Self::Value>>> + Send;

    /// Whether a value another request computed for `item`'s key is this request's
    /// too (a page that varies on a header another client sent differently is not).
    fn fits(&self, item: usize, value: &Self::Value) -> bool {
        let _ = (item, value);
        true
    }
}

/// One item as computed.
pub struct Computed<V, O> {
    /// What the caller gets.
    pub output: O,
    /// What to store and share, or why it may not be.
    pub entry: Result<Entry<V>, &'static str>,
}

/// A computed item that may be stored and shared.
pub struct Entry<V> {
    /// Handed to the requests that waited for it.
    pub value: V,
    /// Written to the cache in one batch with the others (keys unprefixed), each
    /// saying whether it may be compressed.
    pub stored: Vec<(String, Bytes, Packing)>,
    /// A lifetime shorter than the strategy's that the item asks for (a response's
    /// own `max-age`), in seconds.
    pub seconds: Option<u64>,
}

/// What became of one item.
pub enum Resolved<V, O> {
    /// This request's lookup found it.
    Cached(V),
    /// Another request computed it while this one waited.
    Shared(V),
    /// This request computed it.
    Computed(O, Fate),
}

/// What became of a computed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// It was stored.
    Stored,
    /// It was not, for this reason (a bypass).
    Bypassed(&'static str),
    /// The strategy is off.
    Off,
}

/// The items still to compute after the lookups and the waits, and the flights this
/// request leads (held until what it computed is stored).
struct Boarded<'f, V, O> {
    resolved: Vec<Option<Resolved<V, O>>>,
    leads: Vec<(usize, Lead<'f, V>)>,
    to_compute: Vec<usize>,
}

impl Strategies {
    /// The items of `subject`: from the cache, from a concurrent request's
    /// computation, or from `compute`, which gets the indices of the items to compute,
    /// in order, and returns them in that order. A lookup that missed is repeated only
    /// when a flight of its key ended meanwhile or its leader gave up.
    /// `settings` are the strategy's, as the caller read them once for this request.
    pub async fn get_or_compute<C, O, E, F, Fut>(
        &self,
        settings: &StrategySettings,
        subject: &C,
        compute: F,
    ) -> Result<Vec<Resolved<C::Value, O>>, E>
    where
        C: Cacheable,
        F: FnOnce(Vec<usize>) -> Fut,
        Fut: Future<Output = Result<Vec<Computed<C::Value, O>>, E>>,
    {
        let all: Vec<usize> = (0..subject.keys().len()).collect();
        let Some(backend) = settings.backend else {
            return Ok(computed_all(compute(all).await?, Fate::Off));
        };
        let cache = match self.backends.cache(backend).await {
            Ok(cache) => cache,
            Err(error) => {
                self.unavailable.warn(|suppressed| {
                    tracing::warn!(%error, backend = backend.name(), suppressed, "cache backend unavailable");
                });
                record::event(backend.name(), "bypass", "bypass: backend unavailable");
                let fate = Fate::Bypassed("backend unavailable");
                return Ok(computed_all(compute(all).await?, fate));
            }
        };
        let flights = subject.flights(self);
        let mut boarded = self.board(subject, &cache, flights).await;
        if boarded.to_compute.is_empty() {
            return Ok(boarded.resolved.into_iter().flatten().collect());
        }
        boarded.to_compute.sort_unstable();
        let computed = compute(boarded.to_compute.clone()).await?;
        // The outputs (responses need not be `Sync`) are set apart from what is stored.
        let mut outputs = Vec::with_capacity(computed.len());
        let mut entries = Vec::with_capacity(computed.len());
        for item in computed {
            outputs.push(item.output);
            entries.push(item.entry);
        }
        // Waiters get the result before it is stored: a slow or failing store must not
        // hold them up, nor send them to compute it again.
        for (item, lead) in &boarded.leads {
            let at = boarded.to_compute.iter().position(|i| i == item);
            let entry = at.and_then(|at| entries.get(at)?.as_ref().ok());
            lead.land(entry.map(|entry| entry.value.clone()));
        }
        let stored = store(&cache, settings.seconds, &entries).await;
        // A request arriving while the store ran joined the flight and was handed the
        // value; from now on it finds the value stored.
        drop(boarded.leads);
        let computed = boarded
            .to_compute
            .into_iter()
            .zip(outputs.into_iter().zip(entries));
        for (item, (output, entry)) in computed {
            let fate = match (entry, stored) {
                (Err(reason), _) | (Ok(_), Err(reason)) => Fate::Bypassed(reason),
                (Ok(_), Ok(())) => Fate::Stored,
            };
            boarded.resolved[item] = Some(Resolved::Computed(output, fate));
        }
        Ok(boarded.resolved.into_iter().flatten().collect())
    }

    /// Looks every item up, then takes a turn for each one missing, in key order —
    /// so that two requests never wait for each other — waiting where another request
    /// leads.
    async fn board<'f, C: Cacheable, O>(
        &self,
        subject: &C,
        cache: &Cache,
        flights: &'f Flights<C::Value>,
    ) -> Boarded<'f, C::Value, O> {
        // Flights are this process's own: the unprefixed keys name them well enough.
        let keys = subject.keys();
        let tickets: Vec<_> = keys.iter().map(|key| flights.ticket(key)).collect();
        let all: Vec<usize> = (0..keys.len()).collect();
        let found = subject.lookup(cache, &all).await;
        let mut boarded = Boarded {
            resolved: found
                .into_iter()
                .map(|value| value.map(Resolved::Cached))
                .collect(),
            leads: Vec::new(),
            to_compute: Vec::new(),
        };
        let mut missing: Vec<usize> = all
            .into_iter()
            .filter(|&item| boarded.resolved[item].is_none())
            .collect();
        missing.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        let backend = cache.backend().name();
        for item in missing {
            let mut ticket = tickets[item];
            loop {
                match flights.turn(ticket, &keys[item]) {
                    Turn::Lead(lead) => {
                        boarded.leads.push((item, lead));
                        boarded.to_compute.push(item);
                    }
                    Turn::Wait(wait) => {
                        let handed = wait.landing().await;
                        boarded.resolved[item] = match handed {
                            Handed::Value(value) if subject.fits(item, &value) => {
                                record::event(backend, "wait", "coalesced");
                                Some(Resolved::Shared(value))
                            }
                            Handed::Value(_) | Handed::Unshareable => None,
                            Handed::Abandoned | Handed::TimedOut => {
                                self.released(backend, &handed, flights);
                                look_up(subject, cache, item).await
                            }
                        };
                        if boarded.resolved[item].is_none() {
                            boarded.to_compute.push(item);
                        }
                    }
                    Turn::Landed(value) if subject.fits(item, &value) => {
                        record::event(backend, "wait", "coalesced");
                        boarded.resolved[item] = Some(Resolved::Shared(value));
                    }
                    Turn::Landed(_) => boarded.to_compute.push(item),
                    Turn::LookAgain => {
                        ticket = flights.ticket(&keys[item]);
                        boarded.resolved[item] = look_up(subject, cache, item).await;
                        if boarded.resolved[item].is_none() {
                            continue;
                        }
                    }
                }
                break;
            }
        }
        boarded
    }

    /// Says, in the log (once per burst) and the toolbar, that a waiter computes on
    /// its own because the leader gave up or overran.
    fn released<V: Clone>(&self, backend: &'static str, handed: &Handed<V>, flights: &Flights<V>) {
        let why = match handed {
            Handed::TimedOut => format!(
                "released: the request computing it took over {} ms; computing here",
                flights.max_wait().as_millis()
            ),
            _ => "released: the request computing it went away; computing here".to_owned(),
        };
        self.released.warn(|suppressed| {
            tracing::warn!(backend, suppressed, "{why}");
        });
        record::event(backend, "wait", &why);
    }
}

/// One item looked up again, as a `Cached` answer if found.
async fn look_up<C: Cacheable, O>(
    subject: &C,
    cache: &Cache,
    item: usize,
) -> Option<Resolved<C::Value, O>> {
    let mut found = subject.lookup(cache, &[item]).await;
    found.pop().flatten().map(Resolved::Cached)
}

/// Writes every storable computed item in one batch for `seconds`; `Err` says why
/// nothing was stored.
async fn store<V>(
    cache: &Cache,
    seconds: u64,
    computed: &[Result<Entry<V>, &'static str>],
) -> Result<(), &'static str> {
    let storable = computed.iter().filter_map(|entry| entry.as_ref().ok());
    // One batch, one lifetime: the shortest any item asks for.
    let seconds = storable
        .clone()
        .filter_map(|entry| entry.seconds)
        .fold(seconds, u64::min);
    let entries: Vec<(&str, &[u8], Packing)> = storable
        .flat_map(|entry| entry.stored.iter())
        .map(|(key, value, packing)| (key.as_str(), value.as_ref(), *packing))
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    if seconds == 0 {
        return Err("the strategy's seconds are 0");
    }
    if cache
        .set_many_packed(&entries, Timeout::seconds(seconds))
        .await
    {
        Ok(())
    } else {
        Err("the backend failed to store it")
    }
}

fn computed_all<V, O>(computed: Vec<Computed<V, O>>, fate: Fate) -> Vec<Resolved<V, O>> {
    computed
        .into_iter()
        .map(|item| Resolved::Computed(item.output, fate))
        .collect()
}
