//! The Compare page in the browser: a small run started from the form, its progress
//! bar reaching the end, and the chart of its results.

use fantoccini::Locator;

use crate::browser::browser;
use crate::server::Server;

#[tokio::test]
async fn a_small_comparison_runs_to_the_end_and_shows_its_chart() {
    let Some(browser) = browser("compare").await else {
        return;
    };
    let server = Server::start(&[]);
    let client = &browser.client;
    client
        .goto(&format!("http://{}/lab/compare", server.addr))
        .await
        .unwrap();
    for unticked in [
        "input[name=pages][value='/']",
        "input[name=strategies][value=view]",
        "input[name=strategies][value=fragment]",
        "input[name=backends][value=redis]",
    ] {
        client
            .find(Locator::Css(unticked))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    for (field, value) in [("duration", "1"), ("connections", "2")] {
        let input = client
            .find(Locator::Css(&format!("input[name={field}]")))
            .await
            .unwrap();
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    client
        .find(Locator::Css(".compare-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_for_text("[data-progress-text]", "1 of 2 done")
        .await;
    browser.screenshot("compare-running").await;
    browser.wait_for_text(".compare-run h3", "Run 1").await;
    let progress = client
        .find(Locator::Css("#compare-progress progress"))
        .await
        .unwrap();
    assert_eq!(
        progress.attr("value").await.unwrap().as_deref(),
        Some("1"),
        "at the end"
    );
    let chart = client
        .find(Locator::Css(".compare-chart svg"))
        .await
        .unwrap();
    let bars = chart.find_all(Locator::Css("rect")).await.unwrap();
    assert_eq!(bars.len(), 2);
    browser.screenshot("compare-done").await;
    client.set_window_size(390, 1400).await.unwrap();
    browser.screenshot("compare-390").await;
    browser.close().await;
}
