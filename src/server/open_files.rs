//! How many connections the process can really hold: each is a file descriptor, and
//! the catalogue, the caches and the log need some of their own. A limit of
//! connections above what the open-file limit allows would turn the last ones into
//! failures to open the database rather than clients waiting their turn.

/// Descriptors kept for everything but connections: SQLite's files for each pooled
/// connection (database, WAL, shared memory), the cache directory, Redis, the log.
const RESERVED: usize = 128;

/// `wanted` connections, or fewer when the process's open-file limit cannot hold
/// them beside [`RESERVED`] others.
#[must_use]
pub fn connections_within_limit(wanted: usize) -> usize {
    let Some(limit) = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| soft_open_files(&limits))
    else {
        return wanted;
    };
    let room = limit.saturating_sub(RESERVED).max(1);
    if wanted > room {
        tracing::warn!(
            wanted,
            open_file_limit = limit,
            allowed = room,
            "server.max_connections is more than the open-file limit allows; raise it with `ulimit -n`"
        );
        return room;
    }
    wanted
}

/// The soft "Max open files" of a `/proc/<pid>/limits` text.
fn soft_open_files(limits: &str) -> Option<usize> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_is_read_from_proc_limits() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max cpu time              unlimited            unlimited            seconds\n\
                      Max open files            1024                 1048576              files\n";
        assert_eq!(soft_open_files(limits), Some(1024));
        assert_eq!(
            soft_open_files("Max open files unlimited unlimited files"),
            None
        );
        assert_eq!(soft_open_files(""), None);
    }
}
