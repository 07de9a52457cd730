//! The one way this app opens a SQLite database: the catalogue and a database cache
//! kept in a file of its own are set up alike.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Connections of a pool whose size no setting names (a separate cache database).
pub const DEFAULT_MAX_CONNECTIONS: u32 = 8;

/// Opens `url` (creating the file if needed) in WAL mode with `max_connections`.
pub async fn open(url: &str, max_connections: u32) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL makes NORMAL durable across application crashes, and much faster.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(max_connections.max(1))
        .connect_with(options)
        .await
}
