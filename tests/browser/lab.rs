//! The lab in the browser: switch per-site caching in one tab, refresh a page in
//! another, clear the cache, switch it off again.

use fantoccini::Locator;

use crate::browser::{Browser, browser};
use crate::server::Server;

/// Picks `backend` in the per-site form and applies it; the lab reloads.
async fn switch_site_to(browser: &Browser, backend: &str) {
    let client = &browser.client;
    let select = client
        .find(Locator::Css(
            "form[data-strategy=site] select[name=backend]",
        ))
        .await
        .unwrap();
    select.select_by_value(backend).await.unwrap();
    browser
        .click_to(
            Locator::Css("form[data-strategy=site] button"),
            "form[data-strategy=site] [data-now]",
            backend,
        )
        .await;
}

/// The toolbar handle's verdict on the page shown.
async fn verdict(browser: &Browser) -> String {
    let handle = browser
        .client
        .find(Locator::Css(".pdt-handle-verdict"))
        .await
        .unwrap();
    handle.text().await.unwrap()
}

#[tokio::test]
async fn switching_per_site_in_the_lab_freezes_another_tab_until_cleared_or_switched_off() {
    let Some(browser) = browser("lab").await else {
        return;
    };
    let server = Server::start(&[]);
    let url = format!("http://{}", server.addr);
    let client = &browser.client;
    client.goto(&format!("{url}/lab")).await.unwrap();
    let lab = client.window().await.unwrap();
    switch_site_to(&browser, "memory").await;

    let page = client.new_window(true).await.unwrap().handle;
    browser.switch_to(&page).await;
    let first = browser.open(&format!("{url}/")).await;
    assert!(verdict(&browser).await.starts_with("MISS · site · memory"));
    assert_eq!(browser.refresh().await, first, "frozen");
    assert_eq!(browser.refresh().await, first, "still frozen");
    assert!(verdict(&browser).await.starts_with("HIT · site · memory"));

    browser.switch_to(&lab).await;
    browser
        .click_to(
            Locator::Css("form[action='/lab/caches/memory/clear'] button"),
            ".lab-card[data-backend=memory] [data-field=entries]",
            "0",
        )
        .await;
    browser.switch_to(&page).await;
    let recomputed = browser.refresh().await;
    assert_ne!(recomputed, first, "the view ran again");
    assert!(verdict(&browser).await.starts_with("MISS · site · memory"));

    browser.switch_to(&lab).await;
    browser.screenshot("lab-1280").await;
    client.set_window_size(390, 1600).await.unwrap();
    browser.screenshot("lab-390").await;
    client.set_window_size(1280, 900).await.unwrap();
    switch_site_to(&browser, "off").await;
    browser.switch_to(&page).await;
    let once = browser.refresh().await;
    let again = browser.refresh().await;
    assert_ne!(once, again, "off: every view runs");
    assert!(verdict(&browser).await.starts_with("UNCACHED"));
    browser.close().await;
}
