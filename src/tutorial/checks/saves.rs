//! Checks around a save of the edited Pokémon: that it was saved with the step's
//! setup, what it invalidated, and what the first request to a page after it showed.

use super::{Finding, catalogue_sql, seconds, verdict};
use crate::cache::invalidation::InvalidationMode;
use crate::toolbar::panels::Panels;
use crate::tutorial::history::{Recorded, from_page_cache, shown_time};
use crate::tutorial::setup::Setup;
use crate::tutorial::step::After;

/// The edited Pokémon was saved with the step's setup.
pub fn saved(recorded: &Recorded, setup: &Setup) -> Finding {
    match latest_save(recorded, setup) {
        Ok(save) => Finding::seen(format!(
            "Pikachu saved at {} in {} mode: {}",
            save.at,
            setup.invalidation,
            invalidated(save, setup.invalidation)
        )),
        Err(missing) => missing,
    }
}

/// The first request to `path` after the save, made with the step's setup, was
/// served as `after` says; a request before the save had cached the page.
pub fn after_save(recorded: &Recorded, path: &str, after: After, setup: &Setup) -> Finding {
    let Ok(save) = latest_save(recorded, setup) else {
        return Finding::missing("waiting for the save above");
    };
    let requests = recorded.page(path);
    let in_setup = |request: &&Panels| setup.differences(&request.settings).is_empty();
    let opened_before = requests
        .iter()
        .any(|request| request.request_id < save.request_id && in_setup(request));
    if !opened_before {
        return Finding::missing(format!(
            "{path} was not opened before the save, so no copy of it was cached — open \
             {path}, save Pikachu again, then open {path}"
        ));
    }
    let Some(first) = requests
        .iter()
        .position(|request| request.request_id > save.request_id && in_setup(request))
    else {
        return Finding::missing(format!(
            "{path} has not been opened since the save at {} — open it",
            save.at
        ));
    };
    let request = requests[first];
    let shown = shown_time(&requests, first).map_or_else(|| "as stored".to_owned(), seconds);
    match (after, from_page_cache(request)) {
        (After::Stale, true) => Finding::seen(format!(
            "the first request to {path} after the save was a hit ({}): the copy from before \
             it, navbar time {shown} and the old values — stale until its {} s are up",
            verdict(request),
            setup.page_cache().map_or(0, |(_, _, seconds)| seconds)
        )),
        (After::Kept, true) => Finding::seen(format!(
            "the first request to {path} after the save was still a hit ({}), navbar time \
             {shown}: the save changed none of the tags in its key",
            verdict(request)
        )),
        (After::Recomputed, false) => Finding::seen(format!(
            "the first request to {path} after the save missed ({}) and ran its view, with \
             {}: the save changed its key",
            verdict(request),
            catalogue_sql(&[request])
        )),
        (After::Recomputed, true) => Finding::missing(format!(
            "the first request to {path} after the save was still a hit ({}): the save did \
             not change its key",
            verdict(request)
        )),
        (After::Stale | After::Kept, false) => Finding::missing(format!(
            "the first request to {path} after the save ran its view ({}): the copy from \
             before it was not served — it expired, the cache was emptied, or the save \
             changed its key",
            verdict(request)
        )),
    }
}

/// The newest save made with `setup`; or what is missing.
fn latest_save<'r>(recorded: &'r Recorded, setup: &Setup) -> Result<&'r Panels, Finding> {
    let saves = recorded.saves();
    let Some(newest) = saves.last() else {
        return Err(Finding::missing(
            "no save of Pikachu is recorded yet — change its HP in its Edit form and save",
        ));
    };
    saves
        .iter()
        .rev()
        .copied()
        .find(|save| setup.differences(&save.settings).is_empty())
        .ok_or_else(|| {
            Finding::missing(format!(
                "your last save of Pikachu was made while {} — Apply this step, then save \
                 again",
                setup.differences(&newest.settings).join(", ")
            ))
        })
}

/// What `save` did to the caches in `mode`, from its recorded cache calls.
fn invalidated(save: &Panels, mode: InvalidationMode) -> String {
    match mode {
        InvalidationMode::Ttl => {
            "nothing was invalidated, every cached copy stays until its timeout".to_owned()
        }
        InvalidationMode::Version => {
            "the data version moved, so every key changed at once".to_owned()
        }
        InvalidationMode::Tags => {
            let deleted: Vec<String> = save
                .cache
                .rows
                .iter()
                .filter(|call| call.operation == "invalidate")
                .filter_map(|call| {
                    let (tag, what) = call.result.strip_prefix("tag ")?.split_once(": deleted ")?;
                    Some(format!("{what} (tag {tag})"))
                })
                .collect();
            if deleted.is_empty() {
                "no cached entry showed what changed, so none was deleted".to_owned()
            } else {
                format!("it deleted {}", deleted.join(", "))
            }
        }
    }
}
