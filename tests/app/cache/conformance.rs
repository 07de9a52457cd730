//! The same cases against every backend, through the cache API.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use pokedex::cache::Timeout;
use pokedex::cache::backends::{Expiry, IncrError};

use pokedex::cache::backends::CacheBackend;

use super::subjects::{Subject, Tuning, subject};

const SHORT: Duration = Duration::from_millis(400);
const PAST_SHORT: Duration = Duration::from_millis(900);

/// Deterministic bytes that do not compress.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

async fn round_trips_binary_empty_and_one_mebibyte_values(s: &Subject) {
    let cache = &s.cache;
    let binary = b"\x00\xff\xfe binary\r\n".to_vec();
    assert!(cache.set("binary", &binary, Timeout::Default).await);
    assert_eq!(cache.get("binary").await.unwrap(), binary);

    let large = noise(1 << 20);
    assert!(cache.set("noise", &large, Timeout::Default).await);
    assert_eq!(cache.get("noise").await.unwrap(), large);
    let page = "<tr><td>Bulbasaur</td><td>0.7 m</td></tr>\n"
        .repeat(25_000)
        .into_bytes();
    assert!(cache.set("page", &page, Timeout::Default).await);
    assert_eq!(cache.get("page").await.unwrap(), page);
    let stats = cache.stats();
    assert!(
        stats.bytes_stored < stats.bytes_raw,
        "the page was compressed: {stats:?}"
    );

    let before = cache.stats();
    assert!(cache.set("empty", b"", Timeout::Default).await);
    assert_eq!(
        cache.get("empty").await,
        Some(Bytes::new()),
        "an empty value is a hit"
    );
    assert_eq!(cache.get("absent").await, None);
    let after = cache.stats();
    assert_eq!(
        (after.hits - before.hits, after.misses - before.misses),
        (1, 1)
    );
}

async fn entries_expire_after_their_timeout(s: &Subject) {
    let cache = &s.cache;
    cache.set("short", b"v", Timeout::After(SHORT)).await;
    cache.set("long", b"v", Timeout::seconds(60)).await;
    assert!(cache.has_key("short").await);
    tokio::time::sleep(PAST_SHORT).await;
    assert_eq!(cache.get("short").await, None);
    assert!(!cache.has_key("short").await);
    assert_eq!(cache.get("long").await.unwrap(), "v");
}

async fn a_zero_timeout_stores_nothing(s: &Subject) {
    let cache = &s.cache;
    cache.set("k", b"old", Timeout::Default).await;
    assert!(!cache.set("k", b"new", Timeout::seconds(0)).await);
    assert_eq!(
        cache.get("k").await,
        None,
        "a zero timeout also removes the old value"
    );
    assert!(!cache.add("k", b"new", Timeout::seconds(0)).await);
    assert_eq!(cache.get("k").await, None);
}

async fn forever_survives_while_timed_entries_expire(s: &Subject) {
    let cache = &s.cache;
    cache.set("forever", b"v", Timeout::Forever).await;
    cache.set("timed", b"v", Timeout::After(SHORT)).await;
    tokio::time::sleep(PAST_SHORT).await;
    assert_eq!(cache.get("forever").await.unwrap(), "v");
    assert_eq!(cache.get("timed").await, None);
}

async fn add_never_overwrites_a_live_entry(s: &Subject) {
    let cache = &s.cache;
    assert!(cache.add("k", b"first", Timeout::After(SHORT)).await);
    assert!(!cache.add("k", b"second", Timeout::Default).await);
    assert_eq!(cache.get("k").await.unwrap(), "first");
    tokio::time::sleep(PAST_SHORT).await;
    assert!(
        cache.add("k", b"third", Timeout::Default).await,
        "an expired entry is absent"
    );
    assert_eq!(cache.get("k").await.unwrap(), "third");
}

async fn incr_and_decr_work_on_integers_only(s: &Subject) {
    let cache = &s.cache;
    assert!(matches!(
        cache.incr("missing", 1).await,
        Err(IncrError::Missing)
    ));
    assert_eq!(
        cache.get("missing").await,
        None,
        "incr does not create the key"
    );
    cache.set("n", b"10", Timeout::Default).await;
    assert_eq!(cache.incr("n", 5).await.unwrap(), 15);
    assert_eq!(cache.decr("n", 20).await.unwrap(), -5);
    assert_eq!(cache.get("n").await.unwrap(), "-5");
    assert!(cache.set_json("json", &41_i64, Timeout::Default).await);
    assert_eq!(cache.incr("json", 1).await.unwrap(), 42);
    assert_eq!(cache.get_json::<i64>("json").await, Some(42));
    cache.set("word", b"pikachu", Timeout::Default).await;
    assert!(matches!(
        cache.incr("word", 1).await,
        Err(IncrError::NotInteger)
    ));
    cache
        .set("max", i64::MAX.to_string().as_bytes(), Timeout::Default)
        .await;
    assert!(matches!(
        cache.incr("max", 1).await,
        Err(IncrError::Overflow | IncrError::NotInteger)
    ));
    assert_eq!(cache.get("max").await.unwrap(), i64::MAX.to_string());
}

async fn incr_is_atomic_under_32_concurrent_tasks(s: &Subject) {
    s.cache.set("counter", b"0", Timeout::Default).await;
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let cache = s.cache.clone();
            tokio::spawn(async move { cache.incr("counter", 1).await.unwrap() })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=32).collect::<Vec<i64>>(),
        "each increment saw its own value"
    );
    assert_eq!(s.cache.get("counter").await.unwrap(), "32");
}

async fn incr_keeps_the_remaining_lifetime(s: &Subject) {
    let cache = &s.cache;
    cache.set("n", b"1", Timeout::After(SHORT)).await;
    assert_eq!(cache.incr("n", 1).await.unwrap(), 2);
    assert_eq!(cache.get("n").await.unwrap(), "2");
    tokio::time::sleep(PAST_SHORT).await;
    assert_eq!(
        cache.get("n").await,
        None,
        "incr did not extend the entry's life"
    );
}

async fn many_at_once(s: &Subject) {
    let cache = &s.cache;
    let entries: [(&str, &[u8]); 3] = [("a", b"1"), ("b", b"two"), ("c", b"")];
    assert!(cache.set_many(&entries, Timeout::Default).await);
    let found = cache.get_many(&["a", "b", "c", "d"]).await;
    assert_eq!(found.len(), 3);
    assert_eq!(found["a"], "1");
    assert_eq!(found["b"], "two");
    assert_eq!(found["c"], "");
    cache.delete_many(&["a", "c", "d"]).await;
    let found = cache.get_many(&["a", "b", "c"]).await;
    assert_eq!(found.keys().collect::<Vec<_>>(), ["b"]);
    assert!(cache.get_many(&[]).await.is_empty());
}

async fn clear_leaves_another_prefix_alone(s: &Subject) {
    let other = s.sibling("other");
    s.cache.set("mine", b"v", Timeout::Forever).await;
    s.cache
        .with_version(7)
        .set("old", b"v", Timeout::Forever)
        .await;
    other.set("mine", b"theirs", Timeout::Forever).await;
    assert!(s.cache.clear().await);
    assert_eq!(s.cache.get("mine").await, None);
    assert_eq!(
        s.cache.with_version(7).get("old").await,
        None,
        "every version is cleared"
    );
    assert_eq!(other.get("mine").await.unwrap(), "theirs");
}

async fn incr_version_hides_the_old_entry(s: &Subject) {
    let cache = &s.cache;
    cache.set("k", b"v", Timeout::Default).await;
    assert_eq!(cache.incr_version("k").await.unwrap(), 2);
    assert_eq!(cache.get("k").await, None);
    assert_eq!(cache.with_version(2).get("k").await.unwrap(), "v");
    assert!(matches!(
        cache.incr_version("absent").await,
        Err(IncrError::Missing)
    ));
}

async fn long_control_and_unicode_keys_work(s: &Subject) {
    let cache = &s.cache;
    let long = "k".repeat(1000);
    let keys = [
        long.as_str(),
        "a\u{0}b\n\tc\u{7f}",
        "ポケモン/ピカチュウ",
        "Flabébé Farfetch’d",
    ];
    for (i, key) in keys.iter().enumerate() {
        assert!(
            cache
                .set(key, i.to_string().as_bytes(), Timeout::Default)
                .await,
            "{key:?}"
        );
    }
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(cache.get(key).await.unwrap(), i.to_string(), "{key:?}");
    }
    let long_sibling = format!("{long}x");
    assert_eq!(cache.get(&long_sibling).await, None);
}

async fn unreadable_entries_are_misses(s: &Subject) {
    let key = s.cache.make_key("garbled");
    for stored in [
        &b"\xFE\x09future format"[..],
        b"\xFE\x01\x01not zstd",
        b"\xFE",
    ] {
        let stored = Bytes::copy_from_slice(stored);
        s.backend.set(&key, stored, Expiry::Never).await.unwrap();
        assert_eq!(s.cache.get("garbled").await, None);
    }
}

/// The toolbar's record and the cache's counters read the same outcome of each call:
/// a hit, a miss, an unreadable entry and a mixed `get_many` count alike in both.
async fn the_record_and_the_counters_agree(s: &Subject) {
    let cache = &s.cache;
    cache.set("present", b"v", Timeout::Default).await;
    cache.set("also", b"w", Timeout::Default).await;
    let garbled = Bytes::from_static(b"\xFE\x09future format");
    let key = cache.make_key("garbled");
    s.backend.set(&key, garbled, Expiry::Never).await.unwrap();
    let before = cache.stats();
    let ((), record) = pokedex::record::recording(async {
        assert!(cache.get("present").await.is_some());
        assert!(cache.get("absent").await.is_none());
        assert!(cache.get("garbled").await.is_none());
        let found = cache
            .get_many(&["present", "absent", "garbled", "also"])
            .await;
        assert_eq!(found.len(), 2);
    })
    .await;
    let after = cache.stats();
    let recorded = |count: fn(&pokedex::record::CacheCall) -> u64| -> u64 {
        record.cache_calls.iter().map(count).sum()
    };
    assert_eq!(recorded(|call| call.hits), 3);
    assert_eq!(recorded(|call| call.misses), 4);
    assert_eq!(after.hits - before.hits, 3);
    assert_eq!(after.misses - before.misses, 4);
    let results: Vec<&str> = record
        .cache_calls
        .iter()
        .map(|c| c.result.as_str())
        .collect();
    assert_eq!(results, ["hit", "miss", "miss", "2 hit, 2 miss"]);
}

async fn a_recorded_hit_knows_the_lifetime_left(s: &Subject) {
    use pokedex::record::Left;
    let cache = &s.cache;
    cache.set("timed", b"v", Timeout::seconds(60)).await;
    cache.set("forever", b"w", Timeout::Forever).await;
    let ((), record) = pokedex::record::recording(async {
        assert!(cache.get("timed").await.is_some());
        assert!(cache.get("forever").await.is_some());
    })
    .await;
    let Some(Left::Ms(left)) = record.cache_calls[0].left else {
        panic!("{:?}", record.cache_calls[0]);
    };
    assert!((55_000..=60_000).contains(&left), "{left} ms left of 60 s");
    assert_eq!(record.cache_calls[1].left, Some(Left::Forever));
}

async fn touch_sets_a_new_timeout(s: &Subject) {
    // The first timeout must outlast the set and the touch on a loaded machine (at
    // a load of 20, 400 ms once did not), so this test waits longer than the others.
    let first = Duration::from_secs(2);
    let cache = &s.cache;
    cache.set("k", b"v", Timeout::After(first)).await;
    assert!(cache.touch("k", Timeout::seconds(60)).await);
    assert!(!cache.touch("absent", Timeout::seconds(60)).await);
    tokio::time::sleep(first + Duration::from_millis(500)).await;
    assert_eq!(cache.get("k").await.unwrap(), "v");
    assert!(cache.touch("k", Timeout::seconds(0)).await);
    assert_eq!(
        cache.get("k").await,
        None,
        "touching with 0 expires the entry"
    );
}

async fn get_or_set_computes_only_on_a_miss(s: &Subject) {
    let cache = &s.cache;
    let first = cache
        .get_or_set("k", Timeout::Default, || async { Bytes::from("computed") })
        .await;
    assert_eq!(first, "computed");
    let second = cache
        .get_or_set("k", Timeout::Default, || async { panic!("computed again") })
        .await;
    assert_eq!(second, "computed");
}

async fn delete_says_whether_there_was_an_entry(s: &Subject) {
    let cache = &s.cache;
    cache.set("k", b"v", Timeout::Default).await;
    assert!(cache.delete("k").await);
    assert!(!cache.delete("k").await);
    assert_eq!(cache.get("k").await, None);
}

/// A decoded read follows its entry: replaced, it reads the new value; touched, the
/// same; unreadable, a miss. Only the memory backend, whose entries live in this
/// process, keeps the first decoding for the next hits; the others decode each read.
async fn a_decoded_read_follows_its_entry(s: &Subject) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cache = &s.cache;
    let reads = AtomicUsize::new(0);
    let read = |stored: Bytes| {
        reads.fetch_add(1, Ordering::Relaxed);
        String::from_utf8(stored.to_vec()).ok()
    };
    cache.set("page", b"first", Timeout::Default).await;
    let one = cache.get_decoded("page", read).await.expect("a hit");
    let two = cache.get_decoded("page", read).await.expect("a hit");
    assert_eq!((one.as_str(), two.as_str()), ("first", "first"));
    let kept = s.cache.backend() == CacheBackend::Memory;
    assert_eq!(reads.load(Ordering::Relaxed), if kept { 1 } else { 2 });
    assert_eq!(Arc::ptr_eq(&one, &two), kept);
    assert!(cache.touch("page", Timeout::seconds(60)).await);
    assert_eq!(*cache.get_decoded("page", read).await.unwrap(), "first");
    cache.set("page", b"second", Timeout::Default).await;
    assert_eq!(*cache.get_decoded("page", read).await.unwrap(), "second");
    let other_type = cache.get_decoded("page", |stored| Some(stored.len())).await;
    assert_eq!(
        other_type.as_deref(),
        Some(&6),
        "another reader reads for itself"
    );
    let many = || cache.get_many_decoded(&["page", "absent"], read);
    let (first, again) = (many().await, many().await);
    assert_eq!(first.len(), 1, "absent is a miss");
    assert_eq!(*first["page"], "second");
    assert_eq!(
        Arc::ptr_eq(&first["page"], &again["page"]),
        kept,
        "many share too"
    );
    cache.set("bad", b"\xFF not utf-8", Timeout::Default).await;
    assert_eq!(cache.get_decoded("bad", read).await, None);
    let before = cache.stats();
    assert_eq!(cache.get_decoded("bad", read).await, None);
    assert_eq!(cache.stats().misses - before.misses, 1, "counted as a miss");
}

/// One `#[tokio::test]` per case and backend, each on a fresh subject.
macro_rules! suite {
    ($($backend:ident: $kind:expr;)*) => {$(
        mod $backend {
            use super::*;
            suite!(@cases $kind;
                round_trips_binary_empty_and_one_mebibyte_values,
                entries_expire_after_their_timeout,
                a_zero_timeout_stores_nothing,
                forever_survives_while_timed_entries_expire,
                add_never_overwrites_a_live_entry,
                incr_and_decr_work_on_integers_only,
                incr_is_atomic_under_32_concurrent_tasks,
                incr_keeps_the_remaining_lifetime,
                many_at_once,
                clear_leaves_another_prefix_alone,
                incr_version_hides_the_old_entry,
                long_control_and_unicode_keys_work,
                unreadable_entries_are_misses,
                the_record_and_the_counters_agree,
                a_recorded_hit_knows_the_lifetime_left,
                touch_sets_a_new_timeout,
                get_or_set_computes_only_on_a_miss,
                delete_says_whether_there_was_an_entry,
                a_decoded_read_follows_its_entry,
            );
        }
    )*};
    (@cases $kind:expr; $($case:ident,)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let Some(subject) = subject($kind, stringify!($case), Tuning::default()).await else {
                return;
            };
            super::$case(&subject).await;
        }
    )*};
}

suite! {
    memory: CacheBackend::Memory;
    file: CacheBackend::File;
    database: CacheBackend::Database;
    redis: CacheBackend::Redis;
}
