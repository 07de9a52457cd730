//! The directory operations the file backend needs: atomic replacement, listing and
//! culling, all blocking (run on tokio's blocking pool).

use std::ffi::OsStr;
use std::fs;
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::super::Cull;
use super::entry::read_header;

/// Writes `entry` to `temp`, then renames it over `path`.
pub(super) fn replace(temp: &Path, path: &Path, entry: &[u8]) -> io::Result<()> {
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

/// The entry files in `dir`; none if it was deleted (the next write recreates it).
pub(super) fn entry_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
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
pub(super) fn cull_dir(dir: &Path, cull: Cull, now: u64) -> io::Result<u64> {
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
