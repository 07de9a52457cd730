//! Step 1: the starter project, nothing cached.

use crate::tutorial::setup::Setup;
use crate::tutorial::step::{Apply, Check, Expect, Part, Snippet, Step};

/// The starter project.
pub const STEP: Step = Step {
    title: "The starter project",
    summary: "What the navbar time measures, with nothing cached.",
    lesson: &[
        "This app is the tutorial's starter project: a catalogue of all 1025 Pokémon, with \
         [/all](/all) listing them by name in one query and [the home page](/) showing the \
         first five Normal, Grass and Water Pokémon in three.",
        "The navbar's Response time is the view's own time. The original calls \
         `time.time()` at the top of the view and again just before rendering, and puts \
         the difference in the page; the handlers here do the same, to the nanosecond \
         (`ViewTimer` in `src/web/timing.rs`). Rendering, the network and the browser are \
         not in it.",
        "Nothing is cached yet: every request runs the view and its query again, so the \
         time changes on every refresh.",
    ],
    parts: &[Part {
        id: "a",
        title: "",
        django: &[
            Snippet {
                file: "pokemon/views.py",
                language: "python",
                code: r#"import time

from django.shortcuts import render

from .models import Pokemon


def all_pokemon(request):
    start = time.time()
    pokemon = list(Pokemon.objects.order_by("name"))
    response_time = time.time() - start
    return render(request, "all.html", {"pokemon": pokemon, "response_time": response_time})"#,
            },
            Snippet {
                file: "templates/base.html",
                language: "html",
                code: r#"<span class="navbar-text">Response time: {{ response_time }} seconds</span>"#,
            },
        ],
        toml: r#"[site]
backend = "off"

[view]
backend = "off"

[fragment]
backend = "off""#,
        command: "cargo run --release",
        apply: Apply::Setup(Setup::OFF),
        checks: &[Check {
            task: "Open [/all](/all) and refresh it twice: the time changes on every refresh, \
                   and each request runs the one query (the toolbar's SQL panel).",
            expect: Expect::Fresh("/all"),
        }],
    }],
};
