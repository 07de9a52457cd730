//! The database backend: expiry, culling, atomic incr, corrupt rows, clear.

use std::time::Duration;

use super::*;

const BOUND: Cull = Cull {
    max_entries: 10,
    cull_frequency: 3,
};

async fn backend(cull: Cull) -> (tempfile::TempDir, DatabaseBackend) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("cache.sqlite3").display());
    let pool = crate::db::pool::open(&url, 8).await.expect("pool");
    (dir, DatabaseBackend::open(pool, cull).await.expect("open"))
}

fn hour() -> Expiry {
    Expiry::after(Duration::from_secs(3600))
}

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|&name| name.to_owned()).collect()
}

#[tokio::test]
async fn create_table_creates_the_table_once() {
    let (_dir, cache) = backend(BOUND).await;
    assert!(!create_table(cache.pool()).await.unwrap());
    sqlx::query("DROP TABLE cache_table")
        .execute(cache.pool())
        .await
        .unwrap();
    assert!(create_table(cache.pool()).await.unwrap());
    assert_eq!(cache.usage("").await.unwrap().entries, 0);
}

#[tokio::test]
async fn expired_rows_are_misses_and_purged_by_reads() {
    let (_dir, cache) = backend(BOUND).await;
    cache
        .set("p:1:old", Bytes::from_static(b"old"), Expiry::At(1))
        .await
        .unwrap();
    cache
        .set("p:1:live", Bytes::from_static(b"live"), hour())
        .await
        .unwrap();
    let found = cache
        .get_many(&keys(&["p:1:live", "p:1:old", "p:1:none", "p:1:live"]))
        .await;
    let found: Vec<_> = found
        .unwrap()
        .into_iter()
        .map(|value| value.map(|v| v.to_vec()))
        .collect();
    assert_eq!(
        found,
        [Some(b"live".to_vec()), None, None, Some(b"live".to_vec())]
    );
    assert_eq!(cache.usage("").await.unwrap().entries, 1);
    cache
        .set("p:1:old", Bytes::from_static(b"old"), Expiry::At(1))
        .await
        .unwrap();
    assert_eq!(cache.get("p:1:old").await.unwrap(), None);
    assert_eq!(cache.usage("").await.unwrap().entries, 1);
}

#[tokio::test]
async fn many_keys_are_read_and_deleted_in_chunks() {
    let (_dir, cache) = backend(Cull {
        max_entries: 10_000,
        cull_frequency: 3,
    })
    .await;
    let entries: Vec<(String, Bytes)> = (0..1200)
        .map(|i| (format!("p:1:{i}"), Bytes::from(i.to_string())))
        .collect();
    cache.set_many(&entries, hour()).await.unwrap();
    let names: Vec<String> = entries.iter().map(|(key, _)| key.clone()).collect();
    let found = cache.get_many(&names).await.unwrap();
    assert!(
        found
            .iter()
            .zip(&entries)
            .all(|(found, (_, value))| found.as_ref() == Some(value))
    );
    assert_eq!(cache.delete_many(&names).await.unwrap(), 1200);
    assert_eq!(cache.usage("").await.unwrap().entries, 0);
}

#[tokio::test]
async fn culling_removes_expired_rows_before_older_live_ones() {
    let cull = Cull {
        max_entries: 10,
        cull_frequency: 10,
    };
    let (_dir, cache) = backend(cull).await;
    cache
        .set("p:1:oldest", Bytes::from_static(b"v"), hour())
        .await
        .unwrap();
    for i in 0..9 {
        cache
            .set(&format!("p:1:{i}"), Bytes::from_static(b"v"), Expiry::At(1))
            .await
            .unwrap();
    }
    cache
        .set("p:1:new", Bytes::from_static(b"v"), hour())
        .await
        .unwrap();
    assert_eq!(cache.usage("").await.unwrap().entries, 2);
    assert!(cache.get("p:1:oldest").await.unwrap().is_some());
}

#[tokio::test]
async fn incr_tells_missing_from_not_integer_from_overflow() {
    let (_dir, cache) = backend(BOUND).await;
    assert!(matches!(
        cache.incr("p:1:none", 1).await,
        Err(IncrError::Missing)
    ));
    cache
        .set("p:1:dead", Bytes::from_static(b"1"), Expiry::At(1))
        .await
        .unwrap();
    assert!(matches!(
        cache.incr("p:1:dead", 1).await,
        Err(IncrError::Missing)
    ));
    for text in [
        "007",
        "+1",
        " 1",
        "-0",
        "1.5",
        "x",
        "",
        "9223372036854775808",
    ] {
        cache.set("p:1:s", Bytes::from(text), hour()).await.unwrap();
        let result = cache.incr("p:1:s", 1).await;
        assert!(
            matches!(result, Err(IncrError::NotInteger)),
            "{text:?}: {result:?}"
        );
    }
    cache
        .set("p:1:max", Bytes::from(i64::MAX.to_string()), hour())
        .await
        .unwrap();
    assert!(matches!(
        cache.incr("p:1:max", 1).await,
        Err(IncrError::Overflow)
    ));
    assert_eq!(cache.incr("p:1:max", -1).await.unwrap(), i64::MAX - 1);
    cache
        .set("p:1:min", Bytes::from(i64::MIN.to_string()), hour())
        .await
        .unwrap();
    assert!(matches!(
        cache.incr("p:1:min", -1).await,
        Err(IncrError::Overflow)
    ));
    assert_eq!(cache.incr("p:1:min", 1).await.unwrap(), i64::MIN + 1);
}

#[tokio::test]
async fn corrupt_rows_come_back_as_their_bytes() {
    let (_dir, cache) = backend(BOUND).await;
    for (garbage, bytes) in [
        ("X'FE00FF'", &b"\xfe\x00\xff"[..]),
        ("'text'", b"text"),
        ("42", b"42"),
    ] {
        cache
            .set("p:1:k", Bytes::from_static(b"v"), hour())
            .await
            .unwrap();
        let corrupt = format!("UPDATE cache_table SET value = {garbage}");
        sqlx::query(&corrupt).execute(cache.pool()).await.unwrap();
        assert_eq!(cache.get("p:1:k").await.unwrap().unwrap(), bytes);
    }
}
