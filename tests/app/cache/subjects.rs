//! Building a fresh cache on each backend for one test.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pokedex::cache::backends::database::DatabaseBackend;
use pokedex::cache::backends::file::FileBackend;
use pokedex::cache::backends::memory::{Bound, MemoryBackend};
use pokedex::cache::backends::options::BackendOptions;
use pokedex::cache::backends::redis::RedisBackend;
use pokedex::cache::backends::{Backend, CacheBackend, Cull};
use pokedex::cache::{Cache, Timeout};
use tempfile::TempDir;

use crate::helpers::RedisKeys;

/// The Redis server the suite uses; CI starts one when none answers.
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// What a test may change about the cache it gets.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    pub default_timeout: Timeout,
    pub max_entries: u64,
    pub cull_frequency: u64,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            default_timeout: Timeout::seconds(300),
            max_entries: 10_000,
            cull_frequency: 3,
        }
    }
}

/// A cache on a fresh backend, and what the test needs to look behind it.
pub struct Subject {
    pub cache: Cache,
    pub backend: Arc<dyn Backend>,
    options: BackendOptions,
    dir: TempDir,
    /// Redis keys outlive the test: these go when it ends, even when it failed.
    _redis: Option<RedisKeys>,
}

impl Subject {
    /// Another cache on the same storage, with its own key prefix.
    pub fn sibling(&self, prefix_suffix: &str) -> Cache {
        let options = BackendOptions {
            key_prefix: format!("{}-{prefix_suffix}", self.options.key_prefix),
            ..self.options.clone()
        };
        Cache::new(Arc::clone(&self.backend), &options)
    }

    /// The temporary directory holding the file cache (`cache/`) and the database
    /// cache (`cache.sqlite3`).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

/// A key prefix no other test (or run) shares, for the one shared Redis.
fn unique_prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("pokedex-test-{}-{nanos}", std::process::id())
}

/// Whether a Redis answers at [`REDIS_URL`]. When none does, tests skip only outside
/// CI, and say so loudly; in CI they fail.
pub async fn redis_is_up(test: &str) -> bool {
    let up = async {
        let client = redis::Client::open(REDIS_URL).ok()?;
        let mut connection = client.get_multiplexed_async_connection().await.ok()?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .ok()
    };
    let up = tokio::time::timeout(Duration::from_secs(2), up)
        .await
        .ok()
        .flatten()
        .is_some();
    if !up {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: no Redis answers at {REDIS_URL}, and CI must run the Redis tests"
        );
        eprintln!("\n!!! SKIPPED {test}: no Redis answers at {REDIS_URL} (CI is unset) !!!\n");
    }
    up
}

/// A fresh cache on `kind`, or `None` when `kind` is Redis and none answers.
pub async fn subject(kind: CacheBackend, test: &str, tuning: Tuning) -> Option<Subject> {
    let dir = tempfile::tempdir().unwrap();
    let cull = Cull {
        max_entries: tuning.max_entries,
        cull_frequency: tuning.cull_frequency,
    };
    let mut key_prefix = "pokedex".to_owned();
    let backend: Arc<dyn Backend> = match kind {
        CacheBackend::Memory => Arc::new(MemoryBackend::new(Bound::Entries(tuning.max_entries))),
        CacheBackend::File => Arc::new(
            FileBackend::open(dir.path().join("cache"), cull)
                .await
                .unwrap(),
        ),
        CacheBackend::Database => {
            let url = format!("sqlite://{}", dir.path().join("cache.sqlite3").display());
            let pool = pokedex::db::pool::open(&url, 8).await.unwrap();
            Arc::new(DatabaseBackend::open(pool, cull).await.unwrap())
        }
        CacheBackend::Redis => {
            if !redis_is_up(test).await {
                return None;
            }
            key_prefix = unique_prefix();
            Arc::new(RedisBackend::new(REDIS_URL, Duration::from_secs(2)).unwrap())
        }
    };
    let options = BackendOptions {
        timeout: tuning.default_timeout,
        key_prefix,
        compress_threshold: 1024,
        ..BackendOptions::defaults(kind)
    };
    let redis = (kind == CacheBackend::Redis).then(|| {
        let mut keys = RedisKeys::under(REDIS_URL, &options.key_prefix);
        keys.namespaces
            .push(format!("{}-other:", options.key_prefix));
        keys
    });
    Some(Subject {
        cache: Cache::new(Arc::clone(&backend), &options),
        backend,
        options,
        dir,
        _redis: redis,
    })
}
