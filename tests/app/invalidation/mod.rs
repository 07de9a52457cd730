//! Editing a Pokémon and what each invalidation mode does with the caches: the form
//! and its rules, each mode on each backend and strategy, tag-precise invalidation,
//! and instances sharing a database and a cache.

mod edit;
mod instances;
mod modes;

use axum::http::StatusCode;
use scraper::{Html, Selector};

use crate::helpers::{Page, TestApp};

/// The edit form of Pokémon `id` as a browser would submit it, with `changes`.
pub async fn edit(app: &TestApp, id: u32, changes: &[(&str, &str)]) -> Page {
    let form = app.get(&format!("/pokemon/{id}/edit")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let mut fields = fields_of(&form.body);
    for (name, value) in changes {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => (*value).clone_into(&mut field.1),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    app.post_form(&format!("/pokemon/{id}/edit"), &body, &[])
        .await
}

/// The fields of the first form in `html`, with their values as a browser sends them.
pub fn fields_of(html: &str) -> Vec<(String, String)> {
    let html = Html::parse_document(html);
    let inputs = Selector::parse("form input[name]").unwrap();
    let selects = Selector::parse("form select[name]").unwrap();
    let selected = Selector::parse("option[selected]").unwrap();
    let mut fields: Vec<(String, String)> = html
        .select(&inputs)
        .map(|input| {
            let value = input.value();
            (
                value.attr("name").unwrap().to_owned(),
                value.attr("value").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for select in html.select(&selects) {
        let value = select
            .select(&selected)
            .next()
            .and_then(|option| option.value().attr("value"))
            .unwrap_or_default();
        fields.push((
            select.value().attr("name").unwrap().to_owned(),
            value.to_owned(),
        ));
    }
    fields
}

/// Pikachu's HP as the `/all` table shows it.
pub fn pikachu_hp_on_all(page: &Page) -> String {
    let rows = page.table_rows(0);
    let pikachu = rows
        .iter()
        .find(|row| row[1] == "Pikachu")
        .expect("Pikachu is listed");
    pikachu[5].clone()
}
