//! The log's way out. Lines are appended to a buffer in memory and written to stderr
//! by a thread of their own, in batches: a request pays for a copy into the buffer,
//! never for a system call or a wake-up of the writer, and a slow terminal or a full
//! pipe never holds a request up (past a bound, lines are dropped and counted).

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    if !ansi {
        // Set once per process, as the subscriber below is.
        let _ = PLAIN.set(sink.clone());
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("pokedex=info")),
        )
        .with_ansi(ansi)
        .with_writer(sink)
        .init();
    flushed
}

/// The process's sink when its lines are plain text: [`info_line`] writes to it.
static PLAIN: OnceLock<LogSink> = OnceLock::new();

thread_local! {
    /// The line [`info_line`] is building, kept between calls so it allocates once.
    static LINE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Writes one INFO line of `target`, byte for byte as tracing's formatter writes it
/// without colour (`2026-11-28T11:49:39.123456Z  INFO target: message`), straight
/// into the sink: for the line written on every request, which then costs no event
/// dispatch and no `core::fmt`. Returns `false`, writing nothing, when lines are not
/// plain text (coloured for a terminal, or no log installed): the caller then goes
/// through tracing. The caller checks first that tracing's filter lets the line through.
pub fn info_line(target: &str, message: impl FnOnce(&mut Vec<u8>)) -> bool {
    let Some(sink) = PLAIN.get() else {
        return false;
    };
    LINE.with_borrow_mut(|line| {
        line.clear();
        timestamp(SystemTime::now(), line);
        line.extend_from_slice(b"  INFO ");
        line.extend_from_slice(target.as_bytes());
        line.extend_from_slice(b": ");
        message(line);
        line.push(b'\n');
        sink.append(line);
    });
    true
}

/// `now` in RFC 3339 with microseconds, UTC, as tracing's formatter writes it.
fn timestamp(now: SystemTime, out: &mut Vec<u8>) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    push_digits(out, year, 4);
    out.push(b'-');
    push_digits(out, month, 2);
    out.push(b'-');
    push_digits(out, day, 2);
    out.push(b'T');
    push_digits(out, of_day / 3600, 2);
    out.push(b':');
    push_digits(out, of_day / 60 % 60, 2);
    out.push(b':');
    push_digits(out, of_day % 60, 2);
    out.push(b'.');
    push_digits(out, u64::from(since.subsec_micros()), 6);
    out.push(b'Z');
}

/// The last `width` decimal digits of `value`, zero-padded: the fixed-width numbers
/// of a log line, written without `core::fmt`.
pub fn push_digits(out: &mut Vec<u8>, mut value: u64, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    for place in out[start..].iter_mut().rev() {
        *place = b'0' + u8::try_from(value % 10).unwrap_or(0);
        value /= 10;
    }
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
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

    #[test]
    fn timestamps_are_written_as_tracing_writes_them() {
        let cases = [
            (0, 0, "1970-01-01T00:00:00.000000Z"),
            (951_782_400, 7, "2000-02-29T00:00:00.000007Z"),
            (1_700_000_000, 123_456, "2023-11-14T22:13:20.123456Z"),
            (4_102_444_799, 999_999, "2099-12-31T23:59:59.999999Z"),
        ];
        for (seconds, micros, expected) in cases {
            let at = UNIX_EPOCH + Duration::new(seconds, micros * 1000);
            let mut ours = Vec::new();
            timestamp(at, &mut ours);
            assert_eq!(String::from_utf8(ours).unwrap(), expected);
        }
    }

    #[test]
    fn an_info_line_is_the_line_tracing_writes_for_the_same_event() {
        let shelf = Shelf::default();
        let writer = shelf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "pokedex::access", "GET /all 200 0.143ms");
        });
        let theirs = String::from_utf8(shelf.0.lock().unwrap().clone()).unwrap();
        let mut ours = Vec::new();
        timestamp(SystemTime::now(), &mut ours);
        ours.extend_from_slice(b"  INFO pokedex::access: GET /all 200 0.143ms\n");
        let ours = String::from_utf8(ours).unwrap();
        let stamp = "1970-01-01T00:00:00.000000Z".len();
        assert_eq!(ours[stamp..], theirs[stamp..], "after the timestamp");
        assert_eq!(theirs.as_bytes()[10], b'T', "{theirs}");
        assert_eq!(theirs.as_bytes()[stamp - 1], b'Z', "{theirs}");
    }

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
