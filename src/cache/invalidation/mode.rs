//! The three ways a write to the catalogue reaches the caches.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How an edit invalidates what the caches hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvalidationMode {
    /// Time-based, as Django behaves: an edit invalidates nothing; each stored page
    /// and fragment stays until its timeout.
    #[default]
    Ttl,
    /// Key-based, the whole catalogue: every key holds the data version, which every
    /// write bumps (Rails' key-based expiration).
    Version,
    /// Key-based, precise: every key holds the versions of the tags of what it shows
    /// (`pokemon:25`, `type:electric`, `list:all`), and a write bumps the tags of
    /// what changed, before and after.
    Tags,
}

impl InvalidationMode {
    /// Every mode, in the tutorial's order.
    pub const ALL: [Self; 3] = [Self::Ttl, Self::Version, Self::Tags];

    /// The mode's name in settings, forms and logs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Ttl => "ttl",
            Self::Version => "version",
            Self::Tags => "tags",
        }
    }
}

impl fmt::Display for InvalidationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for InvalidationMode {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.name() == name)
            .ok_or_else(|| format!("{name:?} is not ttl, version or tags"))
    }
}
