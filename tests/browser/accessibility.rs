//! The pages in the dark theme on a 390-pixel-wide phone: the dark colours applied,
//! the toolbar's handle covering no table cell, and the toolbar used from the
//! keyboard alone — its handle the first Tab stop, with a focus ring, and its tabs
//! moved by arrows, Home and End. Screenshots of each step go beside the others.

use fantoccini::Locator;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

use crate::browser::{Browser, browser_with};
use crate::server::Server;

/// Chromium asked for the dark theme, as a system set to dark does.
const DARK: [&str; 2] = [
    "--force-dark-mode",
    "--blink-settings=preferredColorScheme=0",
];

/// Runs `script` (a function body) in the page and returns its value.
async fn js(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap()
}

/// Presses and releases `key` wherever the focus is.
async fn press(browser: &Browser, key: Key) {
    let key = char::from(key);
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    browser.client.perform_actions(actions).await.unwrap();
}

/// The `data-tab` of the focused element and of the selected tab, and the panel
/// shown.
async fn tab_state(browser: &Browser) -> (Value, Value, Value) {
    let state = js(
        browser,
        "const bar = document.getElementById('pokedex-toolbar');
         const shown = [...bar.querySelectorAll('[role=tabpanel]')].filter(p => !p.hidden);
         return [document.activeElement.dataset.tab,
                 bar.querySelector('[role=tab][aria-selected=true]').dataset.tab,
                 shown.map(p => p.dataset.panel).join(' ')];",
    )
    .await;
    (state[0].clone(), state[1].clone(), state[2].clone())
}

/// Asserts the page is dark, and that the handle, shown, overlaps no table cell.
async fn assert_dark_and_uncovered(browser: &Browser, path: &str) {
    let page = js(
        browser,
        "const rgb = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
         const handle = document.querySelector('.pdt-handle').getBoundingClientRect();
         const cells = [...document.querySelectorAll('td, th')].map(c => c.getBoundingClientRect());
         const covered = cells.filter(c => c.left < handle.right && handle.left < c.right
             && c.top < handle.bottom && handle.top < c.bottom);
         return {width: window.innerWidth, rgb, handle: [handle.width, handle.height],
                 cells: cells.length, covered: covered.length};",
    )
    .await;
    assert_eq!(page["width"], 390, "{path}: a 390-pixel viewport");
    let rgb: Vec<u64> = page["rgb"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    assert!(
        rgb.iter().all(|c| *c < 48),
        "{path}: a dark background, not {rgb:?}"
    );
    assert!(
        page["handle"][0].as_f64().unwrap() > 0.0,
        "{path}: the handle shows"
    );
    assert!(
        page["cells"].as_u64().unwrap() > 0,
        "{path}: tables to cover"
    );
    assert_eq!(page["covered"], 0, "{path}: the handle covers no cell");
}

#[tokio::test]
async fn dark_phone_pages_keep_the_toolbar_off_the_tables_and_usable_from_the_keyboard() {
    let Some(browser) = browser_with("accessibility", &DARK).await else {
        return;
    };
    let server = Server::start(&[]);
    let url = format!("http://{}", server.addr);
    let client = &browser.client;
    client.set_window_size(390, 900).await.unwrap();
    for (name, path) in [("home", "/"), ("type", "/type/grass")] {
        client.goto(&format!("{url}{path}")).await.unwrap();
        assert_dark_and_uncovered(&browser, path).await;
        browser.screenshot(&format!("dark-390-{name}")).await;
    }

    press(&browser, Key::Tab).await;
    let focus = js(
        &browser,
        "const e = document.activeElement, style = getComputedStyle(e);
         return {handle: e.classList.contains('pdt-handle'), visible: e.matches(':focus-visible'),
                 outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};",
    )
    .await;
    assert_eq!(
        focus["handle"], true,
        "the first Tab stop is the handle: {focus}"
    );
    assert_eq!(focus["visible"], true, "{focus}");
    assert_ne!(focus["outline"], "none", "a focus ring: {focus}");
    assert!(focus["width"].as_f64().unwrap() >= 2.0, "{focus}");
    browser.screenshot("dark-390-handle-focused").await;

    press(&browser, Key::Enter).await;
    let roles = js(
        &browser,
        "return [document.querySelectorAll('#pokedex-toolbar [role=tablist]').length,
                 document.querySelectorAll('#pokedex-toolbar [role=tab]').length,
                 document.querySelectorAll('#pokedex-toolbar [role=tabpanel]').length,
                 document.querySelector('.pdt-handle').getAttribute('aria-expanded')];",
    )
    .await;
    assert_eq!(roles, serde_json::json!([1, 5, 5, "true"]));
    assert_eq!(
        tab_state(&browser).await,
        ("timer".into(), "timer".into(), "timer".into())
    );
    let steps = [
        (Key::Right, "cache"),
        (Key::Right, "sql"),
        (Key::End, "settings"),
        (Key::Right, "timer"),
        (Key::Left, "settings"),
        (Key::Home, "timer"),
        (Key::Left, "settings"),
        (Key::Left, "headers"),
    ];
    for (key, tab) in steps {
        press(&browser, key).await;
        assert_eq!(
            tab_state(&browser).await,
            (tab.into(), tab.into(), tab.into()),
            "{key:?}"
        );
    }
    client
        .wait()
        .for_element(Locator::Css("#pdt-panel-headers:not([aria-busy])"))
        .await
        .unwrap();
    browser.screenshot("dark-390-toolbar-headers").await;

    press(&browser, Key::Escape).await;
    let closed = js(
        &browser,
        "return [document.getElementById('pdt-sidebar').hidden,
                 document.activeElement.classList.contains('pdt-handle')];",
    )
    .await;
    assert_eq!(
        closed,
        serde_json::json!([true, true]),
        "closed, focus back on the handle"
    );
    browser.close().await;
}
