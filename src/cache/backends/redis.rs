//! `redis`: a Redis server, shared by every process pointed at it, each entry
//! expiring by its own Redis TTL.

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Cmd, FromRedisValue, Pipeline, RedisResult, Script, Value};
use tokio::sync::OnceCell;

use super::{Backend, BackendError, CacheBackend, Expiry, IncrError, Usage, now_millis};
use crate::cache::codec::parse_integer;
use budget::Budget;
use getter::Getter;

pub mod budget;
mod getter;

/// Keys one SCAN step looks at while clearing: few round trips, yet no step long
/// enough to stall a server that answers everyone else in between.
const SCAN_COUNT: usize = 500;

/// Retries of a failed connection attempt, and their delays: one quick second chance
/// for a blip, then the error (say, "connection refused") goes to the requests of the
/// moment at once instead of their waiting out a backoff, and the next request starts
/// a fresh attempt.
const CONNECT_RETRIES: usize = 1;
const CONNECT_RETRY_MIN_DELAY: Duration = Duration::from_millis(10);
const CONNECT_RETRY_MAX_DELAY: Duration = Duration::from_millis(100);

/// Redis refuses a TTL that takes its clock past `i64::MAX` milliseconds; an absurd
/// timeout becomes this one (146 million years) instead of an error.
const MAX_TTL_MILLIS: u64 = 1 << 62;

/// `INCRBY` alone would create a missing key; this refuses it, atomically, and INCRBY
/// keeps the TTL. It returns the stored text rather than INCRBY's reply because Lua
/// numbers are doubles, exact only up to 2^53.
const INCR_EXISTING: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then
    return nil
end
redis.call('INCRBY', KEYS[1], ARGV[1])
return redis.call('GET', KEYS[1])
";

/// The Redis backend (Django's `RedisCache`), connecting on first use.
pub struct RedisBackend {
    client: Client,
    command_timeout: Duration,
    /// Empty until a command connects; a failed connect leaves it empty, so the app
    /// starts while Redis is down and caching resumes once it is back.
    manager: OnceCell<ConnectionManager>,
    /// `GET` on connections of its own, reading a value without copying it; `None`
    /// for a server only redis-rs's connection reaches (TLS).
    getter: Option<Getter>,
    incr_script: Script,
    /// How many entries of its key prefix it may hold; `None` only for a backend
    /// built bare, as some tests and the commands build it.
    budget: Option<Budget>,
}

impl RedisBackend {
    /// A backend for the server at `url` (`redis://host:port/db`), giving up on any
    /// command, connecting included, after `command_timeout`. Only parses the URL.
    pub fn new(url: &str, command_timeout: Duration) -> Result<Self, BackendError> {
        let client = Client::open(url)?;
        Ok(Self {
            getter: Getter::for_server(client.get_connection_info()),
            client,
            command_timeout,
            manager: OnceCell::new(),
            incr_script: Script::new(INCR_EXISTING),
            budget: None,
        })
    }

    /// The same backend holding at most `budget`'s entries.
    #[must_use]
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Writes `entries` through the budget's script; says how many were stored.
    async fn write_indexed(
        &self,
        budget: &Budget,
        entries: &[(&str, &[u8])],
        expiry: Expiry,
        only_new: bool,
    ) -> Result<u64, BackendError> {
        let px = expiry.as_millis().map_or(0, ttl_millis);
        let invocation = budget.write(entries.iter().copied(), px, expiry, only_new, now_millis());
        self.bounded(async {
            let mut connection = self.connection().await?;
            invocation.invoke_async(&mut connection).await
        })
        .await
    }

    /// The shared connection, made now if no earlier command made it.
    async fn connection(&self) -> RedisResult<ConnectionManager> {
        let manager = self
            .manager
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.command_timeout))
                    .set_response_timeout(Some(self.command_timeout))
                    .set_number_of_retries(CONNECT_RETRIES)
                    .set_min_delay(CONNECT_RETRY_MIN_DELAY)
                    .set_max_delay(CONNECT_RETRY_MAX_DELAY);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await?;
        Ok(manager.clone())
    }

    /// Runs `work` for at most the command timeout, so that an unreachable or stalled
    /// server never holds up a request.
    async fn bounded<T>(
        &self,
        work: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, BackendError> {
        match tokio::time::timeout(self.command_timeout, work).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(BackendError::Timeout(self.command_timeout)),
        }
    }

    async fn query<T: FromRedisValue>(&self, command: &Cmd) -> Result<T, BackendError> {
        self.bounded(async { command.query_async(&mut self.connection().await?).await })
            .await
    }

    async fn query_pipeline<T: FromRedisValue>(
        &self,
        pipeline: &Pipeline,
    ) -> Result<T, BackendError> {
        self.bounded(async { pipeline.query_async(&mut self.connection().await?).await })
            .await
    }
}

impl RedisBackend {
    /// Adds to `pipeline` the index's new score for a touched `key`, if indexed.
    fn reindex(&self, pipeline: &mut Pipeline, key: &str, expiry: Expiry) {
        if let Some(budget) = &self.budget {
            pipeline
                .cmd("ZADD")
                .arg(budget.index())
                .arg("XX")
                .arg(budget::score(expiry))
                .arg(key)
                .ignore();
        }
    }

    /// One SCAN step over the keys starting with `namespace`: the next cursor (0 at
    /// the end) and the keys found.
    async fn scan(
        &self,
        cursor: u64,
        namespace: &str,
    ) -> Result<(u64, Vec<Vec<u8>>), BackendError> {
        let mut scan = redis::cmd("SCAN");
        scan.arg(cursor)
            .arg("MATCH")
            .arg(format!("{}*", escape_glob(namespace)))
            .arg("COUNT")
            .arg(SCAN_COUNT);
        self.query(&scan).await
    }
}

/// An entry's expiry from its `PTTL`: -1 for a key without one, -2 for none (gone
/// since it was read).
fn expiry_of_pttl(left: i64) -> Option<Expiry> {
    match u64::try_from(left) {
        Ok(left) => Some(Expiry::At(now_millis().saturating_add(left))),
        Err(_) if left == -1 => Some(Expiry::Never),
        Err(_) => None,
    }
}

/// Milliseconds until `at`, at least 1 (Redis refuses 0). Relative TTLs run on
/// Redis's clock, so a clock skew between app and server does not shift expiries.
fn ttl_millis(at: u64) -> u64 {
    at.saturating_sub(now_millis()).clamp(1, MAX_TTL_MILLIS)
}

/// `SET key value`, with a TTL or without one (which also drops an earlier TTL).
fn set_command(key: &str, value: &[u8], expiry: Expiry) -> Cmd {
    let mut command = redis::cmd("SET");
    command.arg(key).arg(value);
    if let Expiry::At(at) = expiry {
        command.arg("PX").arg(ttl_millis(at));
    }
    command
}

/// `text` matching only itself in a Redis glob pattern.
fn escape_glob(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// Redis's refusals of INCRBY, as the cache API names them.
fn incr_error(error: BackendError) -> IncrError {
    if let BackendError::Redis(refusal) = &error {
        let detail = refusal.detail().unwrap_or_default();
        if detail.starts_with("increment or decrement would overflow") {
            return IncrError::Overflow;
        }
        if detail.starts_with("value is not an integer") {
            return IncrError::NotInteger;
        }
    }
    IncrError::Backend(error)
}

#[async_trait]
impl Backend for RedisBackend {
    fn kind(&self) -> CacheBackend {
        CacheBackend::Redis
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, BackendError> {
        match &self.getter {
            Some(getter) => self.bounded(getter.get(key)).await,
            None => self.query(redis::cmd("GET").arg(key)).await,
        }
    }

    /// GET and PTTL pipelined: one round trip, as `get`'s.
    async fn get_with_expiry(
        &self,
        key: &str,
    ) -> Result<Option<(Bytes, Option<Expiry>)>, BackendError> {
        let mut found = self.get_many_with_expiry(&[key.to_owned()]).await?;
        Ok(found.pop().flatten())
    }

    async fn get_many_with_expiry(
        &self,
        keys: &[String],
    ) -> Result<Vec<Option<(Bytes, Option<Expiry>)>>, BackendError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // One round trip: the values, then each key's time left.
        let mut pipeline = redis::pipe();
        pipeline.cmd("MGET").arg(keys);
        for key in keys {
            pipeline.cmd("PTTL").arg(key);
        }
        let mut replies: Vec<Value> = self.query_pipeline(&pipeline).await?;
        let lefts = replies.split_off(1);
        let values: Vec<Option<Bytes>> = match replies.pop() {
            Some(values) => redis::from_redis_value(values).map_err(redis::RedisError::from)?,
            None => Vec::new(),
        };
        Ok(values
            .into_iter()
            .zip(lefts)
            .map(|(value, left)| {
                let left: i64 = redis::from_redis_value(left).unwrap_or(-2);
                value.map(|value| (value, expiry_of_pttl(left)))
            })
            .collect())
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Bytes>>, BackendError> {
        // MGET without keys is a syntax error.
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.query(redis::cmd("MGET").arg(keys)).await
    }

    async fn set(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<(), BackendError> {
        if let Some(budget) = &self.budget {
            return self
                .write_indexed(budget, &[(key, &value)], expiry, false)
                .await
                .map(|_| ());
        }
        self.query(&set_command(key, &value, expiry)).await
    }

    async fn set_many(
        &self,
        entries: &[(String, Bytes)],
        expiry: Expiry,
    ) -> Result<(), BackendError> {
        if entries.is_empty() {
            return Ok(());
        }
        if let Some(budget) = &self.budget {
            let entries: Vec<(&str, &[u8])> = entries
                .iter()
                .map(|(key, value)| (key.as_str(), value.as_ref()))
                .collect();
            return self
                .write_indexed(budget, &entries, expiry, false)
                .await
                .map(|_| ());
        }
        let mut pipeline = redis::pipe();
        pipeline.atomic();
        for (key, value) in entries {
            pipeline
                .add_command(set_command(key, value, expiry))
                .ignore();
        }
        self.query_pipeline(&pipeline).await
    }

    async fn add(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<bool, BackendError> {
        if let Some(budget) = &self.budget {
            let stored = self
                .write_indexed(budget, &[(key, &value)], expiry, true)
                .await?;
            return Ok(stored > 0);
        }
        let mut command = set_command(key, &value, expiry);
        command.arg("NX");
        let reply: Value = self.query(&command).await?;
        Ok(reply != Value::Nil)
    }

    async fn delete(&self, key: &str) -> Result<bool, BackendError> {
        let removed = self.delete_many(&[key.to_owned()]).await?;
        Ok(removed > 0)
    }

    async fn delete_many(&self, keys: &[String]) -> Result<u64, BackendError> {
        if keys.is_empty() {
            return Ok(0);
        }
        let Some(budget) = &self.budget else {
            return self.query(redis::cmd("UNLINK").arg(keys)).await;
        };
        let mut pipeline = redis::pipe();
        pipeline
            .atomic()
            .cmd("UNLINK")
            .arg(keys)
            .cmd("ZREM")
            .arg(budget.index())
            .arg(keys)
            .ignore();
        let (removed,): (u64,) = self.query_pipeline(&pipeline).await?;
        Ok(removed)
    }

    async fn touch(&self, key: &str, expiry: Expiry) -> Result<bool, BackendError> {
        match expiry {
            Expiry::At(at) => {
                let mut pipeline = redis::pipe();
                pipeline
                    .atomic()
                    .cmd("PEXPIRE")
                    .arg(key)
                    .arg(ttl_millis(at));
                self.reindex(&mut pipeline, key, expiry);
                let (touched,): (bool,) = self.query_pipeline(&pipeline).await?;
                Ok(touched)
            }
            Expiry::Never => {
                // PERSIST answers 0 for a key that exists without a TTL, so EXISTS,
                // in the same transaction, says whether there was an entry.
                let mut pipeline = redis::pipe();
                pipeline
                    .atomic()
                    .cmd("EXISTS")
                    .arg(key)
                    .cmd("PERSIST")
                    .arg(key)
                    .ignore();
                self.reindex(&mut pipeline, key, expiry);
                let (exists,): (bool,) = self.query_pipeline(&pipeline).await?;
                Ok(exists)
            }
        }
    }

    async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        let stored: Option<Vec<u8>> = self
            .bounded(async {
                let mut connection = self.connection().await?;
                self.incr_script
                    .key(key)
                    .arg(delta)
                    .invoke_async(&mut connection)
                    .await
            })
            .await
            .map_err(incr_error)?;
        parse_integer(&stored.ok_or(IncrError::Missing)?).ok_or(IncrError::NotInteger)
    }

    async fn has_key(&self, key: &str) -> Result<bool, BackendError> {
        self.query(redis::cmd("EXISTS").arg(key)).await
    }

    async fn clear(&self, namespace: &str) -> Result<(), BackendError> {
        let mut cursor: u64 = 0;
        loop {
            let (next, keys) = self.scan(cursor, namespace).await?;
            if !keys.is_empty() {
                self.query::<u64>(redis::cmd("UNLINK").arg(keys)).await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    async fn usage(&self, namespace: &str) -> Result<Usage, BackendError> {
        let mut usage = Usage::default();
        let mut cursor: u64 = 0;
        loop {
            let (next, mut keys) = self.scan(cursor, namespace).await?;
            // The budget's index is not an entry.
            if let Some(budget) = &self.budget {
                keys.retain(|key| key.as_slice() != budget.index().as_bytes());
            }
            if !keys.is_empty() {
                let mut pipeline = redis::pipe();
                for key in &keys {
                    pipeline.cmd("MEMORY").arg("USAGE").arg(key);
                }
                // A key that expired between SCAN and MEMORY USAGE answers nil.
                let sizes: Vec<Option<u64>> = self.query_pipeline(&pipeline).await?;
                for size in sizes.into_iter().flatten() {
                    usage.entries += 1;
                    usage.bytes += size;
                }
            }
            if next == 0 {
                return Ok(usage);
            }
            cursor = next;
        }
    }
}

#[cfg(test)]
mod tests;
