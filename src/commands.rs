//! The management commands beside `serve`, named after Django's.

use crate::cache::backends::CacheBackend;
use crate::cache::configured::Backends;
use crate::cache::key::KeyMaker;
use crate::db::{self, DbError};
use crate::settings::Settings;

/// Why a command could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The app's database could not be opened.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The cache table could not be created.
    #[error("cannot create the cache table: {0}")]
    CacheTable(#[from] crate::cache::backends::BackendError),
}

/// `pokedex createcachetable`: creates `cache_table` where the database backend
/// keeps its entries (the app's database unless `caches.database.location` names
/// another), as Django's `createcachetable` does.
pub async fn create_cache_table(settings: &Settings) -> Result<(), CommandError> {
    let app_db = db::connect_and_prepare(&settings.database).await?;
    let backends = Backends::new(settings.caches.clone(), app_db);
    let backend = backends.build(CacheBackend::Database).await?;
    let count = backend.usage("").await?.entries;
    let place = settings
        .caches
        .database
        .location()
        .unwrap_or(&settings.database.url);
    println!("cache_table is ready in {place} ({count} entries)");
    Ok(())
}

/// `pokedex clearcache`: removes this app's entries (its key prefix, every version)
/// from every backend it can reach, and says what it did for each. Returns whether
/// every backend was cleared.
pub async fn clear_caches(settings: &Settings) -> Result<bool, CommandError> {
    let app_db = db::connect_and_prepare(&settings.database).await?;
    let backends = Backends::new(settings.caches.clone(), app_db);
    let mut all_cleared = true;
    for backend in CacheBackend::ALL {
        if backend == CacheBackend::Memory {
            println!("memory: lives inside the running server; restart it to empty it");
            continue;
        }
        let options = backends.options(backend);
        let namespace = KeyMaker::new(&options.key_prefix, options.version).namespace();
        let cleared = match backends.build(backend).await {
            Ok(built) => built.clear(&namespace).await,
            Err(error) => Err(error),
        };
        match cleared {
            Ok(()) => println!("{backend}: cleared every key starting with {namespace:?}"),
            Err(error) => {
                all_cleared = false;
                println!("{backend}: could not clear: {error}");
            }
        }
    }
    Ok(all_cleared)
}
