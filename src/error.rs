//! One error type for every handler, and the pages it turns into.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// What can go wrong while building a page.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The address names nothing; the message tells the visitor what was missing.
    #[error("not found: {0}")]
    NotFound(String),
    /// A query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A template failed to render.
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
    /// The catalogue could not be restored as seeded; nothing was written.
    #[error("cannot restore the catalogue: {0}")]
    Seed(#[from] crate::db::seed::SeedError),
    /// The request may not do what it asks (a disallowed host, a cross-site change);
    /// the message says why, and that nothing changed.
    #[error("refused ({0}): {1}")]
    Refused(StatusCode, String),
}

/// `Result` with [`AppError`] as the default error, so handlers can use `?`.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// The status the visitor gets.
    #[must_use]
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Refused(status, _) => *status,
            Self::Database(_) | Self::Template(_) | Self::Seed(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

/// The 404 page, in the site's layout.
#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage<'a> {
    message: &'a str,
    response_time: Option<crate::web::timing::ResponseTime>,
}

/// A refusal, saying why.
#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedPage<'a> {
    status: StatusCode,
    message: &'a str,
    response_time: Option<crate::web::timing::ResponseTime>,
}

/// The 500 page: it never shows the error itself, which goes to the log.
#[derive(Template)]
#[template(path = "server_error.html")]
struct ServerErrorPage {
    response_time: Option<crate::web::timing::ResponseTime>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let page = match &self {
            Self::NotFound(message) => NotFoundPage {
                message,
                response_time: None,
            }
            .render(),
            Self::Refused(status, message) => RefusedPage {
                status: *status,
                message,
                response_time: None,
            }
            .render(),
            Self::Database(_) | Self::Template(_) | Self::Seed(_) => {
                tracing::error!(error = %self, "request failed");
                ServerErrorPage {
                    response_time: None,
                }
                .render()
            }
        };
        match page {
            Ok(html) => (status, Html(html)).into_response(),
            Err(err) => {
                tracing::error!(error = %err, "cannot render the error page");
                (status, status.canonical_reason().unwrap_or_default()).into_response()
            }
        }
    }
}
