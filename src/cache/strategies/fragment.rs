//! The template-fragment strategy: Django's `{% cache 60 name vary_on %}` for askama.
//! A page asks for all of its fragments in one batch (`get_many`); on a hit neither
//! the fragment's query nor its rendering runs, while the page around it is fresh.

use std::future::Future;

use super::Caching;
use super::coalesce::Turn;
use super::selection::Strategy;
use crate::cache::{Cache, Timeout};
use crate::toolbar::record;

/// One cached block of a page: a name and the values it varies on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    name: &'static str,
    vary_on: Vec<String>,
}

impl Fragment {
    /// The fragment `name`, varying on `vary_on` (the `{% cache %}` tag's extra
    /// arguments).
    #[must_use]
    pub fn new(name: &'static str, vary_on: &[&str]) -> Self {
        Self {
            name,
            vary_on: vary_on.iter().map(|value| (*value).to_owned()).collect(),
        }
    }

    /// The cache key, at data version `version`.
    #[must_use]
    pub fn key(&self, version: u64) -> String {
        let mut key = format!("template.cache.{}.v{version}", self.name);
        for value in &self.vary_on {
            key.push('.');
            key.push_str(value);
        }
        key
    }
}

impl Caching {
    /// The HTML of each of `fragments`: from the cache when the fragment strategy is on
    /// and has them, otherwise from `render`, which gets the indices of the missing
    /// fragments and returns their HTML in that order.
    pub async fn fragments<F, Fut, E>(
        &self,
        fragments: &[Fragment],
        render: F,
    ) -> Result<Vec<String>, E>
    where
        F: FnOnce(Vec<usize>) -> Fut,
        Fut: Future<Output = Result<Vec<String>, E>>,
    {
        let cached = self.cached_fragments(fragments, render);
        record::as_strategy(Strategy::Fragment.name(), cached).await
    }

    async fn cached_fragments<F, Fut, E>(
        &self,
        fragments: &[Fragment],
        render: F,
    ) -> Result<Vec<String>, E>
    where
        F: FnOnce(Vec<usize>) -> Fut,
        Fut: Future<Output = Result<Vec<String>, E>>,
    {
        let all: Vec<usize> = (0..fragments.len()).collect();
        let choice = self.selection.get(Strategy::Fragment);
        let cache = match choice.backend {
            Some(kind) => match self.caches.get(kind).await {
                Ok(cache) => cache,
                Err(error) => {
                    tracing::warn!(%error, backend = kind.name(), "cache backend unavailable");
                    return render(all).await;
                }
            },
            None => return render(all).await,
        };
        let version = self.data_version.get();
        let keys: Vec<String> = fragments.iter().map(|f| f.key(version)).collect();
        let mut html = found(&cache, &keys).await;
        let missing = absent(&html);
        if missing.is_empty() {
            return Ok(html.into_iter().flatten().collect());
        }
        let turn_key = cache.make_key(
            &missing
                .iter()
                .map(|&i| keys[i].as_str())
                .collect::<Vec<_>>()
                .join("|"),
        );
        let _lead = match self.coalescer.turn(&turn_key).await {
            Turn::Lead(guard) => Some(guard),
            Turn::Waited => {
                record::event(cache.backend_name(), "wait", "coalesced");
                None
            }
        };
        // Whether it waited or led, another request may have stored them meanwhile.
        for (slot, again) in html.iter_mut().zip(found(&cache, &keys).await) {
            if slot.is_none() {
                *slot = again;
            }
        }
        let missing = absent(&html);
        if !missing.is_empty() {
            let rendered = render(missing.clone()).await?;
            let entries: Vec<(&str, &[u8])> = missing
                .iter()
                .zip(&rendered)
                .map(|(&i, block)| (keys[i].as_str(), block.as_bytes()))
                .collect();
            cache
                .set_many(&entries, Timeout::seconds(choice.seconds))
                .await;
            for (i, block) in missing.into_iter().zip(rendered) {
                html[i] = Some(block);
            }
        }
        Ok(html.into_iter().map(Option::unwrap_or_default).collect())
    }
}

async fn found(cache: &Cache, keys: &[String]) -> Vec<Option<String>> {
    let wanted: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut stored = cache.get_many(&wanted).await;
    keys.iter()
        .map(|key| {
            stored
                .remove(key)
                .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        })
        .collect()
}

fn absent(html: &[Option<String>]) -> Vec<usize> {
    html.iter()
        .enumerate()
        .filter_map(|(i, block)| block.is_none().then_some(i))
        .collect()
}
