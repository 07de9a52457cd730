//! `GET`, the read behind every cache hit, on connections of the backend's own beside
//! redis-rs's shared one. GETs are pipelined on them as on redis-rs's (those asked
//! while a write is under way go in the next write), but a reply is read
//! without copying it: a value that arrived whole is split off the read buffer, a
//! longer one is read straight into a buffer of its own size. redis-rs reads a reply
//! through a buffer that grows as it arrives and copies it out into a `Vec`: for the
//! 154 KB `/all`, those copies were a sixth of a hit's CPU.

use std::collections::VecDeque;
#[cfg(unix)]
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use memchr::memmem;
use redis::{ConnectionAddr, ConnectionInfo, ErrorKind, RedisError, RedisResult};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

/// What the read buffer grows by: room for several small replies per read.
const READ_ROOM: usize = 64 * 1024;
/// Less room than this left in the read buffer, and it grows before the next read.
const READ_LEAST: usize = 4 * 1024;
/// Connections GETs are spread over, in turn: one task reads a connection's replies,
/// and two keep both cores reading large pages.
pub(super) const PIPES: usize = 2;
/// The longest first line a reply may have before the connection is given up on.
const LINE_MAX: usize = 8 * 1024;

/// A byte stream to Redis: TCP, or a Unix socket.
trait Duplex: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Duplex for T {}

/// A GET's answer: the value, none, or Redis's refusal.
type Answer = RedisResult<Option<Bytes>>;

/// Opens, logs in and reopens the connections GETs are pipelined on.
pub(super) struct Getter {
    addr: Addr,
    /// `AUTH` and `SELECT`, as the URL asks, and `PING`, sent on a new connection
    /// first.
    login: Vec<u8>,
    /// How many replies `login` brings.
    logins: usize,
    /// The connections, each while it is up.
    pipes: [Mutex<Option<Pipe>>; PIPES],
    /// Which connection the next GET goes on.
    turn: AtomicUsize,
    /// One connection attempt at a time: requests arriving meanwhile wait for it.
    connecting: tokio::sync::Mutex<()>,
}

/// Where the connections go.
enum Addr {
    Tcp(String, u16),
    #[cfg(unix)]
    Unix(PathBuf),
}

/// A GET on its way: the command, and where its answer goes.
struct Asked {
    command: Vec<u8>,
    answer: oneshot::Sender<Answer>,
}

/// A connection's queue of GETs, written by one task and answered by another.
#[derive(Clone)]
struct Pipe {
    asked: mpsc::UnboundedSender<Asked>,
    shared: Arc<Shared>,
}

/// What the writing and the reading task share: the answers owed, in the order
/// their GETs were written.
struct Shared {
    owed: Mutex<VecDeque<oneshot::Sender<Answer>>>,
    /// Cleared once, when the connection fails, before the answers owed are failed:
    /// the next GET opens another connection, and the writer, which reads it under
    /// the same lock, owes no answer that no reply will come for.
    up: AtomicBool,
}

impl Getter {
    /// GETs to the server `info` names, logged in as it says; `None` for a server
    /// reached through TLS, which only redis-rs's connection speaks.
    pub(super) fn for_server(info: &ConnectionInfo) -> Option<Self> {
        let addr = match info.addr() {
            ConnectionAddr::Tcp(host, port) => Addr::Tcp(host.clone(), *port),
            #[cfg(unix)]
            ConnectionAddr::Unix(path) => Addr::Unix(path.clone()),
            _ => return None,
        };
        let settings = info.redis_settings();
        let mut login = Vec::new();
        let mut logins = 0;
        if let Some(password) = settings.password() {
            let mut auth: Vec<&[u8]> = vec![b"AUTH"];
            auth.extend(settings.username().map(str::as_bytes));
            auth.push(password.as_bytes());
            put_command(&mut login, &auth);
            logins += 1;
        }
        if settings.db() != 0 {
            let db = settings.db().to_string();
            put_command(&mut login, &[b"SELECT", db.as_bytes()]);
            logins += 1;
        }
        // A server that accepts connections but never answers is found out here,
        // before GETs are queued on its connection.
        put_command(&mut login, &[b"PING"]);
        logins += 1;
        Some(Self {
            addr,
            login,
            logins,
            pipes: Default::default(),
            turn: AtomicUsize::new(0),
            connecting: tokio::sync::Mutex::new(()),
        })
    }

    /// The value under `key`; `None` when there is none. A GET given up on (its
    /// request timed out) still has its reply read, and dropped, so the next GET
    /// reads its own.
    pub(super) async fn get(&self, key: &str) -> Answer {
        let mut command = Vec::with_capacity(32 + key.len());
        put_command(&mut command, &[b"GET", key.as_bytes()]);
        let (answer, answered) = oneshot::channel();
        let pipe = self.pipe().await?;
        pipe.asked
            .send(Asked { command, answer })
            .map_err(|_| closed())?;
        answered.await.map_err(|_| closed())?
    }

    /// The next connection in turn, opened now if it is not up.
    async fn pipe(&self) -> RedisResult<Pipe> {
        let slot = &self.pipes[self.turn.fetch_add(1, Ordering::Relaxed) % PIPES];
        if let Some(pipe) = current(slot) {
            return Ok(pipe);
        }
        let _connecting = self.connecting.lock().await;
        if let Some(pipe) = current(slot) {
            return Ok(pipe);
        }
        let pipe = self.connect().await?;
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(pipe.clone());
        Ok(pipe)
    }

    /// How many of its connections are up.
    #[cfg(test)]
    pub(super) fn connections_up(&self) -> usize {
        self.pipes
            .iter()
            .filter(|slot| current(slot).is_some())
            .count()
    }

    /// A new connection, logged in, with its writing and reading tasks started.
    async fn connect(&self) -> RedisResult<Pipe> {
        let mut stream: Box<dyn Duplex> = match &self.addr {
            Addr::Tcp(host, port) => {
                let stream = TcpStream::connect((host.as_str(), *port)).await?;
                stream.set_nodelay(true)?;
                Box::new(stream)
            }
            #[cfg(unix)]
            Addr::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
        };
        let mut buffer = BytesMut::with_capacity(READ_ROOM);
        stream.write_all(&self.login).await?;
        for _ in 0..self.logins {
            match read_line(&mut stream, &mut buffer).await? {
                Line::Status => {}
                Line::Refused(why) => {
                    let refused = "Redis refused AUTH, SELECT or PING";
                    return Err(failure(ErrorKind::AuthenticationFailed, refused, why));
                }
                Line::Bulk(_) => return Err(unexpected("a value")),
            }
        }
        let (reading, writing) = tokio::io::split(stream);
        let (asked, queue) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            owed: Mutex::new(VecDeque::new()),
            up: AtomicBool::new(true),
        });
        tokio::spawn(write(writing, queue, Arc::clone(&shared)));
        tokio::spawn(read(reading, buffer, Arc::clone(&shared)));
        Ok(Pipe { asked, shared })
    }
}

/// The connection in `slot`, if it is up.
fn current(slot: &Mutex<Option<Pipe>>) -> Option<Pipe> {
    let pipe = slot.lock().unwrap_or_else(PoisonError::into_inner);
    pipe.as_ref()
        .filter(|pipe| pipe.shared.up.load(Ordering::Acquire))
        .cloned()
}

impl Shared {
    fn owed(&self) -> MutexGuard<'_, VecDeque<oneshot::Sender<Answer>>> {
        self.owed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks the connection down and fails every answer still owed.
    fn close(&self, why: &RedisError) {
        self.up.store(false, Ordering::Release);
        let owed = std::mem::take(&mut *self.owed());
        for answer in owed {
            let _ = answer.send(Err(copy_of(why)));
        }
    }
}

/// Writes the GETs asked, each write carrying every GET that waited for it, and
/// records the answers owed in the order written.
async fn write(
    mut writing: impl AsyncWrite + Unpin,
    mut queue: mpsc::UnboundedReceiver<Asked>,
    shared: Arc<Shared>,
) {
    let mut batch = Vec::new();
    while let Some(first) = queue.recv().await {
        // The requests already running get to ask before this write goes: under
        // load, one write then carries many GETs, and Redis reads them in one go.
        tokio::task::yield_now().await;
        batch.clear();
        {
            let mut owed = shared.owed();
            if !shared.up.load(Ordering::Acquire) {
                let _ = first.answer.send(Err(closed()));
                return;
            }
            let mut next = Some(first);
            while let Some(asked) = next {
                batch.extend_from_slice(&asked.command);
                owed.push_back(asked.answer);
                next = queue.try_recv().ok();
            }
        }
        if let Err(error) = writing.write_all(&batch).await {
            shared.close(&error.into());
            return;
        }
    }
}

/// Reads the replies, each to the answer owed first, until the connection fails.
async fn read(mut reading: impl AsyncRead + Unpin, mut buffer: BytesMut, shared: Arc<Shared>) {
    let why = loop {
        let answer = match next_answer(&mut reading, &mut buffer).await {
            Ok(answer) => answer,
            Err(why) => break why,
        };
        let Some(owed) = shared.owed().pop_front() else {
            break unexpected("a reply to no GET");
        };
        // Its request may have given up waiting: the reply is dropped.
        let _ = owed.send(answer);
    };
    shared.close(&why);
}

/// The next reply, as a GET's answer; `Err` when the connection can no longer be
/// read (a refused GET is an answer: the connection stays good).
async fn next_answer(
    reading: &mut (impl AsyncRead + Unpin),
    buffer: &mut BytesMut,
) -> RedisResult<Answer> {
    let len = match read_line(reading, buffer).await? {
        Line::Bulk(Some(len)) => len,
        Line::Bulk(None) => return Ok(Ok(None)),
        Line::Refused(why) => return Ok(Err(failure(ErrorKind::Client, "Redis refused GET", why))),
        Line::Status => return Err(unexpected("a status")),
    };
    let whole = len + 2;
    let mut value = if buffer.len() >= whole {
        buffer.split_to(whole)
    } else {
        let mut value = BytesMut::with_capacity(whole);
        value.extend_from_slice(buffer);
        buffer.clear();
        while value.len() < whole {
            let want = whole - value.len();
            if reading.read_buf(&mut (&mut value).limit(want)).await? == 0 {
                return Err(closed());
            }
        }
        value
    };
    if !value.ends_with(b"\r\n") {
        return Err(unexpected("a value without its line end"));
    }
    value.truncate(len);
    Ok(Ok(Some(value.freeze())))
}

/// The next reply's first line, read with as much of what follows as arrives.
async fn read_line(
    reading: &mut (impl AsyncRead + Unpin),
    buffer: &mut BytesMut,
) -> RedisResult<Line> {
    loop {
        if let Some(end) = memmem::find(buffer, b"\r\n") {
            let line = parse_line(&buffer[..end]);
            buffer.advance(end + 2);
            return line;
        }
        if buffer.len() >= LINE_MAX {
            return Err(unexpected("a first line longer than 8 KiB"));
        }
        if buffer.capacity() - buffer.len() < READ_LEAST {
            buffer.reserve(READ_ROOM);
        }
        if reading.read_buf(buffer).await? == 0 {
            return Err(closed());
        }
    }
}

/// A reply's first line, as far as `GET` and logging in need it.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// `+OK`, or any status.
    Status,
    /// `-ERR …`: the server's refusal.
    Refused(String),
    /// `$n`: a value of `n` bytes follows; `$-1` (`_` in RESP3): none.
    Bulk(Option<usize>),
}

fn parse_line(line: &[u8]) -> RedisResult<Line> {
    match line.split_first() {
        Some((b'+', _)) => Ok(Line::Status),
        Some((b'-', why)) => Ok(Line::Refused(String::from_utf8_lossy(why).into_owned())),
        Some((b'_', []) | (b'$', b"-1")) => Ok(Line::Bulk(None)),
        Some((b'$', digits)) => std::str::from_utf8(digits)
            .ok()
            .and_then(|digits| digits.parse().ok())
            .map(|len| Line::Bulk(Some(len)))
            .ok_or_else(|| unexpected("a bad length")),
        _ => Err(unexpected("a reply GET never gets")),
    }
}

/// `args` as a RESP command: an array of bulk strings.
fn put_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    let mut number = itoa::Buffer::new();
    out.push(b'*');
    out.extend_from_slice(number.format(args.len()).as_bytes());
    out.extend_from_slice(b"\r\n");
    for arg in args {
        out.push(b'$');
        out.extend_from_slice(number.format(arg.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

fn failure(kind: ErrorKind, what: &'static str, why: String) -> RedisError {
    RedisError::from((kind, what, why))
}

fn unexpected(what: &'static str) -> RedisError {
    RedisError::from((
        ErrorKind::Parse,
        "unexpected reply from Redis",
        what.to_owned(),
    ))
}

fn closed() -> RedisError {
    RedisError::from(std::io::Error::from(std::io::ErrorKind::UnexpectedEof))
}

/// `why` again, for each answer a failed connection owed.
fn copy_of(why: &RedisError) -> RedisError {
    RedisError::from((
        ErrorKind::Io,
        "the connection to Redis failed",
        why.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        let mut out = Vec::new();
        put_command(&mut out, &[b"GET", b"k\r\n"]);
        assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$3\r\nk\r\n\r\n");
    }

    #[test]
    fn first_lines_are_read_as_get_and_login_need_them() {
        assert_eq!(parse_line(b"+OK").unwrap(), Line::Status);
        assert_eq!(
            parse_line(b"-WRONGTYPE no").unwrap(),
            Line::Refused("WRONGTYPE no".into())
        );
        assert_eq!(parse_line(b"$-1").unwrap(), Line::Bulk(None));
        assert_eq!(parse_line(b"_").unwrap(), Line::Bulk(None));
        assert_eq!(parse_line(b"$154060").unwrap(), Line::Bulk(Some(154_060)));
        for bad in [&b"$"[..], b"$-2", b"$x", b":1", b""] {
            assert!(parse_line(bad).is_err(), "{bad:?}");
        }
    }
}
