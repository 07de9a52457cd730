//! What a lab form or JSON body asks for, read and checked before anything changes:
//! a bad value is refused naming its field.

use axum::http::{HeaderMap, header};
use serde_json::Value;

use crate::cache::backends::CacheBackend;
use crate::cache::invalidation::InvalidationMode;
use crate::cache::strategies::Strategy;
use crate::cache::strategies::settings::{MAX_SECONDS, StrategySettings};

/// A value the lab refuses, and the field it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field (`strategy`, `backend`, `seconds`, `routes`, `body`).
    pub field: &'static str,
    /// What is wrong, in a sentence that names the field.
    pub message: String,
}

impl Invalid {
    fn new(field: &'static str, message: String) -> Self {
        Self { field, message }
    }
}

/// A request's fields, from a form (`application/x-www-form-urlencoded`) or a JSON
/// object, as name–text pairs; a list (JSON array, repeated form field) gives one pair
/// per value.
#[derive(Debug, Default)]
pub struct Fields {
    pairs: Vec<(String, String)>,
    /// Whether `routes` was given at all: an empty list unwraps every route, a
    /// missing one keeps the routes as they are. A form marks it with an empty field.
    routes_given: bool,
}

impl Fields {
    /// The fields of a body whose type `headers` name.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, Invalid> {
        if is_json(headers) {
            return Self::from_json(body);
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        Ok(Self {
            routes_given: pairs.iter().any(|(name, _)| name == "routes"),
            pairs: pairs
                .into_iter()
                .filter(|(_, value)| !value.is_empty())
                .collect(),
        })
    }

    fn from_json(body: &[u8]) -> Result<Self, Invalid> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let not_an_object = || Invalid::new("body", "the body must be a JSON object".to_owned());
        let Value::Object(object) = serde_json::from_slice(body).map_err(|error| {
            Invalid::new("body", format!("the body is not valid JSON: {error}"))
        })?
        else {
            return Err(not_an_object());
        };
        let mut fields = Self {
            routes_given: object.contains_key("routes"),
            ..Self::default()
        };
        for (name, value) in object {
            let values = match value {
                Value::Array(items) => items,
                Value::Null => Vec::new(),
                single => vec![single],
            };
            for value in values {
                let text = match value {
                    Value::String(text) => text,
                    Value::Number(number) => number.to_string(),
                    Value::Bool(flag) => flag.to_string(),
                    Value::Null | Value::Array(_) | Value::Object(_) => {
                        return Err(Invalid::new(
                            field_name(&name),
                            format!("`{name}` must be text or a number"),
                        ));
                    }
                };
                fields.pairs.push((name.clone(), text));
            }
        }
        Ok(fields)
    }

    /// The last value of `name`, if given.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of `name`, in order.
    pub(super) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.pairs
            .iter()
            .filter(move |(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Whether the body is JSON (and so is the answer).
#[must_use]
pub fn is_json(headers: &HeaderMap) -> bool {
    let said = |name| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("application/json"))
    };
    said(header::CONTENT_TYPE) || said(header::ACCEPT)
}

/// The field a JSON key names, for the message; unknown keys are only ever read as
/// themselves, so a fixed name does.
fn field_name(name: &str) -> &'static str {
    match name {
        "backend" => "backend",
        "seconds" => "seconds",
        "routes" => "routes",
        _ => "body",
    }
}

/// The invalidation mode a form or JSON names in `mode`.
pub fn invalidation_mode(fields: &Fields) -> Result<InvalidationMode, Invalid> {
    let name = fields.get("mode").unwrap_or_default();
    name.parse()
        .map_err(|why| Invalid::new("mode", format!("mode: {why}")))
}

/// The strategy a path names.
pub fn strategy(name: &str) -> Result<Strategy, Invalid> {
    Strategy::named(name).ok_or_else(|| {
        Invalid::new(
            "strategy",
            format!("strategy: there is no strategy {name:?}; the strategies are site, view and fragment"),
        )
    })
}

/// The backend a path names.
pub fn backend(name: &str) -> Result<CacheBackend, Invalid> {
    name.parse()
        .map_err(|_| Invalid::new("backend", format!("backend: there is no backend {name:?}; the backends are memory, file, database and redis")))
}

/// `current` with what `fields` change, once every field is checked against the
/// rules `strategy` follows in an app whose page routes are `known_routes`.
pub fn strategy_settings(
    strategy: Strategy,
    current: &StrategySettings,
    fields: &Fields,
    known_routes: &[&str],
) -> Result<StrategySettings, Invalid> {
    let mut next = current.clone();
    if let Some(name) = fields.get("backend") {
        next.backend = CacheBackend::parse_or_off(name).map_err(|_| {
            Invalid::new(
                "backend",
                format!("backend: {name:?} is not off, memory, file, database or redis"),
            )
        })?;
    }
    if let Some(text) = fields.get("seconds") {
        next.seconds = text
            .trim()
            .parse()
            .ok()
            .filter(|seconds| *seconds <= MAX_SECONDS)
            .ok_or_else(|| {
                Invalid::new(
                    "seconds",
                    format!(
                        "seconds: expected a whole number from 0 to {MAX_SECONDS}, got {text:?}"
                    ),
                )
            })?;
    }
    if fields.routes_given {
        next.routes = fields.all("routes").map(str::to_owned).collect();
        next.routes.dedup();
    }
    if let Some((field, message)) = next.problem(strategy, known_routes) {
        return Err(Invalid::new(field, format!("{field}: {message}")));
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const ROUTES: [&str; 2] = ["/", "/all"];

    fn form(body: &str) -> Fields {
        Fields::parse(&HeaderMap::new(), body.as_bytes()).unwrap()
    }

    fn json(body: &str) -> Result<Fields, Invalid> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Fields::parse(&headers, body.as_bytes())
    }

    fn view() -> StrategySettings {
        StrategySettings::defaults(Strategy::View)
    }

    #[test]
    fn a_form_and_json_say_the_same() {
        let from_form = form("backend=redis&seconds=120&routes=&routes=%2F&routes=%2Fall");
        let from_json =
            json(r#"{"backend": "redis", "seconds": 120, "routes": ["/", "/all"]}"#).unwrap();
        for fields in [from_form, from_json] {
            let next = strategy_settings(Strategy::View, &view(), &fields, &ROUTES).unwrap();
            assert_eq!(next.backend, Some(CacheBackend::Redis));
            assert_eq!(next.seconds, 120);
            assert_eq!(next.routes, ["/", "/all"]);
        }
    }

    #[test]
    fn missing_fields_keep_their_values_and_an_empty_route_list_clears_them() {
        let kept =
            strategy_settings(Strategy::View, &view(), &form("backend=memory"), &ROUTES).unwrap();
        assert_eq!(
            (kept.seconds, kept.routes.clone()),
            (60, vec!["/all".to_owned()])
        );
        let cleared =
            strategy_settings(Strategy::View, &view(), &form("routes="), &ROUTES).unwrap();
        assert!(cleared.routes.is_empty());
    }

    #[test]
    fn bad_values_name_their_field() {
        let site = StrategySettings::defaults(Strategy::Site);
        for (body, field) in [
            ("backend=memcached", "backend"),
            ("seconds=abc", "seconds"),
            ("seconds=1.5", "seconds"),
            ("seconds=-1", "seconds"),
            ("seconds=31536001", "seconds"),
            ("routes=%2F", "routes"),
        ] {
            let error = strategy_settings(Strategy::Site, &site, &form(body), &ROUTES).unwrap_err();
            assert_eq!(error.field, field, "{body}");
            assert!(error.message.starts_with(field), "{}", error.message);
        }
        let error = strategy_settings(Strategy::View, &view(), &form("routes=%2Fnope"), &ROUTES)
            .unwrap_err();
        assert_eq!(error.field, "routes");
        assert_eq!(json("[1]").unwrap_err().field, "body");
        assert_eq!(json("{").unwrap_err().field, "body");
        assert_eq!(strategy("everything").unwrap_err().field, "strategy");
        assert_eq!(backend("memcached").unwrap_err().field, "backend");
    }
}
