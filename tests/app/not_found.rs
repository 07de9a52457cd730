//! Every way of asking for something that is not there ends on the 404 page.

use axum::http::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn unknown_paths_pokemon_types_and_malformed_ids_get_the_404_page() {
    let app = spawn_app().await;
    let cases = [
        "/nope",
        "/all/extra",
        "/pokemon/abc",
        "/pokemon/-1",
        "/pokemon/+1",
        "/pokemon/0",
        "/pokemon/1026",
        "/pokemon/4294967295",
        "/pokemon/99999999999999999999",
        "/pokemon/%FF",
        "/type/nope",
        "/type/%FF",
        "/type/%3Cscript%3E",
    ];
    for uri in cases {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{uri}"
        );
        assert_eq!(
            page.texts("nav .brand"),
            ["Pokédex"],
            "{uri}: in the layout"
        );
        assert_eq!(page.texts("h1"), ["404 — Not found"], "{uri}");
        assert!(
            !page.body.contains("<script>"),
            "{uri}: nothing echoed unescaped"
        );
    }
}

#[tokio::test]
async fn a_missing_type_names_the_type_it_looked_for() {
    let app = spawn_app().await;
    let page = app.get("/type/shadow").await;
    assert_eq!(
        page.texts(".error-page p").first().map(String::as_str),
        Some("No Pokémon has the type “shadow”.")
    );
}
