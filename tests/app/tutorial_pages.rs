//! The tutorial's pages: linked from the navbar and the home page, text without
//! buttons for visitors the lab does not let in, Apply behind the lab's gate, bad
//! addresses and parts refused plainly, and no link on any step that leads nowhere.

use axum::http::{Method, StatusCode};
use pokedex::cache::strategies::Strategy;
use pokedex::tutorial::content::STEPS;
use scraper::Selector;

use crate::helpers::{Page, TestApp, spawn_app};
use crate::toolbar::LOCAL;
use crate::tutorial::tutorial_app;

/// `/tutorial`, then each step's page.
fn pages() -> Vec<String> {
    let steps = (1..=STEPS.len()).map(|number| format!("/tutorial/{number}"));
    std::iter::once("/tutorial".to_owned())
        .chain(steps)
        .collect()
}

fn per_site_is_off(app: &TestApp) -> bool {
    app.state
        .strategies
        .selection
        .get(Strategy::Site)
        .backend
        .is_none()
}

#[tokio::test]
async fn the_navbar_and_the_home_page_lead_to_the_tutorial() {
    let app = spawn_app().await;
    let home = app.get("/").await;
    assert_eq!(home.hrefs("nav a[href='/tutorial']"), ["/tutorial"]);
    assert_eq!(home.hrefs(".home-tutorial a"), ["/tutorial"]);
    let overview = app.get("/tutorial").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert_eq!(overview.header("cache-control"), Some("no-store"));
    let titles: Vec<&str> = STEPS.iter().map(|step| step.title).collect();
    assert_eq!(overview.texts(".tutorial-steps a"), titles);
    assert_eq!(
        app.get("/tutorial/").await.header("location"),
        Some("/tutorial")
    );
}

#[tokio::test]
async fn visitors_the_lab_does_not_let_in_read_every_step_without_buttons_or_checks() {
    let outside = spawn_app().await.seen_from([192, 0, 2, 7]);
    let proxied = [("x-forwarded-for", "192.0.2.7")];
    let local = spawn_app().await.seen_from(LOCAL);
    for (number, step) in (1..).zip(&STEPS) {
        let url = format!("/tutorial/{number}");
        for page in [
            outside.get(&url).await,
            local.get_with(&url, &proxied).await,
        ] {
            assert_eq!(page.status, StatusCode::OK);
            assert_eq!(page.texts("h1 small"), [format!("Step {number} of 7")]);
            assert!(
                page.texts("form").is_empty(),
                "step {number}: no Apply button"
            );
            assert!(page.texts(".tutorial-finding").is_empty(), "no checks");
            assert_eq!(page.texts(".tutorial-outside").len(), 1);
            assert!(page.hrefs("nav a[href='/lab']").is_empty());
            let code = page.texts("pre code");
            for part in step.parts {
                assert!(code.iter().any(|block| block == part.toml), "{}", part.toml);
                assert!(code.iter().any(|block| block == part.command));
                for snippet in part.django {
                    assert!(code.iter().any(|block| block == snippet.code));
                }
            }
        }
        let apply = format!("/tutorial/{number}/apply");
        let refused = outside.post_form(&apply, "part=a", &[]).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let refused = local.post_form(&apply, "part=a", &proxied).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let checks = outside.get(&format!("/tutorial/{number}/checks")).await;
        assert_eq!(checks.status, StatusCode::NOT_FOUND);
    }
    assert!(per_site_is_off(&outside) && per_site_is_off(&local));
    let inside = local.get("/tutorial/2").await;
    assert_eq!(inside.texts("form button").len(), 2, "one Apply per part");
    assert_eq!(inside.texts(".tutorial-finding").len(), 5);
}

#[tokio::test]
async fn applying_a_step_is_refused_as_a_change_in_the_lab_is() {
    let app = tutorial_app().await;
    let cross_site = [("sec-fetch-site", "cross-site")];
    let refused = app
        .post_form("/tutorial/2/apply", "part=a", &cross_site)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let elsewhere = [("host", "evil.example")];
    let refused = app
        .post_form("/tutorial/2/apply", "part=a", &elsewhere)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    for (form, message) in [
        (
            "part=z",
            "part: step 2 has the parts a, b, not \"z\". Nothing was changed.",
        ),
        (
            "",
            "part: step 2 has the parts a, b, not \"\". Nothing was changed.",
        ),
    ] {
        let refused = app.post_form("/tutorial/2/apply", form, &[]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.texts("main p")[0], message);
    }
    assert!(per_site_is_off(&app), "nothing was changed");
    let one_part = app.post_form("/tutorial/3/apply", "", &[]).await;
    assert_eq!(one_part.status, StatusCode::SEE_OTHER, "a step of one part");
    for url in [
        "/tutorial/0",
        "/tutorial/8",
        "/tutorial/03",
        "/tutorial/+3",
        "/tutorial/two",
    ] {
        let page = app.get(url).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{url}");
        assert_eq!(page.texts("main h1"), ["404 — Not found"]);
        assert_eq!(
            app.get(&format!("{url}/checks")).await.status,
            StatusCode::NOT_FOUND
        );
        let apply = app.post_form(&format!("{url}/apply"), "part=a", &[]).await;
        assert_eq!(apply.status, StatusCode::NOT_FOUND, "{url}/apply");
    }
}

/// Every address `page` links to or loads, on this site, without its fragment.
fn links(page: &Page) -> Vec<String> {
    let html = page.html();
    let mut links = Vec::new();
    for (selector, attribute) in [
        ("a[href]", "href"),
        ("link[href]", "href"),
        ("script[src]", "src"),
    ] {
        let selector = Selector::parse(selector).unwrap();
        for element in html.select(&selector) {
            let link = element.value().attr(attribute).unwrap();
            assert!(
                link.starts_with('/') || link.starts_with('#'),
                "{link}: on this site"
            );
            let link = link.split('#').next().unwrap();
            if !link.is_empty() && !links.iter().any(|known| known == link) {
                links.push(link.to_owned());
            }
        }
    }
    links
}

#[tokio::test]
async fn every_link_on_every_tutorial_page_answers() {
    for app in [
        tutorial_app().await,
        spawn_app().await.seen_from([192, 0, 2, 7]),
    ] {
        for url in pages() {
            let page = app.get(&url).await;
            assert_eq!(page.status, StatusCode::OK, "{url}");
            for link in links(&page) {
                let answer = app.request(Method::GET, &link).await;
                assert!(
                    answer.status.is_success(),
                    "{url} links {link}: {}",
                    answer.status
                );
            }
            let forms = Selector::parse("form[method=post]").unwrap();
            let actions: Vec<String> = page
                .html()
                .select(&forms)
                .map(|form| form.value().attr("action").unwrap().to_owned())
                .collect();
            for action in actions {
                let answer = app.post_form(&action, "part=a", &[]).await;
                assert_ne!(answer.status, StatusCode::NOT_FOUND, "{url}: {action}");
            }
        }
    }
}
