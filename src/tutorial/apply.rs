//! `POST /tutorial/{step}/apply`, behind the lab's gate: puts the running server in
//! a part's setup through the lab — or starts the last step's comparison — then goes
//! back to the step, which says what was done.

use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::checks::plan;
use super::numbered;
use super::step::{Apply, Part, Step};
use crate::access::client_of;
use crate::app::AppState;
use crate::error::{AppError, Result};
use crate::lab::compare::StartRefused;
use crate::web::edit::with_flash;

/// The largest form body.
const BODY_LIMIT: usize = 1024;

/// Applies the part the form's `part` names (`a` when the step has one part), and
/// answers `303 See Other` back to it.
pub async fn apply(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    request: Request,
) -> Result<Response> {
    let (number, step) = numbered(&raw)?;
    let client = client_of(&request).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let body = to_bytes(request.into_body(), BODY_LIMIT)
        .await
        .map_err(|error| AppError::unreadable_body(&error, "form"))?;
    let asked = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "part")
        .map(|(_, value)| value.into_owned());
    let part = part_of(number, step, asked.as_deref())?;
    let done = match part.apply {
        Apply::Setup(setup) => {
            setup.apply(&state.lab, &client).await;
            format!("Applied: {}.", setup.describe())
        }
        Apply::Compare => match state.lab.compare().start(plan()).await {
            Ok(run) => format!("Started comparison run {run}; this page follows it."),
            Err(refusal @ StartRefused::Busy(_)) => {
                return Err(AppError::Refused(StatusCode::CONFLICT, refusal.to_string()));
            }
            Err(refusal) => {
                return Err(AppError::Refused(
                    StatusCode::SERVICE_UNAVAILABLE,
                    refusal.to_string(),
                ));
            }
        },
    };
    tracing::info!(
        client,
        step = number,
        part = part.id,
        "tutorial: step applied"
    );
    let back = format!("/tutorial/{number}#part-{}", part.id);
    Ok(with_flash(Redirect::to(&back).into_response(), &done))
}

/// The part of step `number` that `asked` names; a step of one part needs no name.
fn part_of(number: usize, step: &'static Step, asked: Option<&str>) -> Result<&'static Part> {
    if let [only] = step.parts
        && asked.is_none()
    {
        return Ok(only);
    }
    step.parts
        .iter()
        .find(|part| Some(part.id) == asked)
        .ok_or_else(|| {
            let ids: Vec<&str> = step.parts.iter().map(|part| part.id).collect();
            AppError::Refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "part: step {number} has the parts {}, not {:?}. Nothing was changed.",
                    ids.join(", "),
                    asked.unwrap_or_default()
                ),
            )
        })
}
