//! The four backends as the settings configure them, each built on first use, so
//! that a backend no strategy uses never creates its directory or table.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use tokio::sync::OnceCell;

use super::Cache;
use super::backends::database::DatabaseBackend;
use super::backends::file::FileBackend;
use super::backends::memory::{Bound, MemoryBackend};
use super::backends::redis::RedisBackend;
use super::backends::{Backend, BackendError, Cull};
use crate::settings::{
    BackendSettings, CachesSettings, DEFAULT_FILE_LOCATION, DEFAULT_REDIS_LOCATION,
};

/// A backend by the name settings, flags and logs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Process memory (moka).
    Memory,
    /// Files in a directory.
    File,
    /// A SQLite table.
    Database,
    /// A Redis server.
    Redis,
}

impl BackendKind {
    /// Every backend, in the order settings list them.
    pub const ALL: [Self; 4] = [Self::Memory, Self::File, Self::Database, Self::Redis];

    /// The backend's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::File => "file",
            Self::Database => "database",
            Self::Redis => "redis",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| {
                format!("unknown cache backend {name:?}: memory, file, database or redis")
            })
    }
}

/// The configured caches, built lazily and then shared.
pub struct Caches {
    settings: CachesSettings,
    app_db: SqlitePool,
    built: [OnceCell<Cache>; 4],
}

impl Caches {
    /// Caches as `settings` describe them; the database backend defaults to `app_db`.
    #[must_use]
    pub fn new(settings: CachesSettings, app_db: SqlitePool) -> Self {
        Self {
            settings,
            app_db,
            built: Default::default(),
        }
    }

    /// The cache on `kind`, building its backend the first time.
    pub async fn get(&self, kind: BackendKind) -> Result<Cache, BackendError> {
        let cell = &self.built[kind.index()];
        let cache = cell
            .get_or_try_init(|| async {
                let backend = self.backend(kind).await?;
                Ok::<_, BackendError>(Cache::new(backend, &self.options(kind).cache_options()))
            })
            .await?;
        Ok(cache.clone())
    }

    /// The cache on `kind` if a strategy has used it, without building it.
    #[must_use]
    pub fn built(&self, kind: BackendKind) -> Option<Cache> {
        self.built[kind.index()].get().cloned()
    }

    /// The options of `kind`'s backend.
    #[must_use]
    pub fn options(&self, kind: BackendKind) -> &BackendSettings {
        match kind {
            BackendKind::Memory => &self.settings.memory,
            BackendKind::File => &self.settings.file,
            BackendKind::Database => &self.settings.database,
            BackendKind::Redis => &self.settings.redis,
        }
    }

    /// A new backend of `kind`, as configured.
    pub async fn backend(&self, kind: BackendKind) -> Result<Arc<dyn Backend>, BackendError> {
        let options = self.options(kind);
        let cull = Cull {
            max_entries: options.max_entries,
            cull_frequency: options.cull_frequency,
        };
        let location = options
            .location
            .as_deref()
            .filter(|location| !location.is_empty());
        Ok(match kind {
            BackendKind::Memory => Arc::new(MemoryBackend::new(if options.max_bytes > 0 {
                Bound::Bytes(options.max_bytes)
            } else {
                Bound::Entries(options.max_entries)
            })),
            BackendKind::File => {
                let dir = PathBuf::from(location.unwrap_or(DEFAULT_FILE_LOCATION));
                Arc::new(FileBackend::open(dir, cull).await?)
            }
            BackendKind::Database => {
                let pool = match location {
                    Some(url) => open_sqlite(url).await?,
                    None => self.app_db.clone(),
                };
                Arc::new(DatabaseBackend::open(pool, cull).await?)
            }
            BackendKind::Redis => {
                let url = location.unwrap_or(DEFAULT_REDIS_LOCATION);
                Arc::new(RedisBackend::new(url, options.command_timeout())?)
            }
        })
    }
}

/// A separate SQLite database for the cache table, set up like the app's own.
async fn open_sqlite(url: &str) -> Result<SqlitePool, BackendError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    Ok(SqlitePoolOptions::new().connect_with(options).await?)
}
