//! The tutorial in the browser, as a reader follows it: the step's page in one tab,
//! the pages it names in another. All seven steps walked with Apply, each check
//! turning ✓ on the step's page as it follows the requests; one step walked without
//! Apply showing its ✗; the steps readable at 390 pixels. Each step is shot: into
//! `docs/tutorial/`, the pictures `docs/tutorial.md` shows, when the environment
//! variable `POKEDEX_REGENERATE_DOCS` is set, else beside the other screenshots.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;

use crate::browser::{Browser, browser, redis_or_skip, until};
use crate::invalidation::edit_hp;
use crate::server::Server;

/// What a part asks the reader to do, in the other tab.
enum Do {
    /// Open the page, then refresh it until it has been requested this many times.
    Open(&'static str, usize),
    /// Change Pikachu's HP to this in its Edit form, and save.
    Edit(&'static str),
}

use Do::{Edit, Open};

/// Every part of every step, in order, and what it asks.
const WALK: [(usize, &str, &[Do]); 11] = [
    (1, "a", &[Open("/all", 3)]),
    (2, "a", &[Open("/all", 3), Open("/", 3)]),
    (2, "b", &[Open("/all", 3), Open("/", 3)]),
    (3, "a", &[Open("/all", 3), Open("/", 3)]),
    (4, "a", &[Open("/all", 3)]),
    (5, "a", &[Open("/all", 1), Edit("40"), Open("/all", 1)]),
    (
        5,
        "b",
        &[
            Open("/all", 1),
            Open("/", 1),
            Edit("41"),
            Open("/all", 1),
            Open("/", 1),
        ],
    ),
    (
        5,
        "c",
        &[
            Open("/all", 1),
            Open("/", 1),
            Edit("42"),
            Open("/all", 1),
            Open("/", 1),
        ],
    ),
    (6, "a", &[Open("/all", 2)]),
    (6, "b", &[Open("/all", 2)]),
    (7, "a", &[]),
];

/// Runs `script` (a function body) in the page and returns its value.
async fn js(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap()
}

/// What the checks of `part` say on the page shown.
async fn findings(browser: &Browser, part: &str) -> Vec<String> {
    let script = format!(
        "return [...document.querySelectorAll('[data-checks=\"{part}\"] .tutorial-finding')]
             .map(finding => finding.textContent);"
    );
    let found = js(browser, &script).await;
    let found = found.as_array().cloned().unwrap_or_default();
    found
        .iter()
        .map(|finding| finding.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Waits, without reloading, until every check of `part` says ✓.
async fn every_check_seen(browser: &Browser, step: usize, part: &str, within: Duration) {
    until(within, async || {
        let found = findings(browser, part).await;
        if !found.is_empty() && found.iter().all(|finding| finding.starts_with('✓')) {
            Ok(())
        } else {
            Err(format!("step {step}{part}: {found:#?}"))
        }
    })
    .await;
}

/// Saves the whole page, 1280 pixels wide, as `name`.png: in `docs/tutorial/` when
/// the docs are being written again, else in `target/e2e-screenshots/`.
async fn shoot(browser: &Browser, name: &str) {
    let width = 1280;
    let client = &browser.client;
    client.set_window_size(width, 900).await.unwrap();
    js(browser, "window.scrollTo(0, 0);").await;
    let height = js(browser, "return document.documentElement.scrollHeight;").await;
    let height = u32::try_from(height.as_u64().unwrap_or(900)).unwrap_or(900);
    client.set_window_size(width, height + 160).await.unwrap();
    let png = client.screenshot().await.unwrap();
    client.set_window_size(width, 900).await.unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (dir, file) = if std::env::var_os("POKEDEX_REGENERATE_DOCS").is_some() {
        (root.join("docs/tutorial"), format!("{name}.png"))
    } else {
        (
            root.join("target/e2e-screenshots"),
            format!("tutorial-{name}.png"),
        )
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), png).unwrap();
}

#[tokio::test]
async fn every_step_applied_and_followed_turns_each_check_green() {
    let Some(browser) = browser("tutorial walk").await else {
        return;
    };
    if !redis_or_skip("tutorial walk") {
        return;
    }
    let prefix = format!("pokedex-e2e-tutorial-{}", std::process::id());
    let server = Server::start(&["--caches-redis-key-prefix", &prefix]);
    let url = format!("http://{}", server.addr);
    let client = &browser.client;
    client.goto(&format!("{url}/tutorial")).await.unwrap();
    let tutorial = client.window().await.unwrap();
    let pages = client.new_window(true).await.unwrap().handle;
    for (index, (step, part, asks)) in WALK.iter().enumerate() {
        browser.switch_to(&tutorial).await;
        client
            .goto(&format!("{url}/tutorial/{step}"))
            .await
            .unwrap();
        let button = format!("#part-{part} form button");
        let said = if *step == 7 {
            "Started comparison run"
        } else {
            "Applied: "
        };
        browser
            .click_to(Locator::Css(&button), "main .flash", said)
            .await;
        browser.switch_to(&pages).await;
        for ask in *asks {
            match ask {
                Open(path, times) => {
                    browser.open(&format!("{url}{path}")).await;
                    for _ in 1..*times {
                        browser.refresh().await;
                    }
                }
                Edit(hp) => {
                    edit_hp(&browser, &url, hp).await;
                }
            }
        }
        browser.switch_to(&tutorial).await;
        let within = Duration::from_secs(if *step == 7 { 240 } else { 20 });
        every_check_seen(&browser, *step, part, within).await;
        let last_part = WALK.get(index + 1).is_none_or(|(next, ..)| next != step);
        if last_part {
            shoot(&browser, &format!("step-{step}")).await;
        }
    }
    let bars = client
        .find_all(Locator::Css(".tutorial-chart svg rect"))
        .await
        .unwrap();
    assert_eq!(bars.len(), 5, "one bar per configuration of steps 1 to 4");
    client.goto(&format!("{url}/tutorial")).await.unwrap();
    let last = ".tutorial-steps li:last-child .tutorial-tick";
    assert!(
        client.find(Locator::Css(last)).await.is_ok(),
        "the last step is done"
    );
    client.goto(&format!("{url}/tutorial/2")).await.unwrap();
    client.set_window_size(390, 900).await.unwrap();
    // Code scrolls inside its own block; nothing else may reach past the screen.
    let wider = js(
        &browser,
        "const past = [...document.querySelectorAll('body *')]
             .filter(element => !element.closest('pre'))
             .filter(element => element.getBoundingClientRect().right > 390)
             .map(element => element.tagName + '.' + element.className);
         const page = document.documentElement;
         return [page.scrollWidth <= page.clientWidth, past];",
    )
    .await;
    assert_eq!(wider, serde_json::json!([true, []]), "nothing past 390 px");
    browser.screenshot("tutorial-step-2-390").await;
    browser.close().await;
    let cleared = server.post_form("/lab/caches/redis/clear", "");
    assert!(!cleared.starts_with("HTTP/1.1 4"), "{cleared}");
}

#[tokio::test]
async fn a_step_walked_without_applying_it_shows_what_is_missing() {
    let Some(browser) = browser("tutorial without apply").await else {
        return;
    };
    let server = Server::start(&[]);
    let url = format!("http://{}", server.addr);
    browser.open(&format!("{url}/all")).await;
    browser.refresh().await;
    browser.refresh().await;
    browser
        .client
        .goto(&format!("{url}/tutorial/3"))
        .await
        .unwrap();
    let found = findings(&browser, "a").await;
    assert_eq!(
        found[0],
        "✗ the time changed: per-view caching is not on — Apply this step"
    );
    shoot(&browser, "step-3-not-applied").await;
    browser.close().await;
}
