//! What only bounded or local backends do: culling, and corrupt files and rows.

use pokedex::cache::Timeout;
use pokedex::cache::backends::Cull;
use pokedex::cache::backends::file::FileBackend;

use pokedex::cache::backends::CacheBackend;

use super::subjects::{Tuning, subject};

async fn fill_past_the_bound(kind: CacheBackend) -> super::subjects::Subject {
    let tuning = Tuning {
        max_entries: 10,
        ..Tuning::default()
    };
    let subject = subject(kind, "culling", tuning).await.unwrap();
    for i in 0..40 {
        subject
            .cache
            .set(&format!("k{i}"), b"v", Timeout::Default)
            .await;
        if kind == CacheBackend::File {
            // Ages apart, so that "oldest first" has an order to follow.
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
    let count = subject.cache.usage().await.unwrap().entries;
    assert!(count <= 10, "{kind:?} holds {count} entries, bound 10");
    subject
}

#[tokio::test]
async fn memory_evicts_down_to_its_bound() {
    fill_past_the_bound(CacheBackend::Memory).await;
}

#[tokio::test]
async fn file_culls_to_its_bound_keeping_the_newest() {
    let subject = fill_past_the_bound(CacheBackend::File).await;
    assert_eq!(subject.cache.get("k39").await.unwrap(), "v");
    assert_eq!(subject.cache.get("k0").await, None, "the oldest went first");
}

#[tokio::test]
async fn database_culls_to_its_bound_keeping_the_newest() {
    let subject = fill_past_the_bound(CacheBackend::Database).await;
    assert_eq!(subject.cache.get("k39").await.unwrap(), "v");
    assert_eq!(subject.cache.get("k0").await, None, "the oldest went first");
}

#[tokio::test]
async fn a_corrupt_or_truncated_file_is_a_miss_and_is_removed() {
    let subject = subject(CacheBackend::File, "corrupt file", Tuning::default())
        .await
        .unwrap();
    let cull = Cull {
        max_entries: 300,
        cull_frequency: 3,
    };
    let backend = FileBackend::open(subject.dir().join("cache"), cull)
        .await
        .unwrap();
    for damage in [&b""[..], b"PDX", b"garbage that is no entry at all"] {
        subject.cache.set("k", b"value", Timeout::Default).await;
        let path = backend.path_for(&subject.cache.make_key("k"));
        assert!(path.exists());
        std::fs::write(&path, damage).unwrap();
        assert_eq!(subject.cache.get("k").await, None, "{damage:?}");
        assert!(!path.exists(), "the damaged file is removed");
    }
}

#[tokio::test]
async fn a_corrupt_row_is_a_miss() {
    let subject = subject(CacheBackend::Database, "corrupt row", Tuning::default())
        .await
        .unwrap();
    subject.cache.set("k", b"value", Timeout::Default).await;
    let url = format!("sqlite://{}", subject.dir().join("cache.sqlite3").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let changed = sqlx::query("UPDATE cache_table SET value = x'FE7F00'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    assert_eq!(subject.cache.get("k").await, None);
    assert_eq!(
        subject.cache.stats().errors,
        0,
        "a corrupt row is a miss, not an error"
    );
}
