//! Step 3: one view cached, on Redis.

use crate::cache::backends::CacheBackend::Redis;
use crate::cache::strategies::Strategy::View;
use crate::tutorial::setup::{Setup, Use};
use crate::tutorial::step::{Apply, Check, Expect, Part, Snippet, Step};

/// Per-view caching.
pub const STEP: Step = Step {
    title: "Per-view caching",
    summary: "One view cached, /all, on Redis: / changes, /all stays.",
    lesson: &[
        "The tutorial then takes the two middlewares out and caches one view: \
         `@cache_page(60)` on the view of `/all`, in Redis (`RedisCache` at \
         `redis://127.0.0.1:6379`). The home page is not wrapped: its time changes on \
         every refresh, while the time of `/all` stays for 60 seconds.",
        "Here the same page cache as the per-site one is put on the routes `[view] \
         routes` names (`src/cache/strategies/view.rs`). Redis must answer on \
         127.0.0.1:6379: when it does not, `/all` is served uncached, marked \
         `X-Cache: BYPASS`, and the toolbar's handle says why.",
    ],
    parts: &[Part {
        id: "a",
        title: "",
        django: &[
            Snippet {
                file: "settings.py",
                language: "python",
                code: r#"CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379",
    }
}"#,
            },
            Snippet {
                file: "pokemon/views.py",
                language: "python",
                code: r"from django.views.decorators.cache import cache_page


@cache_page(60)
def all_pokemon(request):
    ...",
            },
        ],
        toml: r#"[view]
backend = "redis"
seconds = 60
routes = ["/all"]

[caches.redis]
location = "redis://127.0.0.1:6379""#,
        command: "cargo run --release -- --view-cache redis",
        apply: Apply::Setup(Setup {
            view: Use::On(Redis, 60),
            ..Setup::OFF
        }),
        checks: &[
            Check {
                task: "Open [/all](/all) and refresh it twice: the time stays, and the \
                       toolbar's handle says `HIT · view · redis`.",
                expect: Expect::Frozen("/all", View),
            },
            Check {
                task: "Open [the home page](/) and refresh it twice: its time changes, as \
                       no `cache_page` wraps it.",
                expect: Expect::Fresh("/"),
            },
        ],
    }],
};
