//! The options of the `[caches.<backend>]` tables as settings keys, each backend's
//! in that backend's own words.

use super::{Key, Kind};
use crate::cache::backends::CacheBackend;

/// One option of the `[caches.<backend>]` tables: the backends it applies to, each
/// with its own line of help (what the option means there, and its default).
pub(super) struct CacheField {
    name: &'static str,
    kind: Kind,
    value_name: &'static str,
    pub(super) help: &'static [(CacheBackend, &'static str)],
}

use CacheBackend::{Database, File, Memory, Redis};

/// Every option a cache backend takes, as `[caches.<backend>]` keys.
pub(super) const CACHE_FIELDS: &[CacheField] = &[
    CacheField {
        name: "location",
        kind: Kind::Text,
        value_name: "WHERE",
        help: &[
            (
                File,
                "directory holding one file per entry [default: cache]",
            ),
            (
                Database,
                "SQLite URL of the database holding cache_table, created on first use [default: the app's database]",
            ),
            (Redis, "Redis server URL [default: redis://127.0.0.1:6379]"),
        ],
    },
    CacheField {
        name: "timeout",
        kind: Kind::Text,
        value_name: "SECONDS",
        help: &[
            (Memory, TIMEOUT_HELP),
            (File, TIMEOUT_HELP),
            (Database, TIMEOUT_HELP),
            (Redis, TIMEOUT_HELP),
        ],
    },
    CacheField {
        name: "key_prefix",
        kind: Kind::Text,
        value_name: "PREFIX",
        help: &[
            (Memory, PREFIX_HELP),
            (File, PREFIX_HELP),
            (Database, PREFIX_HELP),
            (Redis, PREFIX_HELP),
        ],
    },
    CacheField {
        name: "version",
        kind: Kind::Integer,
        value_name: "N",
        help: &[
            (Memory, VERSION_HELP),
            (File, VERSION_HELP),
            (Database, VERSION_HELP),
            (Redis, VERSION_HELP),
        ],
    },
    CacheField {
        name: "max_entries",
        kind: Kind::Integer,
        value_name: "N",
        help: &[
            (
                Memory,
                "entries kept before the least recently used are evicted, unless max_bytes is set [default: 300]",
            ),
            (File, "files kept before a cull [default: 300]"),
            (Database, "rows kept before a cull [default: 300]"),
            (
                Redis,
                "this app's keys kept before a cull, indexed under <key_prefix>::entries [default: 300]",
            ),
        ],
    },
    CacheField {
        name: "max_bytes",
        kind: Kind::Integer,
        value_name: "BYTES",
        help: &[(
            Memory,
            "bound by the bytes of the entries instead of their number; 0 bounds by max_entries [default: 0]",
        )],
    },
    CacheField {
        name: "cull_frequency",
        kind: Kind::Integer,
        value_name: "N",
        help: &[
            (
                File,
                "a cull deletes 1/N of the files, expired first, then the oldest; 0 deletes all [default: 3]",
            ),
            (
                Database,
                "a cull deletes 1/N of the rows, expired first, then the least recently written; 0 deletes all [default: 3]",
            ),
            (
                Redis,
                "a cull deletes 1/N of this app's keys, expired first, then those closest to expiry; 0 deletes all [default: 3]",
            ),
        ],
    },
    CacheField {
        name: "compress_threshold",
        kind: Kind::Integer,
        value_name: "BYTES",
        help: &[
            (
                Memory,
                "values longer than this are stored zstd-compressed; 0 never, as every hit would decompress [default: 0]",
            ),
            (File, COMPRESS_HELP),
            (Database, COMPRESS_HELP),
            (Redis, COMPRESS_HELP),
        ],
    },
    CacheField {
        name: "command_timeout_ms",
        kind: Kind::Integer,
        value_name: "MS",
        help: &[
            (
                File,
                "longest wait for one file read or write before it counts as a miss; after 3 failures in a row the backend is skipped, then probed [default: 1000]",
            ),
            (
                Database,
                "longest wait for one statement (a lock included) before it counts as a miss; after 3 failures in a row the backend is skipped, then probed [default: 1000]",
            ),
            (
                Redis,
                "longest wait for one command (connecting included) before it counts as a miss; after 3 failures in a row the backend is skipped, then probed [default: 250]",
            ),
        ],
    },
];

const TIMEOUT_HELP: &str =
    "default timeout in seconds, or `forever`; 0 stores nothing [default: 300]";
const PREFIX_HELP: &str = "first part of every key, `prefix:version:key` [default: pokedex]";
const VERSION_HELP: &str = "second part of every key; bump it to hide every entry [default: 1]";
const COMPRESS_HELP: &str =
    "values longer than this are stored zstd-compressed; 0 never [default: 1024]";

/// The key for one backend's option: `caches.file.max_entries`,
/// `POKEDEX_CACHES_FILE_MAX_ENTRIES`, `--caches-file-max-entries`; Redis's location
/// is `REDIS_URL` / `--redis-url`, the names everyone knows.
pub(super) fn cache_key(backend: CacheBackend, field: &CacheField, help: &str) -> Key {
    let (env, flag) = if (backend, field.name) == (CacheBackend::Redis, "location") {
        ("REDIS_URL".to_owned(), "redis-url".to_owned())
    } else {
        (
            format!("POKEDEX_CACHES_{backend}_{}", field.name).to_uppercase(),
            format!("caches-{backend}-{}", field.name).replace('_', "-"),
        )
    };
    Key {
        path: format!("caches.{backend}.{}", field.name).into(),
        env: env.into(),
        flag: flag.into(),
        kind: field.kind,
        value_name: field.value_name,
        help: format!("{backend} cache: {help}").into(),
    }
}
