//! Timeouts with Django's meanings: the cache's default, a duration (zero means
//! "do not store"), or forever — in settings, whole seconds or `"forever"`.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::backends::Expiry;

/// How long a written value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timeout {
    /// The cache's default timeout (Django's `DEFAULT_TIMEOUT`).
    #[default]
    Default,
    /// This long; `Duration::ZERO` stores nothing (Django's `timeout=0`).
    After(Duration),
    /// Until deleted or evicted (Django's `timeout=None`).
    Forever,
}

impl Timeout {
    /// A timeout of `seconds`; 0 stores nothing.
    #[must_use]
    pub fn seconds(seconds: u64) -> Self {
        Self::After(Duration::from_secs(seconds))
    }

    /// The expiry of a value written now, with `default` standing in for
    /// [`Timeout::Default`]; `None` when nothing should be stored.
    #[must_use]
    pub fn resolve(self, default: Self) -> Option<Expiry> {
        let concrete = if self == Self::Default { default } else { self };
        match concrete {
            Self::After(duration) if duration.is_zero() => None,
            Self::After(duration) => Some(Expiry::after(duration)),
            Self::Default | Self::Forever => Some(Expiry::Never),
        }
    }
}

impl Serialize for Timeout {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::After(duration) => serializer.serialize_u64(duration.as_secs()),
            Self::Forever | Self::Default => serializer.serialize_str("forever"),
        }
    }
}

/// Reads whole seconds (0 = do not store) or `"forever"`; variables and flags give
/// the same as text.
impl<'de> Deserialize<'de> for Timeout {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimeoutVisitor)
    }
}

struct TimeoutVisitor;

impl Visitor<'_> for TimeoutVisitor {
    type Value = Timeout;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number of seconds or \"forever\"")
    }

    fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Timeout, E> {
        let seconds = u64::try_from(seconds)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(seconds), &self))?;
        Ok(Timeout::seconds(seconds))
    }

    fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Timeout, E> {
        Ok(Timeout::seconds(seconds))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Timeout, E> {
        match text.trim() {
            "forever" => Ok(Timeout::Forever),
            number => number
                .parse()
                .map(Timeout::seconds)
                .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_resolve_like_djangos() {
        let default = Timeout::seconds(300);
        assert_eq!(Timeout::Forever.resolve(default), Some(Expiry::Never));
        assert_eq!(Timeout::seconds(0).resolve(default), None);
        let Some(Expiry::At(at)) = Timeout::Default.resolve(default) else {
            panic!("the default is a duration");
        };
        let left = at - super::super::backends::now_millis();
        assert!((299_000..=300_000).contains(&left), "{left}");
        assert_eq!(
            Timeout::Default.resolve(Timeout::Forever),
            Some(Expiry::Never)
        );
        assert_eq!(Timeout::Default.resolve(Timeout::seconds(0)), None);
    }
}
