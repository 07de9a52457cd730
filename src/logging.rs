//! The log's way out. Lines are appended to a buffer in memory and written to stderr
//! by a thread of their own, in batches: a request pays for a copy into the buffer,
//! never for a system call or a wake-up of the writer, and a slow terminal or a full
//! pipe never holds a request up (past a bound, lines are dropped and counted).

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How long the writer gathers lines after the first of a batch.
const GATHER: Duration = Duration::from_millis(50);
/// At most this much waits for the writer; lines beyond it are dropped.
const HOLD_AT_MOST: usize = 4 * 1024 * 1024;

/// Starts the process's log: info and above of this crate unless `RUST_LOG` says
/// otherwise, to stderr, coloured only when a person reads it. The log is written out
/// until the returned guard is dropped.
#[must_use = "dropping the guard stops the log"]
pub fn init() -> Flushed {
    let ansi = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    install(io::stderr(), ansi)
}

/// [`init`] writing to `out`, coloured if `ansi`: for the bench that measures what
/// a log line costs.
#[must_use = "dropping the guard stops the log"]
pub fn install(out: impl Write + Send + 'static, ansi: bool) -> Flushed {
    let (sink, flushed) = LogSink::new(out);
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("pokedex=info")),
        )
        .with_ansi(ansi)
        .with_writer(sink)
        .init();
    flushed
}

/// Where log lines go: a handle on the buffer the writer thread empties.
#[derive(Clone)]
pub struct LogSink {
    shared: Arc<Shared>,
}

/// Writes out what is left, then stops the writer, when dropped.
pub struct Flushed {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

struct Shared {
    pending: Mutex<Pending>,
    arrived: Condvar,
}

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    dropped: u64,
    closed: bool,
}

impl LogSink {
    /// A sink writing to `out` from a thread of its own.
    pub fn new(out: impl Write + Send + 'static) -> (Self, Flushed) {
        let shared = Arc::new(Shared {
            pending: Mutex::default(),
            arrived: Condvar::new(),
        });
        let writer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("log-writer".into())
                .spawn(move || write_out(&shared, out))
                .ok()
        };
        let flushed = Flushed {
            shared: Arc::clone(&shared),
            writer,
        };
        (Self { shared }, flushed)
    }

    fn append(&self, line: &[u8]) {
        let mut pending = self.shared.lock();
        if pending.bytes.len() + line.len() > HOLD_AT_MOST {
            pending.dropped += 1;
            return;
        }
        let first = pending.bytes.is_empty();
        pending.bytes.extend_from_slice(line);
        drop(pending);
        // Only the first line of a batch wakes the writer.
        if first {
            self.shared.arrived.notify_one();
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer thread: waits for a first line, gathers for [`GATHER`], writes the
/// batch; at the end, writes what is left.
fn write_out(shared: &Shared, mut out: impl Write) {
    let mut batch = Vec::new();
    loop {
        let mut pending = shared.lock();
        while pending.bytes.is_empty() && !pending.closed {
            pending = shared
                .arrived
                .wait(pending)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if !pending.closed {
            drop(pending);
            std::thread::sleep(GATHER);
            pending = shared.lock();
        }
        std::mem::swap(&mut batch, &mut pending.bytes);
        let dropped = std::mem::take(&mut pending.dropped);
        let closed = pending.closed;
        drop(pending);
        if dropped > 0 {
            let note = format!("pokedex: {dropped} log lines dropped: stderr did not keep up\n");
            batch.extend_from_slice(note.as_bytes());
        }
        // Nowhere to report a failed write to: the log is where errors go.
        let _ = out.write_all(&batch).and_then(|()| out.flush());
        batch.clear();
        if closed {
            return;
        }
    }
}

impl Drop for Flushed {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.arrived.notify_one();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// One log line on its way into the sink (tracing formats a whole event, then writes
/// it at once).
pub struct SinkWriter<'a> {
    sink: &'a LogSink,
}

impl Write for SinkWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sink.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogSink {
    type Writer = SinkWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        SinkWriter { sink: self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer the test can read after the sink is done with it.
    #[derive(Clone, Default)]
    struct Shelf(Arc<Mutex<Vec<u8>>>);

    impl Write for Shelf {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_written_in_order_by_the_time_the_guard_is_dropped() {
        let shelf = Shelf::default();
        let (sink, flushed) = LogSink::new(shelf.clone());
        let threads: Vec<_> = (0..4)
            .map(|thread| {
                let sink = sink.clone();
                std::thread::spawn(move || {
                    for line in 0..1000 {
                        sink.make_writer()
                            .write_all(format!("{thread} {line}\n").as_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        drop(flushed);
        let written = String::from_utf8(shelf.0.lock().unwrap().clone()).unwrap();
        for thread in 0..4 {
            let lines: Vec<usize> = written
                .lines()
                .filter_map(|line| line.strip_prefix(&format!("{thread} ")))
                .map(|line| line.parse().unwrap())
                .collect();
            assert_eq!(lines, (0..1000).collect::<Vec<_>>(), "thread {thread}");
        }
    }

    /// A writer whose writes wait until the test opens it, keeping what they wrote.
    #[derive(Clone, Default)]
    struct Stuck {
        state: Arc<(Mutex<(bool, bool)>, Condvar)>,
        shelf: Shelf,
    }

    impl Write for Stuck {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let (state, changed) = &*self.state;
            let mut state = state.lock().unwrap();
            state.0 = true;
            changed.notify_all();
            while !state.1 {
                state = changed.wait(state).unwrap();
            }
            self.shelf.write(buf)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_stuck_stderr_never_holds_up_a_writer_and_the_lines_past_the_bound_are_counted() {
        let stuck = Stuck::default();
        let (sink, flushed) = LogSink::new(stuck.clone());
        sink.make_writer().write_all(b"first\n").unwrap();
        let (state, changed) = &*stuck.state;
        let entered = changed
            .wait_timeout_while(state.lock().unwrap(), Duration::from_secs(30), |s| !s.0)
            .unwrap();
        assert!(entered.0.0, "the writer is inside its first write");
        drop(entered);
        let mut line = vec![b'x'; 1023];
        line.push(b'\n');
        for _ in 0..(2 * HOLD_AT_MOST / line.len()) {
            sink.make_writer().write_all(&line).unwrap();
        }
        state.lock().unwrap().1 = true;
        changed.notify_all();
        drop(flushed);
        let written = String::from_utf8(stuck.shelf.0.lock().unwrap().clone()).unwrap();
        assert!(written.starts_with("first\n"));
        assert!(
            written.len() <= HOLD_AT_MOST + 1024,
            "held at most the bound"
        );
        assert!(
            written.contains("log lines dropped: stderr did not keep up"),
            "the drop is reported"
        );
    }
}
