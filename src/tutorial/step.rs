//! What a step of the walk-through is made of: the lesson, and for each thing to
//! try, the Django change, the same here, what "Apply this step" does and what to
//! look for. The steps themselves are in [`super::content`].

use super::setup::Setup;
use crate::cache::backends::CacheBackend;
use crate::cache::strategies::Strategy;

/// One step, in the tutorial's order.
#[derive(Debug)]
pub struct Step {
    /// Its heading.
    pub title: &'static str,
    /// One line, for the overview.
    pub summary: &'static str,
    /// What the tutorial teaches here, paragraph by paragraph ([`super::markup`]).
    pub lesson: &'static [&'static str],
    /// What to try, in order: most steps have one part; a step that tries a thing
    /// two or three ways has one part for each.
    pub parts: &'static [Part],
}

/// One thing to try: the change, its Apply button and its checks.
#[derive(Debug)]
pub struct Part {
    /// Its anchor on the page and the Apply form's `part`: `a`, `b`, `c`.
    pub id: &'static str,
    /// Its heading, when its step has several parts.
    pub title: &'static str,
    /// The change the tutorial makes to the Django project, written for this page.
    pub django: &'static [Snippet],
    /// The same here, as `pokedex.toml` lines.
    pub toml: &'static str,
    /// The same here, as a command line.
    pub command: &'static str,
    /// What "Apply this step" does to the running server.
    pub apply: Apply,
    /// What to look for, each checked against the person's recorded requests.
    pub checks: &'static [Check],
}

/// A few lines of a Django project.
#[derive(Debug)]
pub struct Snippet {
    /// The file they go in (`settings.py`), or `shell` for a command.
    pub file: &'static str,
    /// Their language, for the code block: `python`, `html`, `sh`.
    pub language: &'static str,
    /// The lines.
    pub code: &'static str,
}

/// What "Apply this step" does.
#[derive(Debug, Clone, Copy)]
pub enum Apply {
    /// Switches the strategies and the invalidation mode, and empties the backends
    /// the step uses, so that its first request is a miss.
    Setup(Setup),
    /// Starts a comparison of steps 1 to 4's configurations.
    Compare,
}

/// One thing to look for: what to do, and what must be seen in the history.
#[derive(Debug)]
pub struct Check {
    /// What to do and what to see, in a sentence ([`super::markup`]).
    pub task: &'static str,
    /// What the recorded requests must show.
    pub expect: Expect,
}

/// What recorded requests must show, each with the part's [`Setup`] in force.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Three requests to the page each ran its view: the navbar time changed.
    Fresh(&'static str),
    /// Three requests to the page, the last two served whole by this strategy's
    /// cache: the navbar time stayed.
    Frozen(&'static str, Strategy),
    /// Three requests to the page each ran its view, the last two with every
    /// fragment from the cache and no query.
    Fragments(&'static str),
    /// The page was stored, and read back by a refresh, compressed or not.
    Stored {
        /// The page.
        path: &'static str,
        /// Whether its stored form must be compressed.
        compressed: bool,
    },
    /// A per-site hit on the page was recorded on each backend: the time each
    /// spent in the cache, side by side.
    HitCosts(&'static str, [CacheBackend; 2]),
    /// Pikachu was edited and saved.
    Saved,
    /// After that save, the page was served as the mode says.
    AfterSave(&'static str, After),
    /// The comparison "Apply" starts ran to its end, every configuration measured.
    Compared,
}

/// What the first request to a page after a save must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// The copy stored before the save, stale.
    Stale,
    /// A fresh copy: the save changed the page's key.
    Recomputed,
    /// The copy stored before the save, as the page does not show what changed.
    Kept,
}

/// The Pokémon the invalidation step edits: its page and its form.
pub const EDITED: &str = "/pokemon/25";
