//! Timeouts with Django's meanings: the cache's default, a duration (zero means
//! "do not store"), or forever.

use std::time::Duration;

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
