//! The list queries behind the Pokémon tables of the home, all and type pages.
//!
//! SQLite builds each list as one JSON array (`json_group_array`): sqlx copies and
//! decodes each value of each row on its own, which for the 1025 rows of `/all` cost
//! more than twice the query itself. The array holds only what the tables show, and
//! its rows borrow their text from it. Each query reads its rows in name order from
//! covering indexes (the migration `covering_list_indexes`), so SQLite neither sorts
//! nor reads the table; the tests check its plans.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use sqlx::{Execute, SqliteExecutor};

/// A row of the Pokémon tables: the columns they show, in the order of the JSON
/// arrays the list queries return, its text borrowed from the [`Listed`] it came from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ListedPokemon<'a> {
    /// National Pokédex number.
    pub pokedex_id: u32,
    /// Display name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Secondary type, lower case.
    #[serde(borrow, deserialize_with = "optional_text")]
    pub secondary_type: Option<Cow<'a, str>>,
    /// Decimetres.
    pub height: u32,
    /// Hectograms.
    pub weight: u32,
    /// Base HP ("Health" in the tables).
    pub hp: u32,
    /// Base Speed.
    pub speed: u32,
}

/// A list as SQLite returns it: how many Pokémon, and their rows as one JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    len: usize,
    json: String,
}

impl Listed {
    /// How many Pokémon the list holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Its rows, in order, borrowing their text from the array: a name with a quote or
    /// a backslash in it, escaped in JSON, is the only one copied.
    pub fn rows(&self) -> sqlx::Result<Vec<ListedPokemon<'_>>> {
        let mut json = serde_json::Deserializer::from_str(&self.json);
        let rows = json
            .deserialize_seq(Rows(self.len))
            .and_then(|rows| json.end().map(|()| rows));
        rows.map_err(|err| sqlx::Error::Decode(Box::new(err)))
    }
}

/// The JSON array's elements, collected into a vector sized for them up front.
struct Rows(usize);

impl<'de> Visitor<'de> for Rows {
    type Value = Vec<ListedPokemon<'de>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of listed Pokémon")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut rows = Vec::with_capacity(self.0);
        while let Some(row) = seq.next_element()? {
            rows.push(row);
        }
        Ok(rows)
    }
}

/// An optional string, borrowed unless JSON escaped it (serde borrows a `Cow` field
/// only when it is not inside an `Option`).
fn optional_text<'de: 'a, 'a, D: Deserializer<'de>>(
    json: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Text<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Text<'a>>::deserialize(json)?.map(|text| text.0))
}

/// The list query around `$rows`, a subquery that chooses the rows and orders them
/// by name: SQLite keeps a subquery's `ORDER BY` when the outer query is an
/// aggregate such as `json_group_array`, which then sees the rows in that order.
/// Height and weight stay numbers: SQLite writing them as text cost more than all the
/// rest of the row (the template writes them without `core::fmt`).
macro_rules! listed_as_json {
    ($rows:literal) => {
        concat!(
            "SELECT count(*), json_group_array(json_array(",
            "pokedex_id, name, secondary_type, height, weight, hp, speed)) FROM (",
            $rows,
            ")"
        )
    };
}

/// Every Pokémon, by name: a walk of the name index.
const ALL_BY_NAME: &str = listed_as_json!(
    "SELECT pokedex_id, name, secondary_type, height, weight, hp, speed \
     FROM pokemon ORDER BY name"
);

/// The first `?2` Pokémon of primary type `?1`, by name: the tutorial's home query,
/// the first entries of the type's run in the type index.
const FIRST_OF_TYPE: &str = listed_as_json!(
    "SELECT pokedex_id, name, secondary_type, height, weight, hp, speed \
     FROM pokemon WHERE type = ?1 ORDER BY name LIMIT ?2"
);

/// Every Pokémon whose primary or secondary type is `?1`, by name: the type's run
/// in each type index, both in name order, merged (a Pokémon whose two types are
/// the same is listed once, as `OR` would; `OR` itself sorts).
const OF_TYPE: &str = listed_as_json!(
    "SELECT pokedex_id, name, secondary_type, height, weight, hp, speed \
     FROM pokemon WHERE type = ?1 \
     UNION ALL \
     SELECT pokedex_id, name, secondary_type, height, weight, hp, speed \
     FROM pokemon WHERE secondary_type = ?1 AND type != ?1 \
     ORDER BY name"
);

/// Runs a list query and reads its one row; the toolbar is told how many Pokémon
/// that row carried.
async fn fetch<'e, 'q>(
    db: impl SqliteExecutor<'e>,
    query: sqlx::query::QueryAs<'q, sqlx::Sqlite, (i64, String), sqlx::sqlite::SqliteArguments<'q>>,
) -> sqlx::Result<Listed> {
    let sql = query.sql();
    let (len, json) = query.fetch_one(db).await?;
    let len = usize::try_from(len).unwrap_or(0);
    crate::record::rows_in_json(sql, u64::try_from(len).unwrap_or(u64::MAX));
    Ok(Listed { len, json })
}

/// The first `limit` Pokémon of a primary type, by name: the tutorial's home query.
pub async fn first_of_type<'e>(
    db: impl SqliteExecutor<'e>,
    primary_type: &str,
    limit: u32,
) -> sqlx::Result<Listed> {
    let query = sqlx::query_as(FIRST_OF_TYPE).bind(primary_type).bind(limit);
    fetch(db, query).await
}

/// Every Pokémon, by name.
pub async fn all_by_name<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<Listed> {
    fetch(db, sqlx::query_as(ALL_BY_NAME)).await
}

/// Every Pokémon whose primary or secondary type is `type_name`, by name.
pub async fn of_type<'e>(db: impl SqliteExecutor<'e>, type_name: &str) -> sqlx::Result<Listed> {
    fetch(db, sqlx::query_as(OF_TYPE).bind(type_name)).await
}

#[cfg(test)]
pub(crate) mod tests;
