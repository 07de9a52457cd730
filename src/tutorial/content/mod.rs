//! The seven steps, in the tutorial's order: the words of the walk-through at
//! `/tutorial`, which `docs/tutorial.md` carries too.

mod comparing;
mod fragment;
mod invalidation;
mod optimisation;
mod per_site;
mod per_view;
mod starter;

use super::step::Step;

/// Every step; step `n` is `STEPS[n - 1]`.
pub static STEPS: [Step; 7] = [
    starter::STEP,
    per_site::STEP,
    per_view::STEP,
    fragment::STEP,
    invalidation::STEP,
    optimisation::STEP,
    comparing::STEP,
];

#[cfg(test)]
mod tests {
    use super::STEPS;
    use crate::tutorial::checks::plan;
    use crate::tutorial::setup::Use;
    use crate::tutorial::step::{Apply, Expect};

    #[test]
    fn every_check_looks_at_something_its_part_sets_up() {
        for (number, step) in (1..).zip(&STEPS) {
            let ids: Vec<&str> = step.parts.iter().map(|part| part.id).collect();
            assert_eq!(ids, ["a", "b", "c"][..ids.len()], "step {number}");
            for part in step.parts {
                assert!(!part.checks.is_empty(), "step {number}{}", part.id);
                for check in part.checks {
                    let set_up = match (part.apply, check.expect) {
                        (Apply::Compare, expect) => matches!(expect, Expect::Compared),
                        (Apply::Setup(_), Expect::Compared) => false,
                        (Apply::Setup(setup), Expect::Frozen(_, strategy)) => {
                            matches!(setup.uses(strategy), Use::On(..))
                        }
                        (Apply::Setup(setup), Expect::Fragments(_)) => {
                            matches!(setup.fragment, Use::On(..))
                        }
                        (Apply::Setup(setup), Expect::Stored { .. }) => {
                            setup.page_cache().or(setup.fragment_cache()).is_some()
                        }
                        (Apply::Setup(setup), Expect::AfterSave(..)) => {
                            setup.page_cache().is_some()
                        }
                        (Apply::Setup(_), _) => true,
                    };
                    assert!(set_up, "step {number}{}: {:?}", part.id, check.expect);
                }
            }
        }
    }

    #[test]
    fn the_comparison_measures_the_configurations_of_steps_one_to_four() {
        let measured: Vec<String> = plan()
            .configurations
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            measured,
            [
                "/all off",
                "/all site · database",
                "/all site · memory",
                "/all view · redis",
                "/all fragment · file"
            ]
        );
    }
}
