//! The `[toolbar]` table: whether the debug toolbar shows, and to whom.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

/// `on` or `off`, as the flag takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    /// Shown to internal clients.
    On,
    /// Never shown, and nothing is recorded.
    Off,
}

/// The debug toolbar's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolbarSettings {
    /// Whether the toolbar is shown at all.
    pub show: Switch,
    /// Clients that see it (Django's `INTERNAL_IPS`), whatever address the server
    /// listens on.
    pub internal_ips: Vec<IpAddr>,
}

impl Default for ToolbarSettings {
    fn default() -> Self {
        Self {
            show: Switch::On,
            internal_ips: vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ],
        }
    }
}
