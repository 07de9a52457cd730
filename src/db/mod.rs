//! The SQLite database: connecting, migrating, seeding. Every SQL statement the pages
//! run lives in [`pokemon`].

pub mod data_version;
pub mod pokemon;
pub mod recorded;
pub mod seed;

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use recorded::Db;

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
    let open_error = |source| DbError::Open {
        url: settings.url.clone(),
        source,
    };
    let options = SqliteConnectOptions::from_str(&settings.url)
        .map_err(open_error)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL makes NORMAL durable across application crashes, and much faster.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(settings.max_connections.max(1))
        .connect_with(options)
        .await
        .map_err(open_error)
}
