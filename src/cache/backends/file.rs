//! `file`: one file per key in a directory (Django's `FileBasedCache`), written to a
//! temporary file and renamed into place so readers never see half an entry, and
//! culled from an in-memory count rather than a directory listing on every write.
//! The entry layout is in [`entry`], the directory operations in [`disk`].

use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::BuildHasher;
use std::io::{self, ErrorKind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{
    Backend, BackendError, CacheBackend, Cull, Expiry, IncrError, Usage, add_to_stored, now_millis,
};
use crate::cache::key::digest;
use disk::{cull_dir, entry_files, heal, remove_file, replace};
use entry::{Stored, decode, encode, read_header};

/// Locks per backend: operations on different keys rarely wait for each other.
const STRIPES: u64 = 64;

/// The file-system backend (Django's `FileBasedCache`). Other processes may share the
/// directory and never see half an entry, but `add`, `touch` and `incr` are atomic
/// only within one process, as Django's are.
pub struct FileBackend {
    dir: PathBuf,
    cull: Cull,
    /// Entry files, give or take other processes and racing writers; each cull
    /// resets it to the true count.
    entries: AtomicU64,
    stripes: Box<[Arc<Mutex<()>>]>,
    /// One cull at a time: writers arriving together at capacity would each list
    /// the directory.
    culling: Mutex<()>,
    /// Numbers temporary files; it starts at random so that processes sharing the
    /// directory (even as pid 1 of separate containers) do not pick the same names.
    temp_seq: AtomicU64,
}

impl FileBackend {
    /// A cache in `dir`, created if missing, bounded by `cull`.
    pub async fn open(dir: PathBuf, cull: Cull) -> Result<Self, BackendError> {
        tokio::fs::create_dir_all(&dir).await?;
        let listed = dir.clone();
        let entries = blocking(move || {
            heal(&listed)?;
            entry_files(&listed)
        })
        .await?
        .len();
        Ok(Self {
            dir,
            cull,
            entries: AtomicU64::new(u64::try_from(entries).unwrap_or(u64::MAX)),
            stripes: (0..STRIPES).map(|_| Arc::default()).collect(),
            culling: Mutex::new(()),
            temp_seq: AtomicU64::new(RandomState::new().hash_one(std::process::id())),
        })
    }

    /// The file holding `key`'s entry, so tests and tools can find it.
    #[must_use]
    pub fn path_for(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.cache", digest(key)))
    }

    async fn lock(&self, key: &str) -> OwnedMutexGuard<()> {
        let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
        let stripe = usize::try_from(hash % STRIPES).unwrap_or_default();
        Arc::clone(&self.stripes[stripe]).lock_owned().await
    }

    async fn read(&self, key: &str) -> Result<Stored, BackendError> {
        let path = self.path_for(key);
        let file = match cached_read::read_if_cached(&path).transpose() {
            Some(read) => read,
            None => tokio::fs::read(path).await,
        };
        match file {
            Ok(file) => Ok(decode(&Bytes::from(file), key, now_millis())),
            // A directory put where the entry goes is no entry; the next write
            // replaces it.
            Err(error) if matches!(error.kind(), ErrorKind::NotFound | ErrorKind::IsADirectory) => {
                Ok(Stored::Missing)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Replaces `key`'s entry. The stripe guard moves into the blocking task, so a
    /// cancelled caller cannot unlock the key before its rename has happened.
    async fn write(
        &self,
        key: &str,
        value: &[u8],
        expiry: Expiry,
        stripe: OwnedMutexGuard<()>,
    ) -> Result<(), BackendError> {
        let path = self.path_for(key);
        if self.entries.load(Relaxed) >= self.cull.max_entries
            && !tokio::fs::try_exists(&path).await?
        {
            self.make_room().await?;
        }
        let entry = encode(key, value, expiry)?;
        let created = match self.write_file(&path, &entry, stripe).await {
            Err(BackendError::Io(error)) if is_full(&error) => {
                // Out of space: cull, then try once more.
                self.cull_now(true).await?;
                let stripe = self.lock(key).await;
                self.write_file(&path, &entry, stripe).await?
            }
            written => written?,
        };
        if created {
            self.entries.fetch_add(1, Relaxed);
        }
        Ok(())
    }

    /// Writes `entry` to `path` through a temporary file; says whether it is new.
    async fn write_file(
        &self,
        path: &std::path::Path,
        entry: &[u8],
        stripe: OwnedMutexGuard<()>,
    ) -> Result<bool, BackendError> {
        let seq = self.temp_seq.fetch_add(1, Relaxed);
        let temp = path.with_extension(format!("{seq:016x}.tmp"));
        let (path, entry, dir) = (path.to_owned(), entry.to_owned(), self.dir.clone());
        blocking(move || {
            let _stripe = stripe;
            let existed = path.exists();
            match replace(&temp, &path, &entry) {
                Err(error) if error.kind() == ErrorKind::NotFound => {
                    // The directory was deleted while we ran.
                    fs::create_dir_all(&dir)?;
                    replace(&temp, &path, &entry)?;
                }
                written => written?,
            }
            Ok(!existed)
        })
        .await
    }

    async fn remove(&self, key: &str, stripe: OwnedMutexGuard<()>) -> Result<bool, BackendError> {
        let path = self.path_for(key);
        let removed = blocking(move || {
            let _stripe = stripe;
            remove_file(&path)
        })
        .await?;
        self.forget(u64::from(removed));
        Ok(removed)
    }

    fn forget(&self, removed: u64) {
        let _ = self
            .entries
            .fetch_update(Relaxed, Relaxed, |n| Some(n.saturating_sub(removed)));
    }

    async fn make_room(&self) -> Result<(), BackendError> {
        self.cull_now(false).await
    }

    /// Culls when the count says the directory is full, or `forced` (the disk is).
    async fn cull_now(&self, forced: bool) -> Result<(), BackendError> {
        let _culling = self.culling.lock().await;
        if !forced && self.entries.load(Relaxed) < self.cull.max_entries {
            return Ok(());
        }
        let (dir, cull) = (self.dir.clone(), self.cull);
        let left = blocking(move || cull_dir(&dir, cull, now_millis(), forced)).await?;
        self.entries.store(left, Relaxed);
        Ok(())
    }
}

#[async_trait]
impl Backend for FileBackend {
    fn kind(&self) -> CacheBackend {
        CacheBackend::File
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, BackendError> {
        Ok(self.get_with_expiry(key).await?.map(|(value, _)| value))
    }

    async fn get_with_expiry(
        &self,
        key: &str,
    ) -> Result<Option<(Bytes, Option<Expiry>)>, BackendError> {
        let stored = self.read(key).await?;
        if !matches!(stored, Stored::Dead) {
            return Ok(stored.live());
        }
        // Only the key's lock holder may remove its file: a writer may have
        // replaced the dead entry since we read it.
        let stripe = self.lock(key).await;
        let stored = self.read(key).await?;
        if matches!(stored, Stored::Dead) {
            self.remove(key, stripe).await?;
        }
        Ok(stored.live())
    }

    async fn set(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<(), BackendError> {
        let stripe = self.lock(key).await;
        self.write(key, &value, expiry, stripe).await
    }

    async fn add(&self, key: &str, value: Bytes, expiry: Expiry) -> Result<bool, BackendError> {
        let stripe = self.lock(key).await;
        if let Stored::Live { .. } = self.read(key).await? {
            return Ok(false);
        }
        self.write(key, &value, expiry, stripe).await?;
        Ok(true)
    }

    async fn delete(&self, key: &str) -> Result<bool, BackendError> {
        let stripe = self.lock(key).await;
        let live = matches!(self.read(key).await?, Stored::Live { .. });
        Ok(self.remove(key, stripe).await? && live)
    }

    async fn touch(&self, key: &str, expiry: Expiry) -> Result<bool, BackendError> {
        let stripe = self.lock(key).await;
        match self.read(key).await? {
            Stored::Live { value, .. } => {
                self.write(key, &value, expiry, stripe).await.map(|()| true)
            }
            Stored::Dead => self.remove(key, stripe).await.map(|_| false),
            Stored::Missing => Ok(false),
        }
    }

    async fn incr(&self, key: &str, delta: i64) -> Result<i64, IncrError> {
        let stripe = self.lock(key).await;
        let Stored::Live { value, expiry } = self.read(key).await? else {
            return Err(IncrError::Missing);
        };
        let sum = add_to_stored(&value, delta)?;
        self.write(key, sum.to_string().as_bytes(), expiry, stripe)
            .await?;
        Ok(sum)
    }

    async fn clear(&self, namespace: &str) -> Result<(), BackendError> {
        let (dir, namespace) = (self.dir.clone(), namespace.to_owned());
        let removed = blocking(move || {
            let mut removed = 0;
            for path in entry_files(&dir)? {
                let ours = read_header(&path)
                    .ok()
                    .flatten()
                    .is_some_and(|(_, key)| key.starts_with(namespace.as_bytes()));
                if ours && remove_file(&path)? {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await?;
        self.forget(removed);
        Ok(())
    }

    async fn usage(&self, _namespace: &str) -> Result<Usage, BackendError> {
        let dir = self.dir.clone();
        let files = blocking(move || entry_files(&dir)).await?;
        let mut usage = Usage::default();
        for file in files {
            // A file culled or replaced meanwhile is simply not counted.
            if let Ok(metadata) = tokio::fs::metadata(&file).await {
                usage.entries += 1;
                usage.bytes += metadata.len();
            }
        }
        Ok(usage)
    }
}

/// Whether a write failed for lack of space.
fn is_full(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded
    )
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, BackendError> {
    let done = tokio::task::spawn_blocking(work)
        .await
        .map_err(io::Error::other)?;
    Ok(done?)
}

mod cached_read;
mod disk;
mod entry;
#[cfg(test)]
mod tests;
