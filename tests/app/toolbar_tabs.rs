//! The toolbar's panels are an ARIA tab list, in the injected toolbar and on a
//! request's own page: each tab names the panel it controls, which names it back,
//! and only the selected tab is in the tab order with its panel shown. The injected
//! toolbar's panels are empty until it is opened, and the server's sections fill
//! them one for one.

use scraper::{ElementRef, Html, Selector};

use crate::helpers::spawn_app;

fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn assert_tab_list(html: &Html, root: &str) {
    let lists = select(html, &format!("{root} [role=tablist]"));
    assert_eq!(lists.len(), 1, "{root}: one tab list");
    assert!(
        lists[0].value().attr("aria-label").is_some(),
        "{root}: a named list"
    );
    let tabs = select(html, &format!("{root} [role=tablist] > [role=tab]"));
    let names: Vec<&str> = tabs
        .iter()
        .map(|tab| tab.value().attr("data-tab").unwrap())
        .collect();
    assert_eq!(
        names,
        ["timer", "cache", "sql", "headers", "settings"],
        "{root}"
    );
    let mut selected = 0;
    for tab in &tabs {
        let tab = tab.value();
        let id = tab.id().expect("a tab has an id");
        let controls = tab.attr("aria-controls").expect("aria-controls");
        let panels = select(html, &format!("#{controls}"));
        assert_eq!(panels.len(), 1, "{id} controls one element");
        let panel = panels[0].value();
        assert_eq!(panel.attr("role"), Some("tabpanel"), "{controls}");
        assert_eq!(panel.attr("aria-labelledby"), Some(id), "{controls}");
        match tab.attr("aria-selected") {
            Some("true") => {
                selected += 1;
                assert_ne!(tab.attr("tabindex"), Some("-1"), "{id} is in the tab order");
                assert_eq!(panel.attr("hidden"), None, "{controls} is shown");
            }
            Some("false") => {
                assert_eq!(
                    tab.attr("tabindex"),
                    Some("-1"),
                    "{id} is reached by arrows"
                );
                assert!(panel.attr("hidden").is_some(), "{controls} is hidden");
            }
            other => panic!("{id}: aria-selected {other:?}"),
        }
    }
    assert_eq!(selected, 1, "{root}: one selected tab");
}

#[tokio::test]
async fn the_toolbar_and_a_requests_page_hold_one_aria_tab_list() {
    let app = spawn_app().await.seen_from([127, 0, 0, 1]);
    let page = app.get("/type/grass").await;
    let html = page.html();
    assert_tab_list(&html, "#pokedex-toolbar");
    let handle = select(&html, "#pokedex-toolbar button.pdt-handle");
    assert_eq!(handle.len(), 1);
    assert_eq!(handle[0].value().attr("aria-controls"), Some("pdt-sidebar"));
    assert_eq!(handle[0].value().attr("aria-expanded"), Some("false"));

    let id = select(&html, "#pokedex-toolbar")[0]
        .value()
        .attr("data-request-id")
        .unwrap()
        .to_owned();
    let request = app.get(&format!("/__debug__/requests/{id}")).await;
    assert_tab_list(&request.html(), "#pdt-page");

    let busy: Vec<&str> = select(&html, "#pokedex-toolbar [role=tabpanel][aria-busy=true]")
        .iter()
        .map(|panel| panel.value().attr("data-panel").unwrap())
        .collect();
    assert_eq!(busy, ["timer", "cache", "sql", "headers", "settings"]);
    assert!(
        !html.html().contains("pdt-cache-calls"),
        "the page carries no panel's content"
    );
    let source = select(&html, "#pokedex-toolbar")[0]
        .value()
        .attr("data-panels")
        .unwrap()
        .to_owned();
    assert_eq!(source, format!("/__debug__/requests/{id}/panels"));
    let sections = app.get(&source).await.html();
    let served: Vec<&str> = select(&sections, "section[data-panel]")
        .iter()
        .map(|panel| panel.value().attr("data-panel").unwrap())
        .collect();
    assert_eq!(served, busy, "one section for each empty panel");
    assert_eq!(select(&sections, ".pdt-cache-calls").len(), 1);
}
