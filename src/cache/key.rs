//! Cache keys: Django's default key function, `prefix:version:key`.

/// Builds the stored form of a key from the cache's prefix and a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMaker {
    prefix: String,
    version: u64,
}

impl KeyMaker {
    /// A key maker for `prefix` at `version`.
    #[must_use]
    pub fn new(prefix: &str, version: u64) -> Self {
        Self {
            prefix: prefix.to_owned(),
            version,
        }
    }

    /// `prefix:version:key`, as Django's `make_key` builds it.
    #[must_use]
    pub fn make(&self, key: &str) -> String {
        self.make_versioned(key, self.version)
    }

    /// The stored key for `key` at another version.
    #[must_use]
    pub fn make_versioned(&self, key: &str, version: u64) -> String {
        format!("{}:{}:{}", self.prefix, version, key)
    }

    /// What every key of this prefix starts with, whatever its version: what
    /// `clear` deletes.
    #[must_use]
    pub fn namespace(&self) -> String {
        format!("{}:", self.prefix)
    }

    /// The version keys are made at.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The same prefix at another version.
    #[must_use]
    pub fn at_version(&self, version: u64) -> Self {
        Self {
            prefix: self.prefix.clone(),
            version,
        }
    }
}

/// A 128-bit hex digest of a stored key, for backends whose names cannot hold any
/// key (file names): long keys and control characters still work.
#[must_use]
pub fn digest(key: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefix_version_key() {
        let keys = KeyMaker::new("pokedex", 1);
        assert_eq!(keys.make("views.all"), "pokedex:1:views.all");
        assert_eq!(keys.at_version(7).make("x"), "pokedex:7:x");
        assert_eq!(keys.namespace(), "pokedex:");
    }

    #[test]
    fn digests_are_stable_hex_of_fixed_length() {
        let long = "k".repeat(1000);
        assert_eq!(digest(&long).len(), 32);
        assert_eq!(digest("a\u{0}b\n"), digest("a\u{0}b\n"));
        assert_ne!(digest("a"), digest("b"));
    }
}
