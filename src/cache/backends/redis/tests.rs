//! The Redis backend against the real server on 127.0.0.1:6379.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use super::*;

const REDIS: &str = "127.0.0.1:6379";

/// A backend on the local Redis and a namespace no other test or run shares; `None`,
/// loudly, when no Redis answers and `CI` is unset.
async fn live(test: &str) -> Option<(RedisBackend, String)> {
    let backend = RedisBackend::new(&format!("redis://{REDIS}"), Duration::from_secs(2)).unwrap();
    match backend.has_key("pokedex-test-probe").await {
        Ok(_) => {}
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!(
                "\n!!! SKIPPED {test}: no Redis at {REDIS} ({error}); with CI set this fails !!!\n"
            );
            return None;
        }
        Err(error) => panic!("CI is set but Redis at {REDIS} does not answer: {error}"),
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let namespace = format!("pokedex-test:{test}:{}:{nanos}:", std::process::id());
    Some((backend, namespace))
}

async fn pttl(backend: &RedisBackend, key: &str) -> i64 {
    backend.query(redis::cmd("PTTL").arg(key)).await.unwrap()
}

fn minute() -> Expiry {
    Expiry::after(Duration::from_secs(60))
}

#[tokio::test]
async fn set_expires_with_px_and_a_plain_set_clears_the_ttl() {
    let Some((backend, namespace)) = live("set_expires").await else {
        return;
    };
    let key = format!("{namespace}k");
    let value = Bytes::from_static(b"\xFEpikachu");
    backend.set(&key, value.clone(), minute()).await.unwrap();
    assert_eq!(backend.get(&key).await.unwrap(), Some(value));
    assert!((59_000..=60_000).contains(&pttl(&backend, &key).await));
    backend
        .set(&key, Bytes::from_static(b"1"), Expiry::Never)
        .await
        .unwrap();
    assert_eq!(pttl(&backend, &key).await, -1, "no TTL left");
    let brief = Expiry::after(Duration::from_millis(30));
    backend
        .set(&key, Bytes::from_static(b"2"), brief)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(backend.get(&key).await.unwrap(), None);
    backend.clear(&namespace).await.unwrap();
}

#[tokio::test]
async fn many_keys_go_in_one_round_trip_and_touch_and_delete_report_presence() {
    let Some((backend, namespace)) = live("many_keys").await else {
        return;
    };
    let [a, b, missing] = ["a", "b", "missing"].map(|key| format!("{namespace}{key}"));
    let entries = [
        (a.clone(), Bytes::from_static(b"1")),
        (b.clone(), Bytes::new()),
    ];
    backend.set_many(&entries, minute()).await.unwrap();
    let found = backend
        .get_many(&[b.clone(), missing.clone(), a.clone()])
        .await
        .unwrap();
    assert_eq!(
        found,
        [Some(Bytes::new()), None, Some(Bytes::from_static(b"1"))]
    );
    assert!(backend.get_many(&[]).await.unwrap().is_empty());
    assert!(backend.has_key(&b).await.unwrap() && !backend.has_key(&missing).await.unwrap());
    assert!(backend.touch(&a, Expiry::Never).await.unwrap());
    assert_eq!(pttl(&backend, &a).await, -1);
    assert!(
        backend
            .touch(&a, Expiry::after(Duration::from_secs(5)))
            .await
            .unwrap()
    );
    assert!((4_000..=5_000).contains(&pttl(&backend, &a).await));
    assert!(!backend.touch(&missing, Expiry::Never).await.unwrap());
    assert!(!backend.touch(&missing, minute()).await.unwrap());
    assert!(backend.delete(&a).await.unwrap() && !backend.delete(&a).await.unwrap());
    assert_eq!(backend.delete_many(&[a, b, missing]).await.unwrap(), 1);
    assert_eq!(backend.delete_many(&[]).await.unwrap(), 0);
}

#[tokio::test]
async fn add_stores_only_when_the_key_is_absent() {
    let Some((backend, namespace)) = live("add").await else {
        return;
    };
    let key = format!("{namespace}k");
    assert!(
        backend
            .add(&key, Bytes::from_static(b"first"), minute())
            .await
            .unwrap()
    );
    assert!(
        !backend
            .add(&key, Bytes::from_static(b"second"), Expiry::Never)
            .await
            .unwrap()
    );
    assert_eq!(backend.get(&key).await.unwrap().unwrap(), "first");
    assert!(
        pttl(&backend, &key).await > 0,
        "the losing add kept the TTL"
    );
    backend.clear(&namespace).await.unwrap();
}

#[tokio::test]
async fn incr_keeps_the_ttl_and_refuses_missing_and_non_integer_values() {
    let Some((backend, namespace)) = live("incr").await else {
        return;
    };
    let [counter, missing, text, big] =
        ["counter", "missing", "text", "big"].map(|key| format!("{namespace}{key}"));
    backend
        .set(&counter, Bytes::from_static(b"10"), minute())
        .await
        .unwrap();
    assert_eq!(backend.incr(&counter, 5).await.unwrap(), 15);
    assert_eq!(backend.incr(&counter, -20).await.unwrap(), -5);
    assert!((59_000..=60_000).contains(&pttl(&backend, &counter).await));
    assert!(matches!(
        backend.incr(&missing, 1).await,
        Err(IncrError::Missing)
    ));
    assert!(
        !backend.has_key(&missing).await.unwrap(),
        "incr created nothing"
    );
    backend
        .set(&text, Bytes::from_static(b"\xFEabc"), minute())
        .await
        .unwrap();
    assert!(matches!(
        backend.incr(&text, 1).await,
        Err(IncrError::NotInteger)
    ));
    let near_max = Bytes::from((i64::MAX - 1).to_string());
    backend.set(&big, near_max, minute()).await.unwrap();
    assert_eq!(
        backend.incr(&big, 1).await.unwrap(),
        i64::MAX,
        "exact past 2^53"
    );
    assert!(matches!(
        backend.incr(&big, 1).await,
        Err(IncrError::Overflow)
    ));
    backend.clear(&namespace).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_incrs_add_thirty_two() {
    let Some((backend, namespace)) = live("concurrent_incr").await else {
        return;
    };
    let backend = Arc::new(backend);
    let key = format!("{namespace}hits");
    backend
        .set(&key, Bytes::from_static(b"0"), minute())
        .await
        .unwrap();
    let mut tasks = JoinSet::new();
    for _ in 0..32 {
        let (backend, key) = (Arc::clone(&backend), key.clone());
        tasks.spawn(async move { backend.incr(&key, 1).await.unwrap() });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap();
    }
    assert_eq!(backend.get(&key).await.unwrap().unwrap(), "32");
    backend.clear(&namespace).await.unwrap();
}

#[tokio::test]
async fn clear_removes_its_namespace_over_many_scan_steps_and_nothing_else() {
    let Some((backend, namespace)) = live("clear").await else {
        return;
    };
    let (mine, other) = (format!("{namespace}app:"), format!("{namespace}other:"));
    let entries: Vec<(String, Bytes)> = (0..1_200)
        .map(|n| (format!("{mine}{n}"), Bytes::from_static(b"1")))
        .collect();
    backend.set_many(&entries, minute()).await.unwrap();
    let survivor = format!("{other}k");
    backend
        .set(&survivor, Bytes::from_static(b"1"), minute())
        .await
        .unwrap();
    backend.clear(&mine).await.unwrap();
    let keys: Vec<String> = entries.into_iter().map(|(key, _)| key).collect();
    assert_eq!(backend.delete_many(&keys).await.unwrap(), 0, "all cleared");
    assert!(backend.has_key(&survivor).await.unwrap());
    backend.clear(&namespace).await.unwrap();
    assert!(!backend.has_key(&survivor).await.unwrap());
}

#[test]
fn escape_glob_escapes_every_metacharacter() {
    assert_eq!(escape_glob(r"a*b?[c]\d:é"), r"a\*b\?\[c\]\\d:é");
}

#[tokio::test]
async fn clear_of_a_glob_looking_namespace_removes_only_its_own_keys() {
    let Some((backend, namespace)) = live("clear_glob").await else {
        return;
    };
    let glob = format!(r"{namespace}a*b?[c]\:");
    let own = format!("{glob}k");
    // What the namespace would match if it were read as a pattern.
    let lookalike = format!("{namespace}aXXbYc:k");
    for key in [&own, &lookalike] {
        backend
            .set(key, Bytes::from_static(b"1"), minute())
            .await
            .unwrap();
    }
    backend.clear(&glob).await.unwrap();
    assert!(!backend.has_key(&own).await.unwrap());
    assert!(backend.has_key(&lookalike).await.unwrap());
    backend.clear(&namespace).await.unwrap();
}

#[tokio::test]
async fn long_binary_and_unicode_keys_round_trip() {
    let Some((backend, namespace)) = live("odd_keys").await else {
        return;
    };
    let key = format!(
        "{namespace}\u{0}\u{1}\t\n\r \u{7f}ポケモン{}",
        "x".repeat(1_500)
    );
    backend
        .set(&key, Bytes::from_static(b"1"), minute())
        .await
        .unwrap();
    assert_eq!(backend.get(&key).await.unwrap().unwrap(), "1");
    assert_eq!(backend.incr(&key, 1).await.unwrap(), 2);
    backend.clear(&namespace).await.unwrap();
    assert!(!backend.has_key(&key).await.unwrap());
}

/// The error of a `get` that must fail within about `timeout`, leaving the
/// connection unmade so that the next call tries again.
async fn failure_within(backend: &RedisBackend, timeout: Duration) -> BackendError {
    let started = Instant::now();
    let error = backend.get("k").await.expect_err("nothing to answer");
    let elapsed = started.elapsed();
    assert!(
        elapsed < timeout + Duration::from_millis(300),
        "{elapsed:?}"
    );
    assert!(backend.manager.get().is_none(), "no connection kept");
    let getter = backend.getter.as_ref().expect("a TCP server");
    assert_eq!(getter.connections_up(), 0, "no GET connection kept");
    error
}

#[tokio::test]
async fn a_closed_port_fails_fast_on_every_call() {
    let timeout = Duration::from_millis(200);
    let backend = RedisBackend::new("redis://127.0.0.1:1", timeout).unwrap();
    for _ in 0..2 {
        let error = failure_within(&backend, timeout).await;
        assert!(
            matches!(error, BackendError::Redis(_)),
            "refused, not timed out: {error}"
        );
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("redis://{}", listener.local_addr().unwrap());
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let timeout = Duration::from_millis(200);
    let backend = RedisBackend::new(&url, timeout).unwrap();
    for _ in 0..2 {
        let error = failure_within(&backend, timeout).await;
        assert!(
            matches!(error, BackendError::Timeout(after) if after == timeout),
            "{error}"
        );
    }
    silent.abort();
}

/// Forwards connections on `listener` to the local Redis until aborted, which
/// closes them all: a Redis that can be stopped and started again.
fn proxy(listener: TcpListener) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        while let Ok((mut client, _)) = listener.accept().await {
            connections.spawn(async move {
                if let Ok(mut server) = TcpStream::connect(REDIS).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    })
}

/// Gets until a call succeeds, as requests would while Redis comes back.
async fn recovers(backend: &RedisBackend) -> bool {
    for _ in 0..40 {
        if backend.get("k").await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn caching_resumes_when_redis_comes_back_without_a_restart() {
    if live("comes_back").await.is_none() {
        return;
    }
    let address = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let backend =
        RedisBackend::new(&format!("redis://{address}"), Duration::from_millis(500)).unwrap();
    assert!(backend.get("k").await.is_err(), "down at start");
    let up = proxy(TcpListener::bind(address).await.unwrap());
    assert!(recovers(&backend).await, "first connection");
    up.abort();
    let _ = up.await;
    assert!(backend.get("k").await.is_err(), "down again");
    let up = proxy(TcpListener::bind(address).await.unwrap());
    assert!(recovers(&backend).await, "reconnection");
    up.abort();
}

#[tokio::test]
async fn gets_pipelined_together_each_read_their_own_value() {
    let Some((backend, namespace)) = live("pipelined_gets").await else {
        return;
    };
    let sizes = [0, 1, 5_000, 70_000, 300_000, 1 << 20];
    let mut stored = Vec::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let key = format!("{namespace}{size}");
        let value: Vec<u8> = (0..size)
            .map(|n| u8::try_from((n * 7 + i) % 251).unwrap())
            .collect();
        let value = Bytes::from(value);
        backend.set(&key, value.clone(), minute()).await.unwrap();
        stored.push((key, Some(value)));
    }
    stored.push((format!("{namespace}missing"), None));
    let asked: Vec<_> = (0..60).map(|n| &stored[n * 5 % stored.len()]).collect();
    let got = futures_util::future::join_all(asked.iter().map(|(key, _)| backend.get(key))).await;
    for ((key, expected), got) in asked.iter().zip(got) {
        assert_eq!(&got.unwrap(), expected, "{key}");
    }
    backend.clear(&namespace).await.unwrap();
}

#[tokio::test]
async fn a_get_given_up_on_leaves_the_next_its_own_reply() {
    let Some((backend, namespace)) = live("given_up").await else {
        return;
    };
    let (big, small) = (format!("{namespace}big"), format!("{namespace}small"));
    let page = Bytes::from(vec![b'x'; 200_000]);
    backend.set(&big, page.clone(), minute()).await.unwrap();
    backend
        .set(&small, Bytes::from_static(b"s"), minute())
        .await
        .unwrap();
    // Every connection up first, so that each GET given up on is written: only its
    // reply, read and dropped, stands between the connection and the next GET's.
    for _ in 0..getter::PIPES {
        assert_eq!(backend.get(&small).await.unwrap().unwrap(), "s");
    }
    for _ in 0..20 {
        // Polled once, which writes the GET, then dropped as a timed-out request is.
        let given_up = futures_util::FutureExt::now_or_never(backend.get(&big));
        assert!(given_up.is_none(), "no reply can have come yet");
        // At once, one GET on each connection, the given-up one's included: each
        // is owed its reply while the page given up on is still on its way.
        let smalls = (0..getter::PIPES).map(|_| backend.get(&small));
        for got in futures_util::future::join_all(smalls).await {
            assert_eq!(got.unwrap().unwrap(), "s");
        }
    }
    assert_eq!(backend.get(&big).await.unwrap(), Some(page));
    assert_eq!(
        backend.getter.as_ref().unwrap().connections_up(),
        getter::PIPES
    );
    backend.clear(&namespace).await.unwrap();
}

#[tokio::test]
async fn a_refused_get_is_an_error_for_that_get_alone() {
    let Some((backend, namespace)) = live("refused_get").await else {
        return;
    };
    let (list, plain) = (format!("{namespace}list"), format!("{namespace}plain"));
    let _: i64 = backend
        .query(redis::cmd("RPUSH").arg(&list).arg("a"))
        .await
        .unwrap();
    backend
        .set(&plain, Bytes::from_static(b"p"), minute())
        .await
        .unwrap();
    let getter = backend.getter.as_ref().unwrap();
    for _ in 0..getter::PIPES {
        assert_eq!(backend.get(&plain).await.unwrap().unwrap(), "p");
    }
    let (refused, fine) = tokio::join!(backend.get(&list), backend.get(&plain));
    let refused = refused.expect_err("GET of a list");
    assert!(refused.to_string().contains("WRONGTYPE"), "{refused}");
    assert_eq!(fine.unwrap().unwrap(), "p");
    assert_eq!(
        getter.connections_up(),
        getter::PIPES,
        "the refusing one kept"
    );
    for _ in 0..getter::PIPES {
        assert_eq!(backend.get(&plain).await.unwrap().unwrap(), "p");
    }
    backend.clear(&namespace).await.unwrap();
}

#[tokio::test]
async fn a_connection_that_fails_is_replaced_by_the_next_get() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("redis://{}", listener.local_addr().unwrap());
    // The first connection logs in, then is closed when its first GET arrives; the
    // later ones answer every GET with "hi".
    let server = tokio::spawn(async move {
        let mut first = true;
        let mut answering = JoinSet::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let closing = std::mem::take(&mut first);
            answering.spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buffer = [0; 1024];
                while let Ok(read) = socket.read(&mut buffer).await {
                    let gets = buffer[..read].windows(3).filter(|w| w == b"GET").count();
                    if read == 0 || (closing && gets > 0) {
                        return;
                    }
                    let pings = buffer[..read].windows(4).filter(|w| w == b"PING").count();
                    let mut replies = b"+PONG\r\n".repeat(pings);
                    replies.extend(b"$2\r\nhi\r\n".repeat(gets));
                    if socket.write_all(&replies).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let backend = RedisBackend::new(&url, Duration::from_secs(2)).unwrap();
    let closed = backend.get("k").await.expect_err("its connection closed");
    assert!(
        !matches!(closed, BackendError::Timeout(_)),
        "failed at once: {closed}"
    );
    for _ in 0..2 * getter::PIPES {
        assert_eq!(backend.get("k").await.unwrap().unwrap(), "hi");
    }
    let getter = backend.getter.as_ref().unwrap();
    assert_eq!(
        getter.connections_up(),
        getter::PIPES,
        "the closed one replaced"
    );
    server.abort();
}

#[tokio::test]
async fn the_gets_log_in_and_select_the_database_the_url_names() {
    let Some((backend, namespace)) = live("login").await else {
        return;
    };
    let key = format!("{namespace}in-db-7");
    let db7 = RedisBackend::new(&format!("redis://{REDIS}/7"), Duration::from_secs(2)).unwrap();
    db7.set(&key, Bytes::from_static(b"seven"), minute())
        .await
        .unwrap();
    assert_eq!(db7.get(&key).await.unwrap().unwrap(), "seven");
    assert_eq!(backend.get(&key).await.unwrap(), None, "not in database 0");
    db7.clear(&namespace).await.unwrap();
    // This server has no password: AUTH is refused, and so is the GET.
    let wrong = RedisBackend::new(&format!("redis://:wrong@{REDIS}"), Duration::from_secs(2));
    let refused = wrong.unwrap().get(&key).await.expect_err("AUTH refused");
    assert!(refused.to_string().contains("AUTH"), "{refused}");
}
