//! The server's bounds on a real socket: slow request heads and idle keep-alive
//! connections are closed, the connection limit holds new clients back instead of
//! failing them, and a stop waits for stragglers only as long as the grace period.

use std::net::SocketAddr;
use std::time::Duration;

use pokedex::app::Application;
use pokedex::settings::Settings;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    served: JoinHandle<std::io::Result<()>>,
    _dir: TempDir,
}

async fn serve_with(configure: impl FnOnce(&mut Settings)) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..Settings::default()
    };
    settings.database.url = format!("sqlite://{}", dir.path().join("pokedex.sqlite3").display());
    settings.server.access_log = pokedex::settings::Switch::Off;
    configure(&mut settings);
    let app = Application::build(&settings).await.unwrap();
    let addr = app.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
        served,
        _dir: dir,
    }
}

const HEAD: &str = "GET /pokemon/25 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// Reads until the peer closes; `Err` when it is still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Result<Vec<u8>, Vec<u8>> {
    let mut seen = Vec::new();
    let mut buf = vec![0_u8; 16_384];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Ok(seen),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return Err(seen),
        }
    }
}

/// One whole response's status line on a fresh connection.
async fn status_of_new_request(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = "GET /pokemon/25 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_that_stalls_is_closed_after_the_header_read_timeout() {
    let server = serve_with(|s| {
        s.server.header_read_timeout_secs = 1;
        s.server.keep_alive_timeout_secs = 60;
    })
    .await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /all HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    assert_eq!(
        status_of_new_request(server.addr).await,
        "HTTP/1.1 200 OK",
        "others are served meanwhile"
    );
    let answer = closed_within(&mut slow, Duration::from_secs(20))
        .await
        .expect("the slow head's connection is closed, long before the idle bound");
    assert!(
        !String::from_utf8_lossy(&answer).contains("200 OK"),
        "the stalled request is never served"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let server = serve_with(|s| {
        s.server.header_read_timeout_secs = 60;
        s.server.keep_alive_timeout_secs = 1;
    })
    .await;
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(HEAD.as_bytes()).await.unwrap();
    let answered = closed_within(&mut idle, Duration::from_secs(20))
        .await
        .expect("the idle connection is closed after its request");
    let answered = String::from_utf8_lossy(&answered);
    assert!(
        answered.starts_with("HTTP/1.1 200 OK"),
        "served first: {answered}"
    );
    assert_eq!(answered.matches("HTTP/1.1 ").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_limit_a_new_client_waits_instead_of_failing() {
    let server = serve_with(|s| s.server.max_connections = 2).await;
    let first = TcpStream::connect(server.addr).await.unwrap();
    let mut second = TcpStream::connect(server.addr).await.unwrap();
    second.write_all(HEAD.as_bytes()).await.unwrap();
    let mut buf = [0_u8; 1024];
    let n = second.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200 OK"), "two are served");

    let third = tokio::spawn(status_of_new_request(server.addr));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!third.is_finished(), "a third waits while two are open");
    drop(first);
    let status = tokio::time::timeout(Duration::from_secs(20), third)
        .await
        .expect("served once a connection closed")
        .unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_waits_for_a_straggler_no_longer_than_the_grace_period() {
    let mut server = serve_with(|s| {
        s.server.shutdown_grace_secs = 1;
        s.server.header_read_timeout_secs = 600;
        s.server.keep_alive_timeout_secs = 600;
    })
    .await;
    let mut straggler = TcpStream::connect(server.addr).await.unwrap();
    straggler
        .write_all(b"GET /all HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.stop.take().unwrap().send(()).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(30), &mut server.served)
        .await
        .expect("the server stopped despite the straggler");
    outcome.unwrap().unwrap();
    assert!(
        TcpStream::connect(server.addr).await.is_err(),
        "no longer accepting"
    );
}

/// The head of the answer to `method path` on a fresh connection, lower-cased, and
/// the body's length.
async fn exchange(addr: SocketAddr, method: &str, path: &str) -> (String, usize) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a whole head");
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    (head, response.len() - split - 4)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_on_the_wire_says_the_length_of_its_get() {
    let server = serve_with(|s| {
        s.site.backend = Some(pokedex::cache::backends::CacheBackend::Memory);
        s.toolbar.show = pokedex::settings::Switch::Off;
    })
    .await;
    let (miss, nothing) = exchange(server.addr, "HEAD", "/all").await;
    assert_eq!(nothing, 0, "a HEAD has no body");
    let (_, length) = exchange(server.addr, "GET", "/all").await;
    let (hit, _) = exchange(server.addr, "HEAD", "/all").await;
    assert!(length > 100_000, "{length}");
    for head in [miss, hit] {
        assert!(
            head.contains(&format!("\r\ncontent-length: {length}\r\n")),
            "{head}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stalls_is_refused_408_after_the_header_read_timeout() {
    let server = serve_with(|s| {
        s.server.header_read_timeout_secs = 1;
        s.server.keep_alive_timeout_secs = 60;
    })
    .await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(
        b"POST /pokemon/25/edit HTTP/1.1\r\nHost: 127.0.0.1\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=",
    )
    .await
    .unwrap();
    let answer = closed_within(&mut slow, Duration::from_secs(20))
        .await
        .expect("answered and closed, long before the idle bound");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("The form did not arrive in time."),
        "{answer}"
    );
}
