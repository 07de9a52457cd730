//! A failing backend costs little: each call ends within its budget, and after
//! three failures in a row the backend is skipped ("backend unavailable") until a
//! probe finds it well again.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use pokedex::cache::backends::CacheBackend;
use tower::ServiceExt;

use crate::helpers::{TestApp, spawn_app_with};

/// A "Redis" that accepts connections and never answers.
pub async fn silent_redis() -> String {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("redis://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    url
}

/// How many calls may have waited on a broken backend in `elapsed`: the three that
/// open a circuit, then at most one probe per circuit (reads, writes) per second of
/// back-off — more on a loaded machine, where the loop takes longer.
fn waits_allowed(elapsed: std::time::Duration) -> usize {
    let seconds = usize::try_from(elapsed.as_secs()).unwrap_or(usize::MAX);
    3 + 2 * (seconds + 1)
}

/// GETs `/all` and says what each of its cache calls reported as the error.
async fn errors_of_one_request(app: &TestApp) -> Vec<String> {
    let router = app.router.clone();
    let (status, record) = pokedex::record::recording(async move {
        let request = Request::get("/all").body(Body::empty()).unwrap();
        router.oneshot(request).await.unwrap().status()
    })
    .await;
    assert_eq!(status, StatusCode::OK, "the page is served regardless");
    record
        .cache_calls
        .into_iter()
        .filter_map(|call| call.error)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_backend_is_waited_for_three_times_then_skipped() {
    let url = silent_redis().await;
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Redis);
        s.caches.redis.location = Some(url);
        s.caches.redis.command_timeout_ms = 200;
    })
    .await;
    let started = std::time::Instant::now();
    let mut errors = Vec::new();
    for _ in 0..10 {
        errors.extend(errors_of_one_request(&app).await);
    }
    let timeouts = errors.iter().filter(|e| e.starts_with("timed out")).count();
    let skipped = errors
        .iter()
        .filter(|e| e.starts_with("backend unavailable"))
        .count();
    let allowed = waits_allowed(started.elapsed());
    assert!((3..=allowed).contains(&timeouts), "{errors:#?}");
    assert_eq!(timeouts + skipped, errors.len(), "{errors:#?}");
    assert!(skipped >= 10, "every later call skipped: {errors:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_comes_back_is_used_again_after_a_probe() {
    // A port nothing listens on, then a real Redis relayed on it.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Redis);
        s.caches.redis.location = Some(format!("redis://127.0.0.1:{port}"));
    })
    .await;
    for _ in 0..3 {
        errors_of_one_request(&app).await;
    }
    let skipped = errors_of_one_request(&app).await;
    assert!(
        skipped.iter().all(|e| e.starts_with("backend unavailable")),
        "{skipped:#?}"
    );
    if !crate::cache::subjects::redis_is_up("a_backend_that_comes_back_is_used_again_after_a_probe")
        .await
    {
        return;
    }
    let relay = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = relay.accept().await {
            tokio::spawn(async move {
                let mut redis = tokio::net::TcpStream::connect("127.0.0.1:6379")
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut redis).await;
            });
        }
    });
    // The pause after three failures is a second; a probe then finds Redis well.
    let mut healed = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if errors_of_one_request(&app).await.is_empty() {
            healed = true;
            break;
        }
    }
    assert!(healed, "the backend is used again once it answers");
    let cache = app
        .state
        .strategies
        .backends
        .cache(CacheBackend::Redis)
        .await
        .unwrap();
    assert!(cache.clear().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_locked_cache_table_never_holds_up_the_catalogue() {
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Database);
        s.caches.database.command_timeout_ms = 200;
    })
    .await;
    // Built, its table made, before another connection takes the write lock.
    app.state
        .strategies
        .backends
        .cache(CacheBackend::Database)
        .await
        .unwrap();
    let mut locker = app.db.acquire().await.unwrap().detach();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut locker)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut errors = Vec::new();
    for id in 1..=10 {
        let router = app.router.clone();
        let (status, record) = pokedex::record::recording(async move {
            let request = Request::get(format!("/pokemon/{id}"))
                .body(Body::empty())
                .unwrap();
            router.oneshot(request).await.unwrap().status()
        })
        .await;
        assert_eq!(status, StatusCode::OK, "the catalogue reads on");
        errors.extend(record.cache_calls.into_iter().filter_map(|call| call.error));
    }
    let waited = errors
        .iter()
        .filter(|e| !e.starts_with("backend unavailable"))
        .count();
    assert!(
        (3..=waits_allowed(started.elapsed())).contains(&waited),
        "three waits, then skipped: {errors:#?}"
    );
    assert!(errors.len() > waited, "{errors:#?}");
    sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
}

/// A `redis-server` of the test's own on a free port, killed when dropped.
struct OwnRedis {
    child: std::process::Child,
}

impl OwnRedis {
    fn start(port: u16) -> Option<Self> {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .ok()?;
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(Self { child });
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GETs `/all` and says its `X-Cache`.
async fn x_cache(app: &TestApp) -> String {
    app.get("/all")
        .await
        .header("x-cache")
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_redis_stopped_killed_and_restarted_costs_little_and_is_used_again() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let Some(redis) = OwnRedis::start(port) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have redis-server to run the fault tests"
        );
        eprintln!(
            "\n!!! SKIPPED a_real_redis_stopped_killed_and_restarted: no redis-server (CI is unset) !!!\n"
        );
        return;
    };
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Redis);
        s.caches.redis.location = Some(format!("redis://127.0.0.1:{port}"));
        s.caches.redis.command_timeout_ms = 200;
    })
    .await;
    assert_eq!(x_cache(&app).await, "MISS");
    assert_eq!(x_cache(&app).await, "HIT");

    redis.signal("-STOP");
    let started = std::time::Instant::now();
    let mut errors = Vec::new();
    for _ in 0..8 {
        errors.extend(errors_of_one_request(&app).await);
    }
    let waited = errors.iter().filter(|e| e.contains("timed out")).count();
    assert!(
        (1..=waits_allowed(started.elapsed())).contains(&waited),
        "stopped: a few waits, then skipped: {errors:#?}"
    );
    redis.signal("-CONT");

    drop(redis);
    let mut errors = Vec::new();
    for _ in 0..8 {
        errors.extend(errors_of_one_request(&app).await);
    }
    assert!(
        errors.iter().all(|e| !e.contains("timed out")),
        "killed: refused at once or skipped, never waited out: {errors:#?}"
    );

    let _again = OwnRedis::start(port).expect("restarts on its port");
    let mut used = false;
    for _ in 0..80 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if x_cache(&app).await == "HIT" {
            used = true;
            break;
        }
    }
    assert!(used, "stored and served again once Redis is back");
}
