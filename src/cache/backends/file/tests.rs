//! The file backend: corrupt files, culling, atomic incr, clear.

use std::time::Duration;

use super::entry::FIXED;
use super::*;

const BOUND: Cull = Cull {
    max_entries: 10,
    cull_frequency: 3,
};

async fn backend(cull: Cull) -> (tempfile::TempDir, FileBackend) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let backend = FileBackend::open(dir.path().join("cache"), cull)
        .await
        .expect("open");
    (dir, backend)
}

fn hour() -> Expiry {
    Expiry::after(Duration::from_secs(3600))
}

#[tokio::test]
async fn corrupt_truncated_and_foreign_files_are_misses_and_removed() {
    let (_dir, cache) = backend(BOUND).await;
    cache
        .set("p:1:a", Bytes::from_static(b"value"), hour())
        .await
        .unwrap();
    let valid = fs::read(cache.path_for("p:1:a")).unwrap();
    let mut long_key = valid.clone();
    long_key[13..17].copy_from_slice(&1000u32.to_le_bytes());
    for broken in [
        &b"garbage"[..],
        &valid[..10],
        &valid[..FIXED + 3],
        &long_key,
    ] {
        fs::write(cache.path_for("p:1:a"), broken).unwrap();
        assert_eq!(cache.get("p:1:a").await.unwrap(), None, "{broken:?}");
        assert!(!cache.path_for("p:1:a").exists());
    }
    // Another key's entry under this key's name: a digest collision.
    fs::write(cache.path_for("p:1:b"), &valid).unwrap();
    assert_eq!(cache.get("p:1:b").await.unwrap(), None);
    assert!(!cache.path_for("p:1:b").exists());
}

#[tokio::test]
async fn expired_entries_are_misses_and_removed() {
    let (_dir, cache) = backend(BOUND).await;
    cache
        .set("p:1:a", Bytes::from_static(b"v"), Expiry::At(1))
        .await
        .unwrap();
    assert!(cache.path_for("p:1:a").exists());
    assert_eq!(cache.get("p:1:a").await.unwrap(), None);
    assert_eq!(cache.usage("").await.unwrap().entries, 0);
    assert!(!cache.delete("p:1:a").await.unwrap());
}

#[tokio::test]
async fn a_deleted_directory_is_recreated_on_set() {
    let (dir, cache) = backend(BOUND).await;
    fs::remove_dir_all(dir.path().join("cache")).unwrap();
    assert_eq!(cache.get("p:1:a").await.unwrap(), None);
    assert_eq!(cache.usage("").await.unwrap().entries, 0);
    cache
        .set("p:1:a", Bytes::from_static(b"back"), Expiry::Never)
        .await
        .unwrap();
    assert_eq!(cache.get("p:1:a").await.unwrap().unwrap(), "back");
}

#[tokio::test]
async fn culling_removes_expired_entries_before_older_live_ones() {
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
