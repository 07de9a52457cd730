//! Settings come from the file, then the environment, then flags; a bad value is
//! refused with its name and where it came from.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;

use pokedex::settings::{Cli, Settings, SettingsError};

/// Loads settings from `file` (written to a temporary directory), `env` and `args`.
fn load(
    file: Option<&str>,
    env: &[(&str, &str)],
    args: &[&str],
) -> Result<Settings, SettingsError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pokedex.toml");
    let mut command_line = vec!["pokedex".to_owned()];
    if let Some(text) = file {
        std::fs::write(&path, text).unwrap();
        command_line.extend(["--config".to_owned(), path.display().to_string()]);
    }
    command_line.extend(args.iter().map(|&arg| arg.to_owned()));
    let cli = Cli::try_parse_from(command_line).unwrap();
    let env: HashMap<String, String> = env
        .iter()
        .map(|&(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    Settings::load(&cli, |name| env.get(name).cloned())
}

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

#[test]
fn the_committed_settings_file_holds_the_built_in_defaults() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("pokedex.toml");
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(load(Some(&text), &[], &[]).unwrap(), Settings::default());
    assert_eq!(Settings::default().addr, addr("127.0.0.1:8000"));
}

#[test]
fn the_environment_overrides_the_file_and_flags_override_both() {
    let file = "addr = \"127.0.0.1:1111\"\n[database]\nurl = \"sqlite://from-file.sqlite3\"\n";
    let env = [
        ("POKEDEX_ADDR", "127.0.0.1:2222"),
        ("DATABASE_URL", "sqlite://from-env.sqlite3"),
    ];

    let from_file = load(Some(file), &[], &[]).unwrap();
    assert_eq!(from_file.addr, addr("127.0.0.1:1111"));
    assert_eq!(from_file.database.url, "sqlite://from-file.sqlite3");
    assert_eq!(
        from_file.database.max_connections, 8,
        "unset keys keep their default"
    );

    let from_env = load(Some(file), &env, &[]).unwrap();
    assert_eq!(from_env.addr, addr("127.0.0.1:2222"));
    assert_eq!(from_env.database.url, "sqlite://from-env.sqlite3");

    let from_flags = load(
        Some(file),
        &env,
        &["--addr", "0.0.0.0:3333", "--database-max-connections", "2"],
    )
    .unwrap();
    assert_eq!(from_flags.addr, addr("0.0.0.0:3333"));
    assert_eq!(from_flags.database.url, "sqlite://from-env.sqlite3");
    assert_eq!(from_flags.database.max_connections, 2);
}

#[test]
fn the_config_file_can_be_named_by_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.toml");
    std::fs::write(&path, "addr = \"127.0.0.1:4444\"\n").unwrap();
    let cli = Cli::try_parse_from(["pokedex"]).unwrap();
    let path = path.display().to_string();
    let settings = Settings::load(&cli, |name| {
        (name == "POKEDEX_CONFIG").then(|| path.clone())
    })
    .unwrap();
    assert_eq!(settings.addr, addr("127.0.0.1:4444"));
}

/// Asserts that loading fails with a message containing every one of `needles`.
fn assert_refused(result: Result<Settings, SettingsError>, needles: &[&str]) {
    let message = result.expect_err("the setting is refused").to_string();
    for needle in needles {
        assert!(
            message.contains(needle),
            "{message:?} should name {needle:?}"
        );
    }
}

#[test]
fn a_bad_value_is_refused_with_the_setting_and_its_source() {
    assert_refused(
        load(Some("addr = \"nowhere\"\n"), &[], &[]),
        &[
            "`addr`",
            "settings file",
            "pokedex.toml",
            "invalid socket address",
        ],
    );
    assert_refused(
        load(None, &[("POKEDEX_ADDR", "nowhere")], &[]),
        &["`addr`", "environment variable POKEDEX_ADDR"],
    );
    assert_refused(
        load(None, &[], &["--addr", "nowhere"]),
        &["`addr`", "flag --addr"],
    );
    assert_refused(
        load(Some("[database]\nmax_connections = \"many\"\n"), &[], &[]),
        &["`database.max_connections`", "pokedex.toml", "expected u32"],
    );
    assert_refused(
        load(None, &[("POKEDEX_DATABASE_MAX_CONNECTIONS", "lots")], &[]),
        &[
            "`database.max_connections`",
            "POKEDEX_DATABASE_MAX_CONNECTIONS",
            "whole number",
        ],
    );
    assert_refused(
        load(None, &[], &["--database-max-connections", "-3"]),
        &[
            "`database.max_connections`",
            "flag --database-max-connections",
        ],
    );
}

#[test]
fn an_unknown_key_is_refused_by_name() {
    assert_refused(
        load(Some("adress = \"127.0.0.1:1\"\n"), &[], &[]),
        &["adress", "pokedex.toml"],
    );
    let message = load(Some("[database]\nulr = \"x\"\n"), &[], &[])
        .expect_err("ulr is no setting")
        .to_string();
    assert!(
        message.starts_with("setting `database.ulr` from settings file ")
            && message.ends_with(
                "pokedex.toml: unknown field `ulr`, expected `url` or `max_connections`"
            ),
        "{message}"
    );
}

#[test]
fn unreadable_or_malformed_files_are_refused_by_path() {
    let cli = Cli::try_parse_from(["pokedex", "--config", "/nonexistent/pokedex.toml"]).unwrap();
    assert_refused(
        Settings::load(&cli, |_| None),
        &["/nonexistent/pokedex.toml"],
    );
    assert_refused(
        load(Some("addr = \n"), &[], &[]),
        &["pokedex.toml", "line 1"],
    );
}

#[test]
fn every_cache_option_has_a_variable_and_a_flag() {
    let settings = load(
        Some("[caches.file]\nmax_entries = 5\n"),
        &[
            ("POKEDEX_CACHES_FILE_MAX_ENTRIES", "50"),
            ("REDIS_URL", "redis://127.0.0.1:6380/2"),
            ("POKEDEX_CACHES_MEMORY_TIMEOUT", "forever"),
        ],
        &[
            "--caches-file-max-entries",
            "500",
            "--caches-database-timeout",
            "0",
        ],
    )
    .unwrap();
    assert_eq!(
        settings.caches.file.max_entries, 500,
        "the flag beats the variable"
    );
    assert_eq!(
        settings.caches.redis.location.as_deref(),
        Some("redis://127.0.0.1:6380/2")
    );
    assert_eq!(
        settings.caches.memory.timeout,
        pokedex::cache::Timeout::Forever
    );
    assert_eq!(
        settings.caches.database.timeout,
        pokedex::cache::Timeout::seconds(0)
    );
    assert_eq!(
        settings.caches.file.location.as_deref(),
        Some("cache"),
        "defaults stay"
    );

    let from_file = load(Some("[caches.redis]\ntimeout = \"forever\"\n"), &[], &[]).unwrap();
    assert_eq!(
        from_file.caches.redis.timeout,
        pokedex::cache::Timeout::Forever
    );
}

#[test]
fn a_bad_cache_option_is_refused_by_name() {
    assert_refused(
        load(None, &[("POKEDEX_CACHES_REDIS_TIMEOUT", "soon")], &[]),
        &[
            "`caches.redis.timeout`",
            "POKEDEX_CACHES_REDIS_TIMEOUT",
            "forever",
        ],
    );
    assert_refused(
        load(Some("[caches.file]\ntimeout = -1\n"), &[], &[]),
        &["`caches.file.timeout`", "pokedex.toml"],
    );
    assert_refused(
        load(Some("[caches.memcached]\nlocation = \"x\"\n"), &[], &[]),
        &["memcached", "pokedex.toml"],
    );
}

#[test]
fn a_bad_strategy_backend_is_refused_on_one_line() {
    let result = load(None, &[("POKEDEX_SITE_CACHE", "memcached")], &[]);
    let message = result.expect_err("memcached is not a backend").to_string();
    assert_eq!(
        message,
        "setting `site.backend` from environment variable POKEDEX_SITE_CACHE: unknown variant \
         `memcached`, expected one of `off`, `memory`, `file`, `database`, `redis`"
    );
}
