//! Step 4: one template fragment cached, on files.

use crate::cache::backends::CacheBackend::File;
use crate::tutorial::setup::{Setup, Use};
use crate::tutorial::step::{Apply, Check, Expect, Part, Snippet, Step};

/// Template-fragment caching.
pub const STEP: Step = Step {
    title: "Template-fragment caching",
    summary: "The table of /all cached, on files: the view runs, the query does not.",
    lesson: &[
        "Last, the tutorial caches a piece of a page: `{% cache 60 content_cache %}` \
         around the table in `all.html`, on the file system (`FileBasedCache`). The view \
         still runs, so the navbar time changes on every refresh, but the table comes \
         from the cache.",
        "Here `/all`'s table is the `content_cache` fragment, and each of the home page's \
         three tables is one too (`src/cache/strategies/fragment.rs`). Unlike the \
         original, whose view still runs its query, a fragment hit here runs no query at \
         all: the query runs only to render a fragment the cache does not have.",
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
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "/var/tmp/django_cache",
    }
}"#,
            },
            Snippet {
                file: "templates/all.html",
                language: "html",
                code: r#"{% load cache %}
{% cache 60 content_cache %}
<table class="table table-striped table-dark">
  {% for p in pokemon %} ... {% endfor %}
</table>
{% endcache %}"#,
            },
        ],
        toml: r#"[fragment]
backend = "file"
seconds = 60

[caches.file]
location = "cache""#,
        command: "cargo run --release -- --fragment-cache file",
        apply: Apply::Setup(FRAGMENT_ON_FILES),
        checks: &[Check {
            task: "Open [/all](/all) and refresh it twice: the time changes, but the toolbar \
                   shows a fragment hit, and its SQL panel no query.",
            expect: Expect::Fragments("/all"),
        }],
    }],
};

/// The tutorial's `{% cache 60 content_cache %}` on files: step 6 stores its table
/// this way too.
pub(super) const FRAGMENT_ON_FILES: Setup = Setup {
    fragment: Use::On(File, 60),
    ..Setup::OFF
};
