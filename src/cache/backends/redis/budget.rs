//! The Redis backend's budget: a sorted set under the key prefix indexes every entry
//! this app wrote, scored by its expiry; a write that takes the index past
//! `max_entries` culls, in the same script, first the entries already expired, then
//! `1/cull_frequency` of those closest to expiry — as the file and database backends
//! cull. A shared Redis thus holds at most `max_entries` of this app's entries,
//! however many distinct keys requests make, and never evicts another app's keys for
//! it.

use redis::{Script, ScriptInvocation};

use crate::cache::backends::{Cull, Expiry};

/// Stores every entry (NX when asked), indexes it, and culls when over budget;
/// returns how many were stored. Scores are the app's clock in milliseconds, the
/// same clock `now` comes from.
const WRITE_INDEXED: &str = r"
local index = KEYS[1]
local px, score, now = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local max, frequency, nx = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1'
local stored = 0
for i = 2, #KEYS do
    local key, value, ok = KEYS[i], ARGV[i + 5], nil
    if px > 0 and nx then ok = redis.call('SET', key, value, 'PX', px, 'NX')
    elseif px > 0 then ok = redis.call('SET', key, value, 'PX', px)
    elseif nx then ok = redis.call('SET', key, value, 'NX')
    else ok = redis.call('SET', key, value) end
    if ok then
        redis.call('ZADD', index, score, key)
        stored = stored + 1
    end
end
if redis.call('ZCARD', index) > max then
    redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
    local count = redis.call('ZCARD', index)
    if count > max then
        local victims = count
        if frequency > 0 then victims = math.max(1, math.floor(count / frequency)) end
        for _, key in ipairs(redis.call('ZRANGE', index, 0, victims - 1)) do
            redis.call('UNLINK', key)
        end
        redis.call('ZREMRANGEBYRANK', index, 0, victims - 1)
    end
end
return stored
";

/// The score of an entry that never expires: culled last. Exact in Lua's doubles.
const NEVER: u64 = 1 << 53;

/// How many entries of one key prefix Redis may hold, and the index that counts them.
pub struct Budget {
    index: String,
    cull: Cull,
    script: Script,
}

impl Budget {
    /// The budget of the keys under `key_prefix`, culled as `cull` says. The index's
    /// key, `<prefix>::entries`, has no version, so no cache key can be named like
    /// it, and it starts with the prefix, so `clearcache` removes it too.
    #[must_use]
    pub fn new(key_prefix: &str, cull: Cull) -> Self {
        Self {
            index: format!("{key_prefix}::entries"),
            cull,
            script: Script::new(WRITE_INDEXED),
        }
    }

    /// The index's key.
    #[must_use]
    pub fn index(&self) -> &str {
        &self.index
    }

    /// The script call writing `entries` with `px` milliseconds to live (0: no TTL)
    /// for an `expiry` (the index's score), `only_new` as `SET NX`; `now` is the
    /// app's clock.
    #[must_use]
    pub fn write<'a>(
        &'a self,
        entries: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        px: u64,
        expiry: Expiry,
        only_new: bool,
        now: u64,
    ) -> ScriptInvocation<'a> {
        let mut invocation = self.script.key(&self.index);
        invocation
            .arg(px)
            .arg(score(expiry))
            .arg(now)
            .arg(self.cull.max_entries)
            .arg(self.cull.cull_frequency)
            .arg(if only_new { "1" } else { "0" });
        let mut values = Vec::new();
        for (key, value) in entries {
            invocation.key(key);
            values.push(value);
        }
        for value in values {
            invocation.arg(value);
        }
        invocation
    }
}

/// An entry's place in the index: its expiry, those never expiring last.
#[must_use]
pub fn score(expiry: Expiry) -> u64 {
    expiry.as_millis().map_or(NEVER, |at| at.min(NEVER))
}
