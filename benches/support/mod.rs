//! What the benches share: the app on a fresh database, and one GET through it.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use bytes::Bytes;
use http_body_util::BodyExt;
use pokedex::app::{self, AppState};
use pokedex::db;
use pokedex::settings::Settings;
use sqlx::SqlitePool;
use tokio::runtime::Runtime;
use tower::ServiceExt;

/// The app's router and its database pool, with its database and file cache in
/// `dir`, Redis keys under `pokedex-bench`, and `configure` applied to its settings.
pub fn app(
    runtime: &Runtime,
    dir: &Path,
    configure: impl FnOnce(&mut Settings),
) -> (Router, SqlitePool) {
    let mut settings = Settings::default();
    settings.database.url = format!("sqlite://{}", dir.join("bench.sqlite3").display());
    settings.caches.file.location = Some(dir.join("cache").display().to_string());
    "pokedex-bench".clone_into(&mut settings.caches.redis.key_prefix);
    configure(&mut settings);
    runtime.block_on(async {
        let pool = db::connect_and_prepare(&settings.database)
            .await
            .expect("database ready");
        let state = AppState::new(&settings, pool.clone()).await.expect("state");
        (app::router(state), pool)
    })
}

/// GETs `path`: the response's `X-Cache` and its body.
pub async fn get(router: &Router, path: &str) -> (Option<String>, Bytes) {
    let request = Request::get(path).body(Body::empty()).expect("request");
    let response = router.clone().oneshot(request).await.expect("response");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let x_cache = response
        .headers()
        .get("x-cache")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (x_cache, body)
}
