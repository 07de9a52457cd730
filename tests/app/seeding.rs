//! The database is created, migrated and seeded once, and never half-seeded.

use pokedex::db::seed::{self, SeedOutcome};
use pokedex::db::{self, pokemon};

use crate::helpers::spawn_app;

#[tokio::test]
async fn first_start_seeds_all_1025_pokemon_in_wal_mode() {
    let app = spawn_app().await;
    assert_eq!(pokemon::count(&app.db).await.unwrap(), 1025);
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let indexes: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM pragma_index_list('pokemon') ORDER BY name")
            .fetch_all(&app.db)
            .await
            .unwrap();
    let indexes: Vec<&str> = indexes.iter().map(|(name,)| name.as_str()).collect();
    assert!(indexes.contains(&"pokemon_listed_by_type"), "{indexes:?}");
}

#[tokio::test]
async fn a_second_start_on_the_same_database_does_not_seed_twice() {
    let app = spawn_app().await;
    let again = db::connect_and_prepare(&app.settings.database)
        .await
        .unwrap();
    assert_eq!(pokemon::count(&again).await.unwrap(), 1025);
    assert_eq!(
        seed::seed_if_empty(&again, seed::POKEMON_CSV)
            .await
            .unwrap(),
        SeedOutcome::AlreadySeeded(1025)
    );
}

/// `$rows` under the header of `data/pokemon.csv`, as one literal.
macro_rules! csv {
    ($rows:literal) => {
        concat!(
            "pokedex_id,name,type,secondary_type,height,weight,hp,attack,defense,sp_atk,sp_def,speed,generation\n",
            $rows
        )
    };
}

/// An app whose catalogue was seeded, then emptied, so a test can seed it again.
async fn emptied_app() -> crate::helpers::TestApp {
    let app = spawn_app().await;
    sqlx::query("DELETE FROM pokemon")
        .execute(&app.db)
        .await
        .unwrap();
    app
}

#[tokio::test]
async fn a_seed_that_fails_midway_leaves_the_table_empty() {
    let app = emptied_app().await;
    // The third row repeats the first one's number: the insert fails after two rows.
    let csv = csv!(
        "1,Bulbasaur,grass,poison,7,69,45,49,49,65,65,45,1\n\
               2,Ivysaur,grass,poison,10,130,60,62,63,80,80,60,1\n\
               1,Again,grass,,1,1,1,1,1,1,1,1,1\n"
    );
    let err = seed::seed_if_empty(&app.db, csv).await.unwrap_err();
    assert!(err.to_string().contains("UNIQUE"), "{err}");
    assert_eq!(pokemon::count(&app.db).await.unwrap(), 0);

    assert_eq!(
        seed::seed_if_empty(&app.db, seed::POKEMON_CSV)
            .await
            .unwrap(),
        SeedOutcome::Seeded(1025)
    );
}

#[tokio::test]
async fn a_malformed_csv_is_refused_before_anything_is_written() {
    let app = emptied_app().await;
    let csv = csv!(
        "1,Bulbasaur,grass,poison,7,69,45,49,49,65,65,45,1\n\
               two,Ivysaur,grass,poison,10,130,60,62,63,80,80,60,1\n"
    );
    let err = seed::seed_if_empty(&app.db, csv).await.unwrap_err();
    assert!(err.to_string().contains("pokemon.csv"), "{err}");
    assert_eq!(pokemon::count(&app.db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_started_together_on_a_new_file_seed_it_exactly_once() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = pokedex::settings::Settings::default().database;
        settings.url = format!("sqlite://{}", dir.path().join("new.sqlite3").display());
        let starts: Vec<_> = (0..3)
            .map(|_| {
                let settings = settings.clone();
                tokio::spawn(async move { db::connect_and_prepare(&settings).await })
            })
            .collect();
        let mut pools = Vec::new();
        for start in starts {
            pools.push(start.await.unwrap().expect("every server starts"));
        }
        for pool in &pools {
            assert_eq!(pokemon::count(pool).await.unwrap(), 1025);
        }
    }
}

#[tokio::test]
async fn a_database_deleted_while_running_is_not_recreated_and_pages_say_503() {
    use axum::response::IntoResponse;

    let app = spawn_app().await;
    let file = app
        .settings
        .database
        .url
        .trim_start_matches("sqlite://")
        .to_owned();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{file}{suffix}"));
    }
    let new_connection = sqlx::SqlitePool::connect_with((*app.db.connect_options()).clone()).await;
    let Err(error) = new_connection else {
        panic!("a new connection found a database where none is");
    };
    assert!(
        !std::path::Path::new(&file).exists(),
        "no empty database was made in its place"
    );
    let page = pokedex::error::AppError::from(error).into_response();
    assert_eq!(page.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
    let body = http_body_util::BodyExt::collect(page.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("The catalogue is unavailable"), "{body}");
    assert!(body.contains("unable to open database file"), "{body}");
    assert!(body.contains("class=\"navbar"), "in the site's layout");
}
