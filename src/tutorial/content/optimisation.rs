//! Step 6: what a stored value costs — serialised, compressed or not.

use super::fragment::FRAGMENT_ON_FILES;
use super::per_site::SITE_IN_MEMORY;
use crate::tutorial::step::{Apply, Check, Expect, Part, Snippet, Step};

/// Cache optimisation.
pub const STEP: Step = Step {
    title: "Cache optimisation",
    summary: "Serialisation and compression: the bytes a page takes, raw and stored.",
    lesson: &[
        "Before a value goes into a cache it is serialised — Django pickles it; here a \
         page's status, headers and body are written one after another — and a large \
         value can be compressed: fewer bytes to write, send and keep, for some time \
         spent on every write and every hit.",
        "Every backend here zstd-compresses the values longer than its \
         `compress_threshold`, 1024 bytes — every backend but memory, whose threshold is \
         0: a value in memory is handed out as it is, with no copy and no decompression \
         on a hit. The toolbar's Cache panel shows each entry's bytes, raw and stored \
         (`src/cache/codec.rs`).",
        "A whole page is the exception. A page cache stores it once in each coding \
         browsers take — zstd, brotli, gzip, compressed once when stored and served as \
         stored — and once as it is, for clients that take none (this page's toolbar is \
         one): compressing that copy too would make each of their hits decompress what \
         is stored compressed already, beside it.",
    ],
    parts: &[
        Part {
            id: "a",
            title: "Compressed, on files",
            django: &[Snippet {
                file: "settings.py",
                language: "python",
                code: r#"# FileBasedCache pickles every value and zlib-compresses it, whatever its size:
#     f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
# Step 4's fragment, {% cache 60 content_cache %}, is one such value.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "/var/tmp/django_cache",
    }
}"#,
            }],
            toml: r#"[fragment]
backend = "file"
seconds = 60

[caches.file]
compress_threshold = 1024"#,
            command: "cargo run --release -- --fragment-cache file \
                      --caches-file-compress-threshold 1024",
            apply: Apply::Setup(FRAGMENT_ON_FILES),
            checks: &[Check {
                task: "Open [/all](/all) and refresh it: the Cache panel's \"Bytes raw / \
                       stored\" column shows the table's fragment compressed when stored, \
                       and read back on the hit.",
                expect: Expect::Stored {
                    path: "/all",
                    compressed: true,
                },
            }],
        },
        Part {
            id: "b",
            title: "As it is, in memory",
            django: &[Snippet {
                file: "settings.py",
                language: "python",
                code: r#"# LocMemCache pickles every value too, and never compresses it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
}"#,
            }],
            toml: r#"[site]
backend = "memory"

[caches.memory]
compress_threshold = 0"#,
            command: "cargo run --release -- --site-cache memory",
            apply: Apply::Setup(SITE_IN_MEMORY),
            checks: &[Check {
                task: "Open [/all](/all) and refresh it: in memory the page is stored as it \
                       is.",
                expect: Expect::Stored {
                    path: "/all",
                    compressed: false,
                },
            }],
        },
    ],
};
