//! Reading an entry on the async thread when the kernel holds it in memory: the
//! path resolved only from the kernel's lookup cache (`openat2` with
//! `RESOLVE_CACHED`) and the bytes read only from its page cache (`preadv2` with
//! `RWF_NOWAIT`), as `io_uring` tries a read before it hands one to a worker. Anything
//! that would wait for the disk says so, and the caller reads on the blocking pool;
//! a hit of `/all` on files spent a quarter of its CPU handing the read to a pool
//! thread and waking it.

use std::io;
use std::path::Path;

/// The whole file at `path`, or `None` when reading it would wait for the disk (or
/// the kernel cannot promise it would not): read it on the blocking pool then.
#[cfg(target_os = "linux")]
pub fn read_if_cached(path: &Path) -> io::Result<Option<Vec<u8>>> {
    use rustix::fs::{CWD, Mode, OFlags, ResolveFlags, fstat, openat2};
    use rustix::io::{Errno, IoSliceMut, ReadWriteFlags, preadv2};

    // Would wait, or the kernel (older than 5.12 and 4.14) has no such promise.
    let blocked = |errno: Errno| {
        matches!(
            errno,
            Errno::AGAIN | Errno::NOSYS | Errno::INVAL | Errno::OPNOTSUPP
        )
    };
    let file = match openat2(
        CWD,
        path,
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::CACHED,
    ) {
        Ok(file) => file,
        Err(errno) if blocked(errno) => return Ok(None),
        Err(errno) => return Err(errno.into()),
    };
    let len = usize::try_from(fstat(&file)?.st_size).unwrap_or(0);
    let mut bytes = vec![0; len];
    let mut read = 0;
    while read < len {
        let mut rest = [IoSliceMut::new(&mut bytes[read..])];
        match preadv2(&file, &mut rest, read as u64, ReadWriteFlags::NOWAIT) {
            // The file was cut short since `fstat`: what is there is the entry.
            Ok(0) => break,
            Ok(more) => read += more,
            Err(Errno::INTR) => {}
            Err(errno) if blocked(errno) => return Ok(None),
            Err(errno) => return Err(errno.into()),
        }
    }
    bytes.truncate(read);
    Ok(Some(bytes))
}

/// Elsewhere every read goes to the blocking pool.
#[cfg(not(target_os = "linux"))]
pub fn read_if_cached(_path: &Path) -> io::Result<Option<Vec<u8>>> {
    Ok(None)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_file_just_written_is_read_without_the_pool_and_a_missing_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.cache");
        let value: Vec<u8> = (0..200_000_u32).map(|n| (n % 251) as u8).collect();
        std::fs::write(&path, &value).unwrap();
        assert_eq!(read_if_cached(&path).unwrap().as_deref(), Some(&value[..]));
        // A name the lookup cache does not know may need the disk: the pool decides.
        match read_if_cached(&dir.path().join("absent.cache")) {
            Ok(None) => {}
            Err(error) => assert_eq!(error.kind(), io::ErrorKind::NotFound),
            Ok(Some(bytes)) => panic!("read {} bytes of no file", bytes.len()),
        }
    }
}
