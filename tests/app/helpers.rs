//! `spawn_app()` and the small readers the tests share.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use pokedex::app::{self, AppState};
use pokedex::db;
use pokedex::settings::DatabaseSettings;
use scraper::{Html, Selector};
use sqlx::SqlitePool;
use tempfile::TempDir;
use tower::ServiceExt;

/// The app on its own temporary database, migrated and seeded like a first start.
pub struct TestApp {
    pub router: Router,
    pub db: SqlitePool,
    pub settings: DatabaseSettings,
    _dir: TempDir,
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let settings = DatabaseSettings {
        url: format!("sqlite://{}", dir.path().join("pokedex.sqlite3").display()),
        max_connections: 4,
    };
    let db = db::connect_and_prepare(&settings)
        .await
        .expect("database ready");
    TestApp {
        router: app::router(AppState { db: db.clone() }),
        db,
        settings,
        _dir: dir,
    }
}

impl TestApp {
    pub async fn get(&self, uri: &str) -> Page {
        self.request(Method::GET, uri).await
    }

    pub async fn request(&self, method: Method, uri: &str) -> Page {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .expect("valid request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
        }
    }
}

/// A response, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of every element matching `selector`, trimmed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&selector)
            .map(|element| element.text().collect::<String>().trim().to_owned())
            .collect()
    }

    /// The `href` of every element matching `selector`.
    pub fn hrefs(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&selector)
            .filter_map(|element| element.value().attr("href").map(str::to_owned))
            .collect()
    }

    /// The rows of the `n`-th Pokémon table, each as its cells' text.
    pub fn table_rows(&self, n: usize) -> Vec<Vec<String>> {
        let tables = Selector::parse("table.pokemon-table").unwrap();
        let rows = Selector::parse("tbody tr").unwrap();
        let cells = Selector::parse("td").unwrap();
        let html = self.html();
        let table = html.select(&tables).nth(n).expect("table present");
        table
            .select(&rows)
            .map(|row| {
                row.select(&cells)
                    .map(|cell| cell.text().collect::<String>().trim().to_owned())
                    .collect()
            })
            .collect()
    }

    /// The navbar's response time in seconds, checked to have nanosecond digits.
    pub fn response_time(&self) -> f64 {
        let texts = self.texts("#response-time");
        assert_eq!(texts.len(), 1, "one #response-time in {}", self.body);
        let seconds = texts[0]
            .strip_suffix(" seconds")
            .expect("time ends in ' seconds'");
        let (_, fraction) = seconds.split_once('.').expect("a decimal point");
        assert_eq!(fraction.len(), 9, "nine digits in {seconds}");
        seconds.parse().expect("a number of seconds")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}
