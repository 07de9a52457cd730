//! The directory operations the file backend needs: atomic replacement, listing,
//! culling and healing, all blocking (run on tokio's blocking pool).

use std::ffi::OsStr;
use std::fs;
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::super::Cull;
use super::entry::read_header;

/// A temporary file older than this was left by a writer that died (SIGKILL during
/// a write): no live write takes a minute.
const ABANDONED_AFTER: Duration = Duration::from_secs(60);

/// Writes `entry` to `temp`, then renames it over `path`; a directory standing where
/// the entry goes (put there by hand) is removed first.
pub(super) fn replace(temp: &Path, path: &Path, entry: &[u8]) -> io::Result<()> {
    match write_then_rename(temp, path, entry) {
        Err(error) if path.is_dir() => {
            tracing::warn!(path = %path.display(), %error, "a directory stood where a cache entry goes; removed");
            fs::remove_dir_all(path)?;
            write_then_rename(temp, path, entry)
        }
        written => written,
    }
}

fn write_then_rename(temp: &Path, path: &Path, entry: &[u8]) -> io::Result<()> {
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
pub(super) fn remove_file(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// What a name in the cache directory is.
enum Found {
    /// An entry file: `<32 hex digits>.cache`, a regular file.
    Entry(PathBuf),
    /// Not an entry, though named like one (a directory, a stray name), or a
    /// temporary file left behind: removed by [`heal`].
    Debris(PathBuf),
    /// Anything else: not ours, left alone.
    Other,
}

fn classify(entry: &fs::DirEntry, now: SystemTime) -> Found {
    let path = entry.path();
    let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
    match path.extension().and_then(OsStr::to_str) {
        Some("cache") => {
            let stem = path.file_stem().and_then(OsStr::to_str).unwrap_or_default();
            let named = stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit());
            if is_file && named {
                Found::Entry(path)
            } else {
                Found::Debris(path)
            }
        }
        Some("tmp") => {
            let age = entry
                .metadata()
                .and_then(|meta| meta.modified())
                .ok()
                .and_then(|written| now.duration_since(written).ok());
            if age.is_some_and(|age| age > ABANDONED_AFTER) {
                Found::Debris(path)
            } else {
                Found::Other
            }
        }
        _ => Found::Other,
    }
}

/// Everything in `dir`, sorted; none if it was deleted (the next write recreates it).
fn listing(dir: &Path) -> io::Result<Vec<Found>> {
    let listing = match fs::read_dir(dir) {
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        listing => listing?,
    };
    let now = SystemTime::now();
    // A name that vanished between the listing and its look (culled by another
    // process) is simply skipped.
    Ok(listing
        .filter_map(Result::ok)
        .map(|entry| classify(&entry, now))
        .collect())
}

/// The entry files in `dir`.
pub(super) fn entry_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    Ok(listing(dir)?
        .into_iter()
        .filter_map(|found| match found {
            Found::Entry(path) => Some(path),
            _ => None,
        })
        .collect())
}

/// Removes what is named like an entry but is not one (a directory called
/// `*.cache`, a stray name) and temporary files abandoned over a minute ago; says
/// how many. Whatever cannot be removed is logged and skipped: healing never stops a
/// cull.
pub(super) fn heal(dir: &Path) -> io::Result<u64> {
    let mut removed = 0;
    for found in listing(dir)? {
        let Found::Debris(path) = found else { continue };
        let gone = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        match gone {
            Ok(()) => removed += 1,
            Err(error) if error.kind() == ErrorKind::NotFound => {}
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "cannot remove debris from the cache directory");
            }
        }
    }
    Ok(removed)
}

/// Makes room: removes debris, the dead entries, then the least recently written,
/// until `cull`'s share is gone and the count is under the bound — or, `forced`
/// (the disk is full), `cull`'s share whatever the count. Returns how many entries
/// are left.
pub(super) fn cull_dir(dir: &Path, cull: Cull, now: u64, forced: bool) -> io::Result<u64> {
    heal(dir)?;
    let mut files = Vec::new();
    for path in entry_files(dir)? {
        // A file whose header cannot be read is dead: it goes first.
        let header = read_header(&path).ok().flatten();
        let live = header.is_some_and(|(expiry, _)| !expiry.is_expired_at(now));
        // A file we cannot date goes first too: it is likely gone or broken.
        let written = fs::metadata(&path).and_then(|meta| meta.modified());
        files.push((live, written.unwrap_or(SystemTime::UNIX_EPOCH), path));
    }
    let count = u64::try_from(files.len()).unwrap_or(u64::MAX);
    if count < cull.max_entries && !forced {
        return Ok(count);
    }
    files.sort_unstable_by_key(|&(live, written, _)| (live, written));
    let dead = files.iter().take_while(|(live, ..)| !live).count();
    let doomed = cull
        .victims(count)
        .max((count + 1).saturating_sub(cull.max_entries));
    let doomed = usize::try_from(doomed).unwrap_or(usize::MAX).max(dead);
    for (_, _, path) in files.iter().take(doomed) {
        if let Err(error) = remove_file(path) {
            tracing::warn!(path = %path.display(), %error, "cannot cull a cache entry");
        }
    }
    Ok(u64::try_from(files.len().saturating_sub(doomed)).unwrap_or(u64::MAX))
}
