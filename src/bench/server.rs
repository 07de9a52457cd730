//! An isolated server for one configuration: a fresh process of this very binary on
//! a free loopback port, with its own copy of the catalogue, its own cache directory,
//! cache table and Redis key prefix — so a comparison never touches the caches,
//! settings or data of the server a person is using, and every configuration starts
//! cold. It is killed, and its files removed, when stopped or dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use sqlx::SqlitePool;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::plan::Configuration;
use crate::cache::strategies::Strategy;
use crate::settings::{Settings, Switch};
use crate::web::route_of;

/// The variable that gives an isolated server the token of its counters endpoint.
pub const TOKEN_ENV: &str = "POKEDEX_BENCH_TOKEN";
/// The header the engine sends the token in.
pub const TOKEN_HEADER: &str = "x-pokedex-bench-token";

/// What every isolated server of a run shares.
#[derive(Debug, Clone)]
pub struct Environment {
    /// This app's binary.
    pub binary: PathBuf,
    /// The catalogue to copy, if the person has one (else the server seeds its own).
    pub catalogue: Option<SqlitePool>,
    /// The Redis server the person's settings name; the copies use a prefix of
    /// their own on it.
    pub redis_url: String,
    /// Where each server's temporary directory goes.
    pub work_dir: PathBuf,
}

/// A running isolated server.
pub struct Isolated {
    child: Child,
    addr: SocketAddr,
    token: String,
    dir: Option<TempDir>,
}

impl Isolated {
    /// Starts the server for `configuration` and waits until it listens.
    pub async fn start(
        environment: &Environment,
        configuration: &Configuration,
    ) -> Result<Self, String> {
        let dir = tempfile::Builder::new()
            .prefix("pokedex-bench-")
            .tempdir_in(&environment.work_dir)
            .map_err(|error| format!("cannot make a temporary directory: {error}"))?;
        let token = token();
        let catalogue = dir.path().join("catalogue.sqlite3");
        if let Some(source) = &environment.catalogue {
            copy_catalogue(source, &catalogue).await?;
        }
        let settings = settings_for(
            configuration,
            dir.path(),
            &catalogue,
            &environment.redis_url,
            &token,
        );
        let config = dir.path().join("bench.toml");
        let text = toml::to_string(&settings)
            .map_err(|error| format!("cannot write its settings: {error}"))?;
        std::fs::write(&config, text)
            .map_err(|error| format!("cannot write its settings: {error}"))?;
        let mut child = Command::new(&environment.binary)
            .arg("--config")
            .arg(&config)
            .current_dir(dir.path())
            .env(TOKEN_ENV, &token)
            .env("RUST_LOG", "pokedex=info,pokedex::app=warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| format!("cannot start {}: {error}", environment.binary.display()))?;
        let log = child.stderr.take().ok_or("the server has no log")?;
        let addr = tokio::time::timeout(Duration::from_secs(60), listening(log))
            .await
            .map_err(|_| "the server did not start within 60 s".to_owned())??;
        Ok(Self {
            child,
            addr,
            token,
            dir: Some(dir),
        })
    }

    /// Where it listens.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token its counters endpoint answers to.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Stops the server, waits for it to exit, and removes its files.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

/// Reads the server's log until it says where it listens, then keeps reading it (so
/// that it never blocks on a full pipe). A backend that does not answer, which the
/// server says once at start, is why the configuration cannot be measured.
async fn listening(log: tokio::process::ChildStderr) -> Result<SocketAddr, String> {
    let mut lines = BufReader::new(log).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("cache backend unreachable") {
            let why = line
                .split_once("error=")
                .map_or(line.as_str(), |(_, why)| why);
            return Err(format!("its backend does not answer: {why}"));
        }
        let Some((_, addr)) = line.split_once("listening on http://") else {
            continue;
        };
        let addr = addr
            .trim()
            .parse()
            .map_err(|_| format!("cannot read its address in {line:?}"))?;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        return Ok(addr);
    }
    Err("the server stopped before it listened".to_owned())
}

/// A copy of the catalogue as it is now, taken in one consistent read.
async fn copy_catalogue(source: &SqlitePool, to: &Path) -> Result<(), String> {
    let path = to.display().to_string().replace('\'', "''");
    sqlx::query(&format!("VACUUM INTO '{path}'"))
        .execute(source)
        .await
        .map(|_| ())
        .map_err(|error| format!("cannot copy the catalogue: {error}"))
}

/// The settings of the isolated server: the configuration's strategies, the
/// toolbar off, every store its own.
fn settings_for(
    configuration: &Configuration,
    dir: &Path,
    catalogue: &Path,
    redis_url: &str,
    token: &str,
) -> Settings {
    let mut settings = Settings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Settings::default()
    };
    settings.database.url = format!("sqlite://{}", catalogue.display());
    // Measured as a visitor sees it: no toolbar, and no client of its own.
    settings.toolbar.show = Switch::Off;
    settings.toolbar.internal_ips = Vec::new();
    settings.caches.file.location = Some(dir.join("cache").display().to_string());
    settings.caches.database.location =
        Some(format!("sqlite://{}", dir.join("cache.sqlite3").display()));
    settings.caches.redis.location = Some(redis_url.to_owned());
    for options in [
        &mut settings.caches.memory,
        &mut settings.caches.file,
        &mut settings.caches.database,
        &mut settings.caches.redis,
    ] {
        options.key_prefix = format!("pokedex-bench-{token}");
        // Every page measured fits: culling is not what is compared.
        options.max_entries = options.max_entries.max(10_000);
    }
    for &strategy in &configuration.strategies {
        let chosen = match strategy {
            Strategy::Site => &mut settings.site,
            Strategy::View => &mut settings.view,
            Strategy::Fragment => &mut settings.fragment,
        };
        chosen.backend = configuration.backend;
        if strategy == Strategy::View {
            chosen.routes = route_of(&configuration.page)
                .into_iter()
                .map(str::to_owned)
                .collect();
        }
    }
    settings
}

/// A random token, from the system's hasher seed and the clock.
fn token() -> String {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!(
        "{:016x}",
        RandomState::new().hash_one((nanos, std::process::id()))
    )
}
