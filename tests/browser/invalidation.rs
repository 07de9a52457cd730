//! Editing Pikachu in the browser: the form, the saved page's message, and `/all`
//! afterwards — fresh in `tags` mode, stale in `ttl` mode.

use fantoccini::Locator;

use crate::browser::{Browser, browser};
use crate::server::Server;

/// Pikachu's HP in the `/all` table the browser shows.
async fn pikachu_hp(browser: &Browser, url: &str) -> String {
    browser.client.goto(&format!("{url}/all")).await.unwrap();
    let cell = "//tr[td/a[text()='Pikachu']]/td[6]";
    let cell = browser.client.find(Locator::XPath(cell)).await.unwrap();
    cell.text().await.unwrap()
}

/// Opens Pikachu's page, follows its Edit link, sets HP to `hp` and saves; returns
/// the message the page then shows.
pub async fn edit_hp(browser: &Browser, url: &str, hp: &str) -> String {
    let client = &browser.client;
    client.goto(&format!("{url}/pokemon/25")).await.unwrap();
    browser
        .click_to(Locator::Css("a.edit-link"), "main h1", "#0025 Edit Pikachu")
        .await;
    let field = client.find(Locator::Css("input[name=hp]")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(hp).await.unwrap();
    browser
        .click_to(
            Locator::Css(".edit-form button"),
            "main h1",
            "#0025 Pikachu",
        )
        .await;
    let flash = client.find(Locator::Css(".flash")).await.unwrap();
    flash.text().await.unwrap()
}

async fn edit_in(mode: &str, expected_after: &str, message_start: &str) {
    let Some(browser) = browser(&format!("edit in {mode} mode")).await else {
        return;
    };
    let server = Server::start(&["--site-cache", "memory", "--invalidation", mode]);
    let url = format!("http://{}", server.addr);
    assert_eq!(pikachu_hp(&browser, &url).await, "35");
    let message = edit_hp(&browser, &url, "99").await;
    assert!(message.starts_with(message_start), "{message}");
    browser.screenshot(&format!("edit-saved-{mode}")).await;
    assert_eq!(pikachu_hp(&browser, &url).await, expected_after);
    browser.screenshot(&format!("edit-all-{mode}")).await;
    browser.close().await;
}

#[tokio::test]
async fn in_tags_mode_an_edit_shows_on_all_at_once() {
    edit_in(
        "tags",
        "99",
        "Saved. Invalidated 10 cached entries: site /all, site /pokemon/25",
    )
    .await;
}

#[tokio::test]
async fn in_ttl_mode_all_keeps_the_old_value_until_its_timeout() {
    edit_in(
        "ttl",
        "35",
        "Saved. Cached pages stay as they are until their timeout",
    )
    .await;
}
