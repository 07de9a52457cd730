//! The one way this app opens a SQLite database: the catalogue and a database cache
//! kept in a file of its own are set up alike.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Connections of a pool whose size no setting names (a database cache's): two per
/// core. A cache read is short and never waits on the network, so more connections
/// only add threads that preempt each other: on two cores, eight connections gave a
/// per-site hit of `/all` 19 400 req/s, p99 1.67 ms and up to 32 MB of peak RSS;
/// four gave 20 600 req/s, p99 1.21 ms and 29.7 MB.
#[must_use]
pub fn default_max_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    u32::try_from(cores.saturating_mul(2)).unwrap_or(u32::MAX)
}

/// How long the catalogue's statements wait for a lock held by another writer.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens `url` (creating the file if needed) in WAL mode with `max_connections`.
/// A connection is not pinged before each use: a SQLite connection is a file in
/// this process, never dropped by a network, and the ping was a round trip to its
/// thread before every statement.
pub async fn open(url: &str, max_connections: u32) -> Result<SqlitePool, sqlx::Error> {
    open_waiting(url, max_connections, BUSY_TIMEOUT).await
}

/// [`open`], with statements that give up on a lock after `busy_timeout`.
pub async fn open_waiting(
    url: &str,
    max_connections: u32,
    busy_timeout: Duration,
) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL makes NORMAL durable across application crashes, and much faster.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(busy_timeout);
    SqlitePoolOptions::new()
        .max_connections(max_connections.max(1))
        .test_before_acquire(false)
        .connect_with(options)
        .await
}

/// A pool of its own on the same database as `pool`, whose statements give up on a
/// lock after `busy_timeout`: the database cache's, so that its writes never hold
/// the catalogue's connections, nor wait the catalogue's five seconds.
#[must_use]
pub fn beside(pool: &SqlitePool, busy_timeout: Duration) -> SqlitePool {
    let options = (*pool.connect_options()).clone().busy_timeout(busy_timeout);
    SqlitePoolOptions::new()
        .max_connections(default_max_connections())
        .test_before_acquire(false)
        .connect_lazy_with(options)
}
