//! The tutorial at `/tutorial`: each step applied and followed turns its checks
//! green, one not applied says what is missing, and the checks read nothing when
//! the toolbar is off.

use axum::http::StatusCode;
use pokedex::settings::Switch;

use crate::cache::subjects::redis_is_up;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::invalidation::edit;
use crate::toolbar::LOCAL;

/// The app, seen from the machine it runs on: the lab's gate lets it in.
pub async fn tutorial_app() -> TestApp {
    spawn_app().await.seen_from(LOCAL)
}

/// Presses part `part`'s Apply button on step `step`; returns what the step then
/// says was done.
async fn apply(app: &TestApp, step: usize, part: &str) -> String {
    let url = format!("/tutorial/{step}/apply");
    let answer = app.post_form(&url, &format!("part={part}"), &[]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let back = format!("/tutorial/{step}#part-{part}");
    assert_eq!(answer.header("location"), Some(back.as_str()));
    let cookie = answer.header("set-cookie").expect("what was done");
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let page = app.get_with(&back, &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    page.texts("main .flash").join("")
}

/// What each check of part `part` of step `step` says now.
async fn findings(app: &TestApp, step: usize, part: &str) -> Vec<String> {
    let checks = app.get(&format!("/tutorial/{step}/checks")).await;
    assert_eq!(checks.status, StatusCode::OK);
    checks.texts(&format!("[data-checks={part}] .tutorial-finding"))
}

/// Opens `path` `times` times.
async fn open(app: &TestApp, path: &str, times: usize) {
    for _ in 0..times {
        assert_eq!(app.get(path).await.status, StatusCode::OK, "{path}");
    }
}

fn all_seen(findings: &[String]) {
    assert!(!findings.is_empty());
    for finding in findings {
        assert!(finding.starts_with('✓'), "{findings:#?}");
    }
}

#[tokio::test]
async fn the_starter_project_sees_the_time_change_and_one_query_each_time() {
    let app = tutorial_app().await;
    let done = apply(&app, 1, "a").await;
    assert!(done.starts_with("Applied: per-site caching off"), "{done}");
    open(&app, "/all", 3).await;
    let found = findings(&app, 1, "a").await;
    all_seen(&found);
    assert!(
        found[0].contains("the navbar time changed every time")
            && found[0].ends_with("with 1 SQL statement each"),
        "{found:?}"
    );
}

#[tokio::test]
async fn per_site_on_the_database_then_in_memory_freezes_every_page() {
    let app = tutorial_app().await;
    let done = apply(&app, 2, "a").await;
    assert!(
        done.contains("per-site caching on database for 600 s"),
        "{done}"
    );
    open(&app, "/all", 3).await;
    open(&app, "/", 3).await;
    let database = findings(&app, 2, "a").await;
    all_seen(&database);
    assert!(
        database[0].contains("served whole by per-site caching on database, 1 cache hit each")
            && database[0].contains("1 statement on cache_table each"),
        "{database:?}"
    );
    assert_eq!(findings(&app, 2, "b").await.len(), 3);

    apply(&app, 2, "b").await;
    open(&app, "/all", 3).await;
    open(&app, "/", 3).await;
    let memory = findings(&app, 2, "b").await;
    all_seen(&memory);
    assert!(
        memory[0].ends_with("1 cache hit each, no SQL"),
        "{memory:?}"
    );
    assert!(
        memory[2].contains("in the database cache (with 1 SQL statement on cache_table)")
            && memory[2].contains("in the memory cache"),
        "{memory:?}"
    );
    all_seen(&findings(&app, 2, "a").await);
    let overview = app.get("/tutorial").await;
    assert_eq!(overview.texts(".tutorial-steps .tutorial-tick"), ["✓"]);
}

#[tokio::test]
async fn per_view_on_redis_freezes_all_while_the_home_page_changes() {
    if !redis_is_up("per_view_on_redis_freezes_all_while_the_home_page_changes").await {
        return;
    }
    let app = tutorial_app().await;
    apply(&app, 3, "a").await;
    open(&app, "/all", 3).await;
    open(&app, "/", 3).await;
    let found = findings(&app, 3, "a").await;
    all_seen(&found);
    assert!(found[0].contains("per-view caching on redis"), "{found:?}");
    assert!(found[1].ends_with("3 SQL statements each"), "{found:?}");
}

#[tokio::test]
async fn fragments_on_files_keep_the_table_while_the_view_runs_without_sql() {
    let app = tutorial_app().await;
    apply(&app, 4, "a").await;
    open(&app, "/all", 3).await;
    let found = findings(&app, 4, "a").await;
    all_seen(&found);
    assert!(
        found[0].contains(
            "the table came from the fragment cache on file, 1 cache hit each, with no SQL"
        ),
        "{found:?}"
    );
}

#[tokio::test]
async fn an_edit_leaves_a_stale_page_then_a_new_version_then_exactly_its_tags() {
    let app = tutorial_app().await;
    for (part, hp) in [("a", "40"), ("b", "41"), ("c", "42")] {
        apply(&app, 5, part).await;
        open(&app, "/all", 1).await;
        open(&app, "/", 1).await;
        let saved = edit(&app, 25, &[("hp", hp)]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        open(&app, "/all", 1).await;
        open(&app, "/", 1).await;
    }
    let time_based = findings(&app, 5, "a").await;
    all_seen(&time_based);
    assert!(
        time_based[1].contains("stale until its 300 s are up"),
        "{time_based:?}"
    );
    let version = findings(&app, 5, "b").await;
    all_seen(&version);
    assert!(version[2].starts_with("✓ the first request to / after the save missed"));
    let tags = findings(&app, 5, "c").await;
    all_seen(&tags);
    assert!(
        tags[0].contains("it deleted site /all (tag list:all)"),
        "{tags:?}"
    );
    assert!(tags[2].starts_with("✓ the first request to / after the save was still a hit"));
}

#[tokio::test]
async fn the_fragment_is_compressed_on_files_and_the_page_kept_as_it_is_in_memory() {
    let app = tutorial_app().await;
    apply(&app, 6, "a").await;
    open(&app, "/all", 2).await;
    let file = findings(&app, 6, "a").await;
    all_seen(&file);
    assert!(
        file[0].starts_with("✓ the fragment of /all is")
            && file[0].contains("zstd-compressed when the miss stored it"),
        "{file:?}"
    );
    apply(&app, 6, "b").await;
    open(&app, "/all", 2).await;
    let memory = findings(&app, 6, "b").await;
    all_seen(&memory);
    assert!(memory[0].contains("compress_threshold is 0"), "{memory:?}");
}

#[tokio::test]
async fn a_step_walked_without_applying_it_says_what_is_missing() {
    let app = tutorial_app().await;
    open(&app, "/all", 3).await;
    assert_eq!(
        findings(&app, 3, "a").await,
        [
            "✗ the time changed: per-view caching is not on — Apply this step",
            "✗ no request to / is recorded yet — open it",
        ]
    );
    apply(&app, 2, "a").await;
    open(&app, "/all", 1).await;
    assert_eq!(
        findings(&app, 2, "a").await[0],
        "✗ 1 of 3 requests to /all so far with this step's setup — refresh it 2 more times"
    );
    assert_eq!(
        findings(&app, 5, "a").await,
        [
            "✗ no save of Pikachu is recorded yet — change its HP in its Edit form and save",
            "✗ waiting for the save above",
        ]
    );
    let saved = edit(&app, 25, &[("hp", "50")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        findings(&app, 5, "c").await[0],
        "✗ your last save of Pikachu was made while per-site caching is on database, not \
         memory, the invalidation mode is ttl, not tags — Apply this step, then save again"
    );
}

#[tokio::test]
async fn with_the_toolbar_off_nothing_is_recorded_and_the_checks_say_so() {
    let app = spawn_app_with(|settings| settings.toolbar.show = Switch::Off)
        .await
        .seen_from(LOCAL);
    apply(&app, 1, "a").await;
    open(&app, "/all", 3).await;
    let found = findings(&app, 1, "a").await;
    assert_eq!(
        found,
        [
            "✗ the toolbar is off (--toolbar off): no request is recorded, so none can be checked \
          — start the server without it"
        ]
    );
}

#[tokio::test]
async fn the_last_step_starts_a_comparison_only_where_the_binary_is_known() {
    let app = tutorial_app().await;
    assert_eq!(
        findings(&app, 7, "a").await,
        ["✗ no comparison of these configurations has run yet — Apply this step"]
    );
    let refused = app.post_form("/tutorial/7/apply", "", &[]).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        refused
            .body
            .contains("comparisons start copies of the pokedex binary"),
        "{}",
        refused.body
    );
}
