//! Stacking the layers — file, environment, flags — and naming the culprit on error.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::cli::Cli;
use super::keys::{Key, Kind, keys};
use super::{Settings, leaves};

/// The file read when `--config` and `POKEDEX_CONFIG` name none.
const DEFAULT_FILE: &str = "pokedex.toml";
/// The variable naming the settings file.
const CONFIG_ENV: &str = "POKEDEX_CONFIG";

/// Where a setting's value came from, so that an error can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The settings file at this path.
    File(PathBuf),
    /// This environment variable.
    Env(&'static str),
    /// This command-line flag (without `--`).
    Flag(&'static str),
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "settings file {}", path.display()),
            Self::Env(name) => write!(f, "environment variable {name}"),
            Self::Flag(flag) => write!(f, "flag --{flag}"),
            Self::Default => f.write_str("the built-in defaults"),
        }
    }
}

/// Why the settings could not be loaded; each variant names the setting or file.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The settings file exists but could not be read.
    #[error("cannot read settings file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The settings file is not valid TOML.
    #[error("settings file {}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        source: Box<toml::de::Error>,
    },
    /// A setting has a value of the wrong shape, or is not a setting at all.
    #[error("setting `{key}` from {origin}: {message}")]
    Invalid {
        /// Dotted path of the setting.
        key: String,
        /// Where the bad value came from.
        origin: Origin,
        /// What is wrong with it.
        message: String,
    },
}

/// The merged settings table and the origin of every value in it.
#[derive(Default)]
struct Layers {
    table: toml::Table,
    origins: BTreeMap<String, Origin>,
    file: Option<PathBuf>,
}

pub(super) fn load(
    cli: &Cli,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, SettingsError> {
    let mut layers = Layers::default();
    let explicit = cli
        .config
        .clone()
        .or_else(|| env(CONFIG_ENV).map(PathBuf::from));
    match explicit {
        Some(path) => layers.add_file(&path)?,
        None if Path::new(DEFAULT_FILE).exists() => layers.add_file(Path::new(DEFAULT_FILE))?,
        None => {}
    }
    for key in keys() {
        if let Some(text) = env(key.env) {
            layers.set(key, &text, Origin::Env(key.env))?;
        }
    }
    for (key, text) in &cli.overrides {
        layers.set(key, text, Origin::Flag(key.flag))?;
    }
    layers.into_settings()
}

impl Layers {
    fn add_file(&mut self, path: &Path) -> Result<(), SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.table = text.parse().map_err(|source| SettingsError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })?;
        let mut found = Vec::new();
        leaves("", &self.table, &mut found);
        for (leaf, _) in found {
            self.origins.insert(leaf, Origin::File(path.to_owned()));
        }
        self.file = Some(path.to_owned());
        Ok(())
    }

    fn set(&mut self, key: &'static Key, text: &str, origin: Origin) -> Result<(), SettingsError> {
        let value = match key.kind {
            Kind::Text => toml::Value::String(text.to_owned()),
            Kind::Integer => {
                toml::Value::Integer(text.trim().parse().map_err(|_| SettingsError::Invalid {
                    key: key.path.to_owned(),
                    origin: origin.clone(),
                    message: format!("expected a whole number, got {text:?}"),
                })?)
            }
        };
        let mut table = &mut self.table;
        let mut parts = key.path.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                table.insert(part.to_owned(), value);
                break;
            }
            let entry = table
                .entry(part)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            table = entry.as_table_mut().expect("just made a table");
        }
        self.origins.insert(key.path.to_owned(), origin);
        Ok(())
    }

    fn into_settings(self) -> Result<Settings, SettingsError> {
        serde_path_to_error::deserialize(toml::Value::Table(self.table)).map_err(|err| {
            let key = err.path().to_string();
            // A path without a recorded origin is a key that is not a setting, and
            // only the file can hold those.
            let origin = self.origins.get(&key).cloned();
            let origin = origin
                .or(self.file.map(Origin::File))
                .unwrap_or(Origin::Default);
            // toml adds the path again on a line of its own; the error names it already.
            let message = err.into_inner().to_string();
            let message = message.lines().next().unwrap_or_default().trim().to_owned();
            SettingsError::Invalid {
                key,
                origin,
                message,
            }
        })
    }
}
