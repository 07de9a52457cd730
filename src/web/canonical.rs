//! One URL per page, so one cache entry per page: `/type/GRASS`, `/pokemon/025` and
//! `/all/` answer `301 Moved Permanently` to `/type/grass`, `/pokemon/25` and `/all`
//! (query string kept), before any cache or route sees them.
//!
//! The rules:
//! - trailing slashes go (`/lab/` → `/lab`); `/` itself stays;
//! - a type's name is lower case, a Pokédex number has no leading zeros;
//! - a `/type/{name}` or `/pokemon/{id}` address is redirected only to a page the
//!   catalogue has: `/type/NOPE` and `/pokemon/09999/` get the 404 page at once,
//!   never a redirect to it; any other address just loses its trailing slash (`/nope/`
//!   redirects, then 404s, as the router has the last word on it);
//! - only `GET` and `HEAD` are redirected: a browser would turn a redirected `POST`
//!   into a `GET` and lose its body (Django's `APPEND_SLASH` refuses to, too);
//! - nothing is redirected to `//host`, which a browser reads as another site.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::pokemon::parse_id;
use super::route_of;

/// Answers a `GET` or `HEAD` of a non-canonical address with a `301` to its
/// canonical form; passes everything else on.
pub async fn redirect_to_canonical(request: Request, next: Next) -> Response {
    let method = request.method();
    if (method == Method::GET || method == Method::HEAD)
        && let Some(path) = canonical(request.uri().path())
    {
        let location = match request.uri().query() {
            Some(query) => format!("{path}?{query}"),
            None => path,
        };
        if let Ok(location) = HeaderValue::from_str(&location) {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// The canonical form of `path` when it differs from `path` and may be redirected
/// to; `None` when `path` is canonical already or has no page to redirect to.
#[must_use]
pub fn canonical(path: &str) -> Option<String> {
    let trimmed = match path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    let target = if let Some(name) = trimmed.strip_prefix("/type/")
        && !name.contains('/')
    {
        existing(format!("/type/{}", name.to_ascii_lowercase()))?
    } else if let Some(raw) = trimmed.strip_prefix("/pokemon/")
        && !raw.contains('/')
    {
        existing(format!("/pokemon/{}", parse_id(raw)?))?
    } else {
        trimmed.to_owned()
    };
    let elsewhere = target.starts_with("//") || target.starts_with("/\\");
    (target != path && !elsewhere).then_some(target)
}

/// `page` when the catalogue has it.
fn existing(page: String) -> Option<String> {
    route_of(&page).map(|_| page)
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode, header};
    use axum::middleware::from_fn;
    use axum::routing::{get, post};
    use tower::ServiceExt;

    use super::{canonical, redirect_to_canonical};

    #[test]
    fn trailing_slashes_go_but_the_root_stays() {
        assert_eq!(canonical("/all/").as_deref(), Some("/all"));
        assert_eq!(canonical("/all//").as_deref(), Some("/all"));
        assert_eq!(canonical("/lab/").as_deref(), Some("/lab"));
        assert_eq!(canonical("/pokemon/25/").as_deref(), Some("/pokemon/25"));
        assert_eq!(canonical("/type/grass/").as_deref(), Some("/type/grass"));
        assert_eq!(canonical("/"), None);
        assert_eq!(canonical("//").as_deref(), Some("/"));
        assert_eq!(canonical("/all"), None);
    }

    #[test]
    fn type_names_are_lower_case_and_numbers_have_no_leading_zeros() {
        assert_eq!(canonical("/type/GRASS").as_deref(), Some("/type/grass"));
        assert_eq!(canonical("/type/Fire/").as_deref(), Some("/type/fire"));
        assert_eq!(canonical("/pokemon/025").as_deref(), Some("/pokemon/25"));
        assert_eq!(canonical("/pokemon/0001/").as_deref(), Some("/pokemon/1"));
        assert_eq!(canonical("/type/grass"), None);
        assert_eq!(canonical("/pokemon/25"), None);
    }

    #[test]
    fn pages_the_catalogue_does_not_have_are_not_redirected_to() {
        for path in [
            "/type/NOPE",
            "/type/nope/",
            "/pokemon/0",
            "/pokemon/00",
            "/pokemon/01026",
            "/pokemon/9999/",
            "/pokemon/abc/",
            "/pokemon/-1/",
            "/pokemon/99999999999999999999/",
            "/type/%FF/",
        ] {
            assert_eq!(canonical(path), None, "{path}");
        }
    }

    #[test]
    fn nothing_is_redirected_to_another_site() {
        assert_eq!(canonical("//evil.example/"), None);
        assert_eq!(canonical("/\\evil.example/"), None);
    }

    fn app() -> Router {
        Router::new()
            .route("/all", get(|| async { "all" }))
            .route("/lab/reset/", post(|| async { "posted" }))
            .layer(from_fn(redirect_to_canonical))
    }

    async fn send(method: Method, uri: &str) -> (StatusCode, Option<String>) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap();
        let response = app().oneshot(request).await.unwrap();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|value| value.to_str().unwrap().to_owned());
        (response.status(), location)
    }

    #[tokio::test]
    async fn get_and_head_are_redirected_with_their_query_string() {
        for method in [Method::GET, Method::HEAD] {
            let (status, location) = send(method, "/all/?page=2&sort=name").await;
            assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
            assert_eq!(location.as_deref(), Some("/all?page=2&sort=name"));
        }
        let (status, location) = send(Method::GET, "/all").await;
        assert_eq!((status, location), (StatusCode::OK, None));
    }

    #[tokio::test]
    async fn a_post_is_never_redirected() {
        let (status, location) = send(Method::POST, "/lab/reset/").await;
        assert_eq!((status, location), (StatusCode::OK, None));
        let (status, location) = send(Method::POST, "/all/").await;
        assert_eq!((status, location), (StatusCode::NOT_FOUND, None));
    }
}
