//! What the four pages show.

use axum::http::{Method, StatusCode};

use crate::helpers::spawn_app;

#[tokio::test]
async fn home_page_says_what_the_app_is_and_links_the_lab_for_those_who_may_use_it() {
    let app = spawn_app().await.seen_from([127, 0, 0, 1]);
    let page = app.get("/").await;
    assert_eq!(page.texts("h1"), ["Pokédex Cache Lab"]);
    let lead = page.texts("h1 + p.lead");
    assert_eq!(
        lead,
        [
            "A catalogue of every Pokémon that teaches web caching: turn a cache on in the lab \
          and watch the navbar's response time freeze."
        ]
    );
    assert_eq!(page.hrefs("p.lead a"), ["/lab"]);
    assert_eq!(app.get("/lab").await.status, StatusCode::OK);

    let outside = spawn_app().await.seen_from([192, 0, 2, 7]);
    let page = outside.get("/").await;
    assert_eq!(page.texts("h1"), ["Pokédex Cache Lab"]);
    assert!(
        page.hrefs("p.lead a").is_empty(),
        "no link to a page it may not open"
    );
    assert_eq!(outside.get("/lab").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn all_page_lists_every_pokemon_in_name_order() {
    let app = spawn_app().await;
    let page = app.get("/all").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );

    let rows = page.table_rows(0);
    assert_eq!(rows.len(), 1025);
    let names: Vec<&str> = rows.iter().map(|row| row[1].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "rows are in name order");
    assert_eq!(names[0], "Abomasnow");

    let bulbasaur = rows.iter().find(|row| row[1] == "Bulbasaur").unwrap();
    assert_eq!(
        bulbasaur,
        &["1", "Bulbasaur", "0.7 m", "6.9 kg", "Poison", "45", "45"]
    );
    let pikachu = rows.iter().find(|row| row[1] == "Pikachu").unwrap();
    assert_eq!(
        pikachu,
        &["25", "Pikachu", "0.4 m", "6.0 kg", "", "35", "90"]
    );
}

#[tokio::test]
async fn home_page_lists_the_first_five_normal_grass_and_water_pokemon_by_name() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts("section h2"),
        [
            "Top 5 Normal Pokémon",
            "Top 5 Grass Pokémon",
            "Top 5 Water Pokémon"
        ]
    );

    // Written independently of the app's queries: one window query for all three.
    let expected: Vec<(String, String)> = sqlx::query_as(
        "SELECT type, name FROM (
             SELECT type, name, row_number() OVER (PARTITION BY type ORDER BY name) AS n
             FROM pokemon WHERE type IN ('normal', 'grass', 'water'))
         WHERE n <= 5 ORDER BY CASE type WHEN 'normal' THEN 0 WHEN 'grass' THEN 1 ELSE 2 END, n",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(expected.len(), 15);
    for (table, type_name) in ["normal", "grass", "water"].into_iter().enumerate() {
        let shown: Vec<String> = page
            .table_rows(table)
            .into_iter()
            .map(|row| row[1].clone())
            .collect();
        let wanted: Vec<String> = expected
            .iter()
            .filter(|(t, _)| t == type_name)
            .map(|(_, name)| name.clone())
            .collect();
        assert_eq!(shown, wanted, "{type_name} table");
    }
}

#[tokio::test]
async fn pokemon_page_shows_stats_types_and_neighbours() {
    let app = spawn_app().await;
    let page = app.get("/pokemon/25").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["#0025 Pikachu"]);
    assert_eq!(page.hrefs(".types a"), ["/type/electric"]);
    assert_eq!(
        page.texts(".stats th"),
        [
            "HP", "Attack", "Defense", "Sp. Atk", "Sp. Def", "Speed", "Total"
        ]
    );
    assert_eq!(
        page.texts(".stat-value"),
        ["35", "55", "40", "50", "50", "90", "320"]
    );
    assert_eq!(page.hrefs("a[rel=prev]"), ["/pokemon/24"]);
    assert_eq!(page.hrefs("a[rel=next]"), ["/pokemon/26"]);
    assert_eq!(page.texts("a[rel=next]"), ["#26 Raichu →"]);

    let bulbasaur = app.get("/pokemon/1").await;
    assert_eq!(bulbasaur.hrefs(".types a"), ["/type/grass", "/type/poison"]);
    assert!(bulbasaur.hrefs("a[rel=prev]").is_empty());
    let last = app.get("/pokemon/1025").await;
    assert_eq!(last.texts("h1"), ["#1025 Pecharunt"]);
    assert!(last.hrefs("a[rel=next]").is_empty());
}

#[tokio::test]
async fn type_page_lists_pokemon_of_that_primary_or_secondary_type() {
    let app = spawn_app().await;
    let page = app.get("/type/poison").await;
    assert_eq!(page.status, StatusCode::OK);
    let names: Vec<String> = page
        .table_rows(0)
        .into_iter()
        .map(|row| row[1].clone())
        .collect();
    assert!(names.contains(&"Bulbasaur".to_owned()), "secondary type");
    assert!(names.contains(&"Ekans".to_owned()), "primary type");
    assert!(!names.contains(&"Pikachu".to_owned()));
    let (count,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM pokemon WHERE type = 'poison' OR secondary_type = 'poison'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(names.len(), usize::try_from(count).unwrap());
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}

#[tokio::test]
async fn names_are_shown_as_written_and_html_escaped() {
    let app = spawn_app().await;
    sqlx::query(
        "INSERT INTO pokemon VALUES (9001, '<script>alert(\"x\")</script> & Co''s', 'normal', \
         NULL, 1, 1, 1, 1, 1, 1, 1, 1, 9, 1)",
    )
    .execute(&app.db)
    .await
    .unwrap();

    let page = app.get("/all").await;
    let names: Vec<String> = page
        .table_rows(0)
        .into_iter()
        .map(|row| row[1].clone())
        .collect();
    for name in [
        "Farfetch’d",
        "Flabébé",
        "Type: Null",
        "Mr. Mime",
        "Nidoran-F",
        "Sirfetch’d",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} is listed as written"
        );
    }
    assert!(
        names
            .iter()
            .any(|n| n == "<script>alert(\"x\")</script> & Co's")
    );
    assert!(
        !page.body.contains("<script>"),
        "markup in a name is escaped"
    );
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn every_page_shows_a_fresh_view_time_in_the_navbar() {
    let app = spawn_app().await;
    for uri in ["/", "/all", "/pokemon/25", "/type/grass"] {
        let first = app.get(uri).await.response_time();
        let second = app.get(uri).await.response_time();
        assert_ne!(first, second, "{uri}: uncached views time afresh");
    }
}

#[tokio::test]
async fn head_requests_get_headers_without_a_body() {
    let app = spawn_app().await;
    let page = app.request(Method::HEAD, "/all").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.is_empty());
}

#[tokio::test]
async fn stylesheet_is_served_with_a_long_lived_cache_control() {
    let app = spawn_app().await;
    let home = app.get("/").await;
    let href = home.hrefs("link[rel=stylesheet]").remove(0);
    assert!(href.starts_with("/static/css/pokedex.css?v="), "{href}");

    let css = app.get(&href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), Some("text/css"));
    assert_eq!(
        css.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(css.body.contains("#response-time"));

    let missing = app.get("/static/css/missing.css").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.header("cache-control"),
        None,
        "a 404 is not cached for a year"
    );
}
