//! The one list of settings that environment variables and flags can set.

/// How a value given as text (by a variable or a flag) becomes a settings value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Kept as text; the typed field parses it (addresses, URLs, names).
    Text,
    /// A whole number.
    Integer,
}

/// One setting: its dotted path in `pokedex.toml`, its variable and its flag.
#[derive(Debug)]
pub struct Key {
    /// Dotted path in the settings file, e.g. `database.url`.
    pub path: &'static str,
    /// Environment variable that overrides the file.
    pub env: &'static str,
    /// Long flag (without `--`) that overrides the variable.
    pub flag: &'static str,
    /// How the variable's or flag's text is read.
    pub kind: Kind,
    /// Name of the value in `--help`.
    pub value_name: &'static str,
    /// One line for `--help` and the README.
    pub help: &'static str,
}

/// Every setting that can come from the environment or the command line.
pub const KEYS: &[Key] = &[
    Key {
        path: "addr",
        env: "POKEDEX_ADDR",
        flag: "addr",
        kind: Kind::Text,
        value_name: "HOST:PORT",
        help: "Address to listen on [default: 127.0.0.1:8000]",
    },
    Key {
        path: "database.url",
        env: "DATABASE_URL",
        flag: "database",
        kind: Kind::Text,
        value_name: "URL",
        help: "SQLite database URL [default: sqlite://pokedex.sqlite3]",
    },
    Key {
        path: "database.max_connections",
        env: "POKEDEX_DATABASE_MAX_CONNECTIONS",
        flag: "database-max-connections",
        kind: Kind::Integer,
        value_name: "N",
        help: "Size of the database connection pool [default: 8]",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_distinct_path_variable_and_flag() {
        for (i, a) in KEYS.iter().enumerate() {
            for b in &KEYS[i + 1..] {
                assert_ne!(a.path, b.path);
                assert_ne!(a.env, b.env);
                assert_ne!(a.flag, b.flag);
            }
        }
    }
}
