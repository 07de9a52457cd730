//! The database backend's statements, and the small helpers that bind them.

use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{QueryBuilder, Sqlite};

use super::super::{Expiry, now_millis};

/// Keys per statement, well under SQLite's limit on bound parameters.
pub(super) const CHUNK: usize = 500;

/// `updated` is when the row was last written: culling removes the least recently
/// written rows, and `expires` is indexed so expired rows are found without a scan.
pub(super) const CREATE: [&str; 2] = [
    "CREATE TABLE IF NOT EXISTS cache_table (cache_key TEXT PRIMARY KEY, \
     value BLOB NOT NULL, expires INTEGER, updated INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS cache_table_expires ON cache_table (expires)",
];

pub(super) const UPSERT: &str = "INSERT INTO cache_table (cache_key, value, expires, updated) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (cache_key) DO UPDATE SET \
     value = excluded.value, expires = excluded.expires, updated = excluded.updated";

/// [`UPSERT`] replacing only an expired row, so `add` needs no transaction either.
pub(super) const ADD: &str = "INSERT INTO cache_table (cache_key, value, expires, updated) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (cache_key) DO UPDATE SET \
     value = excluded.value, expires = excluded.expires, updated = excluded.updated \
     WHERE cache_table.expires <= ?4";

/// In one statement, so concurrent `incr`s need no transaction (SQLite's deferred
/// ones fail with `SQLITE_BUSY` when several upgrade to writing at once). Only a live
/// canonical decimal whose sum stays an integer (SQLite turns an overflowing sum into
/// a REAL) is changed, and it stays a BLOB of decimal text.
pub(super) const INCR: &str = "UPDATE cache_table \
     SET value = CAST(CAST(CAST(CAST(value AS TEXT) AS INTEGER) + ?2 AS TEXT) AS BLOB), \
     updated = ?3 \
     WHERE cache_key = ?1 AND (expires IS NULL OR expires > ?3) \
     AND CAST(CAST(CAST(value AS TEXT) AS INTEGER) AS TEXT) = CAST(value AS TEXT) \
     AND typeof(CAST(CAST(value AS TEXT) AS INTEGER) + ?2) = 'integer' \
     RETURNING CAST(CAST(value AS TEXT) AS INTEGER)";

/// [`UPSERT`] or [`ADD`], bound.
pub(super) fn write<'q>(
    sql: &'q str,
    key: &'q str,
    value: &'q [u8],
    expiry: Expiry,
    now: i64,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    sqlx::query(sql)
        .bind(key)
        .bind(value)
        .bind(expires(expiry))
        .bind(now)
}

/// `sql` followed by `(?, ?, …)` bound to `keys`.
pub(super) fn in_list<'a>(sql: &str, keys: &'a [String]) -> QueryBuilder<'a, Sqlite> {
    let mut query = QueryBuilder::new(sql);
    let mut list = query.separated(", ");
    list.push_unseparated("(");
    for key in keys {
        list.push_bind(key.as_str());
    }
    list.push_unseparated(")");
    query
}

/// Now, as the table stores times.
pub(super) fn now() -> i64 {
    i64::try_from(now_millis()).unwrap_or(i64::MAX)
}

/// An expiry as the table stores it: millis, or NULL for never.
pub(super) fn expires(expiry: Expiry) -> Option<i64> {
    expiry
        .as_millis()
        .map(|at| i64::try_from(at).unwrap_or(i64::MAX))
}

/// A row's `expires` as an expiry: NULL is never.
pub(super) fn stored_expiry(expires: Option<i64>) -> Expiry {
    expires.map_or(Expiry::Never, |at| Expiry::At(at.unsigned_abs()))
}

/// Whether a row's `expires` has passed at `now`.
pub(super) fn is_expired(expires: Option<i64>, now: i64) -> bool {
    expires.is_some_and(|at| at <= now)
}
