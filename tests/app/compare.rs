//! The lab's Compare page: the form, its refusals, and real runs on a real server —
//! recorded, downloadable, one at a time, cancellable.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use pokedex::bench::report::{Report, RunResult};
use serde_json::json;

use crate::helpers::spawn_app;
use crate::server::Server;

const LOCAL: [u8; 4] = [127, 0, 0, 1];

#[tokio::test]
async fn the_page_proposes_both_pages_every_strategy_on_memory_and_redis_for_3_s() {
    let app = spawn_app().await.seen_from(LOCAL);
    let page = app.get("/lab/compare").await;
    assert_eq!(page.status, StatusCode::OK);
    let ticked = |name: &str| -> Vec<String> {
        let selector = scraper::Selector::parse(&format!("input[name={name}][checked]")).unwrap();
        page.html()
            .select(&selector)
            .map(|input| input.value().attr("value").unwrap().to_owned())
            .collect()
    };
    assert_eq!(ticked("pages"), ["/", "/all"]);
    assert_eq!(ticked("strategies"), ["site", "view", "fragment"]);
    assert_eq!(ticked("backends"), ["memory", "redis"]);
    assert!(
        page.body
            .contains("name=\"duration\" min=\"1\" max=\"600\" step=\"1\" value=\"3\"")
    );
    let outside = spawn_app().await.seen_from([127, 0, 0, 2]);
    assert_eq!(
        outside.get("/lab/compare").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_bad_plan_is_422_and_a_server_without_its_binary_cannot_run() {
    let app = spawn_app().await.seen_from(LOCAL);
    let bad = app
        .post_json(
            "/lab/compare/runs",
            &json!({"pages": ["/nope"], "strategies": ["site"], "backends": ["memory"]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["error"].as_str().unwrap().starts_with("pages: "),
        "{}",
        bad.body
    );
    let good =
        json!({"pages": ["/all"], "strategies": ["site"], "backends": ["memory"], "duration": "1"});
    let refused = app.post_json("/lab/compare/runs", &good).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("pokedex binary")
    );
}

/// Waits until run `id` on `server` has results; returns them.
fn results(server: &Server, id: u32) -> Report {
    let started = Instant::now();
    loop {
        let answer = server.get(&format!("/lab/compare/runs/{id}.json"));
        if answer.starts_with("HTTP/1.1 200") {
            let body = answer.split_once("\r\n\r\n").unwrap().1;
            return serde_json::from_str(body).unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "run {id} never finished"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_run_on_a_real_server_is_recorded_downloadable_and_alone() {
    let server = Server::start(&[]);
    let form = "pages=%2Fall&strategies=site&backends=memory&duration=1&connections=2";
    let started = server.post_form("/lab/compare/runs", form);
    assert!(started.starts_with("HTTP/1.1 303"), "{started}");
    let second = server.post_form("/lab/compare/runs", form);
    assert!(
        second.starts_with("HTTP/1.1 409"),
        "one run at a time: {second}"
    );
    let report = results(&server, 1);
    let labels: Vec<String> = report.results.iter().map(RunResult::label).collect();
    assert_eq!(labels, ["/all off", "/all site · memory"]);
    assert!(
        report
            .results
            .iter()
            .all(|r| r.errors == 0 && r.requests > 0)
    );
    let page = server.get("/lab/compare?run=1");
    assert!(
        page.contains("<svg") && page.contains("· done</small>"),
        "{page}"
    );
    let csv = server.get("/lab/compare/runs/1.csv");
    assert!(csv.contains("content-type: text/csv"), "{csv}");
    let svg = server.get("/lab/compare/runs/1.svg");
    let svg = svg.split_once("\r\n\r\n").unwrap().1;
    roxmltree::Document::parse(svg).unwrap();
    let again = server.post_form("/lab/compare/runs", form);
    assert!(again.starts_with("HTTP/1.1 303"), "free again: {again}");
    let side = server.get("/lab/compare?a=1&b=2");
    assert!(side.contains("compare-two") && side.contains("Run 1") && side.contains("Run 2"));
    results(&server, 2);
}

#[test]
fn a_cancelled_run_stops_and_says_so() {
    let server = Server::start(&[]);
    let form = "pages=%2Fall&strategies=site&backends=memory&duration=60&connections=2";
    assert!(
        server
            .post_form("/lab/compare/runs", form)
            .starts_with("HTTP/1.1 303")
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        server
            .post_form("/lab/compare/cancel", "")
            .starts_with("HTTP/1.1 303")
    );
    let started = Instant::now();
    let report = results(&server, 1);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "cancelled promptly"
    );
    assert!(report.results.len() <= 2);
    assert!(server.get("/lab/compare").contains("cancelled"));
}
