//! The query log: the pool every request uses, counting each statement at the one
//! seam all SQL passes through — and, while a request is recorded for the toolbar,
//! recording its text, parameters, rows and time. The database cache backend's pool
//! passes through the same seam, its statements marked as cache SQL.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use sqlx::sqlite::{SqliteQueryResult, SqliteRow, SqliteStatement, SqliteTypeInfo};
use sqlx::{Describe, Either, Execute, Executor, Sqlite, SqlitePool};

pub use recorded::Recorded;

mod params;
mod recorded;

/// A SQLite pool that counts the statements run through it.
#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
    statements: Arc<AtomicU64>,
    cache_sql: bool,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("statements", &self.statements())
            .field("cache_sql", &self.cache_sql)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Wraps `pool`, the catalogue's; clones share the count.
    #[must_use]
    pub fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            statements: Arc::default(),
            cache_sql: false,
        }
    }

    /// Wraps the database cache backend's `pool`: its statements are recorded marked
    /// as cache SQL and counted apart from the catalogue's.
    #[must_use]
    pub fn for_cache(pool: SqlitePool) -> Self {
        Self {
            cache_sql: true,
            ..Self::new(pool)
        }
    }

    /// Statements run so far through this pool and its clones.
    #[must_use]
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The pool itself, for work that is not a page's (migrations, seeding, caches).
    #[must_use]
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// `executor` (a transaction's connection, say), recorded as this pool's
    /// statements are.
    pub fn recorded<'c, E: Executor<'c, Database = Sqlite>>(&self, executor: E) -> Recorded<E> {
        Recorded::new(executor, self.cache_sql)
    }
}

impl<'c> Executor<'c> for &'c Db {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.recorded(&self.pool).fetch_many(query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.recorded(&self.pool).fetch_optional(query)
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [SqliteTypeInfo],
    ) -> BoxFuture<'e, Result<SqliteStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.pool.prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Sqlite>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.pool.describe(sql)
    }
}
