//! The header-read deadline: a connection whose request head, once begun, does not
//! arrive whole in time is closed. hyper's own timer bounds the wait for a head from
//! the moment a connection is idle, so it serves as the keep-alive idle timeout; this
//! clock starts at a head's first byte, so a slow sender gets the shorter bound.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// One connection's state: whether it waits for a head, and since when one began.
#[derive(Debug)]
pub struct HeadClock {
    opened: Instant,
    awaiting_head: AtomicBool,
    /// Milliseconds after `opened` plus one when the awaited head's first byte came;
    /// 0 while none has.
    head_began: AtomicU64,
}

impl HeadClock {
    /// The clock of a connection just accepted, waiting for its first head.
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            opened: Instant::now(),
            awaiting_head: AtomicBool::new(true),
            head_began: AtomicU64::new(0),
        })
    }

    fn bytes_arrived(&self) {
        if self.awaiting_head.load(Ordering::Relaxed)
            && self.head_began.load(Ordering::Relaxed) == 0
        {
            let since = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.head_began
                .store(since.saturating_add(1), Ordering::Relaxed);
        }
    }

    /// A whole head arrived: the service has the request.
    pub fn request_started(&self) {
        self.awaiting_head.store(false, Ordering::Relaxed);
        self.head_began.store(0, Ordering::Relaxed);
    }

    /// The response is on its way: the next bytes begin the next head.
    pub fn request_answered(&self) {
        self.awaiting_head.store(true, Ordering::Relaxed);
    }

    /// How long the awaited head has been arriving, if one has begun.
    fn head_age(&self) -> Option<Duration> {
        let began = self.head_began.load(Ordering::Relaxed).checked_sub(1)?;
        Some(
            self.opened
                .elapsed()
                .saturating_sub(Duration::from_millis(began)),
        )
    }

    /// Resolves once a head has been arriving for longer than `limit`.
    pub async fn overdue(&self, limit: Duration) {
        let tick = (limit / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
        loop {
            tokio::time::sleep(tick).await;
            if self.head_age().is_some_and(|age| age > limit) {
                return;
            }
        }
    }
}

/// A connection's socket, telling its [`HeadClock`] when bytes arrive.
pub struct Clocked<T> {
    inner: T,
    clock: Arc<HeadClock>,
}

impl<T> Clocked<T> {
    /// `inner`, reporting to `clock`.
    pub fn new(inner: T, clock: Arc<HeadClock>) -> Self {
        Self { inner, clock }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Clocked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.clock.bytes_arrived();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Clocked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_begun_head_is_overdue_after_the_limit_and_a_request_resets_it() {
        let clock = HeadClock::new();
        assert_eq!(clock.head_age(), None, "nothing arrived yet");
        clock.bytes_arrived();
        assert!(clock.head_age().is_some());
        clock.request_started();
        assert_eq!(clock.head_age(), None, "a whole head stops the clock");
        clock.bytes_arrived();
        assert_eq!(clock.head_age(), None, "body bytes are not a head");
        clock.request_answered();
        clock.bytes_arrived();
        assert!(clock.head_age().is_some(), "the next head began");
    }
}
