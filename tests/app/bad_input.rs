//! The bad-input corpus: a few thousand requests over raw sockets — odd paths,
//! encodings, ids, methods, headers, bodies, HTTP versions, pipelining and seeded
//! mutations of good requests — to the real binary with every cache on. None may
//! draw a 5xx, hang, or panic the server.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::server::Server;

const PATHS: &[&str] = &[
    "/",
    "/all",
    "/all/",
    "/ALL",
    "/pokemon/25",
    "/pokemon/0",
    "/pokemon/-1",
    "/pokemon/1025",
    "/pokemon/1026",
    "/pokemon/025",
    "/pokemon/99999999999999999999999",
    "/pokemon/abc",
    "/pokemon/%00",
    "/pokemon/%ff",
    "/pokemon/25%20",
    "/pokemon/1e3",
    "/pokemon/0x19",
    "/pokemon/25.0",
    "/pokemon/%32%35",
    "/pokemon/25/edit",
    "/pokemon/25/edit/",
    "/type/grass",
    "/type/GRASS",
    "/type/gr%61ss",
    "/type/%2e%2e",
    "/type/../../etc/passwd",
    "/type/",
    "/type/%",
    "/type/%zz",
    "/tipo/ñ",
    "/%",
    "//",
    "/..",
    "/./all",
    "/all?x=1&x=2",
    "/all?%zz=%",
    "/static/../Cargo.toml",
    "/static/%2e%2e/Cargo.toml",
    "/static/css/",
    "/static/css/pokedex.css?v=1",
    "/favicon.ico",
    "/lab",
    "/lab/",
    "/lab/compare",
    "/__debug__/requests/999999",
    "/__debug__/requests/abc.json",
    "/__debug__/requests/999999/panels",
    "/__debug__/requests/1.json/panels",
    "/__debug__/history",
    "/__bench__/counters",
    "*",
    "http://evil.example/all",
];

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "FOO", "get", "CONNECT",
];

/// Header lines added to a GET, each alone.
fn header_variants() -> Vec<String> {
    vec![
        String::new(),
        format!("X-Big: {}\r\n", "a".repeat(16 * 1024)),
        (0..200).fold(String::new(), |mut all, i| {
            let _ = write!(all, "X-H{i}: {i}\r\n");
            all
        }),
        "Bad Header: x\r\n".to_owned(),
        ": empty\r\n".to_owned(),
        "X-Ctl: a\u{1}b\r\n".to_owned(),
        "Host: a\r\nHost: b\r\n".to_owned(),
        "If-None-Match: garbage, W/, \"\r\n".to_owned(),
        "If-None-Match: *\r\n".to_owned(),
        "Accept-Encoding: *;q=x, gzip;q=2\r\n".to_owned(),
        "Cookie: pokedex_flash=%ZZ%; other\r\n".to_owned(),
        "Authorization: Bearer \u{7f}\r\n".to_owned(),
        "Forwarded: for=1.2.3.4\r\nX-Forwarded-For: 1.2.3.4\r\n".to_owned(),
        "Range: bytes=0-10\r\n".to_owned(),
        "Expect: 100-continue\r\n".to_owned(),
        "Vary: *\r\n".to_owned(),
        "Content-Length: -1\r\n".to_owned(),
        "Content-Length: 5\r\nContent-Length: 6\r\n\r\n".to_owned(),
        "Transfer-Encoding: chunked\r\n\r\nzz\r\n".to_owned(),
        "Transfer-Encoding: gzip, chunked\r\n".to_owned(),
        "Sec-Fetch-Site: cross-site\r\nOrigin: null\r\n".to_owned(),
    ]
}

/// Whole requests of odd shapes.
fn odd_requests() -> Vec<Vec<u8>> {
    let mut odd: Vec<Vec<u8>> = [
        "GET / HTTP/1.0\r\n\r\n",
        "GET / HTTP/2.0\r\nConnection: close\r\n\r\n",
        "GET / HTTP/9.9\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1x\r\nConnection: close\r\n\r\n",
        "GET /\r\n\r\n",
        "GET\r\n\r\n",
        "\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\nConnection: close\n\n",
        "GET  /  HTTP/1.1\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "POST /pokemon/25/edit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\nConnection: close\r\n\r\nname=",
        "POST /pokemon/25/edit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\nConnection: close\r\n\r\nname=%ZZ%",
        "POST /lab/strategies/site HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{\"a\":[",
        "POST /lab/strategies/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        "POST /pokemon/25/edit HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nname=\r\n0\r\n\r\n",
    ]
    .iter()
    .map(|request| request.as_bytes().to_vec())
    .collect();
    odd.push(
        format!(
            "GET /{} HTTP/1.1\r\nConnection: close\r\n\r\n",
            "x".repeat(64 * 1024)
        )
        .into_bytes(),
    );
    odd.push(vec![0xff; 2048]);
    let mut pipelined = String::new();
    for path in ["/", "/all", "/pokemon/25", "/nope", "/type/fire"]
        .iter()
        .cycle()
        .take(20)
    {
        pipelined.push_str("GET ");
        pipelined.push_str(path);
        pipelined.push_str(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }
    pipelined.push_str("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    odd.push(pipelined.into_bytes());
    odd
}

/// `good` mutated `n` ways by a seeded generator: bytes flipped, cut, doubled.
fn mutations(good: &[u8], n: usize, seed: &mut u64) -> Vec<Vec<u8>> {
    let mut next = move || {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(*seed >> 33).unwrap()
    };
    (0..n)
        .map(|_| {
            let mut bytes = good.to_vec();
            match next() % 4 {
                0 => {
                    for _ in 0..=next() % 4 {
                        let at = next() % bytes.len();
                        bytes[at] = u8::try_from(next() % 256).unwrap();
                    }
                }
                1 => bytes.truncate(next() % bytes.len()),
                2 => {
                    let at = next() % bytes.len();
                    let piece = bytes[at..].to_vec();
                    bytes.splice(at..at, piece);
                }
                _ => {
                    let at = next() % bytes.len();
                    bytes.insert(at, b"\r\n%\0\x7f:"[next() % 6]);
                }
            }
            bytes
        })
        .collect()
}

fn corpus() -> Vec<Vec<u8>> {
    let mut corpus = Vec::new();
    for path in PATHS {
        for method in METHODS {
            corpus.push(
                format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .into_bytes(),
            );
        }
    }
    for path in &PATHS[..12] {
        for headers in header_variants() {
            corpus.push(
                format!(
                    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
                )
                .into_bytes(),
            );
        }
    }
    corpus.extend(odd_requests());
    let mut seed = 0x5eed;
    for good in [
        "GET /pokemon/25 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "POST /pokemon/25/edit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\nConnection: close\r\n\r\nname=Pika2",
        "GET /all?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: \"abc\"\r\nConnection: close\r\n\r\n",
    ] {
        corpus.extend(mutations(good.as_bytes(), 450, &mut seed));
    }
    corpus
}

/// Sends `request`, then reads until the server closes; the status codes it gave.
fn statuses(addr: &str, request: &[u8]) -> Result<Vec<u16>, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    // A request the server refuses may be cut short: what it answered still counts.
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    if let Err(error) = stream.read_to_end(&mut response)
        && matches!(
            error.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )
    {
        return Err("the connection hung".to_owned());
    }
    let text = String::from_utf8_lossy(&response);
    Ok(text
        .match_indices("HTTP/1.")
        .filter_map(|(at, _)| text.get(at + 9..at + 12)?.parse().ok())
        .collect())
}

#[test]
fn thousands_of_bad_requests_draw_no_5xx_no_hang_and_no_panic() {
    let server = Server::start(&[
        "--site-cache",
        "memory",
        "--fragment-cache",
        "file",
        "--header-read-timeout-secs",
        "1",
        "--keep-alive-timeout-secs",
        "2",
        "--access-log",
        "off",
    ]);
    let corpus = Arc::new(corpus());
    assert!(corpus.len() > 2_000, "{} requests", corpus.len());
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (corpus, next, failures) = (
                Arc::clone(&corpus),
                Arc::clone(&next),
                Arc::clone(&failures),
            );
            let addr = server.addr.clone();
            std::thread::spawn(move || {
                while let Some(request) = corpus.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let answer = statuses(&addr, request);
                    if !answer
                        .as_ref()
                        .is_ok_and(|codes| codes.iter().all(|&code| code < 500))
                    {
                        let shown = String::from_utf8_lossy(&request[..request.len().min(200)])
                            .into_owned();
                        failures.lock().unwrap().push((shown, answer));
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} bad answers: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert!(
        server.get("/pokemon/25").starts_with("HTTP/1.1 200 OK"),
        "still serving"
    );
    let log: Vec<String> = server.log.try_iter().collect();
    let panics: Vec<&String> = log
        .iter()
        .filter(|line| line.contains("panicked"))
        .collect();
    assert!(panics.is_empty(), "{panics:#?}");
}
