//! The command line: `--config` plus one flag per entry of [`keys()`].

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches, Parser};

use super::keys::{Key, keys};

/// A Pokémon catalogue that teaches web caching.
#[derive(Debug, Parser)]
#[command(name = "pokedex", version, about)]
struct Args {
    /// Settings file [default: pokedex.toml in the working directory, if present]
    /// (env: `POKEDEX_CONFIG`)
    #[arg(long, value_name = "PATH", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// What to do instead of serving, like Django's management commands.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum Command {
    /// Create the database cache's table (Django's createcachetable)
    #[command(name = "createcachetable")]
    CreateCacheTable,
    /// Remove this app's entries from the file, database and Redis caches
    #[command(name = "clearcache")]
    ClearCache,
    /// Compare strategies and backends: each configuration on an isolated server of
    /// its own, warmed, then loaded; requests per second and latency percentiles
    Bench(Box<BenchArgs>),
}

/// `pokedex bench`'s flags, as typed: the engine checks them, naming the flag of a
/// bad value in one line.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct BenchArgs {
    /// Pages to request, comma-separated
    #[arg(long, value_name = "PATHS", default_value = "/,/all")]
    pub pages: String,
    /// Strategies, comma-separated: off, site, view, fragment, or a mix such as
    /// site+fragment; the uncached baseline always runs
    #[arg(long, value_name = "LIST", default_value = "off,site,view,fragment")]
    pub strategies: String,
    /// Backends, comma-separated: memory, file, database, redis
    #[arg(
        long,
        value_name = "LIST",
        default_value = "memory,file,database,redis"
    )]
    pub backends: String,
    /// How long each configuration is measured (5s, 500ms, 1m)
    #[arg(long, value_name = "TIME", default_value = "5s")]
    pub duration: String,
    /// A number of requests per configuration instead of a duration
    #[arg(long, value_name = "N")]
    pub requests: Option<String>,
    /// Keep-alive connections, each with one request in flight
    #[arg(long, value_name = "N", default_value = "16")]
    pub connections: String,
    /// Warm-up before each measurement
    #[arg(long, value_name = "TIME", default_value = "1s")]
    pub warmup: String,
    /// Write the results as JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the results as CSV to FILE
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write a bar chart of the results as SVG to FILE
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// What the command line asked for: a settings file and the flags that were given.
#[derive(Debug, Default)]
pub struct Cli {
    /// Settings file named by `--config`.
    pub config: Option<PathBuf>,
    /// A management command; `None` serves the app.
    pub command: Option<Command>,
    /// Each setting given as a flag, with its text as typed.
    pub overrides: Vec<(&'static Key, String)>,
}

impl Cli {
    /// Parses `args` (the program name first); `--help` and bad flags come back as
    /// the clap error, whose `exit()` prints them the usual way.
    pub fn try_parse_from<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = command().try_get_matches_from(args)?;
        let parsed = Args::from_arg_matches(&matches)?;
        Ok(Self {
            config: parsed.config,
            command: parsed.command,
            overrides: overrides(&matches),
        })
    }
}

fn command() -> clap::Command {
    Args::command().args(keys().iter().map(|key| {
        Arg::new(key.path.to_string())
            .long(key.flag.to_string())
            .value_name(key.value_name)
            // So that `--flag -3` reaches the settings check, which names the setting.
            .allow_negative_numbers(true)
            .global(true)
            .help(format!("{} (env: {})", key.help, key.env))
    }))
}

fn overrides(matches: &ArgMatches) -> Vec<(&'static Key, String)> {
    keys()
        .iter()
        .filter_map(|key| Some((key, matches.get_one::<String>(&key.path)?.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_overrides_of_their_setting() {
        let cli = Cli::try_parse_from(["pokedex", "--addr", "0.0.0.0:9000"]).unwrap();
        assert_eq!(cli.overrides.len(), 1);
        assert_eq!(cli.overrides[0].0.path, "addr");
        assert_eq!(cli.overrides[0].1, "0.0.0.0:9000");
    }

    #[test]
    fn an_unknown_flag_is_refused() {
        let err = Cli::try_parse_from(["pokedex", "--adr", "x"]).unwrap_err();
        assert!(err.to_string().contains("--adr"), "{err}");
    }

    #[test]
    fn command_definition_is_consistent() {
        command().debug_assert();
    }
}
