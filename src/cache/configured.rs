//! The four backends as the settings configure them, each built on first use, so
//! that a backend no strategy uses never creates its directory or table.

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::SqlitePool;
use tokio::sync::OnceCell;

use super::Cache;
use super::backends::database::DatabaseBackend;
use super::backends::file::FileBackend;
use super::backends::guarded::Guarded;
use super::backends::memory::{Bound, MemoryBackend};
use super::backends::options::{BackendOptions, DEFAULT_FILE_LOCATION, DEFAULT_REDIS_LOCATION};
use super::backends::redis::RedisBackend;
use super::backends::redis::budget::Budget;
use super::backends::{Backend, BackendError, CacheBackend, PerBackend};
use crate::db;

/// Longest a database cache statement waits for a lock another connection holds.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// The configured backends, each behind the cache API, built lazily and then shared.
pub struct Backends {
    options: PerBackend<BackendOptions>,
    app_db: SqlitePool,
    built: PerBackend<OnceCell<Cache>>,
}

impl Backends {
    /// The backends `options` describe; the database backend defaults to `app_db`.
    #[must_use]
    pub fn new(options: PerBackend<BackendOptions>, app_db: SqlitePool) -> Self {
        Self {
            options,
            app_db,
            built: PerBackend::default(),
        }
    }

    /// The cache on `backend`, building the backend the first time; every call but
    /// the memory backend's is bounded by its `command_timeout_ms` and skipped while
    /// the backend keeps failing.
    pub async fn cache(&self, backend: CacheBackend) -> Result<Cache, BackendError> {
        let cache = self.built[backend]
            .get_or_try_init(|| async {
                let options = &self.options[backend];
                let built = self.build(backend).await?;
                let served: Arc<dyn Backend> = match backend {
                    CacheBackend::Memory => built,
                    _ => Arc::new(Guarded::new(built, options.command_timeout())),
                };
                Ok::<_, BackendError>(Cache::new(served, options))
            })
            .await?;
        Ok(cache.clone())
    }

    /// The cache on `backend` if a strategy has used it, without building it.
    #[must_use]
    pub fn built(&self, backend: CacheBackend) -> Option<Cache> {
        self.built[backend].get().cloned()
    }

    /// The options of `backend`.
    #[must_use]
    pub fn options(&self, backend: CacheBackend) -> &BackendOptions {
        &self.options[backend]
    }

    /// A new, separate instance of `backend`, as configured (the commands use one
    /// without the cache API around it).
    pub async fn build(&self, backend: CacheBackend) -> Result<Arc<dyn Backend>, BackendError> {
        let options = &self.options[backend];
        let location = options.location();
        Ok(match backend {
            CacheBackend::Memory => Arc::new(MemoryBackend::new(if options.max_bytes > 0 {
                Bound::Bytes(options.max_bytes)
            } else {
                Bound::Entries(options.max_entries)
            })),
            CacheBackend::File => {
                let dir = PathBuf::from(location.unwrap_or(DEFAULT_FILE_LOCATION));
                Arc::new(FileBackend::open(dir, options.cull()).await?)
            }
            CacheBackend::Database => {
                // A lock held elsewhere (another process writing the table) is given
                // up on sooner than a slow call: a locked table fails fast, and its
                // circuit opens after three short waits.
                let busy = options.command_timeout().min(LOCK_WAIT);
                let pool = match location {
                    Some(url) => {
                        db::pool::open_waiting(url, db::pool::default_max_connections(), busy)
                            .await?
                    }
                    None => db::pool::beside(&self.app_db, busy),
                };
                Arc::new(DatabaseBackend::open(pool, options.cull()).await?)
            }
            CacheBackend::Redis => {
                let url = location.unwrap_or(DEFAULT_REDIS_LOCATION);
                let budget = Budget::new(&options.key_prefix, options.cull());
                Arc::new(RedisBackend::new(url, options.command_timeout())?.with_budget(budget))
            }
        })
    }
}
