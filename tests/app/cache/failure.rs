//! The failure policy: a backend that fails is a quick miss or no-op, counted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pokedex::cache::backends::CacheBackend;
use pokedex::cache::backends::options::BackendOptions;
use pokedex::cache::backends::redis::RedisBackend;
use pokedex::cache::{Cache, Timeout};

#[tokio::test]
async fn an_unreachable_redis_is_a_quick_miss_and_a_counted_error() {
    let backend = RedisBackend::new("redis://127.0.0.1:1", Duration::from_millis(200)).unwrap();
    let options = BackendOptions {
        timeout: Timeout::seconds(60),
        ..BackendOptions::defaults(CacheBackend::Redis)
    };
    let cache = Cache::new(Arc::new(backend), &options);
    let started = Instant::now();
    assert_eq!(cache.get("k").await, None);
    assert!(!cache.set("k", b"v", Timeout::Default).await);
    assert!(!cache.add("k", b"v", Timeout::Default).await);
    assert!(cache.get_many(&["a", "b"]).await.is_empty());
    assert!(!cache.delete("k").await);
    assert!(cache.incr("k", 1).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let stats = cache.stats();
    assert_eq!(stats.errors, 6);
    assert_eq!(stats.misses, 3, "the get and both keys of get_many");
    assert_eq!(stats.hits, 0);
}
