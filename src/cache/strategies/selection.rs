//! Which backend each strategy uses, read on every request, so that it can be
//! switched while the server runs.

use std::fmt;
use std::sync::RwLock;

use crate::cache::configured::BackendKind;
use crate::settings::{Settings, StrategySettings};

/// The three caching strategies the tutorial teaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// The whole site, as Django's cache middleware does.
    Site,
    /// Chosen views, as Django's `cache_page` does.
    View,
    /// Named template fragments, as Django's `{% cache %}` tag does.
    Fragment,
}

impl Strategy {
    /// The strategy's name in keys, headers and logs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::View => "view",
            Self::Fragment => "fragment",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One strategy's current choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The backend in use; `None` when the strategy is off.
    pub backend: Option<BackendKind>,
    /// How long what it stores is served.
    pub seconds: u64,
}

impl From<StrategySettings> for Choice {
    fn from(settings: StrategySettings) -> Self {
        Self {
            backend: settings.backend.backend(),
            seconds: settings.seconds,
        }
    }
}

/// The current choice of every strategy.
#[derive(Debug)]
pub struct Selection {
    choices: RwLock<[Choice; 3]>,
}

impl Selection {
    /// The choices the settings make at start.
    #[must_use]
    pub fn new(settings: &Settings) -> Self {
        Self {
            choices: RwLock::new([
                settings.site.strategy().into(),
                settings.view.strategy().into(),
                settings.fragment.strategy().into(),
            ]),
        }
    }

    /// What `strategy` uses now.
    #[must_use]
    pub fn get(&self, strategy: Strategy) -> Choice {
        let choices = self
            .choices
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        choices[strategy.index()]
    }

    /// Switches `strategy` to `choice`, from the next request on.
    pub fn set(&self, strategy: Strategy, choice: Choice) {
        let mut choices = self
            .choices
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        choices[strategy.index()] = choice;
    }
}
