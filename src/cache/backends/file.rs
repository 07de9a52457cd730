//! `file`: one file per key in a directory (Django's `FileBasedCache`), written to a
//! temporary file and renamed into place so readers never see half an entry, and
//! culled from an in-memory count rather than a directory listing on every write.
//!
//! An entry file is `PDXF`, a layout byte, the expiry (little-endian u64 millis since
//! the epoch, 0 = never), the key's length (little-endian u32), the key, the value.
//! The key is kept because digests hide it and `clear` must spare other prefixes.

use std::collections::hash_map::RandomState;
use std::ffi::OsStr;
use std::fs;
use std::hash::BuildHasher;
use std::io::{self, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{Backend, BackendError, Cull, Expiry, IncrError, add_to_stored, now_millis};
use crate::cache::key::digest;

/// Opens every entry file, so a stray file is never taken for an entry.
const MAGIC: &[u8; 4] = b"PDXF";
/// The layout written today; a file of another layout reads as a miss.
const LAYOUT: u8 = 1;
/// Magic, layout, expiry and key length: the part of the header before the key.
const FIXED: usize = 4 + 1 + 8 + 4;
/// Locks per backend: operations on different keys rarely wait for each other.
const STRIPES: u64 = 64;

/// What a key's file holds, as far as a reader of that key can tell.
enum Stored {
    Missing,
    /// Expired, corrupt, truncated, or another key's entry (a digest collision).
    Dead,
    Live {
        value: Bytes,
        expiry: Expiry,
    },
}

impl Stored {
    fn value(self) -> Option<Bytes> {
        match self {
            Self::Live { value, .. } => Some(value),
            Self::Missing | Self::Dead => None,
        }
    }
}

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
        let entries = blocking(move || entry_files(&listed)).await?.len();
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
        match tokio::fs::read(self.path_for(key)).await {
            Ok(file) => Ok(decode(&Bytes::from(file), key, now_millis())),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(Stored::Missing),
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
        let seq = self.temp_seq.fetch_add(1, Relaxed);
        let temp = path.with_extension(format!("{seq:016x}.tmp"));
        let entry = encode(key, value, expiry)?;
        let dir = self.dir.clone();
        let created = blocking(move || {
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
        .await?;
        if created {
            self.entries.fetch_add(1, Relaxed);
        }
        Ok(())
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
        let _culling = self.culling.lock().await;
        if self.entries.load(Relaxed) < self.cull.max_entries {
            return Ok(());
        }
        let (dir, cull) = (self.dir.clone(), self.cull);
        let left = blocking(move || cull_dir(&dir, cull, now_millis())).await?;
        self.entries.store(left, Relaxed);
        Ok(())
    }
}

#[async_trait]
impl Backend for FileBackend {
    fn name(&self) -> &'static str {
        "file"
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, BackendError> {
        let stored = self.read(key).await?;
        if !matches!(stored, Stored::Dead) {
            return Ok(stored.value());
        }
        // Only the key's lock holder may remove its file: a writer may have
        // replaced the dead entry since we read it.
        let stripe = self.lock(key).await;
        let stored = self.read(key).await?;
        if matches!(stored, Stored::Dead) {
            self.remove(key, stripe).await?;
        }
        Ok(stored.value())
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
                let ours = read_header(&path)?
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

    async fn entry_count(&self) -> Result<u64, BackendError> {
        let dir = self.dir.clone();
        let files = blocking(move || entry_files(&dir)).await?;
        Ok(u64::try_from(files.len()).unwrap_or(u64::MAX))
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, BackendError> {
    let done = tokio::task::spawn_blocking(work)
        .await
        .map_err(io::Error::other)?;
    Ok(done?)
}

fn encode(key: &str, value: &[u8], expiry: Expiry) -> io::Result<Vec<u8>> {
    let key_len = u32::try_from(key.len()).map_err(io::Error::other)?;
    // 0 means "never", so an expiry at the epoch itself becomes the next millisecond.
    let expires = expiry.as_millis().map_or(0, |at| at.max(1));
    let mut entry = Vec::with_capacity(FIXED + key.len() + value.len());
    entry.extend_from_slice(MAGIC);
    entry.push(LAYOUT);
    entry.extend_from_slice(&expires.to_le_bytes());
    entry.extend_from_slice(&key_len.to_le_bytes());
    entry.extend_from_slice(key.as_bytes());
    entry.extend_from_slice(value);
    Ok(entry)
}

/// The expiry and key length a header starts with, unless it is not ours.
fn parse_fixed(header: &[u8]) -> Option<(Expiry, usize)> {
    let (magic, rest) = header.split_first_chunk::<4>()?;
    let (&layout, rest) = rest.split_first()?;
    let (expires, rest) = rest.split_first_chunk::<8>()?;
    let (key_len, _) = rest.split_first_chunk::<4>()?;
    if magic != MAGIC || layout != LAYOUT {
        return None;
    }
    let expiry = match u64::from_le_bytes(*expires) {
        0 => Expiry::Never,
        at => Expiry::At(at),
    };
    Some((expiry, usize::try_from(u32::from_le_bytes(*key_len)).ok()?))
}

fn decode(file: &Bytes, key: &str, now: u64) -> Stored {
    let Some((expiry, key_len)) = parse_fixed(file) else {
        return Stored::Dead;
    };
    let value_start = FIXED.saturating_add(key_len);
    if file.get(FIXED..value_start) != Some(key.as_bytes()) || expiry.is_expired_at(now) {
        return Stored::Dead;
    }
    Stored::Live {
        value: file.slice(value_start..),
        expiry,
    }
}

/// The expiry and key of an entry file, read without its value; `None` if the file
/// is corrupt or gone.
fn read_header(path: &Path) -> io::Result<Option<(Expiry, Vec<u8>)>> {
    let mut file = match fs::File::open(path) {
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
        opened => opened?,
    };
    let mut fixed = [0; FIXED];
    match file.read_exact(&mut fixed) {
        Err(error) if error.kind() == ErrorKind::UnexpectedEof => return Ok(None),
        read => read?,
    }
    let Some((expiry, key_len)) = parse_fixed(&fixed) else {
        return Ok(None);
    };
    let mut key = Vec::new();
    // `take` bounds the read by the header's claim, not a corrupt file's size.
    file.take(key_len as u64).read_to_end(&mut key)?;
    Ok((key.len() == key_len).then_some((expiry, key)))
}

/// Writes `entry` to `temp`, then renames it over `path`.
fn replace(temp: &Path, path: &Path, entry: &[u8]) -> io::Result<()> {
    // `create_new`: should two writers pick one name, the second fails instead of
    // interleaving its bytes with the first's.
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)?;
    let mut written = file.write_all(entry);
    drop(file);
    if written.is_ok() {
        written = fs::rename(temp, path);
    }
    if written.is_err() {
        let _ = fs::remove_file(temp);
    }
    written
}

/// Removes a file; `false` if it was already gone.
fn remove_file(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// The entry files in `dir`; none if it was deleted (the next write recreates it).
fn entry_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let listing = match fs::read_dir(dir) {
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        listing => listing?,
    };
    let mut files = Vec::new();
    for entry in listing {
        let path = entry?.path();
        if path.extension() == Some(OsStr::new("cache")) {
            files.push(path);
        }
    }
    Ok(files)
}

/// Makes room for one new entry: removes the dead entries, then the least recently
/// written, until `cull`'s share is gone and the count is under the bound. Returns
/// how many entries are left.
fn cull_dir(dir: &Path, cull: Cull, now: u64) -> io::Result<u64> {
    let mut files = Vec::new();
    for path in entry_files(dir)? {
        let live = read_header(&path)?.is_some_and(|(expiry, _)| !expiry.is_expired_at(now));
        // A file we cannot date goes first: it is likely gone or broken.
        let written = fs::metadata(&path).and_then(|meta| meta.modified());
        files.push((live, written.unwrap_or(SystemTime::UNIX_EPOCH), path));
    }
    let count = u64::try_from(files.len()).unwrap_or(u64::MAX);
    if count < cull.max_entries {
        return Ok(count);
    }
    files.sort_unstable_by_key(|&(live, written, _)| (live, written));
    let dead = files.iter().take_while(|(live, ..)| !live).count();
    let doomed = cull.victims(count).max(count + 1 - cull.max_entries);
    let doomed = usize::try_from(doomed).unwrap_or(usize::MAX).max(dead);
    for (_, _, path) in files.iter().take(doomed) {
        remove_file(path)?;
    }
    Ok(u64::try_from(files.len().saturating_sub(doomed)).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests;
