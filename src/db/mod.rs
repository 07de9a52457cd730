//! The SQLite database: connecting, migrating, seeding. Every SQL statement the pages
//! run lives in [`pokemon`].

pub mod catalogue;
pub mod compare_runs;
pub mod pokemon;
pub mod pool;
pub mod query_log;
pub mod seed;

use std::time::Duration;

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

/// How many times start-up prepares the database when another process preparing
/// the same new file at the same moment gets in its way, and the pause between.
const PREPARE_ATTEMPTS: u32 = 20;
const PREPARE_PAUSE: Duration = Duration::from_millis(100);

/// Opens the pool (creating the file if needed, in WAL mode), runs the migrations in
/// `migrations/` and seeds the catalogue when it is empty. Only this creates the
/// file: afterwards the pool's new connections open it or fail, so a file deleted
/// while the app runs is never silently replaced by an empty one.
pub async fn connect_and_prepare(settings: &DatabaseSettings) -> Result<SqlitePool, DbError> {
    let mut attempt = 1;
    // Migrations take no lock on SQLite, and turning a new file to WAL needs one: two
    // servers started together on a new file may get in each other's way; the one
    // that lost finds the work done when it tries again.
    loop {
        let prepared = match connect(settings).await {
            Ok(pool) => prepare(&pool).await.map(|()| pool),
            Err(error) => Err(error),
        };
        match prepared {
            Ok(pool) => {
                let existing_only = (*pool.connect_options()).clone().create_if_missing(false);
                pool.set_connect_options(existing_only);
                return Ok(pool);
            }
            Err(error) if attempt == PREPARE_ATTEMPTS => return Err(error),
            Err(error) => {
                tracing::debug!(%error, attempt, "preparing the database; trying again");
                attempt += 1;
                tokio::time::sleep(PREPARE_PAUSE).await;
            }
        }
    }
}

async fn prepare(pool: &SqlitePool) -> Result<(), DbError> {
    sqlx::migrate!().run(pool).await?;
    seed::seed_if_empty(pool, seed::POKEMON_CSV).await?;
    Ok(())
}

async fn connect(settings: &DatabaseSettings) -> Result<SqlitePool, DbError> {
    pool::open(&settings.url, settings.max_connections)
        .await
        .map_err(|source| DbError::Open {
            url: settings.url.clone(),
            source,
        })
}
