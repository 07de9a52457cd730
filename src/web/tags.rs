//! What each page and fragment shows, as tags — `pokemon:25` (its page), `name:25`
//! (its name, on its neighbours' pages), `type:electric` (that type's lists),
//! `list:all` — the same tags the database's triggers bump when a row changes (see
//! `migrations/`): what tag-based invalidation matches.

use crate::cache::strategies::invalidate::Covered;

use super::home::{HOME_TYPES, home_table};
use super::{all, pokemon};

/// The tags of the page at `path`.
#[must_use]
pub fn tags_of(path: &str) -> Vec<String> {
    if path == "/" {
        return HOME_TYPES
            .iter()
            .map(|name| format!("type:{name}"))
            .collect();
    }
    if path == "/all" {
        return vec!["list:all".to_owned()];
    }
    if let Some(name) = path
        .strip_prefix("/type/")
        .filter(|name| !name.contains('/'))
    {
        return vec![format!("type:{name}")];
    }
    let id = path.strip_prefix("/pokemon/").and_then(pokemon::parse_id);
    match id {
        Some(id) => {
            let mut tags = vec![format!("pokemon:{id}")];
            tags.extend(neighbours(id).map(|neighbour| format!("name:{neighbour}")));
            tags
        }
        None => Vec::new(),
    }
}

/// The pages and fragments that show what `tag` names.
#[must_use]
pub fn covered_by(tag: &str) -> Vec<Covered> {
    let page = |path: String| Covered::Page(path);
    match tag.split_once(':') {
        Some(("pokemon", id)) => vec![page(format!("/pokemon/{id}"))],
        Some(("name", id)) => id
            .parse()
            .map(|id: u32| {
                neighbours(id)
                    .map(|n| page(format!("/pokemon/{n}")))
                    .collect()
            })
            .unwrap_or_default(),
        Some(("type", name)) => {
            let mut covered = vec![page(format!("/type/{name}"))];
            if let Some(home_type) = HOME_TYPES.iter().find(|home| **home == name) {
                covered.push(page("/".to_owned()));
                covered.push(Covered::Fragment(home_table(home_type)));
            }
            covered
        }
        Some(("list", "all")) => vec![
            page("/all".to_owned()),
            Covered::Fragment(all::content_cache()),
        ],
        _ => Vec::new(),
    }
}

/// The numbers beside `id`, whose pages link it by name.
fn neighbours(id: u32) -> impl Iterator<Item = u32> {
    [id.checked_sub(1).filter(|n| *n > 0), id.checked_add(1)]
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_carry_the_tags_of_what_they_show() {
        assert_eq!(tags_of("/pokemon/25"), ["pokemon:25", "name:24", "name:26"]);
        assert_eq!(tags_of("/pokemon/1"), ["pokemon:1", "name:2"]);
        assert_eq!(tags_of("/type/electric"), ["type:electric"]);
        assert_eq!(tags_of("/all"), ["list:all"]);
        assert_eq!(tags_of("/"), ["type:normal", "type:grass", "type:water"]);
        assert!(tags_of("/pokemon/abc").is_empty());
        assert!(tags_of("/elsewhere").is_empty());
    }

    #[test]
    fn a_tag_covers_the_pages_that_carry_it() {
        for tag in [
            "pokemon:25",
            "name:25",
            "type:grass",
            "type:electric",
            "list:all",
        ] {
            for covered in covered_by(tag) {
                match covered {
                    Covered::Page(path) => {
                        assert!(tags_of(&path).contains(&tag.to_owned()), "{path}");
                    }
                    Covered::Fragment(fragment) => {
                        assert!(fragment.tags().contains(&tag.to_owned()));
                    }
                }
            }
        }
        assert_eq!(covered_by("name:25").len(), 2);
        assert_eq!(
            covered_by("type:grass").len(),
            3,
            "its page, the home page and table"
        );
    }
}
