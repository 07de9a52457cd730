//! The one list of settings that environment variables and flags can set.

use std::sync::LazyLock;

/// How a value given as text (by a variable or a flag) becomes a settings value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Kept as text; the typed field parses it (addresses, URLs, names).
    Text,
    /// A whole number.
    Integer,
}

/// One setting: its dotted path in `pokedex.toml`, its variable and its flag.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Dotted path in the settings file, e.g. `database.url`.
    pub path: &'static str,
    /// Environment variable that overrides the file.
    pub env: &'static str,
    /// Long flag (without `--`) that overrides the variable.
    pub flag: &'static str,
    /// How the variable's or flag's text is read.
    pub kind: Kind,
    /// Name of the value in `--help`.
    pub value_name: &'static str,
    /// One line for `--help` and the README.
    pub help: &'static str,
}

/// The app's own settings; the caches' come from [`CACHE_FIELDS`].
const APP_KEYS: &[Key] = &[
    Key {
        path: "addr",
        env: "POKEDEX_ADDR",
        flag: "addr",
        kind: Kind::Text,
        value_name: "HOST:PORT",
        help: "Address to listen on [default: 127.0.0.1:8000]",
    },
    Key {
        path: "database.url",
        env: "DATABASE_URL",
        flag: "database",
        kind: Kind::Text,
        value_name: "URL",
        help: "SQLite database URL [default: sqlite://pokedex.sqlite3]",
    },
    Key {
        path: "database.max_connections",
        env: "POKEDEX_DATABASE_MAX_CONNECTIONS",
        flag: "database-max-connections",
        kind: Kind::Integer,
        value_name: "N",
        help: "Size of the database connection pool [default: 8]",
    },
];

/// `[site]`, `[view]` and `[fragment]`: each strategy's backend and seconds; and
/// whether the toolbar shows.
const STRATEGY_KEYS: &[Key] = &[
    Key {
        path: "toolbar.show",
        env: "POKEDEX_TOOLBAR",
        flag: "toolbar",
        kind: Kind::Text,
        value_name: "on|off",
        help: "Debug toolbar for the clients in toolbar.internal_ips [default: on]",
    },
    Key {
        path: "site.backend",
        env: "POKEDEX_SITE_CACHE",
        flag: "site-cache",
        kind: Kind::Text,
        value_name: "BACKEND",
        help: "Per-site cache: off, memory, file, database or redis [default: off]",
    },
    Key {
        path: "site.seconds",
        env: "POKEDEX_SITE_SECONDS",
        flag: "site-seconds",
        kind: Kind::Integer,
        value_name: "SECONDS",
        help: "How long the per-site cache serves a page [default: 600]",
    },
    Key {
        path: "view.backend",
        env: "POKEDEX_VIEW_CACHE",
        flag: "view-cache",
        kind: Kind::Text,
        value_name: "BACKEND",
        help: "Per-view cache (cache_page on view.routes): off, memory, file, database or redis [default: off]",
    },
    Key {
        path: "view.seconds",
        env: "POKEDEX_VIEW_SECONDS",
        flag: "view-seconds",
        kind: Kind::Integer,
        value_name: "SECONDS",
        help: "How long the per-view cache serves a page [default: 60]",
    },
    Key {
        path: "fragment.backend",
        env: "POKEDEX_FRAGMENT_CACHE",
        flag: "fragment-cache",
        kind: Kind::Text,
        value_name: "BACKEND",
        help: "Template-fragment cache: off, memory, file, database or redis [default: off]",
    },
    Key {
        path: "fragment.seconds",
        env: "POKEDEX_FRAGMENT_SECONDS",
        flag: "fragment-seconds",
        kind: Kind::Integer,
        value_name: "SECONDS",
        help: "How long the fragment cache serves a block [default: 60]",
    },
];

/// One option of the `[caches.<backend>]` tables, and the backends it applies to.
struct CacheField {
    name: &'static str,
    kind: Kind,
    value_name: &'static str,
    help: &'static str,
    backends: &'static [&'static str],
}

/// Every option a cache backend takes, as `[caches.<backend>]` keys.
const CACHE_FIELDS: &[CacheField] = &[
    CacheField {
        name: "location",
        kind: Kind::Text,
        value_name: "WHERE",
        help: "file: directory [default: cache]; database: SQLite URL, empty for the app's database; redis: URL [default: redis://127.0.0.1:6379]",
        backends: &["file", "database", "redis"],
    },
    CacheField {
        name: "timeout",
        kind: Kind::Text,
        value_name: "SECONDS",
        help: "default timeout in seconds, or `forever`; 0 stores nothing [default: 300]",
        backends: &["memory", "file", "database", "redis"],
    },
    CacheField {
        name: "key_prefix",
        kind: Kind::Text,
        value_name: "PREFIX",
        help: "first part of every key, `prefix:version:key` [default: pokedex]",
        backends: &["memory", "file", "database", "redis"],
    },
    CacheField {
        name: "version",
        kind: Kind::Integer,
        value_name: "N",
        help: "second part of every key; bump it to hide every entry [default: 1]",
        backends: &["memory", "file", "database", "redis"],
    },
    CacheField {
        name: "max_entries",
        kind: Kind::Integer,
        value_name: "N",
        help: "entries kept before culling or eviction [default: 300]",
        backends: &["memory", "file", "database"],
    },
    CacheField {
        name: "max_bytes",
        kind: Kind::Integer,
        value_name: "BYTES",
        help: "bound the memory cache by bytes instead of entries; 0 bounds by entries [default: 0]",
        backends: &["memory"],
    },
    CacheField {
        name: "cull_frequency",
        kind: Kind::Integer,
        value_name: "N",
        help: "a cull removes 1/N of the entries, expired first, then oldest; 0 removes all [default: 3]",
        backends: &["file", "database"],
    },
    CacheField {
        name: "compress_threshold",
        kind: Kind::Integer,
        value_name: "BYTES",
        help: "values longer than this are stored zstd-compressed; 0 never [default: 1024; memory: 0]",
        backends: &["memory", "file", "database", "redis"],
    },
    CacheField {
        name: "command_timeout_ms",
        kind: Kind::Integer,
        value_name: "MS",
        help: "longest wait for one Redis command before it counts as a miss [default: 250]",
        backends: &["redis"],
    },
];

/// The cache backends, in the order settings and `clearcache` list them.
pub const CACHE_BACKENDS: [&str; 4] = ["memory", "file", "database", "redis"];

/// Every setting that can come from the environment or the command line.
#[must_use]
pub fn keys() -> &'static [Key] {
    static KEYS: LazyLock<Vec<Key>> = LazyLock::new(|| {
        let mut keys = APP_KEYS.to_vec();
        keys.extend_from_slice(STRATEGY_KEYS);
        for backend in CACHE_BACKENDS {
            for field in CACHE_FIELDS
                .iter()
                .filter(|f| f.backends.contains(&backend))
            {
                keys.push(cache_key(backend, field));
            }
        }
        keys
    });
    &KEYS
}

/// The key for one backend's option: `caches.file.max_entries`,
/// `POKEDEX_CACHES_FILE_MAX_ENTRIES`, `--caches-file-max-entries`; Redis's location
/// is `REDIS_URL` / `--redis-url`, the names everyone knows.
fn cache_key(backend: &str, field: &CacheField) -> Key {
    let (env, flag) = if (backend, field.name) == ("redis", "location") {
        ("REDIS_URL".to_owned(), "redis-url".to_owned())
    } else {
        (
            format!("POKEDEX_CACHES_{backend}_{}", field.name).to_uppercase(),
            format!("caches-{backend}-{}", field.name).replace('_', "-"),
        )
    };
    Key {
        path: leak(format!("caches.{backend}.{}", field.name)),
        env: leak(env),
        flag: leak(flag),
        kind: field.kind,
        value_name: field.value_name,
        help: leak(format!("{backend} cache: {}", field.help)),
    }
}

/// The registry is built once and lives as long as the process.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
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
