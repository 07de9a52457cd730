//! What a write to the catalogue does to the caches, mode by mode, and what the
//! person who wrote is told: how long stale copies stay (ttl), the new data version
//! (version), or which entries went and for which tags (tags).

use std::fmt;

use axum::http::{HeaderMap, header};

use super::fragment::Fragment;
use super::page_rules::{headers_key, keys_in_every_coding, page_key};
use super::stored_page::StoredPage;
use super::{Strategies, Strategy};
use crate::cache::Cache;
use crate::cache::backends::now_millis;
use crate::cache::invalidation::{Catalogue, InvalidationMode};
use crate::record;

/// A page or a fragment that shows what a tag names; the app says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Covered {
    /// The page at this path.
    Page(String),
    /// This fragment.
    Fragment(Fragment),
}

/// What a write did to the caches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Time-based: nothing was invalidated; what stays stale, and for how long.
    TimeBased(Vec<String>),
    /// Key-based on the whole catalogue: the data version every key now carries.
    Version(u64),
    /// Key-based by tags: the tags that changed, the entries deleted for them.
    Tags {
        /// The tags whose version moved.
        tags: Vec<String>,
        /// What was deleted, as `site /pokemon/25`.
        deleted: Vec<String>,
        /// How many entries that was.
        entries: u64,
    },
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimeBased(stale) => write!(
                f,
                "Saved. Cached pages stay as they are until their timeout (time-based): {}.",
                stale.join("; ")
            ),
            Self::Version(version) => write!(
                f,
                "Saved. The data version is now {version}: every page and fragment cached \
                 before is unreachable (key-based, whole catalogue)."
            ),
            Self::Tags {
                tags,
                deleted,
                entries,
            } => {
                write!(f, "Saved. Invalidated {entries} cached entries")?;
                if !deleted.is_empty() {
                    write!(f, ": {}", deleted.join(", "))?;
                }
                write!(f, " (tags {}).", tags.join(", "))
            }
        }
    }
}

impl Strategies {
    /// Brings the caches up to a write just committed, as the mode in force says;
    /// `page` is the path of the page of what was written, if one, and `covered_by`
    /// names the pages and fragments that show a tag.
    pub async fn after_write(
        &self,
        page: Option<&str>,
        covered_by: fn(&str) -> Vec<Covered>,
    ) -> sqlx::Result<Report> {
        let refreshed = self.invalidation.refresh().await?;
        Ok(match self.invalidation.mode() {
            InvalidationMode::Ttl => Report::TimeBased(match page {
                Some(page) => self.stale_copies(page).await,
                None => vec!["each cached page and fragment stays until its timeout".to_owned()],
            }),
            InvalidationMode::Version => {
                Report::Version(self.invalidation.catalogue().data_version)
            }
            InvalidationMode::Tags => match refreshed {
                Some((before, after)) => {
                    let tags = before.changed_tags(&after);
                    self.delete_superseded(&before, tags, covered_by).await
                }
                None => Report::Tags {
                    tags: Vec::new(),
                    deleted: Vec::new(),
                    entries: 0,
                },
            },
        })
    }

    /// Deletes, on the backends in use now, the entries that showed `tags` as they
    /// were in `before` — unreachable already, since their keys folded in the old
    /// versions: deleting frees them at once and shows what went.
    async fn delete_superseded(
        &self,
        before: &Catalogue,
        tags: Vec<String>,
        covered_by: fn(&str) -> Vec<Covered>,
    ) -> Report {
        let mut deleted = Vec::new();
        let mut entries = 0;
        for tag in &tags {
            for covered in covered_by(tag) {
                for (strategy, cache) in self.caches_for(&covered).await {
                    let keys = self.old_keys(strategy, before, &covered);
                    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                    let count = cache.delete_many(&keys).await;
                    if count == 0 {
                        continue;
                    }
                    let what = match &covered {
                        Covered::Page(path) => format!("{strategy} {path}"),
                        Covered::Fragment(fragment) => format!("fragment {}", fragment.describe()),
                    };
                    let backend = cache.backend().name();
                    record::event(backend, "invalidate", &format!("tag {tag}: deleted {what}"));
                    entries += count;
                    if !deleted.contains(&what) {
                        deleted.push(what);
                    }
                }
            }
        }
        Report::Tags {
            tags,
            deleted,
            entries,
        }
    }

    /// The caches that may hold `covered`: the page strategies' for a page, the
    /// fragment strategy's for a fragment, when on.
    async fn caches_for(&self, covered: &Covered) -> Vec<(Strategy, Cache)> {
        let strategies: &[Strategy] = match covered {
            Covered::Page(_) => &[Strategy::Site, Strategy::View],
            Covered::Fragment(_) => &[Strategy::Fragment],
        };
        let mut caches = Vec::new();
        for &strategy in strategies {
            let Some(backend) = self.selection.get(strategy).backend else {
                continue;
            };
            if let Ok(cache) = self.backends.cache(backend).await {
                caches.push((strategy, cache));
            }
        }
        caches
    }

    /// The keys `covered` was stored under by `strategy`, with `before`'s versions.
    fn old_keys(&self, strategy: Strategy, before: &Catalogue, covered: &Covered) -> Vec<String> {
        match covered {
            Covered::Page(path) => {
                let tags = self.invalidation.tags_of_page(path);
                let data = before.key_part(InvalidationMode::Tags, &tags);
                let page = page_key(strategy, &data, path, &[], &HeaderMap::new());
                let mut keys = keys_in_every_coding(&page);
                keys.insert(0, headers_key(strategy, &data, path));
                keys
            }
            Covered::Fragment(fragment) => {
                vec![fragment.key(&before.key_part(InvalidationMode::Tags, fragment.tags()))]
            }
        }
    }

    /// For each strategy on, how long it will still serve a stale copy of `page`.
    async fn stale_copies(&self, page: &str) -> Vec<String> {
        let mut stale = Vec::new();
        for strategy in [Strategy::Site, Strategy::View] {
            let settings = self.selection.get(strategy);
            let Some(backend) = settings.backend else {
                continue;
            };
            let Ok(cache) = self.backends.cache(backend).await else {
                continue;
            };
            let data = self.invalidation.key_part_of_page(page);
            if let Some(seconds) = stored_for(&cache, strategy, &data, page).await {
                stale.push(format!("{strategy} keeps {page} for {seconds} s more"));
            }
        }
        let fragment = self.selection.get(Strategy::Fragment);
        if fragment.backend.is_some() {
            stale.push(format!(
                "the fragment tables that show it stay for up to {} s",
                fragment.seconds
            ));
        }
        if stale.is_empty() {
            stale.push(format!("no cache holds a stale copy of {page}"));
        }
        stale
    }
}

/// Seconds left before the copy of `path` that `strategy` stored expires, if it
/// holds one.
async fn stored_for(cache: &Cache, strategy: Strategy, data: &str, path: &str) -> Option<u64> {
    let vary: Vec<String> = cache.get_json(&headers_key(strategy, data, path)).await?;
    let key = page_key(strategy, data, path, &vary, &HeaderMap::new());
    let page = cache
        .get_as(&key, |stored| StoredPage::decode(&stored))
        .await?;
    let expires = page.headers.get(header::EXPIRES)?.to_str().ok()?;
    let expires = httpdate::parse_http_date(expires).ok()?;
    let expires = expires
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    let left = u64::try_from(expires).ok()?.saturating_sub(now_millis());
    Some(left.div_ceil(1000))
}
