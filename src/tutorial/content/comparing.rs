//! Step 7: the strategies measured side by side.

use crate::tutorial::step::{Apply, Check, Expect, Part, Snippet, Step};

/// Comparing the strategies.
pub const STEP: Step = Step {
    title: "Comparing the strategies",
    summary: "Steps 1 to 4's configurations under load, side by side.",
    lesson: &[
        "The tutorial compares the strategies by refreshing and reading the navbar. A \
         load test measures them better: many requests on a warm cache, one configuration \
         at a time.",
        "Apply starts a comparison of the configurations of steps 1 to 4 on `/all` — \
         uncached, per-site on the database and in memory, per-view on Redis, fragments on \
         files — each on a fresh server of its own (a copy of this binary, with a copy of \
         the catalogue and caches of its own), warmed, then loaded for a second by 4 \
         connections. Your server, its caches and its settings are not touched. The lab's \
         Compare page runs any other mix, and `pokedex bench` the same from a terminal, \
         every mix on every backend.",
    ],
    parts: &[Part {
        id: "a",
        title: "",
        django: &[Snippet {
            file: "shell",
            language: "sh",
            code: r"# one configuration at a time: change settings.py, restart, load it, note the figure
python manage.py runserver --noreload &
ab -k -c 4 -t 1 http://127.0.0.1:8000/all",
        }],
        toml: "# unchanged: every configuration runs on a server of its own",
        command: "cargo run --release -- bench --pages /all --strategies site,view,fragment \
                  --backends database,memory,redis,file --duration 1s --connections 4",
        apply: Apply::Compare,
        checks: &[Check {
            task: "Apply, and wait for the run to end (some twenty seconds; this page follows \
                   it): then read its chart, requests per second for each configuration.",
            expect: Expect::Compared,
        }],
    }],
};
