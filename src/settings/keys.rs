//! The one list of settings that environment variables and flags can set.

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::cache::backends::CacheBackend;
use cache_fields::{CACHE_FIELDS, cache_key};

mod cache_fields;

/// How a value given as text (by a variable or a flag) becomes a settings value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Kept as text; the typed field parses it (addresses, URLs, names).
    Text,
    /// A whole number.
    Integer,
    /// A comma-separated list, each item kept as text for the typed field to parse.
    List,
}

/// One setting: its dotted path in `pokedex.toml`, its variable and its flag.
#[derive(Debug, Clone)]
pub struct Key {
    /// Dotted path in the settings file, e.g. `database.url`.
    pub path: Cow<'static, str>,
    /// Environment variable that overrides the file.
    pub env: Cow<'static, str>,
    /// Long flag (without `--`) that overrides the variable.
    pub flag: Cow<'static, str>,
    /// How the variable's or flag's text is read.
    pub kind: Kind,
    /// Name of the value in `--help`.
    pub value_name: &'static str,
    /// One line for `--help` and the README.
    pub help: Cow<'static, str>,
}

/// A key whose names are all written out here.
const fn key(
    path: &'static str,
    env: &'static str,
    flag: &'static str,
    kind: Kind,
    value_name: &'static str,
    help: &'static str,
) -> Key {
    Key {
        path: Cow::Borrowed(path),
        env: Cow::Borrowed(env),
        flag: Cow::Borrowed(flag),
        kind,
        value_name,
        help: Cow::Borrowed(help),
    }
}

/// The app's own settings; the caches' come from [`CACHE_FIELDS`].
const APP_KEYS: &[Key] = &[
    key(
        "addr",
        "POKEDEX_ADDR",
        "addr",
        Kind::Text,
        "HOST:PORT",
        "Address to listen on [default: 127.0.0.1:8000]",
    ),
    key(
        "database.url",
        "DATABASE_URL",
        "database",
        Kind::Text,
        "URL",
        "SQLite database URL [default: sqlite://pokedex.sqlite3]",
    ),
    key(
        "database.max_connections",
        "POKEDEX_DATABASE_MAX_CONNECTIONS",
        "database-max-connections",
        Kind::Integer,
        "N",
        "Size of the database connection pool [default: 8]",
    ),
    key(
        "server.header_read_timeout_secs",
        "POKEDEX_HEADER_READ_TIMEOUT_SECS",
        "header-read-timeout-secs",
        Kind::Integer,
        "SECONDS",
        "A request's head must arrive whole this soon after its first byte, and its body never stall longer [default: 10]",
    ),
    key(
        "server.keep_alive_timeout_secs",
        "POKEDEX_KEEP_ALIVE_TIMEOUT_SECS",
        "keep-alive-timeout-secs",
        Kind::Integer,
        "SECONDS",
        "An idle keep-alive connection is closed after this long [default: 60]",
    ),
    key(
        "server.max_connections",
        "POKEDEX_MAX_CONNECTIONS",
        "max-connections",
        Kind::Integer,
        "N",
        "Connections open at once; more wait in the listen queue [default: 1000]",
    ),
    key(
        "server.shutdown_grace_secs",
        "POKEDEX_SHUTDOWN_GRACE_SECS",
        "shutdown-grace-secs",
        Kind::Integer,
        "SECONDS",
        "On SIGTERM, how long requests in flight may take to finish [default: 10]",
    ),
    key(
        "server.access_log",
        "POKEDEX_ACCESS_LOG",
        "access-log",
        Kind::Text,
        "on|off",
        "One short log line per request: method, path, status, time [default: on]",
    ),
];

/// `[site]`, `[view]` and `[fragment]`: each strategy's backend and seconds; and
/// whether the toolbar shows.
const STRATEGY_KEYS: &[Key] = &[
    key(
        "invalidation",
        "POKEDEX_INVALIDATION",
        "invalidation",
        Kind::Text,
        "MODE",
        "How an edit reaches the caches: ttl (time-based), version or tags (key-based) [default: ttl]",
    ),
    key(
        "coalescing.max_wait_ms",
        "POKEDEX_COALESCING_MAX_WAIT_MS",
        "coalescing-max-wait-ms",
        Kind::Integer,
        "MS",
        "Longest a request waits for another computing the same page or fragment [default: 10000]",
    ),
    key(
        "allowed_hosts",
        "POKEDEX_ALLOWED_HOSTS",
        "allowed-hosts",
        Kind::List,
        "HOST,...",
        "Host names the toolbar, /__debug__/ and the lab answer to; `.example.com` allows subdomains, `*` any [default: localhost,127.0.0.1,[::1]]",
    ),
    key(
        "toolbar.internal_ips",
        "POKEDEX_INTERNAL_IPS",
        "internal-ips",
        Kind::List,
        "IP,...",
        "Clients that see the toolbar and may use the lab, when they come directly, not through a proxy [default: 127.0.0.1,::1]",
    ),
    key(
        "toolbar.show",
        "POKEDEX_TOOLBAR",
        "toolbar",
        Kind::Text,
        "on|off",
        "Debug toolbar for the clients in toolbar.internal_ips [default: on]",
    ),
    key(
        "site.backend",
        "POKEDEX_SITE_CACHE",
        "site-cache",
        Kind::Text,
        "BACKEND",
        "Per-site cache: off, memory, file, database or redis [default: off]",
    ),
    key(
        "site.seconds",
        "POKEDEX_SITE_SECONDS",
        "site-seconds",
        Kind::Integer,
        "SECONDS",
        "How long the per-site cache serves a page [default: 600]",
    ),
    key(
        "view.backend",
        "POKEDEX_VIEW_CACHE",
        "view-cache",
        Kind::Text,
        "BACKEND",
        "Per-view cache (cache_page on view.routes): off, memory, file, database or redis [default: off]",
    ),
    key(
        "view.seconds",
        "POKEDEX_VIEW_SECONDS",
        "view-seconds",
        Kind::Integer,
        "SECONDS",
        "How long the per-view cache serves a page [default: 60]",
    ),
    key(
        "fragment.backend",
        "POKEDEX_FRAGMENT_CACHE",
        "fragment-cache",
        Kind::Text,
        "BACKEND",
        "Template-fragment cache: off, memory, file, database or redis [default: off]",
    ),
    key(
        "fragment.seconds",
        "POKEDEX_FRAGMENT_SECONDS",
        "fragment-seconds",
        Kind::Integer,
        "SECONDS",
        "How long the fragment cache serves a block [default: 60]",
    ),
];

/// Every setting that can come from the environment or the command line.
#[must_use]
pub fn keys() -> &'static [Key] {
    static KEYS: LazyLock<Vec<Key>> = LazyLock::new(|| {
        let mut keys = APP_KEYS.to_vec();
        keys.extend_from_slice(STRATEGY_KEYS);
        for backend in CacheBackend::ALL {
            for field in CACHE_FIELDS {
                if let Some((_, help)) = field.help.iter().find(|(b, _)| *b == backend) {
                    keys.push(cache_key(backend, field, help));
                }
            }
        }
        keys
    });
    &KEYS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_distinct_path_variable_and_flag() {
        let keys = keys();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a.path, b.path);
                assert_ne!(a.env, b.env);
                assert_ne!(a.flag, b.flag);
            }
        }
    }
}
