//! `database`: a table in SQLite (Django's `DatabaseCache`), with `add` and `incr`
//! atomic in one statement each, and a table counted only when it may be full.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use async_trait::async_trait;
use bytes::Bytes;
use sqlx::SqlitePool;

use crate::db::Db;
use tokio::sync::Mutex;

use super::{Backend, BackendError, CacheBackend, Cull, Expiry, IncrError, Usage, add_to_stored};
use sql::{
    ADD, CHUNK, CREATE, INCR, UPSERT, expires, in_list, is_expired, now, stored_expiry, write,
};

/// Creates the cache table unless it exists, and says whether it did: what opening
/// the backend and the `createcachetable` command both run.
pub async fn create_table(pool: &SqlitePool) -> Result<bool, BackendError> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cache_table')",
    )
    .fetch_one(pool)
    .await?;
    if exists {
        return Ok(false);
    }
    let mut transaction = pool.begin().await?;
    for statement in CREATE {
        sqlx::query(statement).execute(&mut *transaction).await?;
    }
    transaction.commit().await?;
    tracing::info!("created the cache table cache_table");
    Ok(true)
}

/// The SQLite backend (Django's `DatabaseCache`), on the app's database or its own.
pub struct DatabaseBackend {
    /// Its pool, through the query log, so the toolbar shows its statements.
    db: Db,
    cull: Cull,
    /// Rows at the last count plus every write since, less deletions: the table is
    /// counted only when this says it may be full. Other processes' writes are
    /// unseen until then.
    estimate: AtomicU64,
    /// One cull at a time: writers arriving together at capacity would each count.
    culling: Mutex<()>,
}

impl DatabaseBackend {
    /// A cache in `pool`'s `cache_table`, created if missing, bounded by `cull`.
    pub async fn open(pool: SqlitePool, cull: Cull) -> Result<Self, BackendError> {
        create_table(&pool).await?;
        let backend = Self {
            db: Db::for_cache(pool),
            cull,
            estimate: AtomicU64::new(0),
            culling: Mutex::new(()),
        };
        backend.estimate.store(backend.count().await?, Relaxed);
        Ok(backend)
    }

    /// The pool the table lives in, so tests and tools can reach the rows.
    #[must_use]
    pub fn pool(&self) -> &SqlitePool {
        self.db.pool()
    }

    async fn count(&self) -> Result<u64, BackendError> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM cache_table")
            .fetch_one(&self.db)
            .await?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    fn forget(&self, removed: u64) {
        let _ = self
            .estimate
            .fetch_update(Relaxed, Relaxed, |n| Some(n.saturating_sub(removed)));
    }

    /// Before writing `incoming` rows: if they may overflow the bound, counts the
    /// table, and culls if they would.
    async fn make_room(&self, incoming: u64) -> Result<(), BackendError> {
        let max = self.cull.max_entries;
        let estimate = self
            .estimate
            .fetch_add(incoming, Relaxed)
            .saturating_add(incoming);
        if estimate <= max {
            return Ok(());
        }
        let _culling = self.culling.lock().await;
        let count = self.count().await?;
        let excess = count.saturating_add(incoming).saturating_sub(max);
        let left = if excess == 0 {
            count
        } else {
            count.saturating_sub(self.cull(self.cull.victims(count).max(excess)).await?)
        };
        self.estimate.store(left.saturating_add(incoming), Relaxed);
        Ok(())
    }

    /// Deletes every expired row, then the least recently written until `doomed`
    /// rows are gone; returns how many went.
    async fn cull(&self, doomed: u64) -> Result<u64, BackendError> {
        let expired = sqlx::query("DELETE FROM cache_table WHERE expires <= ?1")
            .bind(now())
            .execute(&self.db)
            .await?
            .rows_affected();
        let oldest = doomed.saturating_sub(expired);
        if oldest == 0 {
            return Ok(expired);
        }
        let cut = "DELETE FROM cache_table WHERE cache_key IN \
             (SELECT cache_key FROM cache_table ORDER BY updated LIMIT ?1)";
        let cut = sqlx::query(cut)
            .bind(i64::try_from(oldest).unwrap_or(i64::MAX))
            .execute(&self.db)
            .await?;
        Ok(expired + cut.rows_affected())
    }

    /// The live entries under `keys`, in the same order, each with its row's
    /// expiry; expired rows found are deleted.
    async fn fetch(&self, keys: &[String]) -> Result<Vec<Option<(Bytes, Expiry)>>, BackendError> {
        let now = now();
        let mut found = HashMap::with_capacity(keys.len());
        let mut expired = Vec::new();
        for chunk in keys.chunks(CHUNK) {
            // CAST, because a row written by hand may hold TEXT or a number.
            let select = "SELECT cache_key, CAST(value AS BLOB), expires FROM cache_table \
                 WHERE cache_key IN ";
            let mut query = in_list(select, chunk);
            let rows: Vec<(String, Vec<u8>, Option<i64>)> =
                query.build_query_as().fetch_all(&self.db).await?;
            for (key, value, expires) in rows {
                if is_expired(expires, now) {
                    expired.push(key);
                } else {
                    found.insert(key, (Bytes::from(value), stored_expiry(expires)));
                }
            }
        }
        if !expired.is_empty() {
            self.purge(&expired, now).await?;
        }
        Ok(keys.iter().map(|key| found.get(key).cloned()).collect())
    }

    /// Deletes whichever of `keys` have expired, so a read leaves no dead row behind.
    async fn purge(&self, keys: &[String], now: i64) -> Result<(), BackendError> {
        for chunk in keys.chunks(CHUNK) {
            let mut query = in_list("DELETE FROM cache_table WHERE cache_key IN ", chunk);
            query.push(" AND expires <= ").push_bind(now);
            self.forget(query.build().execute(&self.db).await?.rows_affected());
        }
        Ok(())
    }
}

#[async_trait]
impl Backend for DatabaseBackend {
    fn kind(&self) -> CacheBackend {
        CacheBackend::Database
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, BackendError> {
        Ok(self.get_with_expiry(key).await?.map(|(value, _)| value))
    }

    async fn get_with_expiry(
        &self,
        key: &str,
    ) -> Result<Option<(Bytes, Option<Expiry>)>, BackendError> {
        let found = self.fetch(&[key.to_owned()]).await?.pop().flatten();
        Ok(found.map(|(value, expiry)| (value, Some(expiry))))
    }

    async fn get_many_with_expiry(
        &self,
        keys: &[String],
    ) -> Result<Vec<Option<(Bytes, Option<Expiry>)>>, BackendError> {
        let found = self.fetch(keys).await?;
        Ok(found
            .into_iter()
            .map(|entry| entry.map(|(value, expiry)| (value, Some(expiry))))
            .collect())
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Bytes>>, BackendError> {
        let found = self.fetch(keys).await?;
        Ok(found
            .into_iter()
            .map(|entry| entry.map(|(value, _)| value))
            .collect())
    }

    async fn set(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<(), BackendError> {
        self.make_room(1).await?;
        write(UPSERT, key, &value, expiry, now())
            .execute(&self.db)
            .await?;
        Ok(())
    }

    async fn set_many(
        &self,
        entries: &[(String, Bytes)],
        expiry: Expiry,
    ) -> Result<(), BackendError> {
        self.make_room(u64::try_from(entries.len()).unwrap_or(u64::MAX))
            .await?;
        let now = now();
        let mut transaction = self.db.pool().begin().await?;
        for (key, value) in entries {
            write(UPSERT, key, value, expiry, now)
                .execute(self.db.recorded(&mut *transaction))
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn add(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<bool, BackendError> {
        self.make_room(1).await?;
        let written = write(ADD, key, &value, expiry, now())
            .execute(&self.db)
            .await?;
        Ok(written.rows_affected() == 1)
    }

    async fn delete(&self, key: &str) -> Result<bool, BackendError> {
        Ok(self.delete_many(&[key.to_owned()]).await? == 1)
    }

    async fn delete_many(&self, keys: &[String]) -> Result<u64, BackendError> {
        let now = now();
        let mut live = 0;
        for chunk in keys.chunks(CHUNK) {
            let mut query = in_list("DELETE FROM cache_table WHERE cache_key IN ", chunk);
            query.push(" RETURNING expires");
            let removed: Vec<Option<i64>> = query.build_query_scalar().fetch_all(&self.db).await?;
            self.forget(u64::try_from(removed.len()).unwrap_or(u64::MAX));
            live += removed
                .into_iter()
                .filter(|&expires| !is_expired(expires, now))
                .count();
        }
        Ok(u64::try_from(live).unwrap_or(u64::MAX))
    }

    async fn touch(&self, key: &str, expiry: Expiry) -> Result<bool, BackendError> {
        let touch = "UPDATE cache_table SET expires = ?2, updated = ?3 \
             WHERE cache_key = ?1 AND (expires IS NULL OR expires > ?3)";
        let touched = sqlx::query(touch)
            .bind(key)
            .bind(expires(expiry))
            .bind(now())
            .execute(&self.db)
            .await?;
        Ok(touched.rows_affected() == 1)
    }

    async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        let now = now();
        let sum: Option<i64> = sqlx::query_scalar(INCR)
            .bind(key)
            .bind(delta)
            .bind(now)
            .fetch_optional(&self.db)
            .await
            .map_err(BackendError::from)?;
        if let Some(sum) = sum {
            return Ok(sum);
        }
        let row: Option<(Vec<u8>, Option<i64>)> = sqlx::query_as(
            "SELECT CAST(value AS BLOB), expires FROM cache_table WHERE cache_key = ?1",
        )
        .bind(key)
        .fetch_optional(&self.db)
        .await
        .map_err(BackendError::from)?;
        match row {
            // Should the row hold a live integer now, it became one after the update
            // looked, when the key held none: hence `Missing`.
            Some((value, expires)) if !is_expired(expires, now) => {
                add_to_stored(&value, delta).and(Err(IncrError::Missing))
            }
            _ => Err(IncrError::Missing),
        }
    }

    async fn clear(&self, namespace: &str) -> Result<(), BackendError> {
        let removed =
            sqlx::query("DELETE FROM cache_table WHERE substr(cache_key, 1, length(?1)) = ?1")
                .bind(namespace)
                .execute(&self.db)
                .await?;
        self.forget(removed.rows_affected());
        Ok(())
    }

    async fn usage(&self, namespace: &str) -> Result<Usage, BackendError> {
        let (entries, bytes): (i64, i64) = sqlx::query_as(
            "SELECT count(*), coalesce(sum(length(cache_key) + length(value)), 0) \
             FROM cache_table WHERE substr(cache_key, 1, length(?1)) = ?1",
        )
        .bind(namespace)
        .fetch_one(&self.db)
        .await?;
        Ok(Usage {
            entries: entries.unsigned_abs(),
            bytes: bytes.unsigned_abs(),
        })
    }
}

mod sql;
#[cfg(test)]
mod tests;
