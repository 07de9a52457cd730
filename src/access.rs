//! The one gate in front of everything that changes the server's state or shows
//! debug data — the lab, `/__debug__/`, the toolbar: the client must be internal
//! (an address in `toolbar.internal_ips`, reached directly, not through a proxy),
//! name a host this server answers to (`allowed_hosts`, against DNS rebinding), and,
//! for a change, come from this server's own pages (against cross-site requests).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Headers a reverse proxy adds: a request carrying one is not a direct client's.
const PROXY_HEADERS: [HeaderName; 3] = [
    header::FORWARDED,
    HeaderName::from_static("x-forwarded-for"),
    HeaderName::from_static("x-real-ip"),
];

/// Who may see debug data and change the server's state.
#[derive(Debug, Clone)]
pub struct Gate {
    internal_ips: Vec<IpAddr>,
    allowed_hosts: Vec<String>,
}

/// Why the gate turned a request away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an internal client: it gets the ordinary 404 page, as if nothing were here.
    Hidden,
    /// The `Host` header names a host this server does not answer to.
    DisallowedHost(String),
    /// A change asked for from another site's page.
    CrossSite(String),
}

impl Gate {
    /// A gate letting in `internal_ips`, for requests naming one of `allowed_hosts`
    /// or the address the server listens on.
    #[must_use]
    pub fn new(internal_ips: &[IpAddr], allowed_hosts: &[String], listening: SocketAddr) -> Self {
        let mut hosts: Vec<String> = allowed_hosts
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if !listening.ip().is_unspecified() {
            hosts.push(match listening.ip() {
                IpAddr::V4(ip) => ip.to_string(),
                IpAddr::V6(ip) => format!("[{ip}]"),
            });
        }
        Self {
            internal_ips: internal_ips.iter().map(IpAddr::to_canonical).collect(),
            allowed_hosts: hosts,
        }
    }

    /// Whether `request` comes straight from an internal client, to an allowed host:
    /// who sees the toolbar and the lab's link.
    #[must_use]
    pub fn is_internal(&self, request: &Request) -> bool {
        self.check(request).is_ok()
    }

    /// Lets `request` through, or says why not: internal and direct first (so that
    /// others learn nothing), then its host, then — for anything but a read — its
    /// origin.
    pub fn check(&self, request: &Request) -> Result<(), Refusal> {
        let headers = request.headers();
        let internal =
            client_of(request).is_some_and(|ip| self.internal_ips.contains(&ip.to_canonical()));
        if !internal || headers.keys().any(|name| PROXY_HEADERS.contains(name)) {
            return Err(Refusal::Hidden);
        }
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !self.allows_host(host) {
            return Err(Refusal::DisallowedHost(host.to_owned()));
        }
        if !is_read(request.method()) {
            same_origin(headers, host).map_err(Refusal::CrossSite)?;
        }
        Ok(())
    }

    /// Django's `ALLOWED_HOSTS` match: the host without its port, case-insensitive;
    /// an entry `.example.com` also allows its subdomains, `*` allows any.
    fn allows_host(&self, host: &str) -> bool {
        let name = host_name(host).as_bytes();
        let ends_with = |suffix: &[u8]| {
            name.len() >= suffix.len()
                && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        };
        !name.is_empty()
            && self.allowed_hosts.iter().any(|allowed| {
                allowed == "*"
                    || allowed.as_bytes().eq_ignore_ascii_case(name)
                    || allowed.strip_prefix('.').is_some_and(|domain| {
                        domain.as_bytes().eq_ignore_ascii_case(name)
                            || ends_with(allowed.as_bytes())
                    })
            })
    }
}

/// The host part of a `Host` header: `localhost` of `localhost:8000`, `[::1]` of
/// `[::1]:8000`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// Reads (`GET`, `HEAD`, `OPTIONS`) change nothing and need no origin check.
fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Go's `CrossOriginProtection`: a browser's `Sec-Fetch-Site` must be `same-origin`
/// or `none`; without it, an `Origin` must be this server's own; a request with
/// neither (curl, a script) is not a browser's and passes.
fn same_origin(headers: &HeaderMap, host: &str) -> Result<(), String> {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            other => Err(format!("the browser says it came from a {other} page")),
        };
    }
    match text("origin") {
        None => Ok(()),
        Some(origin)
            if origin
                .strip_prefix("http://")
                .is_some_and(|rest| rest.eq_ignore_ascii_case(host)) =>
        {
            Ok(())
        }
        Some(origin) => Err(format!(
            "it came from {origin}, not from this server's own pages"
        )),
    }
}

/// The address of the client: from the connection when the server was started with
/// connect info, or from `MockConnectInfo` in router tests, as axum's extractor does.
#[must_use]
pub fn client_of(request: &Request) -> Option<IpAddr> {
    let extensions = request.extensions();
    let connected = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let mocked = || {
        extensions
            .get::<MockConnectInfo<SocketAddr>>()
            .map(|MockConnectInfo(addr)| *addr)
    };
    connected.or_else(mocked).map(|addr| addr.ip())
}

/// Middleware for the routes behind the gate.
pub async fn guard(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    match gate.check(&request) {
        Ok(()) => next.run(request).await,
        Err(Refusal::Hidden) => {
            AppError::NotFound("There is no page at this address.".to_owned()).into_response()
        }
        Err(Refusal::DisallowedHost(host)) => {
            // Django answers a disallowed host with 400, whatever the method.
            let status = StatusCode::BAD_REQUEST;
            let message = format!(
                "This server does not answer to the host “{host}”: it is not in `allowed_hosts`. Nothing was changed."
            );
            refused(status, message, &request_client(&request))
        }
        Err(Refusal::CrossSite(why)) => {
            let message = format!(
                "Refused: {why}. Changes are accepted from this server's own pages only. Nothing was changed."
            );
            refused(StatusCode::FORBIDDEN, message, &request_client(&request))
        }
    }
}

fn request_client(request: &Request) -> String {
    client_of(request).map_or_else(|| "an unknown client".to_owned(), |ip| ip.to_string())
}

fn refused(status: StatusCode, message: String, client: &str) -> Response {
    tracing::info!(%status, client, "{message}");
    AppError::Refused(status, message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(allowed: &[&str], listening: &str) -> Gate {
        let allowed: Vec<String> = allowed.iter().map(|host| (*host).to_owned()).collect();
        let internal = [IpAddr::from([127, 0, 0, 1])];
        Gate::new(&internal, &allowed, listening.parse().unwrap())
    }

    #[test]
    fn hosts_match_without_their_port_case_insensitively() {
        let gate = gate(&["localhost", "[::1]", ".example.com"], "192.168.1.5:8000");
        for host in [
            "localhost",
            "LOCALHOST:8000",
            "[::1]:8000",
            "192.168.1.5:8000",
            "example.com",
            "a.example.com",
            "A.Example.COM:8000",
        ] {
            assert!(gate.allows_host(host), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "localhost.evil.example",
            "notexample.com",
            "127.0.0.1",
        ] {
            assert!(!gate.allows_host(host), "{host}");
        }
        assert!(self::gate(&["*"], "0.0.0.0:80").allows_host("anything:1"));
    }

    #[test]
    fn a_change_must_come_from_this_servers_own_pages() {
        let mut headers = HeaderMap::new();
        assert!(same_origin(&headers, "localhost:8000").is_ok(), "curl");
        headers.insert("origin", "http://localhost:8000".parse().unwrap());
        assert!(same_origin(&headers, "localhost:8000").is_ok());
        assert!(same_origin(&headers, "127.0.0.1:8000").is_err());
        headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(
            same_origin(&headers, "127.0.0.1:8000").is_ok(),
            "the browser's word wins"
        );
        headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(same_origin(&headers, "localhost:8000").is_err());
    }
}
