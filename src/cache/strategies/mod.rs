//! The caching strategies the tutorial teaches — per-site, per-view and
//! template-fragment — each on any backend, chosen per request from [`Selection`].

pub mod coalesce;
pub mod conditional;
pub mod fragment;
pub mod http;
pub mod page;
pub mod selection;
pub mod site;
pub mod version;
pub mod view;

use coalesce::Coalescer;
use selection::Selection;
use version::DataVersion;

use super::configured::Caches;

/// What the strategies share: the backends, the current choices, the data version
/// in every key, and the computations in flight.
pub struct Caching {
    /// The configured backends, built on first use.
    pub caches: Caches,
    /// Which backend each strategy uses now.
    pub selection: Selection,
    /// Part of every key; a write to the catalogue bumps it.
    pub data_version: DataVersion,
    /// One computation per missed key at a time.
    pub coalescer: Coalescer,
}
