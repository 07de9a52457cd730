//! Step 2: the whole site cached, on the database, then in memory.

use crate::cache::backends::CacheBackend::{Database, Memory};
use crate::cache::strategies::Strategy::Site;
use crate::tutorial::setup::{Setup, Use};
use crate::tutorial::step::{Apply, Check, Expect, Part, Snippet, Step};

/// Per-site caching.
pub const STEP: Step = Step {
    title: "Per-site caching",
    summary: "The whole site cached: on the database, then in memory.",
    lesson: &[
        "Django caches a whole site with two middlewares: `UpdateCacheMiddleware`, first \
         in `MIDDLEWARE`, stores each response on its way out, and \
         `FetchFromCacheMiddleware`, last, answers a request from the cache before any \
         view runs. The tutorial stores the pages in the database first: `DatabaseCache` \
         keeps them in a table that `createcachetable` makes.",
        "Here one layer around the router does both (`src/cache/strategies/site.rs`), and \
         the database backend keeps `cache_table` in the app's own SQLite file. A page \
         served from the cache is the page as it was stored, navbar time and all: the \
         time freezes, on every page.",
        "Then the same in memory. Only the backend changes, and the toolbar shows what \
         that costs: each hit on the database runs SQL on `cache_table`, a hit in memory \
         none.",
    ],
    parts: &[
        Part {
            id: "a",
            title: "On the database",
            django: &[
                Snippet {
                    file: "settings.py",
                    language: "python",
                    code: r#"CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cache_table",
    }
}

MIDDLEWARE = [
    "django.middleware.cache.UpdateCacheMiddleware",
    # ... the project's other middleware ...
    "django.middleware.cache.FetchFromCacheMiddleware",
]

CACHE_MIDDLEWARE_SECONDS = 600"#,
                },
                Snippet {
                    file: "shell",
                    language: "sh",
                    code: "python manage.py createcachetable",
                },
            ],
            toml: r#"[site]
backend = "database"
seconds = 600"#,
            command: "cargo run --release -- createcachetable\n\
                      cargo run --release -- --site-cache database",
            apply: Apply::Setup(SITE_ON_DATABASE),
            checks: &[
                Check {
                    task: "Open [/all](/all) and refresh it twice: the time stays, and the \
                           toolbar's handle says `HIT · site · database`.",
                    expect: Expect::Frozen("/all", Site),
                },
                Check {
                    task: "Do the same with [the home page](/): every page freezes.",
                    expect: Expect::Frozen("/", Site),
                },
            ],
        },
        Part {
            id: "b",
            title: "In memory",
            django: &[Snippet {
                file: "settings.py",
                language: "python",
                code: r#"CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
}"#,
            }],
            toml: r#"[site]
backend = "memory"
seconds = 600"#,
            command: "cargo run --release -- --site-cache memory",
            apply: Apply::Setup(SITE_IN_MEMORY),
            checks: &[
                Check {
                    task: "Open [/all](/all) and refresh it twice: the time stays, served \
                           from memory.",
                    expect: Expect::Frozen("/all", Site),
                },
                Check {
                    task: "Do the same with [the home page](/).",
                    expect: Expect::Frozen("/", Site),
                },
                Check {
                    task: "Set a hit on the database beside a hit in memory: the time each \
                           spent in the cache (the toolbar's Cache panel), and the SQL the \
                           database backend ran.",
                    expect: Expect::HitCosts("/all", [Database, Memory]),
                },
            ],
        },
    ],
};

/// Per-site caching on the database, as Django's `CACHE_MIDDLEWARE_SECONDS = 600`.
const SITE_ON_DATABASE: Setup = Setup {
    site: Use::On(Database, 600),
    ..Setup::OFF
};

/// The same in memory: step 6 stores pages this way too.
pub(super) const SITE_IN_MEMORY: Setup = Setup {
    site: Use::On(Memory, 600),
    ..Setup::OFF
};
