//! What a comparison measures — configurations (a page, and a mix of strategies on
//! one backend, or none: the baseline) and the load — read from flags or the
//! Compare form and checked before anything starts; a bad value names its flag.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::cache::backends::CacheBackend;
use crate::cache::strategies::Strategy;
use crate::web::route_of;

/// One configuration to measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Configuration {
    /// The page requested.
    pub page: String,
    /// The strategies on, in the tutorial's order; none for the baseline.
    pub strategies: Vec<Strategy>,
    /// Their backend; `None` for the baseline.
    pub backend: Option<CacheBackend>,
}

impl Configuration {
    /// `off`, `site`, `site+fragment`.
    #[must_use]
    pub fn strategy_name(&self) -> String {
        if self.strategies.is_empty() {
            return "off".to_owned();
        }
        let names: Vec<&str> = self.strategies.iter().map(|s| s.name()).collect();
        names.join("+")
    }

    /// Whether this is the uncached baseline.
    #[must_use]
    pub fn is_baseline(&self) -> bool {
        self.strategies.is_empty()
    }
}

impl fmt::Display for Configuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.page, self.strategy_name())?;
        if let Some(backend) = self.backend {
            write!(f, " · {backend}")?;
        }
        Ok(())
    }
}

/// How much of something: a time, or a number of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Amount {
    /// For this long.
    Duration(Duration),
    /// This many requests.
    Requests(u64),
}

/// The load each configuration gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Load {
    /// Before measuring, to fill the caches.
    pub warmup: Amount,
    /// What is measured.
    pub amount: Amount,
    /// Keep-alive connections, each with one request in flight.
    pub connections: usize,
}

/// Everything a comparison measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// In order; each page's baseline first.
    pub configurations: Vec<Configuration>,
    /// The load of each.
    pub load: Load,
}

/// A value the plan refuses, and the flag (or form field) it came in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--{flag}: {message}")]
pub struct PlanError {
    /// The flag, without `--`.
    pub flag: &'static str,
    /// What is wrong.
    pub message: String,
}

fn refuse(flag: &'static str, message: String) -> PlanError {
    PlanError { flag, message }
}

/// What a comparison is asked for, as text (flags, or form fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked<'a> {
    /// `/,/all`.
    pub pages: &'a str,
    /// `off,site,view,fragment,site+fragment`.
    pub strategies: &'a str,
    /// `memory,file,database,redis`.
    pub backends: &'a str,
    /// `5s`; ignored when `requests` is given.
    pub duration: &'a str,
    /// A number of requests instead of a duration.
    pub requests: Option<&'a str>,
    /// `16`.
    pub connections: &'a str,
    /// `1s`.
    pub warmup: &'a str,
}

impl Asked<'_> {
    /// The plan: for each page, the baseline, then each strategy mix on each
    /// backend — leaving out a mix of per-site and per-view, where the per-view
    /// cache never runs.
    pub fn plan(&self) -> Result<Plan, PlanError> {
        let pages = list(self.pages)
            .map(|page| {
                route_of(page)
                    .map(|_| page.to_owned())
                    .ok_or_else(|| refuse("pages", format!("the app has no page {page:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if pages.is_empty() {
            return Err(refuse("pages", "name at least one page".to_owned()));
        }
        let mixes = list(self.strategies)
            .filter(|mix| *mix != "off")
            .map(mix)
            .collect::<Result<Vec<_>, _>>()?;
        let backends = list(self.backends)
            .map(|name| {
                name.parse::<CacheBackend>()
                    .map_err(|error| refuse("backends", error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !mixes.is_empty() && backends.is_empty() {
            return Err(refuse("backends", "name at least one backend".to_owned()));
        }
        let mut configurations = Vec::new();
        for page in &pages {
            configurations.push(Configuration {
                page: page.clone(),
                strategies: Vec::new(),
                backend: None,
            });
            for strategies in &mixes {
                for &backend in &backends {
                    let configuration = Configuration {
                        page: page.clone(),
                        strategies: strategies.clone(),
                        backend: Some(backend),
                    };
                    if !configurations.contains(&configuration) {
                        configurations.push(configuration);
                    }
                }
            }
        }
        let amount = match self.requests {
            Some(requests) => Amount::Requests(count("requests", requests)?),
            None => Amount::Duration(duration("duration", self.duration)?),
        };
        let connections = usize::try_from(count("connections", self.connections)?)
            .map_err(|_| refuse("connections", "too many".to_owned()))?;
        Ok(Plan {
            configurations,
            load: Load {
                warmup: Amount::Duration(duration("warmup", self.warmup)?),
                amount,
                connections,
            },
        })
    }
}

/// The items of a comma-separated list, trimmed, empty ones left out.
fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// A mix of strategies, `site+fragment`, in the tutorial's order.
fn mix(text: &str) -> Result<Vec<Strategy>, PlanError> {
    let mut strategies = Vec::new();
    for name in text.split('+').map(str::trim) {
        let strategy = Strategy::named(name).ok_or_else(|| {
            refuse(
                "strategies",
                format!("{name:?} is not off, site, view or fragment"),
            )
        })?;
        if !strategies.contains(&strategy) {
            strategies.push(strategy);
        }
    }
    if strategies.contains(&Strategy::Site) && strategies.contains(&Strategy::View) {
        return Err(refuse(
            "strategies",
            format!("{text:?} makes no sense: under a per-site hit the per-view cache never runs"),
        ));
    }
    strategies.sort_by_key(|strategy| strategy.index());
    Ok(strategies)
}

/// A whole number above zero.
fn count(flag: &'static str, text: &str) -> Result<u64, PlanError> {
    text.trim()
        .parse()
        .ok()
        .filter(|count| *count > 0)
        .ok_or_else(|| refuse(flag, format!("{text:?} is not a whole number above 0")))
}

/// A duration: `5s`, `500ms`, `1.5s`, `2m`.
pub fn duration(flag: &'static str, text: &str) -> Result<Duration, PlanError> {
    let bad = || {
        refuse(
            flag,
            format!("{text:?} is not a duration (e.g. 5s, 500ms, 1m)"),
        )
    };
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().map_err(|_| bad())?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        _ => return Err(bad()),
    };
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 3600.0 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked<'a>(strategies: &'a str, backends: &'a str) -> Asked<'a> {
        Asked {
            pages: "/,/all",
            strategies,
            backends,
            duration: "5s",
            requests: None,
            connections: "16",
            warmup: "1s",
        }
    }

    #[test]
    fn the_plan_is_each_pages_baseline_then_every_mix_on_every_backend() {
        let plan = asked("off,site,site+fragment", "memory,redis")
            .plan()
            .unwrap();
        let names: Vec<String> = plan
            .configurations
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            names,
            [
                "/ off",
                "/ site · memory",
                "/ site · redis",
                "/ site+fragment · memory",
                "/ site+fragment · redis",
                "/all off",
                "/all site · memory",
                "/all site · redis",
                "/all site+fragment · memory",
                "/all site+fragment · redis",
            ]
        );
        assert_eq!(plan.load.amount, Amount::Duration(Duration::from_secs(5)));
    }

    #[test]
    fn bad_values_name_their_flag() {
        let mut bad = asked("site", "memcached");
        assert_eq!(bad.plan().unwrap_err().flag, "backends");
        bad = asked("everything", "memory");
        assert_eq!(bad.plan().unwrap_err().flag, "strategies");
        bad = asked("site+view", "memory");
        assert_eq!(bad.plan().unwrap_err().flag, "strategies");
        for (field, value) in [
            ("pages", "/nope"),
            ("pages", "/pokemon/99999"),
            ("connections", "0"),
            ("duration", "soon"),
            ("warmup", "-1s"),
        ] {
            let mut bad = asked("site", "memory");
            match field {
                "pages" => bad.pages = value,
                "connections" => bad.connections = value,
                "duration" => bad.duration = value,
                _ => bad.warmup = value,
            }
            let error = bad.plan().unwrap_err();
            assert_eq!(error.flag, field, "{value}");
            assert!(error.to_string().starts_with(&format!("--{field}: ")));
        }
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration("d", "500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(duration("d", "1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(duration("d", "2m").unwrap(), Duration::from_secs(120));
        for bad in ["", "5", "s", "5h", "0s", "NaNs"] {
            assert!(duration("d", bad).is_err(), "{bad}");
        }
    }
}
