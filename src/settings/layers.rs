//! Stacking the layers — defaults, file, environment, flags — with figment, each
//! layer named after its origin, so that an error names the culprit.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::error::Kind as ErrorKind;
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};

use super::Settings;
use super::cli::Cli;
use super::keys::{Key, Kind, keys};

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
    Env(String),
    /// This command-line flag (without `--`).
    Flag(String),
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
    #[error("cannot parse settings file {}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said, with line and column.
        source: Box<toml::de::Error>,
    },
    /// A setting has a value of the wrong type or out of range.
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

/// One layer: the values one origin gives.
struct Layer {
    origin: Origin,
    values: Dict,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.origin.to_string())
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

impl Layer {
    fn defaults() -> Self {
        Self {
            origin: Origin::Default,
            values: dict(Value::serialize(Settings::default())),
        }
    }

    fn file(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        let table: toml::Table = text.parse().map_err(|source| SettingsError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })?;
        Ok(Self {
            origin: Origin::File(path.to_owned()),
            values: dict(Value::serialize(table)),
        })
    }

    /// The one value a variable or a flag gives, read as its key's kind says.
    fn one(key: &Key, text: &str, origin: Origin) -> Result<Self, SettingsError> {
        let value = match key.kind {
            Kind::Text => Value::from(text.to_owned()),
            Kind::List => Value::from(
                text.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<String>>(),
            ),
            Kind::Integer => match text.trim().parse::<i64>() {
                Ok(number) => Value::from(number),
                Err(_) => {
                    return Err(SettingsError::Invalid {
                        key: key.path.to_string(),
                        origin,
                        message: format!("expected a whole number, got {text:?}"),
                    });
                }
            },
        };
        Ok(Self {
            origin,
            values: dict(Ok(figment::util::nest(&key.path, value))),
        })
    }
}

fn dict(value: Result<Value, figment::Error>) -> Dict {
    value.ok().and_then(Value::into_dict).unwrap_or_default()
}

pub(super) fn load(
    cli: &Cli,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, SettingsError> {
    let mut layers = vec![Layer::defaults()];
    let explicit = cli
        .config
        .clone()
        .or_else(|| env(CONFIG_ENV).map(PathBuf::from));
    match explicit {
        Some(path) => layers.push(Layer::file(&path)?),
        None if Path::new(DEFAULT_FILE).exists() => {
            layers.push(Layer::file(Path::new(DEFAULT_FILE))?);
        }
        None => {}
    }
    for key in keys() {
        if let Some(text) = env(&key.env) {
            layers.push(Layer::one(key, &text, Origin::Env(key.env.to_string()))?);
        }
    }
    for (key, text) in &cli.overrides {
        layers.push(Layer::one(key, text, Origin::Flag(key.flag.to_string()))?);
    }
    let origins: Vec<Origin> = layers.iter().map(|layer| layer.origin.clone()).collect();
    let figment = layers.into_iter().fold(Figment::new(), Figment::merge);
    figment.extract().map_err(|error| invalid(&error, &origins))
}

/// The first of figment's errors as one line naming the setting and its origin.
fn invalid(error: &figment::Error, origins: &[Origin]) -> SettingsError {
    let named = error.metadata.as_ref().and_then(|metadata| {
        origins
            .iter()
            .find(|origin| origin.to_string() == metadata.name)
    });
    // Only the file can hold keys that are not settings; the value figment blames
    // for one is the table around it, which the defaults hold too.
    let blamed = named.filter(|origin| {
        **origin != Origin::Default && !matches!(error.kind, ErrorKind::UnknownField(..))
    });
    let origin = blamed
        .or_else(|| {
            origins
                .iter()
                .find(|origin| matches!(origin, Origin::File(_)))
        })
        .cloned()
        .unwrap_or(Origin::Default);
    SettingsError::Invalid {
        key: error.path.join("."),
        origin,
        message: message(&error.kind),
    }
}

/// `kind` in serde's own words, as the messages have always read.
fn message(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::Message(message) => message.lines().next().unwrap_or_default().to_owned(),
        ErrorKind::InvalidType(actual, expected) => {
            format!("invalid type: {actual}, expected {expected}")
        }
        ErrorKind::InvalidValue(actual, expected) => {
            format!("invalid value: {actual}, expected {expected}")
        }
        ErrorKind::UnknownVariant(variant, expected) => {
            format!("unknown variant `{variant}`, {}", one_of(expected))
        }
        ErrorKind::UnknownField(field, expected) => {
            format!("unknown field `{field}`, {}", one_of(expected))
        }
        other => other.to_string(),
    }
}

/// serde's "expected one of `a`, `b`" wording.
fn one_of(expected: &[&str]) -> String {
    match expected {
        [] => "there are none".to_owned(),
        [only] => format!("expected `{only}`"),
        [first, second] => format!("expected `{first}` or `{second}`"),
        all => {
            let listed: Vec<String> = all.iter().map(|name| format!("`{name}`")).collect();
            format!("expected one of {}", listed.join(", "))
        }
    }
}
