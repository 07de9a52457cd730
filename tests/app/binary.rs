//! The real `pokedex` binary: it starts, logs its address and changed settings, serves over a socket,
//! refuses bad settings, stops cleanly on SIGTERM, and needs no file beside it.

use std::path::Path;
use std::process::Command;

use crate::server::{BIN, COMMAND_TIMEOUT_MS, Server};

#[test]
fn the_binary_seeds_serves_logs_and_stops_on_sigterm() {
    let server = Server::start(&[]);
    let response = server.get("/all");
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains("Abomasnow"));
    let line = server.wait_for("GET /all 200 ");
    assert!(
        line.contains("INFO pokedex::access: GET /all 200 "),
        "{line:?}"
    );
    let took = line
        .trim_end()
        .rsplit(' ')
        .next()
        .and_then(|took| took.strip_suffix("ms"))
        .and_then(|took| took.split_once('.'));
    assert!(
        took.is_some_and(|(whole, fraction)| {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.len() == 3
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }),
        "{line:?} ends with the time taken, in milliseconds to three places"
    );

    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    server.wait_for("shutting down");
    let mut server = server;
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "a clean exit after SIGTERM: {exit}");
}

#[test]
fn the_binary_logs_its_address_and_each_changed_section_on_a_short_line() {
    let server = Server::start(&[
        "--site-cache",
        "memory",
        "--caches-memory-max-entries",
        "50",
    ]);
    let logged = |text: &str| {
        server
            .startup
            .iter()
            .find(|line| line.contains(text))
            .cloned()
    };
    let starting = logged("starting: ").expect("a start-up line");
    assert!(
        starting.ends_with("starting: addr=127.0.0.1:0"),
        "{starting}"
    );
    for line in [
        "setting caches.memory: max_entries=50",
        "setting site: backend=memory",
    ] {
        let found = logged(line).unwrap_or_else(|| panic!("{line:?} in {:?}", server.startup));
        assert!(found.ends_with(line), "{found}");
    }
    assert!(
        server.startup.iter().all(|line| line.len() < 200),
        "no line holds every setting: {:?}",
        server.startup
    );
    // The servers tests start give each store a generous budget (see
    // tests/support/server.rs): that, and nothing else, differs for Redis.
    let redis = logged("caches.redis");
    let budget = format!("setting caches.redis: command_timeout_ms={COMMAND_TIMEOUT_MS}");
    assert!(
        redis.as_deref().is_some_and(|line| line.ends_with(&budget)),
        "only what differs: {redis:?}"
    );
    assert!(
        server
            .startup
            .iter()
            .any(|line| line.contains("seeded the catalogue") && line.contains("rows=1025"))
    );
    assert!(server.dir.path().join("pokedex.sqlite3").exists());
}

#[tokio::test]
async fn a_port_in_use_suggests_any_free_port_or_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = pokedex::settings::Settings {
        addr: taken.local_addr().unwrap(),
        ..pokedex::settings::Settings::default()
    };
    settings.database.url = format!("sqlite://{}", dir.path().join("p.sqlite3").display());
    let Err(error) = pokedex::app::Application::build(&settings).await else {
        panic!("the port is taken");
    };
    let error = error.to_string();
    assert!(error.contains("cannot listen on 127.0.0.1:"), "{error}");
    assert!(
        error.contains("pass --addr 127.0.0.1:0 for any free one"),
        "{error}"
    );
}

#[test]
fn a_backend_that_does_not_answer_is_logged_once_at_start_and_the_server_serves() {
    let server = Server::start(&[
        "--site-cache",
        "redis",
        "--redis-url",
        "redis://127.0.0.1:1",
    ]);
    let warnings: Vec<&String> = server
        .startup
        .iter()
        .filter(|line| line.contains("cache backend unreachable"))
        .collect();
    assert_eq!(warnings.len(), 1, "{:?}", server.startup);
    for part in [
        "backend=\"redis\"",
        "redis://127.0.0.1:1",
        "Connection refused",
    ] {
        assert!(
            warnings[0].contains(part),
            "{} should contain {part}",
            warnings[0]
        );
    }
    let response = server.get("/all");
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains("x-cache: BYPASS"), "{response}");
}

#[test]
fn every_lab_change_is_logged_with_its_client() {
    let server = Server::start(&[]);
    let response = server.post_form("/lab/strategies/site", "backend=memory&seconds=30");
    assert!(response.starts_with("HTTP/1.1 303 See Other"), "{response}");
    let line = server.wait_for("lab: strategy switched");
    for part in [
        "client=\"127.0.0.1\"",
        "strategy=\"site\"",
        "backend=\"memory\"",
        "seconds=30",
    ] {
        assert!(line.contains(part), "{line} should contain {part}");
    }
    let response = server.post_form("/lab/caches/memory/clear", "");
    assert!(response.starts_with("HTTP/1.1 303 See Other"), "{response}");
    server.wait_for("lab: cache cleared");
}

#[test]
fn the_binary_refuses_a_bad_setting_and_names_it() {
    let output = Command::new(BIN)
        .args(["--addr", "nowhere"])
        .env_remove("POKEDEX_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`addr`") && stderr.contains("flag --addr"),
        "{stderr}"
    );
}

/// Runs `pokedex <args>` in `dir` with its database there, and returns its output.
fn run_command(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("POKEDEX_CONFIG")
        .env_remove("REDIS_URL")
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

#[test]
fn createcachetable_creates_the_table_in_the_apps_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_command(dir.path(), &["createcachetable"]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("cache_table is ready in sqlite://pokedex.sqlite3 (0 entries)"),
        "{stdout}"
    );
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("created the cache table"), "the log: {log}");
    assert!(!log.contains('\u{1b}'), "no colour into a pipe: {log:?}");

    let again = run_command(dir.path(), &["createcachetable"]);
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success());
    assert!(
        !log.contains("created the cache table"),
        "created once: {log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearcache_empties_this_apps_entries_in_every_backend() {
    use pokedex::cache::Timeout;
    use pokedex::cache::backends::CacheBackend;
    use pokedex::cache::configured::Backends;
    use pokedex::settings::{Cli, Settings};

    let test = "clearcache_empties_this_apps_entries_in_every_backend";
    if !crate::cache::subjects::redis_is_up(test).await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("pokedex-clearcache-{}", std::process::id());
    let _keys = crate::helpers::RedisKeys::under(crate::cache::subjects::REDIS_URL, &prefix);
    let database = format!("sqlite://{}", dir.path().join("pokedex.sqlite3").display());
    let cache_dir = dir.path().join("cache").display().to_string();
    let args = [
        "--database",
        &database,
        "--caches-file-location",
        &cache_dir,
        "--caches-redis-key-prefix",
        &prefix,
    ];
    let cli = Cli::try_parse_from(std::iter::once("pokedex").chain(args)).unwrap();
    let settings = Settings::load(&cli, |_| None).unwrap();
    let app_db = pokedex::db::connect_and_prepare(&settings.database)
        .await
        .unwrap();
    let backends = Backends::new(settings.caches.clone(), app_db);
    let kinds = [
        CacheBackend::File,
        CacheBackend::Database,
        CacheBackend::Redis,
    ];
    for kind in kinds {
        let cache = backends.cache(kind).await.unwrap();
        assert!(
            cache.set("page", b"<html>", Timeout::Forever).await,
            "{kind} stores"
        );
    }

    let mut command = vec!["clearcache"];
    command.extend(args);
    let output = run_command(dir.path(), &command);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("memory: lives inside the running server"),
        "{stdout}"
    );
    for kind in kinds {
        assert!(stdout.contains(&format!("{kind}: cleared")), "{stdout}");
        let cache = backends.cache(kind).await.unwrap();
        assert_eq!(cache.get("page").await, None, "{kind} was cleared");
    }
}

#[test]
fn the_binary_refuses_a_view_route_it_does_not_have() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pokedex.toml"),
        "[view]\nroutes = [\"/nope\"]\n",
    )
    .unwrap();
    let output = run_command(dir.path(), &["--addr", "127.0.0.1:0"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`view.routes`") && stderr.contains("\"/nope\""),
        "{stderr}"
    );
}

/// `binary` run with the crate's own folder hidden under an empty tmpfs, in a user
/// and mount namespace of its own, so that a binary reading `static/` from its
/// source tree finds nothing; where the system allows no such namespace, it runs
/// beside the source tree, and says so.
fn without_source_tree(binary: &Path) -> Command {
    let allowed = Command::new("unshare")
        .args(["-rm", "true"])
        .status()
        .is_ok_and(|status| status.success());
    if !allowed {
        eprintln!("\n!!! unshare -rm is not allowed here: the copy runs beside its sources !!!\n");
        return Command::new(binary);
    }
    let mut command = Command::new("unshare");
    command
        .args([
            "-rm",
            "sh",
            "-c",
            "mount -t tmpfs tmpfs \"$0\" && exec \"$@\"",
        ])
        .arg(env!("CARGO_MANIFEST_DIR"))
        .arg(binary);
    command
}

#[test]
fn a_copy_of_the_binary_elsewhere_serves_its_own_stylesheet() {
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("pokedex");
    std::fs::copy(BIN, &copy).unwrap();
    let server = Server::spawn(without_source_tree(&copy), &[]);

    let response = server.get("/static/css/pokedex.css");
    let (head, body) = response.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains("\r\ncontent-type: text/css\r\n"), "{head}");
    assert_eq!(body, include_str!("../../static/css/pokedex.css"));

    let page = server.get("/type/grass");
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(
        page.contains("Bulbasaur"),
        "templates and data are inside too"
    );
}

/// A read-only tmpfs, unmounted when dropped; `None` where mounting is not allowed.
struct ReadOnlyDir(tempfile::TempDir);

impl ReadOnlyDir {
    fn mount() -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k,ro", "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|status| status.success());
        mounted.then_some(Self(dir))
    }
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn a_cache_directory_that_cannot_be_made_is_warned_about_once_per_burst() {
    let Some(read_only) = ReadOnlyDir::mount() else {
        eprintln!(
            "\n!!! SKIPPED a_cache_directory_that_cannot_be_made: cannot mount a tmpfs here (not root?) !!!\n"
        );
        return;
    };
    let location = read_only.0.path().join("cache").display().to_string();
    let server = Server::start(&["--site-cache", "file", "--caches-file-location", &location]);
    let mut warnings = 0;
    for id in 1..=20 {
        let answer = server.get(&format!("/pokemon/{id}"));
        assert!(
            answer.starts_with("HTTP/1.1 200 OK"),
            "served without the cache"
        );
        assert!(answer.contains("x-cache: BYPASS"), "{answer}");
        // The request's own line comes after any warning it caused.
        loop {
            let line = server.wait_for("");
            warnings += usize::from(line.contains("cache backend unavailable"));
            if line.contains(&format!("GET /pokemon/{id} ")) {
                break;
            }
        }
    }
    assert_eq!(
        warnings, 1,
        "one warning for the burst, not one per request"
    );
}
