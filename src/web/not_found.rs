//! The fallback for paths no route matches.

use crate::error::AppError;

/// Answers any unknown path with the 404 page.
pub async fn not_found() -> AppError {
    AppError::NotFound("There is no page at this address.".to_owned())
}
