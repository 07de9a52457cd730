//! The query log: the pool every request uses, counting each statement at the one
//! seam all SQL passes through — and, while a request is recorded for the toolbar,
//! recording its text, parameters, rows and time.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;
use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{
    SqliteArguments, SqliteQueryResult, SqliteRow, SqliteStatement, SqliteTypeInfo,
};
use sqlx::{Describe, Either, Execute, Executor, Sqlite, SqlitePool};

use crate::record::{self, Query, nanos};

/// A SQLite pool that counts the statements run through it.
#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
    statements: Arc<AtomicU64>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("statements", &self.statements())
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Wraps `pool`; clones share the count.
    #[must_use]
    pub fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            statements: Arc::default(),
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

    fn record(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
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
        self.record();
        if !record::is_recording() {
            return self.pool.fetch_many(query);
        }
        let (query, sql, params) = inspect(query);
        Box::pin(Timed {
            rows: self.pool.fetch_many(query),
            query: Some(Query {
                sql,
                params,
                rows: 0,
                time_ns: 0,
            }),
            started: Instant::now(),
        })
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        self.record();
        if !record::is_recording() {
            return self.pool.fetch_optional(query);
        }
        let (query, sql, params) = inspect(query);
        let started = Instant::now();
        let row = self.pool.fetch_optional(query);
        Box::pin(async move {
            let row = row.await;
            let rows = u64::from(matches!(row, Ok(Some(_))));
            let time_ns = nanos(started.elapsed());
            record::query(Query {
                sql,
                params,
                rows,
                time_ns,
            });
            row
        })
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

/// A query with its arguments taken out (to be shown) and handed back on demand.
struct Inspected<'q, E> {
    query: E,
    arguments: Option<Result<Option<SqliteArguments<'q>>, BoxDynError>>,
}

impl<'q, E: Execute<'q, Sqlite>> Execute<'q, Sqlite> for Inspected<'q, E> {
    fn sql(&self) -> &'q str {
        self.query.sql()
    }

    fn statement(&self) -> Option<&SqliteStatement<'q>> {
        self.query.statement()
    }

    fn take_arguments(&mut self) -> Result<Option<SqliteArguments<'q>>, BoxDynError> {
        self.arguments.take().unwrap_or(Ok(None))
    }

    fn persistent(&self) -> bool {
        self.query.persistent()
    }
}

/// The query, ready to run, with its text and its parameters as the toolbar shows them.
fn inspect<'q, E: Execute<'q, Sqlite>>(mut query: E) -> (Inspected<'q, E>, String, Vec<String>) {
    let sql = query.sql().to_owned();
    let arguments = query.take_arguments();
    let params = match &arguments {
        // sqlx keeps the values private; their Debug form is `SqliteArguments { values: [..] }`.
        Ok(Some(arguments)) => {
            let shown = format!("{arguments:?}");
            let inner = shown
                .strip_prefix("SqliteArguments { values: [")
                .and_then(|rest| rest.strip_suffix("] }"))
                .unwrap_or(&shown);
            if inner.is_empty() {
                Vec::new()
            } else {
                vec![inner.to_owned()]
            }
        }
        Ok(None) => Vec::new(),
        Err(error) => vec![format!("(cannot bind: {error})")],
    };
    let inspected = Inspected {
        query,
        arguments: Some(arguments),
    };
    (inspected, sql, params)
}

/// A statement's row stream, recorded when it ends or is dropped.
struct Timed<'e> {
    rows: BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>,
    query: Option<Query>,
    started: Instant,
}

impl Timed<'_> {
    fn finish(&mut self) {
        if let Some(mut query) = self.query.take() {
            query.time_ns = nanos(self.started.elapsed());
            record::query(query);
        }
    }
}

impl Stream for Timed<'_> {
    type Item = Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let next = this.rows.as_mut().poll_next(cx);
        match &next {
            Poll::Ready(Some(Ok(Either::Right(_)))) => {
                if let Some(query) = &mut this.query {
                    query.rows += 1;
                }
            }
            Poll::Ready(None) => this.finish(),
            _ => {}
        }
        next
    }
}

impl Drop for Timed<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}
