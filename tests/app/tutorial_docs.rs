//! `docs/tutorial.md`, the walk-through of `/tutorial` for reading on a code host:
//! written from the same steps, so that it says the same, with a screenshot of each
//! step that the browser suite takes. With `POKEDEX_REGENERATE_DOCS=1` the test
//! writes the file instead of comparing it, as the browser suite then writes the
//! screenshots.

use std::fmt::Write;
use std::path::Path;

use pokedex::tutorial::content::STEPS;
use pokedex::tutorial::markup::{Piece, pieces};

/// The environment variable that asks for the docs to be written again.
const REGENERATE: &str = "POKEDEX_REGENERATE_DOCS";

/// What the walk-through says before its steps.
const INTRO: &str = "\
# The tutorial, followed in the app

Open **http://127.0.0.1:8000/tutorial** (the navbar's **Tutorial** link, or the home page's) for
the walk-through below: the steps of the tutorial *\"Improving Django Performance using
Caching\"*, in its order, one page each. Each shows the change the tutorial makes to the Django
project, the same change here — as `pokedex.toml` lines and as a command — and what to look for
once it is made.

From the machine the server runs on (the clients the lab lets in), each part of a step also has
an **Apply this step** button. It switches the running server as the part says, through the lab:
each strategy's backend and seconds and the invalidation mode, with the backends the part uses
emptied so that it starts cold (step 7's starts a comparison instead). The page then checks what
to look for against your own requests, as the debug toolbar recorded them (its history keeps the
last 50), and follows them as you make them: ✓ with what it saw — *3 requests to /all, the navbar
time stayed 0.002811235 s: the last 2 were served whole by per-site caching on database, 2 cache
hits each* — or ✗ with what is missing — *the time changed: per-view caching is not on — Apply
this step*. A visitor the lab does not let in reads the same steps, without the buttons and the
checks.

![Step 3 walked without applying it: what is missing](tutorial/step-3-not-applied.png)

*This file is written from the steps themselves (`src/tutorial/content/`) by
`tests/app/tutorial_docs.rs`, and its screenshots are taken by the browser suite as it walks
the tutorial (`tests/browser/tutorial.rs`). After a change, `POKEDEX_REGENERATE_DOCS=1 cargo
test --test browser tutorial` takes the screenshots again, and `POKEDEX_REGENERATE_DOCS=1 cargo
test --test app tutorial_docs` writes this file again.*
";

/// The walk-through in Markdown.
fn markdown() -> String {
    let mut out = INTRO.to_owned();
    for (number, step) in (1..).zip(&STEPS) {
        let _ = writeln!(out, "\n## Step {number}: {}\n", step.title);
        for paragraph in step.lesson {
            let _ = writeln!(out, "{}\n", plain_links(paragraph));
        }
        for part in step.parts {
            let heading = if part.title.is_empty() {
                "Try it"
            } else {
                part.title
            };
            let _ = writeln!(out, "### {heading}\n");
            for snippet in part.django {
                let place = match snippet.file {
                    "shell" => "in a shell".to_owned(),
                    file => format!("`{file}`"),
                };
                let _ = writeln!(
                    out,
                    "In Django, {place}:\n\n```{}\n{}\n```\n",
                    snippet.language, snippet.code
                );
            }
            let _ = writeln!(
                out,
                "Here, in `pokedex.toml`:\n\n```toml\n{}\n```\n\nor on the command line:\n\n\
                 ```sh\n{}\n```\n\nWhat to look for:\n",
                part.toml, part.command
            );
            for check in part.checks {
                let _ = writeln!(out, "- {}", plain_links(check.task));
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "![Step {number} applied and followed: every check ✓](tutorial/step-{number}.png)"
        );
    }
    out
}

/// `text` with its links to the app's pages written as the addresses they are
/// (`[/all](/all)` is `` `/all` ``): on a code host they would lead nowhere.
fn plain_links(text: &str) -> String {
    let mut out = String::new();
    for piece in pieces(text) {
        let _ = match piece {
            Piece::Text(words) => write!(out, "{words}"),
            Piece::Code(code) => write!(out, "`{code}`"),
            Piece::Link { words, href } if words == href => write!(out, "`{href}`"),
            Piece::Link { words, href } => write!(out, "{words} (`{href}`)"),
        };
    }
    out
}

fn docs() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/docs"))
}

#[test]
fn docs_tutorial_md_is_the_walk_through_of_the_app() {
    let path = docs().join("tutorial.md");
    let wanted = markdown();
    if std::env::var_os(REGENERATE).is_some() {
        // Whole or not at all: the test beside this one reads the file meanwhile.
        let fresh = path.with_extension("md.new");
        std::fs::write(&fresh, &wanted).unwrap();
        std::fs::rename(&fresh, &path).unwrap();
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == wanted,
        "docs/tutorial.md is not the walk-through the steps make: \
         `{REGENERATE}=1 cargo test --test app tutorial_docs` writes it again"
    );
}

#[test]
fn every_screenshot_docs_tutorial_md_shows_exists() {
    let text = std::fs::read_to_string(docs().join("tutorial.md")).unwrap_or_default();
    let shown: Vec<&str> = text
        .split("![")
        .skip(1)
        .filter_map(|image| image.split_once("](")?.1.split_once(')'))
        .map(|(target, _)| target)
        .collect();
    assert_eq!(
        shown.len(),
        STEPS.len() + 1,
        "one per step, and one not applied"
    );
    for target in shown {
        let png = std::fs::read(docs().join(target)).unwrap_or_default();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "docs/{target} is not there: \
             `{REGENERATE}=1 cargo test --test browser tutorial` takes it"
        );
    }
}

#[test]
fn links_to_pages_read_as_their_addresses() {
    assert_eq!(
        plain_links("Open [/all](/all), then [the home page](/): `[x](y)` [no link"),
        "Open `/all`, then the home page (`/`): `[x](y)` [no link"
    );
}
