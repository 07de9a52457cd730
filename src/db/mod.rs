//! The SQLite database: connecting, migrating, seeding. Every SQL statement the pages
//! run lives in [`pokemon`].

pub mod catalogue;
pub mod compare_runs;
pub mod pokemon;
pub mod pool;
pub mod query_log;
pub mod seed;

use sqlx::SqlitePool;

pub use query_log::Db;

use crate::settings::DatabaseSettings;

/// Why the database could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL could not be parsed or the file could not be opened.
    #[error("cannot open database {url}: {source}")]
    Open {
        /// The URL from the settings.
        url: String,
        /// The driver's message.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A start-up query failed.
    #[error("cannot read the database: {0}")]
    Query(sqlx::Error),
    /// Seeding failed; nothing was written.
    #[error("cannot seed the database: {0}")]
    Seed(#[from] seed::SeedError),
}

/// Opens the pool (creating the file if needed, in WAL mode), runs the migrations in
/// `migrations/` and seeds the catalogue when it is empty.
pub async fn connect_and_prepare(settings: &DatabaseSettings) -> Result<SqlitePool, DbError> {
    let pool = connect(settings).await?;
    sqlx::migrate!().run(&pool).await?;
    seed::seed_if_empty(&pool, seed::POKEMON_CSV).await?;
    Ok(pool)
}

async fn connect(settings: &DatabaseSettings) -> Result<SqlitePool, DbError> {
    pool::open(&settings.url, settings.max_connections)
        .await
        .map_err(|source| DbError::Open {
            url: settings.url.clone(),
            source,
        })
}
