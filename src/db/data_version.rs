//! The statements behind the data version that the caching strategies put in
//! their keys.

use sqlx::SqliteExecutor;

/// The catalogue's data version.
pub async fn current<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<u64> {
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM data_version WHERE id = 1")
        .fetch_one(db)
        .await?;
    Ok(version.unsigned_abs())
}

/// Adds one to the data version and returns the new one.
pub async fn bump<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<u64> {
    let (version,): (i64,) = sqlx::query_as(
        "UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version",
    )
    .fetch_one(db)
    .await?;
    Ok(version.unsigned_abs())
}
