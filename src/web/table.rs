//! The Pokémon table the home, all and type pages share: the block the fragment
//! cache stores.

use askama::Template;

use crate::db::pokemon::listed::{Listed, ListedPokemon};
use crate::error::Result;

/// `templates/partials/pokemon_table.html`, rendered on its own so its HTML can be
/// cached and dropped into a page.
#[derive(Template)]
#[template(path = "partials/pokemon_table.html")]
pub struct PokemonTable<'a> {
    /// The rows, in the order shown.
    pub rows: &'a [ListedPokemon<'a>],
    /// Whether to say how many there are above the table.
    pub show_count: bool,
}

/// Bytes of a table row at most, for the usual names: the buffer is sized from it
/// so that the 154 KB of `/all` are written once, not grown and copied a dozen times.
const ROW_BYTES: usize = 192;

impl PokemonTable<'_> {
    /// Decodes `listed` and renders its table into a buffer sized for it.
    pub fn render_listed(listed: &Listed, show_count: bool) -> Result<String> {
        let rows = listed.rows()?;
        let table = PokemonTable {
            rows: &rows,
            show_count,
        };
        let mut html = String::with_capacity(capacity(rows.len()));
        table.render_into(&mut html)?;
        Ok(html)
    }
}

/// The buffer a table of `rows` rows is rendered into.
fn capacity(rows: usize) -> usize {
    PokemonTable::SIZE_HINT + rows * ROW_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::pokemon::listed::{self, tests::catalogue};

    #[tokio::test]
    async fn every_table_fits_the_buffer_it_is_rendered_into() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = catalogue(&dir).await;
        let mut lists = vec![listed::all_by_name(&db).await.expect("the list")];
        for type_name in crate::web::edit_form::TYPES {
            lists.push(listed::of_type(&db, type_name).await.expect("the list"));
            lists.push(
                listed::first_of_type(&db, type_name, 5)
                    .await
                    .expect("the list"),
            );
        }
        for list in lists {
            let html = PokemonTable::render_listed(&list, true).expect("a table");
            assert_eq!(html.capacity(), capacity(list.len()), "{} rows", list.len());
        }
    }

    #[test]
    fn a_row_shows_each_column_escaped() {
        let rows = [ListedPokemon {
            pokedex_id: 7,
            name: "<Mr. & \"Mime\">".into(),
            secondary_type: Some("fairy".into()),
            height: 13,
            weight: 545,
            hp: 40,
            speed: 90,
        }];
        let html = PokemonTable {
            rows: &rows,
            show_count: false,
        }
        .render()
        .expect("a table");
        assert!(html.contains(
            "<tr><td>7</td><td><a href=\"/pokemon/7\">&#60;Mr. &#38; &#34;Mime&#34;&#62;</a></td>\
             <td>1.3 m</td><td>54.5 kg</td><td><a href=\"/type/fairy\">Fairy</a></td>\
             <td>40</td><td>90</td></tr>"
        ), "{html}");
    }
}
