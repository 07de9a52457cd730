//! The `[server]` table: how long clients may take, how many may be connected, how
//! long a stop waits, and whether each request is logged.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Switch;

/// Bounds that keep slow, idle or too many clients from starving the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// A request head (request line and headers) must arrive whole within this many
    /// seconds of its first byte, or the connection is closed; a body that stalls
    /// this long is refused (400).
    pub header_read_timeout_secs: u64,
    /// A keep-alive connection waiting this many seconds for its next request is
    /// closed.
    pub keep_alive_timeout_secs: u64,
    /// Connections open at once; past it, new ones wait in the listen queue.
    pub max_connections: usize,
    /// On SIGTERM or Ctrl-C, requests in flight get this many seconds to finish.
    pub shutdown_grace_secs: u64,
    /// One log line per request, as `runserver` prints.
    pub access_log: Switch,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            header_read_timeout_secs: 10,
            keep_alive_timeout_secs: 60,
            max_connections: 1000,
            shutdown_grace_secs: 10,
            access_log: Switch::On,
        }
    }
}

impl ServerSettings {
    /// The header-read bound; at least a second.
    #[must_use]
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs.max(1))
    }

    /// The keep-alive idle bound; at least a second.
    #[must_use]
    pub fn keep_alive_timeout(&self) -> Duration {
        Duration::from_secs(self.keep_alive_timeout_secs.max(1))
    }

    /// The shutdown bound.
    #[must_use]
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}
