//! The data version every strategy's keys include (Rails-style key-based
//! expiration): a write to the catalogue bumps it, and stale entries become
//! unreachable at once instead of when their timeout ends.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::SqlitePool;

use crate::db::data_version;

/// The catalogue's current data version, as the database keeps it.
#[derive(Debug)]
pub struct DataVersion(AtomicU64);

impl DataVersion {
    /// Reads the version the database holds, once, at start.
    pub async fn load(db: &SqlitePool) -> sqlx::Result<Self> {
        Ok(Self(AtomicU64::new(data_version::current(db).await?)))
    }

    /// The version keys are built with now.
    #[must_use]
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Records a write to the catalogue: every page and fragment stored so far
    /// becomes unreachable. Whatever writes to `pokemon` calls this after committing.
    pub async fn bump(&self, db: &SqlitePool) -> sqlx::Result<u64> {
        let version = data_version::bump(db).await?;
        self.0.fetch_max(version, Ordering::AcqRel);
        Ok(version)
    }
}
