//! The edit form: its fields, its rules, the stale-form check, who may use it, and
//! the message the next page shows.

use axum::http::StatusCode;
use pokedex::cache::backends::CacheBackend;

use super::{edit, fields_of};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const LOCAL: [u8; 4] = [127, 0, 0, 1];

async fn editor() -> TestApp {
    spawn_app().await.seen_from(LOCAL)
}

/// Pikachu's row as the database holds it.
async fn pikachu_row(app: &TestApp) -> (String, i64, i64, i64) {
    sqlx::query_as("SELECT name, hp, height, version FROM pokemon WHERE pokedex_id = 25")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_form_names_its_fields_as_the_django_model_does_and_holds_the_values() {
    let app = editor().await;
    let form = app.get("/pokemon/25/edit").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.header("cache-control"), Some("no-store"));
    let fields = fields_of(&form.body);
    let value = |name: &str| {
        let (_, value) = fields
            .iter()
            .find(|(field, _)| field == name)
            .unwrap_or_else(|| panic!("no field {name}"));
        value.as_str()
    };
    for (name, expected) in [
        ("name", "Pikachu"),
        ("type", "electric"),
        ("secondary_type", ""),
        ("hp", "35"),
        ("attack", "55"),
        ("defense", "40"),
        ("sp_atk", "50"),
        ("sp_def", "50"),
        ("speed", "90"),
        ("height", "0.4"),
        ("weight", "6.0"),
        ("version", "1"),
    ] {
        assert_eq!(value(name), expected, "{name}");
    }
    assert_eq!(form.texts("select[name=type] option").len(), 18);
    assert_eq!(
        form.texts("select[name=secondary_type] option").len(),
        19,
        "and none"
    );
}

#[tokio::test]
async fn a_save_is_one_transaction_then_a_redirect_to_the_page_which_says_what_it_did() {
    let app = editor().await;
    let saved = edit(
        &app,
        25,
        &[("hp", "99"), ("weight", "6.5"), ("extra", "ignored")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.header("location"), Some("/pokemon/25"));
    assert_eq!(pikachu_row(&app).await, ("Pikachu".to_owned(), 99, 4, 2));
    let cookie = saved.header("set-cookie").unwrap();
    let flash = cookie.split(';').next().unwrap();
    let page = app.get_with("/pokemon/25", &[("cookie", flash)]).await;
    let shown = page.texts(".flash");
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0]
            .starts_with("Saved. Cached pages stay as they are until their timeout (time-based)"),
        "{shown:?}"
    );
    assert!(
        page.header("set-cookie").unwrap().contains("Max-Age=0"),
        "shown once"
    );
    assert_eq!(page.texts(".stats .stat-value")[0], "99");
}

#[tokio::test]
async fn bad_input_gets_422_with_the_form_again_a_message_beside_each_field_and_no_write() {
    let app = editor().await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("name", "")], "name"),
        (&[("name", "   ")], "name"),
        (&[("name", &"P".repeat(41))], "name"),
        (&[("name", "Raichu")], "name"),
        (&[("name", "raichu")], "name"),
        (&[("hp", "0")], "hp"),
        (&[("attack", "256")], "attack"),
        (&[("defense", "4.5")], "defense"),
        (&[("speed", "fast")], "speed"),
        (&[("height", "0")], "height"),
        (&[("height", "-2")], "height"),
        (&[("weight", "1e12")], "weight"),
        (&[("weight", "heavy")], "weight"),
        (&[("type", "plasma")], "type"),
        (&[("secondary_type", "electric")], "secondary_type"),
        (&[("version", "")], "version"),
    ];
    for (changes, field) in cases {
        let answer = edit(&app, 25, changes).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes:?}"
        );
        let errors = answer.texts(".field.invalid label");
        if *field != "version" {
            assert_eq!(errors.len(), 1, "{changes:?}: {errors:?}");
        }
        assert!(!answer.texts(".field-error").is_empty(), "{changes:?}");
        let kept = fields_of(&answer.body);
        // A select cannot show a value that is none of its options.
        let shown = |(name, value): &&(&str, &str)| *name != "version" && *value != "plasma";
        for (name, value) in changes.iter().filter(shown) {
            assert!(
                kept.contains(&((*name).to_owned(), (*value).to_owned())),
                "{name} kept"
            );
        }
    }
    let missing = app
        .post_form("/pokemon/25/edit", "name=Pikachu&version=1", &[])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing.texts(".field.invalid").len(),
        9,
        "type, six stats, height, weight"
    );
    assert_eq!(
        pikachu_row(&app).await,
        ("Pikachu".to_owned(), 35, 4, 1),
        "unchanged"
    );
}

#[tokio::test]
async fn a_stale_form_gets_409_with_the_current_values_and_overwrites_nothing() {
    let app = editor().await;
    let form = app.get("/pokemon/25/edit").await;
    assert_eq!(
        edit(&app, 25, &[("hp", "70")]).await.status,
        StatusCode::SEE_OTHER
    );
    let mut stale = fields_of(&form.body);
    for field in &mut stale {
        if field.0 == "hp" {
            "12".clone_into(&mut field.1);
        }
    }
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&stale)
        .finish();
    let answer = app.post_form("/pokemon/25/edit", &body, &[]).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(answer.texts(".notice")[0].contains("nothing was overwritten"));
    let current = fields_of(&answer.body);
    assert!(
        current.contains(&("hp".to_owned(), "70".to_owned())),
        "{current:?}"
    );
    assert!(current.contains(&("version".to_owned(), "2".to_owned())));
    assert_eq!(pikachu_row(&app).await.1, 70);
}

#[tokio::test]
async fn an_unknown_pokemon_is_404_and_only_internal_same_origin_clients_may_edit() {
    let app = editor().await;
    for uri in ["/pokemon/9999/edit", "/pokemon/abc/edit"] {
        assert_eq!(app.get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
        let post = app.post_form(uri, "name=X", &[]).await;
        assert_eq!(post.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let outside = spawn_app().await.seen_from([127, 0, 0, 2]);
    assert_eq!(
        outside.get("/pokemon/25/edit").await.status,
        StatusCode::NOT_FOUND
    );
    let page = outside.get("/pokemon/25").await;
    assert!(
        page.hrefs("a.edit-link").is_empty(),
        "no edit link for outsiders"
    );
    let inside = app.get("/pokemon/25").await;
    assert_eq!(inside.hrefs("a.edit-link"), ["/pokemon/25/edit"]);
    let cross = app
        .post_form(
            "/pokemon/25/edit",
            "name=X",
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let wrong_host = app
        .post_form("/pokemon/25/edit", "name=X", &[("host", "evil.example")])
        .await;
    assert_eq!(
        wrong_host.status,
        StatusCode::BAD_REQUEST,
        "as Django answers"
    );
    assert_eq!(pikachu_row(&app).await.0, "Pikachu");
}

#[tokio::test]
async fn the_edit_form_is_never_stored_by_a_page_cache() {
    let app = spawn_app_with(|s| s.site.backend = Some(CacheBackend::Memory))
        .await
        .seen_from(LOCAL);
    for _ in 0..2 {
        let form = app.get("/pokemon/25/edit").await;
        assert_eq!(form.header("x-cache"), Some("BYPASS"));
    }
}
