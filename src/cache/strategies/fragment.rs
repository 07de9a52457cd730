//! The template-fragment strategy: Django's `{% cache 60 name vary_on %}` for askama.
//! A page asks for all of its fragments in one batch (`get_many`); on a hit neither
//! the fragment's query nor its rendering runs, while the page around it is fresh.
//! Concurrent misses coalesce per fragment, whatever else their pages miss.

use std::future::Future;

use bytestring::ByteString;

use super::compute::{Cacheable, Computed, Entry, Resolved};
use super::flight::Flights;
use super::{Strategies, Strategy};
use crate::cache::Cache;
use crate::cache::codec::Packing;
use crate::record;

/// One cached block of a page: a name, the values it varies on, and the tags of
/// what it shows (for tag-based invalidation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    name: &'static str,
    vary_on: Vec<String>,
    tags: Vec<String>,
}

impl Fragment {
    /// The fragment `name`, varying on `vary_on` (the `{% cache %}` tag's extra
    /// arguments).
    #[must_use]
    pub fn new(name: &'static str, vary_on: &[&str]) -> Self {
        Self {
            name,
            vary_on: vary_on.iter().map(|value| (*value).to_owned()).collect(),
            tags: Vec::new(),
        }
    }

    /// The same fragment, showing what `tags` name.
    #[must_use]
    pub fn tagged(mut self, tags: &[&str]) -> Self {
        self.tags = tags.iter().map(|tag| (*tag).to_owned()).collect();
        self
    }

    /// Its name and what it varies on, as a person reads it: `home_table grass`.
    #[must_use]
    pub fn describe(&self) -> String {
        std::iter::once(self.name)
            .chain(self.vary_on.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The tags of what it shows.
    #[must_use]
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The cache key; `data` is the part that changes when what it shows changes.
    #[must_use]
    pub fn key(&self, data: &str) -> String {
        let mut key = format!("template.cache.{}.{data}", self.name);
        for value in &self.vary_on {
            key.push('.');
            key.push_str(value);
        }
        key
    }
}

/// A page's fragments, as the get-or-compute path sees them.
struct Fragments {
    keys: Vec<String>,
}

impl Cacheable for Fragments {
    type Value = ByteString;

    fn flights<'s>(&self, strategies: &'s Strategies) -> &'s Flights<ByteString> {
        &strategies.fragments
    }

    fn keys(&self) -> &[String] {
        &self.keys
    }

    async fn lookup(&self, cache: &Cache, items: &[usize]) -> Vec<Option<ByteString>> {
        let wanted: Vec<&str> = items.iter().map(|&i| self.keys[i].as_str()).collect();
        let as_text = |html| ByteString::try_from(html).ok();
        // Checked as UTF-8 once per entry where the backend keeps what a hit decoded.
        let mut found = cache.get_many_decoded(&wanted, as_text).await;
        let mut take = |key: &&str| found.remove(*key).map(|html| ByteString::clone(&html));
        wanted.iter().map(&mut take).collect()
    }
}

impl Strategies {
    /// The HTML of each of `fragments`: from the cache when the fragment strategy is
    /// on and has them (shared, not copied), otherwise from `render`, which gets the
    /// indices of the fragments to render and returns their HTML in that order.
    pub async fn fragments<F, Fut, E>(
        &self,
        fragments: &[Fragment],
        render: F,
    ) -> Result<Vec<ByteString>, E>
    where
        F: FnOnce(Vec<usize>) -> Fut,
        Fut: Future<Output = Result<Vec<String>, E>>,
    {
        let settings = self.selection.get(Strategy::Fragment);
        let invalidation = &self.invalidation;
        let batch = Fragments {
            keys: fragments
                .iter()
                .map(|fragment| fragment.key(&invalidation.key_part(fragment.tags())))
                .collect(),
        };
        let keys = &batch.keys;
        let resolved = self.get_or_compute(&settings, &batch, |items| async move {
            let html = render(items.clone()).await?;
            Ok(items
                .iter()
                .zip(html)
                .map(|(&item, html)| {
                    let html = ByteString::from(html);
                    Computed {
                        output: html.clone(),
                        entry: Ok(Entry {
                            value: html.clone(),
                            stored: vec![(
                                keys[item].clone(),
                                html.into_bytes(),
                                Packing::AsConfigured,
                            )],
                            seconds: None,
                        }),
                    }
                })
                .collect())
        });
        let resolved = record::as_strategy(Strategy::Fragment.name(), resolved).await?;
        Ok(resolved
            .into_iter()
            .map(|item| match item {
                Resolved::Cached(html) | Resolved::Shared(html) | Resolved::Computed(html, _) => {
                    html
                }
            })
            .collect())
    }
}
