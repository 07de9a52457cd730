//! The tutorial's steps, as a reader sees them in the browser.

use fantoccini::Locator;

use crate::browser::{browser, redis_or_skip};
use crate::server::Server;

/// The server with `args`, and its base URL.
fn server(args: &[&str]) -> (Server, String) {
    let server = Server::start(args);
    let url = format!("http://{}", server.addr);
    (server, url)
}

#[tokio::test]
async fn without_caching_the_navbar_time_changes_on_every_refresh() {
    let Some(browser) = browser("no caching").await else {
        return;
    };
    let (_server, url) = server(&[]);
    for path in ["/", "/all"] {
        let first = browser.open(&format!("{url}{path}")).await;
        let second = browser.refresh().await;
        assert_ne!(first, second, "{path}: every view runs");
    }
    browser.screenshot("no-caching").await;
    browser.close().await;
}

#[tokio::test]
async fn per_site_on_the_database_freezes_both_pages_and_the_toolbar_shows_hits() {
    let Some(browser) = browser("per-site database").await else {
        return;
    };
    let (_server, url) = server(&["--site-cache", "database"]);
    for path in ["/", "/all"] {
        let first = browser.open(&format!("{url}{path}")).await;
        assert_eq!(
            browser.refresh().await,
            first,
            "{path}: served from the cache"
        );
        assert_eq!(browser.refresh().await, first, "{path}: still the same");
    }
    let cache = browser.toolbar_panel("cache").await;
    // One read: the page's Vary list is remembered.
    assert!(cache.contains("1 hits · 0 misses"), "{cache}");
    assert!(
        cache.contains("site.page.") && cache.contains("./all"),
        "{cache}"
    );
    browser.screenshot("per-site-database").await;
    browser.close().await;
}

#[tokio::test]
async fn per_view_on_redis_freezes_all_but_not_the_home_page() {
    let Some(browser) = browser("per-view redis").await else {
        return;
    };
    if !redis_or_skip("per-view redis") {
        return;
    }
    let prefix = format!("pokedex-e2e-{}", std::process::id());
    let (server, url) = server(&[
        "--view-cache",
        "redis",
        "--caches-redis-key-prefix",
        &prefix,
    ]);
    let home = browser.open(&format!("{url}/")).await;
    assert_ne!(browser.refresh().await, home, "/ changes");
    let all = browser.open(&format!("{url}/all")).await;
    assert_eq!(browser.refresh().await, all, "/all stays");
    browser.screenshot("per-view-redis").await;
    browser.close().await;
    // Redis keys outlive the server: the lab's Clear removes this run's.
    let cleared = server.post_form("/lab/caches/redis/clear", "");
    assert!(!cleared.starts_with("HTTP/1.1 4"), "{cleared}");
}

#[tokio::test]
async fn fragment_on_files_keeps_the_table_while_the_view_runs_without_sql() {
    let Some(browser) = browser("fragment file").await else {
        return;
    };
    let (_server, url) = server(&["--fragment-cache", "file"]);
    let first = browser.open(&format!("{url}/all")).await;
    let second = browser.refresh().await;
    assert_ne!(first, second, "the view runs on every refresh");
    let sql = browser.toolbar_panel("sql").await;
    assert!(sql.contains("0 queries"), "{sql}");
    let cache = browser.toolbar_panel("cache").await;
    assert!(cache.contains("fragment"), "{cache}");
    assert!(cache.contains("1 hits · 0 misses"), "{cache}");
    browser.screenshot("fragment-file").await;
    browser.close().await;
}

#[tokio::test]
async fn navigation_by_clicking_and_the_404_page() {
    let Some(browser) = browser("navigation").await else {
        return;
    };
    let (_server, url) = server(&[]);
    let client = &browser.client;
    client.goto(&format!("{url}/pokemon/25")).await.unwrap();
    browser
        .click_to(Locator::LinkText("All Pokémon"), "main h1", "All Pokémon")
        .await;
    browser
        .click_to(Locator::LinkText("Pikachu"), "main h1", "#0025 Pikachu")
        .await;
    browser
        .click_to(Locator::LinkText("Electric"), "main h1", "Electric Pokémon")
        .await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/type/electric")
    );
    browser
        .click_to(Locator::Css(".brand"), "section h2", "Top 5 Normal Pokémon")
        .await;
    client.goto(&format!("{url}/no/such/page")).await.unwrap();
    let heading = client.find(Locator::Css("main h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "404 — Not found");
    assert!(
        client.find(Locator::Css("nav .brand")).await.is_ok(),
        "in the layout"
    );
    browser.screenshot("not-found").await;
    browser.close().await;
}
