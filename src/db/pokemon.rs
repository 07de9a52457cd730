//! Every SQL statement the app runs against the `pokemon` table.
//!
//! Functions take any executor, so a pool, a connection or a transaction will do.

use serde::Deserialize;
use sqlx::{FromRow, SqliteExecutor};

/// A row of the Pokémon tables on the home, all and type pages: just their columns,
/// in the order of the JSON arrays the list queries return.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ListedPokemon {
    /// National Pokédex number.
    pub pokedex_id: u32,
    /// Display name.
    pub name: String,
    /// Secondary type, lower case.
    pub secondary_type: Option<String>,
    /// Decimetres.
    pub height: u32,
    /// Hectograms.
    pub weight: u32,
    /// Base HP ("Health" in the tables).
    pub hp: u32,
    /// Base Speed.
    pub speed: u32,
}

/// Everything known about one Pokémon: a row of the table, of its own page, and of
/// `data/pokemon.csv` (whose columns have the same names).
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Deserialize)]
pub struct Pokemon {
    /// National Pokédex number.
    pub pokedex_id: u32,
    /// Display name.
    pub name: String,
    /// Primary type, lower case.
    #[sqlx(rename = "type")]
    #[serde(rename = "type")]
    pub primary_type: String,
    /// Secondary type, lower case; empty in the CSV when there is none.
    pub secondary_type: Option<String>,
    /// Decimetres.
    pub height: u32,
    /// Hectograms.
    pub weight: u32,
    /// Base HP.
    pub hp: u32,
    /// Base Attack.
    pub attack: u32,
    /// Base Defense.
    pub defense: u32,
    /// Base Special Attack.
    pub sp_atk: u32,
    /// Base Special Defense.
    pub sp_def: u32,
    /// Base Speed.
    pub speed: u32,
    /// Generation of introduction.
    pub generation: u32,
}

/// The Pokémon numbered just before or after another, for previous/next links.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Neighbour {
    /// National Pokédex number.
    pub pokedex_id: u32,
    /// Display name.
    pub name: String,
}

/// The list queries return their rows as one JSON array that SQLite builds
/// (`json_group_array`), ordered by name: sqlx copies and decodes each value of each
/// row on its own, which for the 1025 rows of `/all` costs twice the query itself.
/// `$rows` is the subquery choosing the rows.
macro_rules! listed_as_json {
    ($rows:literal) => {
        concat!(
            "SELECT json_group_array(json_array(",
            "pokedex_id, name, secondary_type, height, weight, hp, speed) ORDER BY name) ",
            "FROM (",
            $rows,
            ")"
        )
    };
}

/// Runs a [`listed_as_json!`] query and reads its one row.
async fn fetch_listed<'e, 'q>(
    db: impl SqliteExecutor<'e>,
    query: sqlx::query::QueryAs<'q, sqlx::Sqlite, (String,), sqlx::sqlite::SqliteArguments<'q>>,
) -> sqlx::Result<Vec<ListedPokemon>> {
    let (json,) = query.fetch_one(db).await?;
    serde_json::from_str(&json).map_err(|err| sqlx::Error::Decode(Box::new(err)))
}

/// The first `limit` Pokémon of a primary type, by name: the tutorial's home query.
pub async fn first_of_type<'e>(
    db: impl SqliteExecutor<'e>,
    primary_type: &str,
    limit: u32,
) -> sqlx::Result<Vec<ListedPokemon>> {
    let sql = listed_as_json!("SELECT * FROM pokemon WHERE type = ?1 ORDER BY name LIMIT ?2");
    fetch_listed(db, sqlx::query_as(sql).bind(primary_type).bind(limit)).await
}

/// Every Pokémon, by name.
pub async fn all_by_name<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<Vec<ListedPokemon>> {
    fetch_listed(db, sqlx::query_as(listed_as_json!("SELECT * FROM pokemon"))).await
}

/// Every Pokémon whose primary or secondary type is `type_name`, by name.
pub async fn of_type<'e>(
    db: impl SqliteExecutor<'e>,
    type_name: &str,
) -> sqlx::Result<Vec<ListedPokemon>> {
    let sql = listed_as_json!("SELECT * FROM pokemon WHERE type = ?1 OR secondary_type = ?1");
    fetch_listed(db, sqlx::query_as(sql).bind(type_name)).await
}

/// One Pokémon by National Pokédex number.
pub async fn by_id<'e>(db: impl SqliteExecutor<'e>, id: u32) -> sqlx::Result<Option<Pokemon>> {
    sqlx::query_as("SELECT * FROM pokemon WHERE pokedex_id = ?1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The Pokémon numbered just before and just after `id`, when there are any.
pub async fn neighbours<'e>(
    db: impl SqliteExecutor<'e>,
    id: u32,
) -> sqlx::Result<(Option<Neighbour>, Option<Neighbour>)> {
    let rows: Vec<Neighbour> = sqlx::query_as(
        "SELECT pokedex_id, name FROM pokemon WHERE pokedex_id = \
             (SELECT max(pokedex_id) FROM pokemon WHERE pokedex_id < ?1) \
         UNION ALL \
         SELECT pokedex_id, name FROM pokemon WHERE pokedex_id = \
             (SELECT min(pokedex_id) FROM pokemon WHERE pokedex_id > ?1)",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let (before, after): (Vec<_>, Vec<_>) = rows.into_iter().partition(|n| n.pokedex_id < id);
    Ok((before.into_iter().next(), after.into_iter().next()))
}

/// How many Pokémon the catalogue holds.
pub async fn count<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<u64> {
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM pokemon")
        .fetch_one(db)
        .await?;
    Ok(count.unsigned_abs())
}

/// Adds one Pokémon; seeding calls it inside its transaction.
pub async fn insert<'e>(db: impl SqliteExecutor<'e>, row: &Pokemon) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO pokemon (pokedex_id, name, type, secondary_type, height, weight, \
         hp, attack, defense, sp_atk, sp_def, speed, generation) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .bind(row.pokedex_id)
    .bind(&row.name)
    .bind(&row.primary_type)
    .bind(row.secondary_type.as_deref())
    .bind(row.height)
    .bind(row.weight)
    .bind(row.hp)
    .bind(row.attack)
    .bind(row.defense)
    .bind(row.sp_atk)
    .bind(row.sp_def)
    .bind(row.speed)
    .bind(row.generation)
    .execute(db)
    .await?;
    Ok(())
}
