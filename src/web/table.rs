//! The Pokémon table the home, all and type pages share: the block the fragment
//! cache stores.

use askama::Template;

use crate::db::pokemon::ListedPokemon;

/// `templates/partials/pokemon_table.html`, rendered on its own so its HTML can be
/// cached and dropped into a page.
#[derive(Template)]
#[template(path = "partials/pokemon_table.html")]
pub struct PokemonTable<'a> {
    /// The rows, in the order shown.
    pub rows: &'a [ListedPokemon],
    /// Whether to say how many there are above the table.
    pub show_count: bool,
}
