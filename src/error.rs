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
    /// The status the visitor gets: 503 when the catalogue's database is gone or
    /// broken (the app recovers once it is back), 500 for the app's own faults.
    #[must_use]
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Refused(status, _) => *status,
            Self::Database(error) if unavailable(error).is_some() => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Database(_) | Self::Template(_) | Self::Seed(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl AppError {
    /// A request body that could not be read: too large (413), too slow — stalled
    /// past the server's header-read timeout (408) — or cut off (400). `what` names
    /// it for the visitor ("form").
    #[must_use]
    pub fn unreadable_body(error: &axum::Error, what: &str) -> Self {
        let causes = || std::iter::successors(std::error::Error::source(error), |e| e.source());
        let is = |check: fn(&(dyn std::error::Error + 'static)) -> bool| causes().any(check);
        let (status, why) = if is(<dyn std::error::Error>::is::<http_body_util::LengthLimitError>) {
            (StatusCode::PAYLOAD_TOO_LARGE, "is too large")
        } else if is(<dyn std::error::Error>::is::<tower_http::timeout::TimeoutError>) {
            (StatusCode::REQUEST_TIMEOUT, "did not arrive in time")
        } else {
            (StatusCode::BAD_REQUEST, "was cut off")
        };
        Self::Refused(status, format!("The {what} {why}. Nothing was changed."))
    }
}

/// What is wrong with the database, when the error says it cannot be used at all
/// (missing, unreadable, corrupt, its tables gone) rather than a query's fault.
fn unavailable(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Io(io) => Some(io.to_string()),
        sqlx::Error::PoolTimedOut => Some("no connection to it became free in time".to_owned()),
        sqlx::Error::Database(database) => {
            // SQLite's primary result codes: IOERR 10, CORRUPT 11, CANTOPEN 14,
            // NOTADB 26; and a schema that is no longer there.
            let code = database.code();
            let primary = code.as_deref().and_then(|code| code.parse::<i32>().ok());
            let message = database.message();
            let gone = matches!(primary.map(|code| code & 0xff), Some(10 | 11 | 14 | 26))
                || message.starts_with("no such table");
            gone.then(|| message.to_owned())
        }
        _ => None,
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

/// The 503 page: the catalogue's database cannot be used; says why, and that the
/// app recovers by itself once it can.
#[derive(Template)]
#[template(path = "unavailable.html")]
struct UnavailablePage<'a> {
    problem: &'a str,
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
            Self::Database(error) if unavailable(error).is_some() => {
                let problem = unavailable(error).unwrap_or_default();
                tracing::error!(%problem, "the catalogue's database is unavailable");
                UnavailablePage {
                    problem: &problem,
                    response_time: None,
                }
                .render()
            }
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
