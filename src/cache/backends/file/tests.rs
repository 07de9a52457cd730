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

#[tokio::test]
async fn stray_directories_and_names_neither_stop_culling_nor_survive_it() {
    let (dir, cache) = backend(BOUND).await;
    let root = dir.path().join("cache");
    let entry_like = format!("{}.cache", "0".repeat(32));
    for stray_dir in ["x.cache", entry_like.as_str()] {
        fs::create_dir_all(root.join(stray_dir).join("inside")).unwrap();
    }
    fs::write(root.join("deadbeef.cache"), b"not an entry").unwrap();
    fs::write(root.join("notes.txt"), b"someone's").unwrap();
    for i in 0..30 {
        let key = format!("p:1:{i}");
        cache
            .set(&key, Bytes::from_static(b"v"), hour())
            .await
            .unwrap();
    }
    assert!(
        entry_files(&root).unwrap().len() <= 10,
        "culled within the bound"
    );
    for stray in ["x.cache", entry_like.as_str(), "deadbeef.cache"] {
        assert!(!root.join(stray).exists(), "{stray} removed");
    }
    assert!(
        root.join("notes.txt").exists(),
        "what is not named like ours stays"
    );
    assert_eq!(
        cache.get("p:1:29").await.unwrap().as_deref(),
        Some(&b"v"[..])
    );
}

#[tokio::test]
async fn a_directory_standing_where_an_entry_goes_is_a_miss_then_replaced() {
    let (_dir, cache) = backend(BOUND).await;
    cache
        .set("p:1:a", Bytes::from_static(b"old"), hour())
        .await
        .unwrap();
    let path = cache.path_for("p:1:a");
    fs::remove_file(&path).unwrap();
    fs::create_dir_all(path.join("inside")).unwrap();
    assert_eq!(
        cache.get("p:1:a").await.unwrap(),
        None,
        "a miss, not an error"
    );
    cache
        .set("p:1:a", Bytes::from_static(b"new"), hour())
        .await
        .unwrap();
    assert!(path.is_file());
    assert_eq!(
        cache.get("p:1:a").await.unwrap().as_deref(),
        Some(&b"new"[..])
    );
}

#[tokio::test]
async fn temporary_files_abandoned_over_a_minute_ago_are_swept_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cache");
    fs::create_dir_all(&root).unwrap();
    let (old, fresh) = (root.join("a.0001.tmp"), root.join("b.0002.tmp"));
    fs::write(&old, b"half").unwrap();
    fs::write(&fresh, b"being written").unwrap();
    let two_minutes_ago = std::time::SystemTime::now() - Duration::from_secs(120);
    fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_minutes_ago)
        .unwrap();
    let _cache = FileBackend::open(root.clone(), BOUND).await.unwrap();
    assert!(!old.exists(), "abandoned by a writer that died");
    assert!(fresh.exists(), "perhaps still being written");
}

/// A tmpfs of `size` mounted at a new directory, unmounted when dropped.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|status| status.success());
        mounted.then_some(Self(dir))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[tokio::test]
async fn a_full_disk_is_freed_by_culling_and_the_write_goes_through() {
    let Some(disk) = SmallDisk::mount("256k") else {
        eprintln!(
            "\n!!! SKIPPED a_full_disk_is_freed_by_culling: cannot mount a tmpfs here (not root?) !!!\n"
        );
        return;
    };
    let loose = Cull {
        max_entries: 1000,
        cull_frequency: 3,
    };
    let cache = FileBackend::open(disk.0.path().join("cache"), loose)
        .await
        .unwrap();
    let value = Bytes::from(vec![7_u8; 40 * 1024]);
    for i in 0..20 {
        let key = format!("p:1:{i}");
        cache
            .set(&key, value.clone(), hour())
            .await
            .unwrap_or_else(|error| {
                panic!("write {i} on a full disk: {error}");
            });
    }
    assert_eq!(cache.get("p:1:19").await.unwrap(), Some(value));
    let held = entry_files(&disk.0.path().join("cache")).unwrap().len();
    assert!(held < 20, "culled to make room: {held} held");
}
