//! The list queries' plans, as SQLite says it runs them, and what their rows decode to.

use super::*;
use crate::db;
use crate::settings::DatabaseSettings;

/// The migrated, seeded catalogue in `dir`, as the app opens it.
pub(crate) async fn catalogue(dir: &tempfile::TempDir) -> sqlx::SqlitePool {
    let settings = DatabaseSettings {
        url: format!("sqlite://{}", dir.path().join("plans.sqlite3").display()),
        max_connections: 1,
    };
    db::connect_and_prepare(&settings)
        .await
        .expect("database ready")
}

/// The steps of `sql`'s plan, with `params` bound as the app binds them.
async fn plan(db: &sqlx::SqlitePool, sql: &str, params: &[&str]) -> Vec<String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
    for param in params {
        query = query.bind(*param);
    }
    let steps = query.fetch_all(db).await.expect("a plan");
    steps.into_iter().map(|(_, _, _, detail)| detail).collect()
}

/// Fails when a list query sorts (a temporary B-tree, for its `ORDER BY` or the
/// aggregate's) or reads anything but its covering indexes.
async fn assert_plans_sort_nothing(db: &sqlx::SqlitePool) {
    let covering = |index: &str| format!("USING COVERING INDEX pokemon_listed_by_{index}");
    for (sql, params, indexes) in [
        (ALL_BY_NAME, &[][..], &["name"][..]),
        (FIRST_OF_TYPE, &["grass", "5"][..], &["type"][..]),
        (OF_TYPE, &["grass"][..], &["type", "secondary_type"][..]),
    ] {
        let steps = plan(db, sql, params).await;
        for index in indexes {
            let reads = steps.iter().any(|step| step.contains(&covering(index)));
            assert!(reads, "reads pokemon_listed_by_{index}: {steps:?}");
        }
        let reads_pokemon = steps.iter().filter(|step| step.contains(" pokemon "));
        assert!(
            reads_pokemon
                .clone()
                .all(|step| step.contains("USING COVERING INDEX")),
            "only covering indexes are read: {steps:?}"
        );
        assert_eq!(reads_pokemon.count(), indexes.len(), "{steps:?}");
        assert!(
            !steps.iter().any(|step| step.contains("TEMP B-TREE")),
            "no list query sorts: {steps:?}"
        );
    }
}

#[tokio::test]
async fn list_queries_read_their_rows_in_order_from_indexes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    assert_plans_sort_nothing(&catalogue(&dir).await).await;
}

#[tokio::test]
async fn a_database_made_before_the_covering_index_migrates_to_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = catalogue(&dir).await;
    // Put the schema back as the migrations before this one left it.
    sqlx::raw_sql(
        "DROP INDEX pokemon_listed_by_name; DROP INDEX pokemon_listed_by_type; \
         DROP INDEX pokemon_listed_by_secondary_type; \
         CREATE INDEX pokemon_type_name ON pokemon (type, name); \
         CREATE INDEX pokemon_secondary_type_name ON pokemon (secondary_type, name); \
         CREATE INDEX pokemon_name ON pokemon (name); \
         DELETE FROM _sqlx_migrations WHERE description = 'covering list indexes';",
    )
    .execute(&db)
    .await
    .expect("the old schema");
    db.close().await;

    let db = catalogue(&dir).await;
    assert_plans_sort_nothing(&db).await;
    let (replaced,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM pragma_index_list('pokemon') \
         WHERE name IN ('pokemon_name', 'pokemon_type_name', 'pokemon_secondary_type_name')",
    )
    .fetch_one(&db)
    .await
    .expect("the indexes");
    assert_eq!(
        replaced, 0,
        "the covering indexes replace those they start like"
    );
}

#[tokio::test]
async fn rows_come_by_name_with_the_columns_the_tables_show() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = catalogue(&dir).await;
    let all = all_by_name(&db).await.expect("the list");
    let rows = all.rows().expect("rows");
    assert_eq!(all.len(), 1025);
    assert_eq!(rows.len(), 1025);
    assert!(rows.windows(2).all(|pair| pair[0].name <= pair[1].name));
    let bulbasaur = rows
        .iter()
        .find(|row| row.pokedex_id == 1)
        .expect("Bulbasaur");
    assert_eq!(
        (
            bulbasaur.height,
            bulbasaur.weight,
            bulbasaur.hp,
            bulbasaur.speed
        ),
        (7, 69, 45, 45)
    );
    assert_eq!(bulbasaur.secondary_type.as_deref(), Some("poison"));
    let pikachu = rows
        .iter()
        .find(|row| row.pokedex_id == 25)
        .expect("Pikachu");
    assert_eq!((pikachu.height, pikachu.weight), (4, 60));
    assert_eq!(pikachu.secondary_type, None);

    let grass = first_of_type(&db, "grass", 5).await.expect("the list");
    let names: Vec<_> = grass
        .rows()
        .expect("rows")
        .into_iter()
        .map(|row| row.name)
        .collect();
    assert_eq!(
        names,
        ["Abomasnow", "Amoonguss", "Appletun", "Applin", "Arboliva"]
    );
    assert!(of_type(&db, "nope").await.expect("the list").is_empty());
}

#[tokio::test]
async fn text_is_borrowed_from_the_array_unless_json_escaped_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = catalogue(&dir).await;
    sqlx::query(
        "UPDATE pokemon SET name = 'Mr. \"Quote\" \\ Mime', secondary_type = 'x\"y' \
         WHERE pokedex_id = 122",
    )
    .execute(&db)
    .await
    .expect("an edit");
    let all = all_by_name(&db).await.expect("the list");
    let rows = all.rows().expect("rows");
    let edited = rows
        .iter()
        .find(|row| row.pokedex_id == 122)
        .expect("Mr. Mime");
    assert_eq!(edited.name, "Mr. \"Quote\" \\ Mime");
    assert_eq!(edited.secondary_type.as_deref(), Some("x\"y"));
    assert!(matches!(edited.name, Cow::Owned(_)));
    let pikachu = rows
        .iter()
        .find(|row| row.pokedex_id == 25)
        .expect("Pikachu");
    assert!(matches!(pikachu.name, Cow::Borrowed(_)));
    let bulbasaur = rows
        .iter()
        .find(|row| row.pokedex_id == 1)
        .expect("Bulbasaur");
    assert!(matches!(bulbasaur.secondary_type, Some(Cow::Borrowed(_))));
}
