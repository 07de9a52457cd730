//! The settings as the start-up log shows them: the address, then only what differs
//! from the defaults, one short line per section — not every setting on one line.

use std::collections::BTreeMap;

use super::{Settings, keys, redact};

impl Settings {
    /// The start-up log's lines: `addr=…` first, then one line per section holding
    /// a setting that differs from its default (`site: backend=redis seconds=60`,
    /// `caches.redis: location=redis://***@host`), URLs' passwords masked.
    #[must_use]
    pub fn summary(&self) -> Vec<String> {
        let defaults = leaves(&Self::default());
        let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, value) in leaves(self) {
            if path == "addr" || defaults.get(&path) == Some(&value) || !applies(&path) {
                continue;
            }
            let (section, name) = split(&path);
            sections
                .entry(section.to_owned())
                .or_default()
                .push(format!("{name}={value}"));
        }
        let mut lines = vec![format!("addr={}", self.addr)];
        lines.extend(sections.into_iter().map(|(section, values)| {
            if section.is_empty() {
                values.join(" ")
            } else {
                format!("{section}: {}", values.join(" "))
            }
        }));
        lines
    }
}

/// Backends ignore the options that do not apply to them; so does the summary.
fn applies(path: &str) -> bool {
    !path.starts_with("caches.") || keys().iter().any(|key| key.path == path)
}

/// `caches.redis.location` → (`caches.redis`, `location`); `site.backend` →
/// (`site`, `backend`); `invalidation` → (nothing, `invalidation`).
fn split(path: &str) -> (&str, &str) {
    let at = if path.starts_with("caches.") {
        path.match_indices('.').nth(1).map(|(at, _)| at)
    } else {
        path.find('.')
    };
    at.map_or(("", path), |at| (&path[..at], &path[at + 1..]))
}

/// Every value of `settings` that is not itself a table, by its dotted path, shown
/// as the log shows it.
fn leaves(settings: &Settings) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    if let Ok(toml::Value::Table(table)) = toml::Value::try_from(settings) {
        collect("", &table, &mut found);
    }
    found
}

fn collect(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (name, value) in table {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::Table(inner) => collect(&path, inner, out),
            toml::Value::String(text) => {
                out.insert(path, redact(text).into_owned());
            }
            other => {
                out.insert(path, other.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cache::backends::CacheBackend;
    use crate::settings::Settings;

    #[test]
    fn the_defaults_are_summed_up_by_the_address_alone() {
        assert_eq!(Settings::default().summary(), ["addr=127.0.0.1:8000"]);
    }

    #[test]
    fn each_section_that_differs_gets_one_short_line() {
        let mut settings = Settings::default();
        settings.site.backend = Some(CacheBackend::Redis);
        settings.site.seconds = 60;
        settings.caches.redis.location = Some("redis://user:s3cret@cache.local:6379/0".to_owned());
        settings.caches.memory.command_timeout_ms = 5;
        settings.allowed_hosts = vec!["pokedex.example".to_owned()];
        assert_eq!(
            settings.summary(),
            [
                "addr=127.0.0.1:8000",
                "allowed_hosts=[\"pokedex.example\"]",
                "caches.redis: location=redis://***@cache.local:6379/0",
                "site: backend=redis seconds=60",
            ],
            "no password, and nothing the memory backend ignores"
        );
    }
}
