//! `spawn_app()` and the small readers the tests share.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use pokedex::app::{self, AppState};
use pokedex::cache::backends::CacheBackend;
use pokedex::db;
use pokedex::settings::Settings;
use scraper::{Html, Selector};
use sqlx::SqlitePool;
use tempfile::TempDir;
use tower::ServiceExt;

/// The app on its own temporary database, migrated and seeded like a first start.
pub struct TestApp {
    pub router: Router,
    pub db: SqlitePool,
    pub state: AppState,
    pub settings: Settings,
    _redis: RedisKeys,
    _dir: TempDir,
}

/// Deletes the Redis keys under its namespaces when dropped, even after a failed
/// assertion: a test's keys would outlive it otherwise (files and tables go with
/// the temporary directory). Asks nothing of a Redis that is not there for long.
pub struct RedisKeys {
    pub url: String,
    pub namespaces: Vec<String>,
    /// An app whose Redis backend, unless built, wrote nothing.
    app: Option<AppState>,
}

impl RedisKeys {
    /// The keys of the caches whose key prefix is `prefix`, at `url`.
    pub fn under(url: &str, prefix: &str) -> Self {
        Self {
            url: url.to_owned(),
            namespaces: vec![format!("{prefix}:")],
            app: None,
        }
    }
}

impl Drop for RedisKeys {
    fn drop(&mut self) {
        use pokedex::cache::backends::redis::RedisBackend;
        use pokedex::cache::backends::{Backend, CacheBackend};
        let unused = self
            .app
            .as_ref()
            .is_some_and(|app| app.strategies.backends.built(CacheBackend::Redis).is_none());
        if unused {
            return;
        }
        let url = std::mem::take(&mut self.url);
        let namespaces = std::mem::take(&mut self.namespaces);
        // A runtime of its own on a thread of its own: a test's runtime may be the
        // one dropping this, and cannot be blocked on.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            let backend = RedisBackend::new(&url, std::time::Duration::from_secs(1)).ok()?;
            runtime.block_on(async {
                for namespace in &namespaces {
                    backend.clear(namespace).await.ok()?;
                }
                Some(())
            })
        })
        .join();
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The app with `configure` applied to its settings (a fresh database and cache
/// directory in a temporary directory; Redis keys under a prefix of its own).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = Settings::default();
    settings.database.url = format!("sqlite://{}", dir.path().join("pokedex.sqlite3").display());
    settings.database.max_connections = 4;
    settings.caches.file.location = Some(dir.path().join("cache").display().to_string());
    settings.caches.redis.key_prefix = format!("pokedex-test-{}", unique());
    // Sixteen test threads on two cores can hold a healthy store past its budget;
    // tests of caching semantics give it slack, and tests of budgets set their own.
    for backend in [
        CacheBackend::File,
        CacheBackend::Database,
        CacheBackend::Redis,
    ] {
        settings.caches[backend].command_timeout_ms = 2_000;
    }
    configure(&mut settings);
    let pool = db::connect_and_prepare(&settings.database)
        .await
        .expect("database ready");
    let state = AppState::new(&settings, pool.clone()).await.expect("state");
    let redis = settings
        .caches
        .redis
        .location()
        .unwrap_or("redis://127.0.0.1:6379");
    let mut redis = RedisKeys::under(redis, &settings.caches.redis.key_prefix);
    redis.app = Some(state.clone());
    TestApp {
        router: app::router(state.clone()),
        db: pool,
        state,
        _redis: redis,
        settings,
        _dir: dir,
    }
}

/// A number no other test in this run, or a run before it, uses.
pub fn unique() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{nanos}-{n}", std::process::id())
}

impl TestApp {
    /// The same app, seeing every request as coming from `ip` (as a server started
    /// with connect info would).
    pub fn seen_from(mut self, ip: [u8; 4]) -> Self {
        let client = std::net::SocketAddr::from((ip, 40_000));
        self.router = self
            .router
            .layer(axum::extract::connect_info::MockConnectInfo(client));
        self
    }

    pub async fn get(&self, uri: &str) -> Page {
        self.request(Method::GET, uri).await
    }

    /// A GET with extra request headers.
    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Page {
        self.send(Method::GET, uri, headers).await
    }

    pub async fn request(&self, method: Method, uri: &str) -> Page {
        self.send(method, uri, &[]).await
    }

    async fn send(&self, method: Method, uri: &str, headers: &[(&str, &str)]) -> Page {
        self.send_body(method, uri, headers, String::new()).await
    }

    /// A POST of a form (`name=value&...`).
    pub async fn post_form(&self, uri: &str, form: &str, headers: &[(&str, &str)]) -> Page {
        let mut headers = headers.to_vec();
        headers.push(("content-type", "application/x-www-form-urlencoded"));
        self.send_body(Method::POST, uri, &headers, form.to_owned())
            .await
    }

    /// A POST of a JSON body.
    pub async fn post_json(&self, uri: &str, json: &serde_json::Value) -> Page {
        let headers = [("content-type", "application/json")];
        self.send_body(Method::POST, uri, &headers, json.to_string())
            .await
    }

    async fn send_body(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Page {
        let raw = self.send_raw(method, uri, headers, body).await;
        Page {
            status: raw.status,
            headers: raw.headers,
            body: String::from_utf8(raw.bytes).expect("UTF-8 body"),
        }
    }

    /// A GET whose answer is kept as bytes: an icon, say.
    pub async fn get_bytes(&self, uri: &str, headers: &[(&str, &str)]) -> RawResponse {
        self.send_raw(Method::GET, uri, headers, String::new())
            .await
    }

    /// Any request with extra headers, its answer kept as bytes.
    pub async fn request_raw(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> RawResponse {
        self.send_raw(method, uri, headers, String::new()).await
    }

    async fn send_raw(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> RawResponse {
        let mut request = Request::builder().method(method).uri(uri);
        // As every HTTP/1.1 client does, unless the test names another host.
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("host"))
        {
            request = request.header("host", "localhost");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::from(body)).expect("valid request");
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
        RawResponse {
            status,
            headers,
            bytes: bytes.to_vec(),
        }
    }
}

/// A response whose body is not text.
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
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

    /// The navbar's response time as shown, checked to be seconds with nanosecond
    /// digits; equal texts are the same frozen time.
    pub fn response_time(&self) -> String {
        let texts = self.texts("#response-time");
        assert_eq!(texts.len(), 1, "one #response-time in {}", self.body);
        let seconds = texts[0]
            .strip_suffix(" seconds")
            .expect("time ends in ' seconds'");
        let (_, fraction) = seconds.split_once('.').expect("a decimal point");
        assert_eq!(fraction.len(), 9, "nine digits in {seconds}");
        let value: f64 = seconds.parse().expect("a number of seconds");
        assert!((0.0..60.0).contains(&value), "{value}");
        seconds.to_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|error| panic!("{error}: {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}
