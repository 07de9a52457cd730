//! `/pokemon/{id}/edit`: change a Pokémon in a form, saved in one transaction, then
//! brought to the caches as the invalidation mode says; the Pokémon's page then says
//! what the save invalidated. Behind the access gate, as the lab is.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use super::edit_form::{EditForm, FieldError, STATS, TYPES};
use super::pokemon::parse_id;
use super::tags::covered_by;
use super::timing::ResponseTime;
use crate::access::{self, Gate, client_of};
use crate::app::AppState;
use crate::db::pokemon::{self, Pokemon};
use crate::error::{AppError, Result};

/// The cookie carrying what a save did to the page it redirects to.
pub const FLASH_COOKIE: &str = "pokedex_flash";
/// The largest form body.
const BODY_LIMIT: usize = 16 * 1024;

/// `templates/edit.html`.
#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage<'a> {
    pokemon: &'a Pokemon,
    form: &'a EditForm,
    errors: &'a [FieldError],
    /// Why the form is shown again, above it.
    notice: Option<&'a str>,
    types: &'static [&'static str],
    stats: &'static [(&'static str, &'static str)],
    response_time: Option<ResponseTime>,
}

impl EditPage<'_> {
    /// The message for `field`, if it broke a rule.
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }
}

/// The edit routes, behind `gate`.
pub fn routes(gate: Arc<Gate>) -> Router<AppState> {
    Router::new()
        .route("/pokemon/{id}/edit", get(form).post(save))
        .route_layer(from_fn_with_state(gate, access::guard))
}

/// `GET /pokemon/{id}/edit`: the form, holding the Pokémon as it is.
async fn form(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Response> {
    let pokemon = find(&state, &raw).await?;
    page(&pokemon, &EditForm::of(&pokemon), &[], None, StatusCode::OK)
}

/// `POST /pokemon/{id}/edit`: checks the form, saves it in one transaction unless the
/// row changed since the form was made, then invalidates and goes back to the page.
async fn save(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    request: Request,
) -> Result<Response> {
    let client = client_of(&request).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let pokemon = find(&state, &raw).await?;
    let body = to_bytes(request.into_body(), BODY_LIMIT)
        .await
        .map_err(|error| AppError::unreadable_body(&error, "form"))?;
    let form = EditForm::parse(&body);
    let id = pokemon.pokedex_id;
    let mut transaction = state.db.pool().begin().await?;
    let valid = form.validate();
    let name = form.value("name").trim();
    let mut errors = valid.as_ref().err().cloned().unwrap_or_default();
    if !errors.iter().any(|error| error.field == "name")
        && pokemon::name_taken(&mut *transaction, name, id).await?
    {
        errors.push(FieldError {
            field: "name",
            message: format!("Another Pokémon is called {name}."),
        });
    }
    let (version, changes) = match valid {
        Ok(valid) if errors.is_empty() => valid,
        _ => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return page(&pokemon, &form, &errors, None, status);
        }
    };
    if !pokemon::update(&mut *transaction, id, version, &changes).await? {
        drop(transaction);
        let current = find(&state, &raw).await?;
        let notice = "Someone saved this Pokémon after you opened the form: nothing was \
                      overwritten. These are its values now; make your change again.";
        return page(
            &current,
            &EditForm::of(&current),
            &[],
            Some(notice),
            StatusCode::CONFLICT,
        );
    }
    transaction.commit().await?;
    let path = format!("/pokemon/{id}");
    let report = state
        .strategies
        .after_write(Some(&path), covered_by)
        .await?;
    tracing::info!(client, id, name = changes.name, %report, "edit: saved");
    Ok(with_flash(
        Redirect::to(&path).into_response(),
        &report.to_string(),
    ))
}

async fn find(state: &AppState, raw: &str) -> Result<Pokemon> {
    let not_found = || AppError::NotFound("There is no Pokémon with that number.".to_owned());
    let id = parse_id(raw).ok_or_else(not_found)?;
    pokemon::by_id(&state.db, id).await?.ok_or_else(not_found)
}

fn page(
    pokemon: &Pokemon,
    form: &EditForm,
    errors: &[FieldError],
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response> {
    let html = EditPage {
        pokemon,
        form,
        errors,
        notice,
        types: &TYPES,
        stats: &STATS,
        response_time: None,
    }
    .render()?;
    let mut response = (status, Html(html)).into_response();
    // The form carries one row version for one person: no cache keeps it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `response` carrying `message` to the next page this client sees.
#[must_use]
pub fn with_flash(mut response: Response, message: &str) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(message.as_bytes()).collect();
    let cookie = format!("{FLASH_COOKIE}={encoded}; Path=/; Max-Age=60; SameSite=Strict; HttpOnly");
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
