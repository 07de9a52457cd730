//! Every SQL statement the app runs against the `pokemon` table.
//!
//! Functions take any executor, so a pool, a connection or a transaction will do.

pub mod listed;

use serde::Deserialize;
use sqlx::{FromRow, SqliteExecutor};

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
    /// The row's version: every write adds one, so an edit made from an older form
    /// is refused rather than overwriting a newer one. 1 as seeded.
    #[serde(default = "first_version")]
    pub version: u32,
}

fn first_version() -> u32 {
    1
}

/// What an edit may change: every field but the number and the generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Display name.
    pub name: String,
    /// Primary type, lower case.
    pub primary_type: String,
    /// Secondary type, lower case.
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
}

/// The Pokémon numbered just before or after another, for previous/next links.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Neighbour {
    /// National Pokédex number.
    pub pokedex_id: u32,
    /// Display name.
    pub name: String,
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

/// Writes `changes` to Pokémon `id` if its row is still at `version`, making it
/// `version + 1`; says whether it was (false: no such row, or it changed since).
pub async fn update<'e>(
    db: impl SqliteExecutor<'e>,
    id: u32,
    version: u32,
    changes: &Changes,
) -> sqlx::Result<bool> {
    let query = sqlx::query(
        "UPDATE pokemon SET name = ?3, type = ?4, secondary_type = ?5, height = ?6, \
         weight = ?7, hp = ?8, attack = ?9, defense = ?10, sp_atk = ?11, sp_def = ?12, \
         speed = ?13, version = version + 1 \
         WHERE pokedex_id = ?1 AND version = ?2",
    );
    let updated = bind_changes(query.bind(id).bind(version), changes)
        .execute(db)
        .await?;
    Ok(updated.rows_affected() == 1)
}

/// Whether another Pokémon than `id` is called `name` (letter case aside).
pub async fn name_taken<'e>(
    db: impl SqliteExecutor<'e>,
    name: &str,
    id: u32,
) -> sqlx::Result<bool> {
    let (taken,): (bool,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM pokemon WHERE lower(name) = lower(?1) AND pokedex_id != ?2)",
    )
    .bind(name)
    .bind(id)
    .fetch_one(db)
    .await?;
    Ok(taken)
}

/// Puts `row` back as seeded, if it differs (so that only what changed is written,
/// and invalidated); says whether it did.
pub async fn restore<'e>(db: impl SqliteExecutor<'e>, row: &Pokemon) -> sqlx::Result<bool> {
    let query = sqlx::query(
        "UPDATE pokemon SET name = ?2, type = ?3, secondary_type = ?4, height = ?5, \
         weight = ?6, hp = ?7, attack = ?8, defense = ?9, sp_atk = ?10, sp_def = ?11, \
         speed = ?12, version = version + 1 \
         WHERE pokedex_id = ?1 AND (name IS NOT ?2 OR type IS NOT ?3 \
         OR secondary_type IS NOT ?4 OR height IS NOT ?5 OR weight IS NOT ?6 OR hp IS NOT ?7 \
         OR attack IS NOT ?8 OR defense IS NOT ?9 OR sp_atk IS NOT ?10 OR sp_def IS NOT ?11 \
         OR speed IS NOT ?12)",
    );
    let changes = Changes::from(row);
    let restored = bind_changes(query.bind(row.pokedex_id), &changes)
        .execute(db)
        .await?;
    Ok(restored.rows_affected() == 1)
}

/// `query` with the editable fields bound next, in the order the statements name
/// them: name, type, secondary type, height, weight, then the six stats.
fn bind_changes<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    changes: &'q Changes,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    query
        .bind(&changes.name)
        .bind(&changes.primary_type)
        .bind(changes.secondary_type.as_deref())
        .bind(changes.height)
        .bind(changes.weight)
        .bind(changes.hp)
        .bind(changes.attack)
        .bind(changes.defense)
        .bind(changes.sp_atk)
        .bind(changes.sp_def)
        .bind(changes.speed)
}

impl From<&Pokemon> for Changes {
    fn from(row: &Pokemon) -> Self {
        Self {
            name: row.name.clone(),
            primary_type: row.primary_type.clone(),
            secondary_type: row.secondary_type.clone(),
            height: row.height,
            weight: row.weight,
            hp: row.hp,
            attack: row.attack,
            defense: row.defense,
            sp_atk: row.sp_atk,
            sp_def: row.sp_def,
            speed: row.speed,
        }
    }
}

/// Adds one Pokémon; seeding calls it inside its transaction.
pub async fn insert<'e>(db: impl SqliteExecutor<'e>, row: &Pokemon) -> sqlx::Result<()> {
    let query = sqlx::query(
        "INSERT INTO pokemon (pokedex_id, name, type, secondary_type, height, weight, \
         hp, attack, defense, sp_atk, sp_def, speed, generation) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    );
    let fields = Changes::from(row);
    bind_changes(query.bind(row.pokedex_id), &fields)
        .bind(row.generation)
        .execute(db)
        .await?;
    Ok(())
}
