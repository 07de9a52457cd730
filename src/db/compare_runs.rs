//! The statements behind the lab's record of comparison runs.

use sqlx::{FromRow, SqliteExecutor};

/// One run as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredRun {
    /// Its number.
    pub id: i64,
    /// When it started, as an HTTP date.
    pub started_at: String,
    /// The app's version that ran it.
    pub version: String,
    /// The plan, as JSON.
    pub parameters: String,
    /// `running`, `done`, `cancelled` or `failed`.
    pub status: String,
    /// The results, as JSON, once there are any.
    pub report: Option<String>,
}

/// Records a run that starts now; returns its number.
pub async fn start<'e>(
    db: impl SqliteExecutor<'e>,
    started_at: &str,
    version: &str,
    parameters: &str,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO compare_runs (started_at, version, parameters, status) \
         VALUES (?1, ?2, ?3, 'running') RETURNING id",
    )
    .bind(started_at)
    .bind(version)
    .bind(parameters)
    .fetch_one(db)
    .await?;
    Ok(id)
}

/// Records how run `id` ended, and what it measured.
pub async fn finish<'e>(
    db: impl SqliteExecutor<'e>,
    id: i64,
    status: &str,
    report: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE compare_runs SET status = ?2, report = ?3 WHERE id = ?1")
        .bind(id)
        .bind(status)
        .bind(report)
        .execute(db)
        .await?;
    Ok(())
}

/// Every run, newest first (without their reports).
pub async fn list<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<Vec<StoredRun>> {
    sqlx::query_as(
        "SELECT id, started_at, version, parameters, status, NULL AS report \
         FROM compare_runs ORDER BY id DESC",
    )
    .fetch_all(db)
    .await
}

/// Run `id`, with its report.
pub async fn get<'e>(db: impl SqliteExecutor<'e>, id: i64) -> sqlx::Result<Option<StoredRun>> {
    sqlx::query_as("SELECT * FROM compare_runs WHERE id = ?1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Marks every run still `running` as `failed`: at start, a run can only be still
/// running if the server stopped under it.
pub async fn fail_interrupted<'e>(db: impl SqliteExecutor<'e>) -> sqlx::Result<()> {
    sqlx::query("UPDATE compare_runs SET status = 'failed' WHERE status = 'running'")
        .execute(db)
        .await?;
    Ok(())
}
