//! Cache invalidation — the tutorial's last lesson — in three modes ([`mode`]), on
//! what the caches know of the catalogue: its identity, its data version and the
//! version of each tag ([`Catalogue`]), kept from the database and refreshed when
//! any process writes to it.
//!
//! Keys fold in what decides whether they are current (per-tag versions, not a list
//! of entries per tag): a write bumps the versions in the same transaction as the
//! data, so an entry that shows the change can never be read again — on any backend,
//! by any instance, whatever was evicted or expired — and nothing needs to be found
//! and deleted for that to hold. The app still deletes the superseded entries it can
//! name, to free them at once and to show what went ([`crate::cache::strategies`]).

pub mod mode;

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::Duration;

use sqlx::SqlitePool;

use super::failure::BurstLog;
use crate::db::catalogue;
pub use mode::InvalidationMode;

/// How often an instance looks for writes made by others: the bound on how long
/// another instance's edit can go unseen here.
const WATCH_EVERY: Duration = Duration::from_millis(250);

/// What the caches know of the catalogue at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    /// Its random identity.
    pub identity: String,
    /// How many writes it has seen.
    pub data_version: u64,
    /// The version of every tag a write has touched (others are at 0).
    pub tags: HashMap<String, u64>,
}

impl Catalogue {
    /// The part of a key that changes when what the entry shows changes, in `mode`,
    /// for an entry showing `tags`: `<identity>` (ttl), `<identity>.data<N>`
    /// (version), `<identity>.pokemon:25@3,name:24@1` (tags).
    #[must_use]
    pub fn key_part(&self, mode: InvalidationMode, tags: &[String]) -> String {
        let mut part = self.identity.clone();
        match mode {
            InvalidationMode::Ttl => {}
            InvalidationMode::Version => {
                let _ = write!(part, ".data{}", self.data_version);
            }
            InvalidationMode::Tags => {
                for (i, tag) in tags.iter().enumerate() {
                    let version = self.tags.get(tag).copied().unwrap_or_default();
                    let _ = write!(part, "{}{tag}@{version}", if i == 0 { '.' } else { ',' });
                }
            }
        }
        part
    }

    /// The tags whose version differs between `self` and `newer`.
    #[must_use]
    pub fn changed_tags(&self, newer: &Self) -> Vec<String> {
        let mut changed: Vec<String> = newer
            .tags
            .iter()
            .filter(|(tag, version)| self.tags.get(*tag) != Some(*version))
            .map(|(tag, _)| tag.clone())
            .collect();
        changed.sort();
        changed
    }
}

/// The mode in force and the catalogue as last seen, for every key a strategy makes.
pub struct Invalidation {
    mode: AtomicU8,
    current: RwLock<Arc<Catalogue>>,
    db: SqlitePool,
    /// The tags of a page, from its path: the app's pages know what they show.
    tags_of: fn(&str) -> Vec<String>,
    refresh_failed: BurstLog,
}

impl Invalidation {
    /// Invalidation in `mode` over the catalogue in `db`, whose pages' tags
    /// `tags_of` names.
    pub async fn load(
        db: SqlitePool,
        mode: InvalidationMode,
        tags_of: fn(&str) -> Vec<String>,
    ) -> sqlx::Result<Self> {
        let current = read(&db).await?;
        Ok(Self {
            mode: AtomicU8::new(mode as u8),
            current: RwLock::new(Arc::new(current)),
            db,
            tags_of,
            refresh_failed: BurstLog::default(),
        })
    }

    /// The mode in force.
    #[must_use]
    pub fn mode(&self) -> InvalidationMode {
        let mode = self.mode.load(Ordering::Acquire);
        InvalidationMode::ALL
            .into_iter()
            .find(|candidate| *candidate as u8 == mode)
            .unwrap_or_default()
    }

    /// Switches to `mode`, from the next request on.
    pub fn set_mode(&self, mode: InvalidationMode) {
        self.mode.store(mode as u8, Ordering::Release);
    }

    /// The catalogue as last seen.
    #[must_use]
    pub fn catalogue(&self) -> Arc<Catalogue> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The key part of an entry showing `tags`, now.
    #[must_use]
    pub fn key_part(&self, tags: &[String]) -> String {
        self.catalogue().key_part(self.mode(), tags)
    }

    /// The key part of the page at `path`, now.
    #[must_use]
    pub fn key_part_of_page(&self, path: &str) -> String {
        let mode = self.mode();
        let tags = if mode == InvalidationMode::Tags {
            (self.tags_of)(path)
        } else {
            Vec::new()
        };
        self.catalogue().key_part(mode, &tags)
    }

    /// The tags of the page at `path`.
    #[must_use]
    pub fn tags_of_page(&self, path: &str) -> Vec<String> {
        (self.tags_of)(path)
    }

    /// Reads the catalogue again if any process wrote to it since it was last seen:
    /// the catalogue before and after, or `None` when nothing changed.
    pub async fn refresh(&self) -> sqlx::Result<Option<(Arc<Catalogue>, Arc<Catalogue>)>> {
        let before = self.catalogue();
        if catalogue::data_version(&self.db).await? == before.data_version {
            return Ok(None);
        }
        let after = Arc::new(read(&self.db).await?);
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        *current = Arc::clone(&after);
        Ok(Some((before, after)))
    }

    /// Watches the database for writes by any process, for as long as `self` lives.
    pub fn watch(self: &Arc<Self>) {
        tokio::spawn(watch(Arc::downgrade(self)));
    }
}

async fn watch(invalidation: Weak<Invalidation>) {
    let mut ticks = tokio::time::interval(WATCH_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(invalidation) = invalidation.upgrade() else {
            return;
        };
        if let Err(error) = invalidation.refresh().await {
            invalidation.refresh_failed.warn(|suppressed| {
                tracing::warn!(%error, suppressed, "cannot read the catalogue's data version");
            });
        }
    }
}

async fn read(db: &SqlitePool) -> sqlx::Result<Catalogue> {
    let mut connection = db.acquire().await?;
    Ok(Catalogue {
        identity: catalogue::identity(&mut *connection).await?,
        data_version: catalogue::data_version(&mut *connection).await?,
        tags: catalogue::tag_versions(&mut *connection).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue(version: u64, pikachu: u64) -> Catalogue {
        Catalogue {
            identity: "9f3a".to_owned(),
            data_version: version,
            tags: HashMap::from([
                ("pokemon:25".to_owned(), pikachu),
                ("list:all".to_owned(), 7),
            ]),
        }
    }

    #[test]
    fn key_parts_carry_what_each_mode_watches() {
        let tags = ["pokemon:25".to_owned(), "name:24".to_owned()];
        let catalogue = catalogue(12, 3);
        assert_eq!(catalogue.key_part(InvalidationMode::Ttl, &tags), "9f3a");
        assert_eq!(
            catalogue.key_part(InvalidationMode::Version, &tags),
            "9f3a.data12"
        );
        assert_eq!(
            catalogue.key_part(InvalidationMode::Tags, &tags),
            "9f3a.pokemon:25@3,name:24@0"
        );
        assert_eq!(catalogue.key_part(InvalidationMode::Tags, &[]), "9f3a");
    }

    #[test]
    fn changed_tags_are_those_whose_version_moved() {
        let mut after = catalogue(13, 4);
        after.tags.insert("type:electric".to_owned(), 1);
        assert_eq!(
            catalogue(12, 3).changed_tags(&after),
            ["pokemon:25", "type:electric"]
        );
    }
}
