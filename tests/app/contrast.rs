//! The type badges can be read: for each of the 18 types, in the light and the dark
//! theme, the contrast between the badge's text and its background, computed from
//! the stylesheet as WCAG 2 defines it, is at least 4.5:1 (level AA).

use std::collections::HashMap;

const CSS: &str = include_str!("../../static/css/pokedex.css");

/// WCAG AA for normal text.
const AA: f64 = 4.5;

const TYPES: [&str; 18] = [
    "normal", "fire", "water", "electric", "grass", "ice", "fighting", "poison", "ground",
    "flying", "psychic", "bug", "rock", "ghost", "dragon", "dark", "steel", "fairy",
];

/// Declarations by selector, in source order: `(media, selector) -> property -> value`,
/// where `media` is the `@media` condition around the rule, or "".
type Rules = HashMap<(String, String), HashMap<String, String>>;

/// Reads the rules of a stylesheet, one `@media` level deep; comments removed.
fn rules(css: &str) -> Rules {
    let mut text = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("a closed comment");
        rest = &rest[start + end + 2..];
    }
    text.push_str(rest);
    let mut found = Rules::new();
    read_block(&text, "", &mut found);
    found
}

fn read_block(mut text: &str, media: &str, found: &mut Rules) {
    while let Some(open) = text.find('{') {
        let prelude = text[..open].trim();
        let body_start = open + 1;
        let mut depth = 1;
        let mut end = body_start;
        for (at, c) in text[body_start..].char_indices() {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            if depth == 0 {
                end = body_start + at;
                break;
            }
        }
        assert_eq!(depth, 0, "unbalanced braces after {prelude:?}");
        let body = &text[body_start..end];
        if let Some(condition) = prelude.strip_prefix("@media") {
            read_block(body, condition.trim(), found);
        } else {
            for selector in prelude.split(',') {
                let declarations = found
                    .entry((media.to_owned(), selector.trim().to_owned()))
                    .or_default();
                for declaration in body.split(';') {
                    if let Some((property, value)) = declaration.split_once(':') {
                        declarations.insert(property.trim().to_owned(), value.trim().to_owned());
                    }
                }
            }
        }
        text = &text[end + 1..];
    }
}

/// A `#rgb` or `#rrggbb` colour as sRGB channels from 0 to 1.
fn srgb(value: &str) -> [f64; 3] {
    let hex = value
        .strip_prefix('#')
        .unwrap_or_else(|| panic!("{value:?}: badges use hex colours"));
    let hex: String = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        6 => hex.to_owned(),
        _ => panic!("{value:?} is not #rgb or #rrggbb"),
    };
    let channel = |at: usize| f64::from(u8::from_str_radix(&hex[at..at + 2], 16).unwrap()) / 255.0;
    [channel(0), channel(2), channel(4)]
}

/// WCAG 2's relative luminance.
fn luminance(value: &str) -> f64 {
    let linear = srgb(value).map(|c| {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
}

/// WCAG 2's contrast ratio, from 1 to 21.
fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The value of `property` for a badge of type `name` under `media` (later rules,
/// the more specific `.type-<name>` and the `media` block winning).
fn badge(found: &Rules, media: &str, name: &str, property: &str) -> String {
    let selector = format!(".type-{name}");
    let mut scopes = vec![""];
    if !media.is_empty() {
        scopes.push(media);
    }
    let mut value = None;
    for selector in [".type", selector.as_str()] {
        for scope in &scopes {
            let declared = found
                .get(&((*scope).to_owned(), selector.to_owned()))
                .and_then(|declarations| {
                    declarations.get(property).or_else(|| {
                        declarations
                            .get("background")
                            .filter(|_| property == "background-color")
                    })
                });
            value = declared.cloned().or(value);
        }
    }
    value.unwrap_or_else(|| panic!("no {property} for .type-{name}"))
}

#[test]
fn every_type_badge_has_aa_contrast_in_both_themes() {
    let found = rules(CSS);
    let dark = "(prefers-color-scheme: dark)";
    let mut failures = Vec::new();
    for media in ["", dark] {
        for name in TYPES {
            assert!(
                found.contains_key(&(String::new(), format!(".type-{name}"))),
                "a rule for .type-{name}"
            );
            let text = badge(&found, media, name, "color");
            let background = badge(&found, media, name, "background-color");
            let ratio = contrast(&text, &background);
            if ratio < AA {
                failures.push(format!(
                    "{media} .type-{name}: {text} on {background} is {ratio:.2}:1"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "below 4.5:1:\n{}", failures.join("\n"));
    assert!(
        found.keys().any(|(media, _)| media == dark),
        "the stylesheet has a dark theme"
    );
}

#[test]
fn the_contrast_formula_gives_the_known_ratios() {
    assert!((contrast("#000", "#fff") - 21.0).abs() < 1e-9);
    assert!((contrast("#fff", "#fff") - 1.0).abs() < 1e-9);
    // WebAIM's checker: #777 on white is 4.48:1, just below AA.
    assert!((contrast("#777777", "#ffffff") - 4.48).abs() < 0.01);
    // The ice badge this test was written against: white on #3dcef3.
    assert!(contrast("#fff", "#3dcef3") < AA);
}
