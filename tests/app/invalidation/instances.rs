//! Two real server processes sharing one database: an edit made on one is never
//! served stale by the other for more than a second, whatever cache it uses; and two
//! on different databases never serve each other's pages, even from one Redis.

use std::time::{Duration, Instant};

use crate::server::Server;

use super::fields_of;
use crate::cache::subjects::{REDIS_URL, redis_is_up};
use crate::helpers::{RedisKeys, unique};

/// The body of a raw HTTP response.
fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

/// Pikachu's HP as `/pokemon/25` on `server` shows it.
fn hp(server: &Server) -> String {
    let page = server.get("/pokemon/25");
    let marker = "<th>HP</th><td class=\"stat-value\">";
    let at = page.find(marker).expect("the HP row") + marker.len();
    page[at..].split('<').next().unwrap().to_owned()
}

/// Edits Pikachu's HP on `server` through its form.
fn set_hp(server: &Server, hp: &str) {
    let form = server.get("/pokemon/25/edit");
    let mut fields = fields_of(body(&form));
    for field in &mut fields {
        if field.0 == "hp" {
            hp.clone_into(&mut field.1);
        }
    }
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    let saved = server.post_form("/pokemon/25/edit", &body);
    assert!(saved.starts_with("HTTP/1.1 303"), "{saved}");
}

/// How long `server` went on showing the old HP after the edit.
fn stale_for(server: &Server, hp_now: &str) -> Duration {
    let edited = Instant::now();
    while hp(server) != hp_now {
        assert!(
            edited.elapsed() < Duration::from_secs(10),
            "never caught up"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    edited.elapsed()
}

/// Two servers on one database file, with `args`.
fn pair(args: &[&str]) -> (tempfile::TempDir, Server, Server) {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("shared.sqlite3").display());
    let mut args = args.to_vec();
    args.extend(["--database", &database]);
    let first = Server::start(&args);
    let second = Server::start(&args);
    (dir, first, second)
}

fn an_edit_on_one_reaches_the_other_within_a_second(args: &[&str]) {
    let (_dir, first, second) = pair(args);
    assert_eq!(hp(&first), "35");
    assert_eq!(hp(&second), "35");
    assert_eq!(hp(&second), "35", "now from the second's cache");
    set_hp(&first, "77");
    let stale = stale_for(&second, "77");
    assert!(stale <= Duration::from_secs(1), "stale for {stale:?}");
}

#[tokio::test]
async fn an_edit_reaches_another_instance_memory_cache_within_a_second_in_tags_mode() {
    an_edit_on_one_reaches_the_other_within_a_second(&[
        "--site-cache",
        "memory",
        "--invalidation",
        "tags",
    ]);
}

#[tokio::test]
async fn an_edit_reaches_another_instance_memory_cache_within_a_second_in_version_mode() {
    an_edit_on_one_reaches_the_other_within_a_second(&[
        "--site-cache",
        "memory",
        "--invalidation",
        "version",
    ]);
}

#[tokio::test]
async fn instances_sharing_a_database_share_redis_entries_and_their_invalidation() {
    if !redis_is_up("instances sharing redis").await {
        return;
    }
    let prefix = format!("pokedex-test-{}", unique());
    let _keys = RedisKeys::under(REDIS_URL, &prefix);
    let (_dir, first, second) = pair(&[
        "--site-cache",
        "redis",
        "--invalidation",
        "tags",
        "--caches-redis-key-prefix",
        &prefix,
    ]);
    let miss = first.get("/pokemon/25");
    assert!(miss.contains("x-cache: MISS"), "{miss}");
    let shared = second.get("/pokemon/25");
    assert!(
        shared.contains("x-cache: HIT"),
        "one catalogue, one entry: {shared}"
    );
    set_hp(&first, "88");
    let stale = stale_for(&second, "88");
    assert!(stale <= Duration::from_secs(1), "stale for {stale:?}");
    first.post_form("/lab/caches/redis/clear", "");
}

#[tokio::test]
async fn instances_on_different_databases_never_serve_each_others_pages_from_one_redis() {
    if !redis_is_up("instances on different databases").await {
        return;
    }
    let prefix = format!("pokedex-test-{}", unique());
    let _keys = RedisKeys::under(REDIS_URL, &prefix);
    let args = [
        "--site-cache",
        "redis",
        "--caches-redis-key-prefix",
        &prefix,
    ];
    let first = Server::start(&args);
    let second = Server::start(&args);
    assert!(first.get("/pokemon/25").contains("x-cache: MISS"));
    let other = second.get("/pokemon/25");
    assert!(
        other.contains("x-cache: MISS"),
        "another catalogue: {other}"
    );
    set_hp(&first, "66");
    assert_eq!(hp(&second), "35", "the second's catalogue was not edited");
    first.post_form("/lab/caches/redis/clear", "");
}
