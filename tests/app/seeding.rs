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
    assert!(indexes.contains(&"pokemon_type_name"), "{indexes:?}");
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
