//! The measuring engine: counts and invariants of a short run, a clean exit that
//! leaves nothing behind and touches nothing of the person's server, outputs that
//! parse, and `pokedex bench`'s one-line refusals.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use pokedex::bench::plan::Asked;
use pokedex::bench::report::Report;
use pokedex::bench::server::Environment;
use pokedex::bench::{Engine, Event};
use pokedex::cache::backends::{CacheBackend, Usage};
use pokedex::cache::stats::StatsSnapshot;

use crate::helpers::{TestApp, spawn_app_with, unique};
use crate::server::BIN;

/// A short plan: `/all`, uncached and per-site on memory, a few hundred requests.
fn short(requests: &str) -> Asked<'_> {
    Asked {
        pages: "/all",
        strategies: "off,site",
        backends: "memory",
        duration: "5s",
        requests: Some(requests),
        connections: "4",
        warmup: "300ms",
    }
}

/// What the person's server holds and has counted, on every backend it built.
async fn held(app: &TestApp) -> Vec<(CacheBackend, StatsSnapshot, Usage)> {
    let mut held = Vec::new();
    for backend in CacheBackend::ALL {
        if let Some(cache) = app.state.strategies.backends.built(backend) {
            held.push((backend, cache.stats(), cache.usage().await.unwrap()));
        }
    }
    held
}

/// Processes whose working directory is in `dir`.
fn processes_in(dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let cwd = std::fs::read_link(entry.path().join("cwd")).ok()?;
            cwd.starts_with(dir)
                .then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_run_counts_what_each_configuration_did_and_leaves_nothing_behind() {
    let app = spawn_app_with(|s| {
        s.site.backend = Some(CacheBackend::Memory);
        s.fragment.backend = Some(CacheBackend::File);
    })
    .await;
    app.get("/all").await;
    app.get("/").await;
    let before = held(&app).await;
    let work = tempfile::tempdir().unwrap();
    let environment = Environment {
        binary: BIN.into(),
        catalogue: Some(app.db.clone()),
        redis_url: "redis://127.0.0.1:6379".to_owned(),
        work_dir: work.path().to_owned(),
    };
    let plan = short("300").plan().unwrap();
    let events = std::sync::Mutex::new(Vec::new());
    let cancelled = Arc::new(AtomicBool::new(false));
    let report = Engine::new(environment)
        .run(&plan, &cancelled, &|event| {
            let name = match event {
                Event::Started { .. } => "started",
                Event::Progress { .. } => "progress",
                Event::Finished { .. } => "finished",
            };
            events.lock().unwrap().push(name);
        })
        .await;
    let [off, site] = &report.results[..] else {
        panic!("two results: {report:?}");
    };
    for result in [off, site] {
        assert_eq!(result.skipped, None, "{result:?}");
        assert_eq!(result.requests, 300);
        assert_eq!(result.errors, 0);
        assert_eq!(result.requests, result.successes + result.errors);
        assert!(result.bytes_per_response > 100_000.0, "{result:?}");
        assert!(
            result.p50_ms <= result.p90_ms
                && result.p90_ms <= result.p99_ms
                && result.p99_ms <= result.max_ms
        );
    }
    assert_eq!(off.strategy, "off");
    assert_eq!(off.backend, None);
    assert!(
        (off.sql_per_request - 1.0).abs() < f64::EPSILON,
        "one query a page: {off:?}"
    );
    assert_eq!(off.hit_ratio, None);
    assert!(
        site.sql_per_request.abs() < f64::EPSILON,
        "warm: every page from the cache"
    );
    assert!(site.hit_ratio.unwrap() >= 0.99, "{site:?}");
    assert!(site.speedup.is_some());
    assert!(report.client_ceiling.unwrap() > 0.0);
    let events = events.into_inner().unwrap();
    assert_eq!(events.iter().filter(|e| **e == "started").count(), 2);
    assert_eq!(events.iter().filter(|e| **e == "finished").count(), 2);

    assert!(processes_in(work.path()).is_empty(), "every server stopped");
    assert_eq!(
        std::fs::read_dir(work.path()).unwrap().count(),
        0,
        "every file removed"
    );
    assert_eq!(held(&app).await, before, "the person's caches untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_does_not_answer_skips_its_configurations_with_the_reason() {
    let work = tempfile::tempdir().unwrap();
    let environment = Environment {
        binary: BIN.into(),
        catalogue: None,
        redis_url: "redis://127.0.0.1:1".to_owned(),
        work_dir: work.path().to_owned(),
    };
    let mut asked = short("50");
    asked.backends = "redis";
    let report = Engine::new(environment)
        .run(
            &asked.plan().unwrap(),
            &Arc::new(AtomicBool::new(false)),
            &|_| {},
        )
        .await;
    assert_eq!(
        report.results[0].skipped, None,
        "the baseline needs no Redis"
    );
    let reason = report.results[1].skipped.as_deref().unwrap();
    assert!(
        reason.starts_with("its backend does not answer: redis: Connection refused"),
        "{reason}"
    );
}

#[test]
fn pokedex_bench_writes_json_csv_and_svg_that_parse() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("pokedex-test-{}", unique());
    let output = Command::new(BIN)
        .args([
            "bench",
            "--pages",
            "/all",
            "--strategies",
            "off,site",
            "--backends",
            "memory",
            "--requests",
            "100",
            "--connections",
            "2",
            "--warmup",
            "100ms",
            "--json",
            "out.json",
            "--csv",
            "out.csv",
            "--svg",
            "out.svg",
            "--caches-redis-key-prefix",
            &prefix,
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("req/s") && stdout.contains("Client ceiling:"),
        "{stdout}"
    );
    let json: Report =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(json.results.len(), 2);
    assert_eq!(json.results[0].strategy, "off");
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert!(
        reader
            .headers()
            .unwrap()
            .iter()
            .any(|name| name == "requests_per_second")
    );
    assert_eq!(reader.records().count(), 2);
    let svg = std::fs::read_to_string(dir.path().join("out.svg")).unwrap();
    let document = roxmltree::Document::parse(&svg).unwrap();
    let bars = document
        .descendants()
        .filter(|node| node.has_tag_name("rect"))
        .count();
    assert_eq!(bars, 2, "one bar a configuration");
    assert!(
        !dir.path().join("pokedex.sqlite3").exists(),
        "the person's catalogue is never created"
    );
}

#[test]
fn bad_flags_exit_2_with_one_line_naming_the_flag_and_start_nothing() {
    for (args, flag) in [
        (&["--connections", "0"][..], "--connections"),
        (&["--backends", "memcached"], "--backends"),
        (&["--pages", "/nope"], "--pages"),
        (&["--duration", "soon"], "--duration"),
        (&["--strategies", "site+view"], "--strategies"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let output = Command::new(BIN)
            .arg("bench")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("pokedex: {flag}: ")),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "nothing started"
        );
    }
}
