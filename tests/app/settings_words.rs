//! The exact words of `--help`, and the settings that take a list.

use std::net::IpAddr;

use pokedex::settings::{Cli, Settings, SettingsError};

fn help() -> String {
    Cli::try_parse_from(["pokedex", "--help"])
        .expect_err("--help ends parsing")
        .to_string()
}

/// Settings from `env` and `args`, no file.
fn load(env: &[(&str, &str)], args: &[&str]) -> Result<Settings, SettingsError> {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.toml");
    std::fs::write(&missing, "").unwrap();
    let mut line = vec!["pokedex", "--config", missing.to_str().unwrap()];
    line.extend_from_slice(args);
    let cli = Cli::try_parse_from(line).unwrap();
    Settings::load(&cli, |name| {
        env.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    })
}

#[test]
fn help_describes_each_backends_flags_in_that_backends_words() {
    let help = help();
    for line in [
        "file cache: directory holding one file per entry [default: cache]",
        "database cache: SQLite URL of the database holding cache_table, created on first use [default: the app's database]",
        "redis cache: Redis server URL [default: redis://127.0.0.1:6379] (env: REDIS_URL)",
        "memory cache: values longer than this are stored zstd-compressed; 0 never, as every hit would decompress [default: 0]",
        "redis cache: values longer than this are stored zstd-compressed; 0 never [default: 1024]",
        "database cache: a cull deletes 1/N of the rows",
        "file cache: files kept before a cull [default: 300]",
        "redis cache: longest wait for one command (connecting included)",
    ] {
        assert!(help.contains(line), "{line:?} in\n{help}");
    }
    assert!(!help.contains("memory: 0"), "no other backend's default");
    assert!(
        !help.contains("directory [default: cache]; database"),
        "no generic location text"
    );
}

#[test]
fn internal_ips_and_allowed_hosts_come_from_variables_and_flags_as_lists() {
    let settings = load(
        &[
            ("POKEDEX_INTERNAL_IPS", "10.0.0.7, ::1"),
            ("POKEDEX_ALLOWED_HOSTS", "from-env.example"),
        ],
        &["--allowed-hosts", "pokedex.example,.example.org"],
    )
    .unwrap();
    let ips: Vec<IpAddr> = vec!["10.0.0.7".parse().unwrap(), "::1".parse().unwrap()];
    assert_eq!(settings.toolbar.internal_ips, ips);
    assert_eq!(settings.allowed_hosts, ["pokedex.example", ".example.org"]);
    let flagged = load(&[], &["--internal-ips", "192.168.1.2"]).unwrap();
    assert_eq!(
        flagged.toolbar.internal_ips,
        ["192.168.1.2".parse::<IpAddr>().unwrap()]
    );
    let help = help();
    assert!(help.contains("--internal-ips <IP,...>"), "{help}");
    assert!(help.contains("(env: POKEDEX_ALLOWED_HOSTS)"), "{help}");
}

#[test]
fn a_bad_list_item_is_refused_naming_the_setting_and_its_source() {
    let error = load(&[("POKEDEX_INTERNAL_IPS", "127.0.0.1,localhost")], &[])
        .unwrap_err()
        .to_string();
    assert!(error.contains("toolbar.internal_ips"), "{error}");
    assert!(error.contains("POKEDEX_INTERNAL_IPS"), "{error}");
    let error = load(&[], &["--internal-ips", "nonsense"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("--internal-ips"), "{error}");
}
