//! The recording executor: wraps any SQLite executor (a pool, a transaction's
//! connection) and, while a request is recorded for the toolbar, records each
//! statement's text, parameters, rows and time.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;
use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{
    SqliteArguments, SqliteQueryResult, SqliteRow, SqliteStatement, SqliteTypeInfo,
};
use sqlx::{Describe, Either, Execute, Executor, Sqlite};

use super::params;
use crate::record::{self, Query, nanos};

/// An executor whose statements are recorded for the toolbar while a request is:
/// the one seam the catalogue's and the database cache's SQL both pass through.
#[derive(Debug)]
pub struct Recorded<E> {
    inner: E,
    cache_sql: bool,
}

impl<E> Recorded<E> {
    /// `inner`, its statements recorded, marked as cache SQL when `cache_sql`.
    pub(super) fn new(inner: E, cache_sql: bool) -> Self {
        Self { inner, cache_sql }
    }

    fn query(&self, sql: String, params: Vec<String>) -> Query {
        Query {
            sql,
            params,
            rows: 0,
            rows_in_json: false,
            cache_sql: self.cache_sql,
            time_ns: 0,
        }
    }
}

impl<'c, X: Executor<'c, Database = Sqlite>> Executor<'c> for Recorded<X> {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        if !record::is_recording() {
            return self.inner.fetch_many(query);
        }
        let (query, sql, params) = inspect(query);
        let recorded = self.query(sql, params);
        Box::pin(Timed {
            rows: self.inner.fetch_many(query),
            query: Some(recorded),
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
        if !record::is_recording() {
            return self.inner.fetch_optional(query);
        }
        let (query, sql, params) = inspect(query);
        let mut recorded = self.query(sql, params);
        let started = Instant::now();
        let row = self.inner.fetch_optional(query);
        Box::pin(async move {
            let row = row.await;
            recorded.rows = u64::from(matches!(row, Ok(Some(_))));
            recorded.time_ns = nanos(started.elapsed());
            record::query(recorded);
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
        self.inner.prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Sqlite>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.inner.describe(sql)
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
        Ok(Some(arguments)) => params::literals(&format!("{arguments:?}")),
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
