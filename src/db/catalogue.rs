//! The statements behind cache invalidation: the catalogue's identity, its data
//! version (bumped by every write, by the triggers of the migrations) and the
//! version of each tag.

use std::collections::HashMap;

use sqlx::SqliteExecutor;

/// The catalogue's random identity, written when its database was created.
pub async fn identity<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<String> {
    let (identity,): (String,) = sqlx::query_as("SELECT identity FROM catalogue WHERE id = 1")
        .fetch_one(db)
        .await?;
    Ok(identity)
}

/// The data version: how many writes the catalogue has seen.
pub async fn data_version<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<u64> {
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM data_version WHERE id = 1")
        .fetch_one(db)
        .await?;
    Ok(version.unsigned_abs())
}

/// Every tag's version.
pub async fn tag_versions<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<HashMap<String, u64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT tag, version FROM tag_versions")
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(tag, version)| (tag, version.unsigned_abs()))
        .collect())
}
