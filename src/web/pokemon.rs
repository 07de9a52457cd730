//! `/pokemon/{id}`: one Pokémon by National Pokédex number, with its stats.

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Html;

use super::render;
use super::timing::{ResponseTime, ViewTimer};
use crate::app::AppState;
use crate::db::pokemon::{self, Neighbour, Pokemon};
use crate::error::{AppError, Result};

/// The highest base stat any Pokémon has (Blissey's HP), the full width of a bar.
const STAT_MAX: u32 = 255;

/// One bar of the stats table.
pub struct Stat {
    /// Its name.
    pub label: &'static str,
    /// The base stat.
    pub value: u32,
    /// Bar width, as a percentage of [`STAT_MAX`].
    pub percent: u32,
}

/// One Pokémon's page.
#[derive(Template)]
#[template(path = "pokemon.html")]
pub struct PokemonPage {
    /// The Pokémon.
    pub pokemon: Pokemon,
    /// Its six base stats, in the games' order.
    pub stats: [Stat; 6],
    /// Their sum.
    pub total: u32,
    /// The Pokémon numbered before it.
    pub previous: Option<Neighbour>,
    /// The Pokémon numbered after it.
    pub next: Option<Neighbour>,
    /// The view's time for the navbar.
    pub response_time: Option<ResponseTime>,
}

/// Shows one Pokémon; an id that is not a number, or names no Pokémon, is a 404.
pub async fn pokemon(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Html<String>> {
    let timer = ViewTimer::start();
    let id = id.ok().and_then(|Path(raw)| parse_id(&raw));
    let not_found = || AppError::NotFound("There is no Pokémon with that number.".to_owned());
    let id = id.ok_or_else(not_found)?;
    let pokemon = pokemon::by_id(&state.db, id).await?.ok_or_else(not_found)?;
    let (previous, next) = pokemon::neighbours(&state.db, id).await?;
    let bars = stats(&pokemon);
    render(&PokemonPage {
        total: bars.iter().map(|stat| stat.value).sum(),
        stats: bars,
        pokemon,
        previous,
        next,
        response_time: timer.stop(),
    })
}

/// Reads a Pokédex number the way Django's `<int:id>` converter does: ASCII digits
/// only, so `-1`, `+1`, `1e3` and numbers past `u32` are not numbers.
#[must_use]
pub fn parse_id(raw: &str) -> Option<u32> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

fn stats(p: &Pokemon) -> [Stat; 6] {
    let stat = |label, value: u32| Stat {
        label,
        value,
        percent: (value * 100 / STAT_MAX).min(100),
    };
    [
        stat("HP", p.hp),
        stat("Attack", p.attack),
        stat("Defense", p.defense),
        stat("Sp. Atk", p.sp_atk),
        stat("Sp. Def", p.sp_def),
        stat("Speed", p.speed),
    ]
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn ids_are_plain_digits_within_range() {
        assert_eq!(parse_id("25"), Some(25));
        assert_eq!(parse_id("007"), Some(7));
        for bad in ["", "abc", "-1", "+1", "1e3", "99999999999999999999", " 1"] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
    }
}
