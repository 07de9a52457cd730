//! Step 5: cache invalidation — time-based, then key-based by a data version, then
//! by tags.

use crate::cache::backends::CacheBackend::Memory;
use crate::cache::invalidation::InvalidationMode::{Tags, Ttl, Version};
use crate::tutorial::setup::{Setup, Use};
use crate::tutorial::step::{After, Apply, Check, Expect, Part, Snippet, Step};

/// Cache invalidation.
pub const STEP: Step = Step {
    title: "Cache invalidation",
    summary: "Edit a Pokémon: stale until the timeout, or a new key at once.",
    lesson: &[
        "A cached page does not know that the data under it changed. The tutorial ends on \
         the two answers: time-based invalidation — do nothing, and let each copy expire — \
         and key-based invalidation — put what the data is in the key, so that a change \
         makes a new key and the old copy is never read again.",
        "Each part caches the whole site in memory for 300 s and edits Pikachu: open \
         [/pokemon/25](/pokemon/25) and follow its Edit link (a form behind the lab's \
         gate). Open the pages each part names before the edit, and again after it.",
        "Django's page caches take a fixed key prefix, so the Django side below keys a \
         template fragment, the usual idiom; here the mode reaches every key, of pages \
         and fragments alike (`src/cache/invalidation/`).",
    ],
    parts: &[
        Part {
            id: "a",
            title: "Time-based",
            django: &[Snippet {
                file: "settings.py",
                language: "python",
                code: r"# Django's own behaviour: a save invalidates nothing.
CACHE_MIDDLEWARE_SECONDS = 300  # served, stale or not, for 5 minutes",
            }],
            toml: r#"invalidation = "ttl"

[site]
backend = "memory"
seconds = 300"#,
            command: "cargo run --release -- --site-cache memory --site-seconds 300 \
                      --invalidation ttl",
            apply: Apply::Setup(site_in_memory(Ttl)),
            checks: &[
                Check {
                    task: "Open [/all](/all), then change Pikachu's HP in its Edit form and \
                           save.",
                    expect: Expect::Saved,
                },
                Check {
                    task: "Open [/all](/all) again: the old HP and the old time — stale \
                           until its 300 s are up.",
                    expect: Expect::AfterSave("/all", After::Stale),
                },
            ],
        },
        Part {
            id: "b",
            title: "Key-based: one data version",
            django: &[
                Snippet {
                    file: "pokemon/signals.py",
                    language: "python",
                    code: r#"from django.core.cache import cache
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Pokemon


@receiver(post_save, sender=Pokemon)
def bump_data_version(sender, **kwargs):
    try:
        cache.incr("data_version")
    except ValueError:
        cache.set("data_version", 1, timeout=None)"#,
                },
                Snippet {
                    file: "templates/all.html",
                    language: "html",
                    code: "{% cache 300 content_cache data_version %}",
                },
            ],
            toml: r#"invalidation = "version""#,
            command: "cargo run --release -- --site-cache memory --site-seconds 300 \
                      --invalidation version",
            apply: Apply::Setup(site_in_memory(Version)),
            checks: &[
                Check {
                    task: "Open [/all](/all) and [the home page](/), then change Pikachu's \
                           HP and save.",
                    expect: Expect::Saved,
                },
                Check {
                    task: "Open [/all](/all) again: it misses once and shows the new HP.",
                    expect: Expect::AfterSave("/all", After::Recomputed),
                },
                Check {
                    task: "Open [the home page](/) again: it misses too, though Pikachu is \
                           not on it — every key holds the data version.",
                    expect: Expect::AfterSave("/", After::Recomputed),
                },
            ],
        },
        Part {
            id: "c",
            title: "Key-based: by tags",
            django: &[
                Snippet {
                    file: "pokemon/signals.py",
                    language: "python",
                    code: r#"@receiver(post_save, sender=Pokemon)
def bump_tags(sender, instance, **kwargs):
    for tag in [f"pokemon:{instance.pk}", f"type:{instance.type}", "list:all"]:
        try:
            cache.incr(tag)
        except ValueError:
            cache.set(tag, 1, timeout=None)"#,
                },
                Snippet {
                    file: "templates/all.html",
                    language: "html",
                    code: "{% cache 300 content_cache list_all_version %}",
                },
            ],
            toml: r#"invalidation = "tags""#,
            command: "cargo run --release -- --site-cache memory --site-seconds 300 \
                      --invalidation tags",
            apply: Apply::Setup(site_in_memory(Tags)),
            checks: &[
                Check {
                    task: "Open [/all](/all) and [the home page](/), then change Pikachu's \
                           HP and save: the save's Cache panel (in the toolbar's history) \
                           lists what it deleted.",
                    expect: Expect::Saved,
                },
                Check {
                    task: "Open [/all](/all) again: it shows Pikachu, so it misses once.",
                    expect: Expect::AfterSave("/all", After::Recomputed),
                },
                Check {
                    task: "Open [the home page](/) again: it does not show Pikachu, so it is \
                           still a hit.",
                    expect: Expect::AfterSave("/", After::Kept),
                },
            ],
        },
    ],
};

/// The whole site in memory for 300 s, edits reaching the caches as `mode` says.
const fn site_in_memory(mode: crate::cache::invalidation::InvalidationMode) -> Setup {
    Setup {
        site: Use::On(Memory, 300),
        invalidation: mode,
        ..Setup::OFF
    }
}
