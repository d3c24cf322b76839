//! One KMIP connection: read a message, hand it to the service, write the
//! reply, repeat.
//!
//! Messages are taken straight from the stream's own buffer (for TLS, the
//! plaintext rustls has just decrypted, through `AsyncBufRead`): the 8-byte
//! header (tag 42 00 78 Request Message, type 01 Structure, a 4-byte
//! length) is checked, and the announced length compared with the limit,
//! before any buffer is sized from it; the body is then copied as it
//! arrives, so memory grows with the bytes that really arrive, never with
//! what a header claims. A message that arrives whole (the usual case: one
//! TLS record) costs one poll and one copy. Several messages in one record
//! (pipelining) are split off one at a time: what follows a message stays in
//! the stream's buffer for the next read.
//!
//! Waiting for a message is bounded by the idle timeout; once its first
//! byte has arrived the whole message must arrive within the read timeout.
//! The read timer, like the write timer, is only armed if the message (or
//! the reply) does not go through at once, so a request that is answered
//! without waiting reads the clock once. An idle connection holds no buffer
//! of ours: the header is gathered in a few bytes on the task's stack.
//!
//! The message handed to the service is `Bytes` that wipe themselves when
//! the last reference goes (a request may hold key material: Register,
//! Import), whether or not the service kept a slice of it.

use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncBufRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::{sleep, timeout, Instant, Sleep};
use zeroize::Zeroize;

use super::{ClientIdentity, Reply, Service};

/// The bytes every KMIP request message starts with: tag 0x420078 (Request
/// Message) and item type 0x01 (Structure).
const REQUEST_MESSAGE_PREFIX: [u8; 4] = [0x42, 0x00, 0x78, 0x01];
/// The header: tag (3), type (1), length (4).
const HEADER_LEN: usize = 8;
/// The most a body read adds to the buffer at a time.
const CHUNK: usize = 64 * 1024;

/// The connection's share of the limits.
#[derive(Debug, Clone, Copy)]
pub struct FrameLimits {
    /// The largest message, header included.
    pub max_message_bytes: usize,
    /// A started message must complete within this.
    pub read_timeout: Duration,
    /// The longest wait for the next message.
    pub idle_timeout: Duration,
}

/// Why a connection stopped reading.
#[derive(Debug)]
pub enum FrameError {
    /// No message started within the idle timeout.
    Idle,
    /// A message started but did not complete within the read timeout.
    ReadTimeout,
    /// The peer closed the connection in the middle of a message.
    Truncated,
    /// The first 8 bytes are not a Request Message structure header.
    NotARequest,
    /// The header announces more than the limit allows.
    TooLarge {
        /// The whole message's size, header included, as announced.
        announced: u64,
        /// The limit.
        limit: usize,
    },
    /// Reading failed (TLS or socket).
    Io(io::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Idle => f.write_str("idle timeout: no message started"),
            FrameError::ReadTimeout => f.write_str("read timeout: a message started but did not complete"),
            FrameError::Truncated => f.write_str("connection closed in the middle of a message"),
            FrameError::NotARequest => f.write_str("the first 8 bytes are not a KMIP Request Message header"),
            FrameError::TooLarge { announced, limit } => {
                write!(f, "message of {announced} bytes announced, over the limit of {limit}")
            }
            FrameError::Io(e) => write!(f, "read failed: {e}"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Why [`read_frame`] returned without a message and without an error.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// The peer closed the connection between messages.
    PeerClosed,
    /// The server is shutting down; no message had started.
    Shutdown,
}

/// The idle timer of a connection. One timer serves all its waits: it is
/// armed once, and when it fires before the current wait has lasted the
/// idle timeout (the connection was busy meanwhile) it is re-armed for the
/// rest. Re-arming a tokio timer takes the timer wheel's lock, so doing it
/// once per idle period rather than once per message matters at 100 000
/// messages a second.
pub struct IdleTimer {
    sleep: Pin<Box<Sleep>>,
    /// The waker the timer was last polled with: until it fires, polling
    /// it again with the same one has nothing to tell.
    waker: Option<Waker>,
}

impl IdleTimer {
    /// A timer for a connection with the given idle timeout.
    pub fn new(limits: &FrameLimits) -> IdleTimer {
        IdleTimer { sleep: Box::pin(sleep(limits.idle_timeout)), waker: None }
    }

    /// Ready once `deadline` has passed.
    fn poll_until(&mut self, cx: &mut Context<'_>, deadline: Instant) -> Poll<()> {
        if !self.sleep.is_elapsed() && self.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            return Poll::Pending;
        }
        loop {
            if self.sleep.as_mut().poll(cx).is_pending() {
                self.waker = Some(cx.waker().clone());
                return Poll::Pending;
            }
            if Instant::now() >= deadline {
                return Poll::Ready(());
            }
            self.sleep.as_mut().reset(deadline);
        }
    }
}

/// A connection's view of the server's shutdown, made once per connection.
///
/// Waiting on a watch channel registers a waiter on its `Notify`, under a
/// lock, and a fresh wait per message would do that and undo it each time.
/// Here the waiting future lives as long as the connection and is polled
/// only when it could have something new to say: the channel changed
/// (one atomic load tells), or the task's waker is not the one it holds.
pub struct ShutdownSignal {
    /// To tell, without a lock, whether anything was sent.
    seen: watch::Receiver<bool>,
    /// Ready once `true` was sent or the sender is gone.
    wait: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// The waker `wait` was last polled with.
    waker: Option<Waker>,
    stopped: bool,
}

impl ShutdownSignal {
    /// Listens on `shutdown`: the server sends `true` to stop, and a
    /// sender that is gone means the same.
    pub fn new(shutdown: watch::Receiver<bool>) -> ShutdownSignal {
        let mut rx = shutdown.clone();
        let wait = Box::pin(async move {
            let _ = rx.wait_for(|stop| *stop).await;
        });
        ShutdownSignal { seen: shutdown, wait, waker: None, stopped: false }
    }

    /// Ready once the server is shutting down; otherwise the task is woken
    /// when it does.
    fn poll_stopped(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.stopped {
            return Poll::Ready(());
        }
        let unchanged = matches!(self.seen.has_changed(), Ok(false));
        if unchanged && self.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            return Poll::Pending;
        }
        if self.wait.as_mut().poll(cx).is_ready() {
            self.stopped = true;
            return Poll::Ready(());
        }
        if !unchanged {
            // Something other than a stop was sent: the wait goes on, and this is not news again.
            self.seen.mark_unchanged();
        }
        self.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Whether the server is shutting down (a stop was sent, or the sender
    /// is gone), without waiting.
    fn is_stopped(&self) -> bool {
        self.stopped
            || match self.seen.has_changed() {
                Ok(false) => false,
                Ok(true) => *self.seen.borrow(),
                Err(_) => true,
            }
    }
}

/// The part of a message read so far: the header while it is gathered,
/// then the whole message in the buffer sized from it.
struct Partial {
    header: [u8; HEADER_LEN],
    header_len: usize,
    /// The message, header included, once the header has been checked; and
    /// its announced size.
    message: Option<(Vec<u8>, usize)>,
}

impl Partial {
    fn new() -> Partial {
        Partial { header: [0; HEADER_LEN], header_len: 0, message: None }
    }

    fn started(&self) -> bool {
        self.header_len > 0
    }

    /// Takes what belongs to this message from `chunk`; returns how many
    /// bytes it took.
    fn take(&mut self, chunk: &[u8], limits: &FrameLimits) -> Result<usize, FrameError> {
        let mut used = 0;
        if self.message.is_none() {
            let want = HEADER_LEN.saturating_sub(self.header_len).min(chunk.len());
            let (Some(to), Some(from)) =
                (self.header.get_mut(self.header_len..self.header_len + want), chunk.get(..want))
            else {
                return Ok(0);
            };
            to.copy_from_slice(from);
            self.header_len += want;
            used = want;
            if self.header_len < HEADER_LEN {
                return Ok(used);
            }
            let total = check_header(&self.header, limits)?;
            let mut buf = Vec::with_capacity(total.min(CHUNK));
            buf.extend_from_slice(&self.header);
            self.message = Some((buf, total));
        }
        if let Some((buf, total)) = self.message.as_mut() {
            let rest = chunk.get(used..).unwrap_or_default();
            let n = total.saturating_sub(buf.len()).min(rest.len());
            if buf.capacity() - buf.len() < n {
                // Grow by what is still announced, a chunk at most: never by more than arrives.
                buf.reserve(total.saturating_sub(buf.len()).min(CHUNK));
            }
            buf.extend_from_slice(rest.get(..n).unwrap_or_default());
            used += n;
        }
        Ok(used)
    }

    /// The whole message, once it is.
    fn finish(&mut self) -> Option<Bytes> {
        match self.message.take() {
            // Wiped when the last reference goes: the message may hold key material (Register, Import).
            Some((buf, total)) if buf.len() == total => Some(Bytes::from_owner(Wiped(buf))),
            other => {
                self.message = other;
                None
            }
        }
    }
}

/// Checks the 8-byte header; returns the whole message's announced size.
fn check_header(header: &[u8; HEADER_LEN], limits: &FrameLimits) -> Result<usize, FrameError> {
    let [t0, t1, t2, ty, l0, l1, l2, l3] = *header;
    if [t0, t1, t2, ty] != REQUEST_MESSAGE_PREFIX {
        return Err(FrameError::NotARequest);
    }
    let announced = u64::from(u32::from_be_bytes([l0, l1, l2, l3])) + HEADER_LEN as u64;
    match usize::try_from(announced) {
        Ok(total) if total <= limits.max_message_bytes => Ok(total),
        _ => Err(FrameError::TooLarge { announced, limit: limits.max_message_bytes }),
    }
}

/// Takes bytes from the stream's buffer until `part` is a whole message
/// (`Some`), the peer has closed between messages (`None`), or nothing more
/// has arrived (`Pending`).
fn poll_message<R: AsyncBufRead + Unpin>(
    stream: &mut R,
    cx: &mut Context<'_>,
    limits: &FrameLimits,
    part: &mut Partial,
) -> Poll<Result<Option<Bytes>, FrameError>> {
    loop {
        let chunk = match ready!(Pin::new(&mut *stream).poll_fill_buf(cx)) {
            Ok(chunk) => chunk,
            // Many clients (PyKMIP among them) close without a TLS close_notify;
            // between messages that is an ordinary goodbye.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => &[],
            Err(e) => return Poll::Ready(Err(FrameError::Io(e))),
        };
        if chunk.is_empty() {
            return Poll::Ready(if part.started() { Err(FrameError::Truncated) } else { Ok(None) });
        }
        let used = part.take(chunk, limits)?;
        Pin::new(&mut *stream).consume(used);
        if let Some(message) = part.finish() {
            return Poll::Ready(Ok(Some(message)));
        }
    }
}

/// Reads the next whole message (header included). Waits for its first
/// byte under the idle timeout (kept by `idle`), giving up early if the
/// server shuts down; from then on the message is not abandoned for
/// shutdown, only for the read timeout.
pub async fn read_frame<R: AsyncBufRead + Unpin>(
    stream: &mut R,
    limits: &FrameLimits,
    shutdown: &mut ShutdownSignal,
    idle: &mut IdleTimer,
) -> Result<Result<Bytes, Stop>, FrameError> {
    let mut part = Partial::new();
    let mut idle_deadline = None;
    // Armed only when a started message has to be waited for.
    let mut read_timer = std::pin::pin!(None::<Sleep>);
    poll_fn(|cx| {
        // Bytes already waiting win over shutdown: a message that has arrived is in flight.
        match poll_message(stream, cx, limits, &mut part) {
            Poll::Ready(Ok(Some(message))) => return Poll::Ready(Ok(Ok(message))),
            Poll::Ready(Ok(None)) => return Poll::Ready(Ok(Err(Stop::PeerClosed))),
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => {}
        }
        if part.started() {
            if read_timer.is_none() {
                read_timer.set(Some(sleep(limits.read_timeout)));
            }
            if let Some(timer) = read_timer.as_mut().as_pin_mut() {
                if timer.poll(cx).is_ready() {
                    return Poll::Ready(Err(FrameError::ReadTimeout));
                }
            }
            return Poll::Pending;
        }
        if shutdown.poll_stopped(cx).is_ready() {
            return Poll::Ready(Ok(Err(Stop::Shutdown)));
        }
        let deadline = *idle_deadline.get_or_insert_with(|| Instant::now() + limits.idle_timeout);
        if idle.poll_until(cx, deadline).is_ready() {
            return Poll::Ready(Err(FrameError::Idle));
        }
        Poll::Pending
    })
    .await
}

/// Why a reply was not written.
#[derive(Debug)]
enum WriteError {
    Timeout,
    Io(io::Error),
}

/// Writes `bytes` and flushes them, within `limit` once the write has to
/// wait: a client that does not read its answers must not hold the task
/// forever. The timer is armed only then, so a reply that goes out at once
/// costs no timer and no clock read.
async fn write_reply<T: AsyncWrite + Unpin>(stream: &mut T, bytes: &[u8], limit: Duration) -> Result<(), WriteError> {
    let mut written = 0;
    let mut timer = std::pin::pin!(None::<Sleep>);
    poll_fn(|cx| {
        while let Some(rest) = bytes.get(written..).filter(|rest| !rest.is_empty()) {
            match Pin::new(&mut *stream).poll_write(cx, rest) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(WriteError::Io(io::ErrorKind::WriteZero.into()))),
                Poll::Ready(Ok(n)) => written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(WriteError::Io(e))),
                Poll::Pending => break,
            }
        }
        // TLS may hold back what the socket would not take; flush sends it.
        if written >= bytes.len() {
            if let Poll::Ready(done) = Pin::new(&mut *stream).poll_flush(cx) {
                return Poll::Ready(done.map_err(WriteError::Io));
            }
        }
        if timer.is_none() {
            timer.set(Some(sleep(limit)));
        }
        match timer.as_mut().as_pin_mut().map(|t| t.poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(Err(WriteError::Timeout)),
            _ => Poll::Pending,
        }
    })
    .await
}

/// Serves one authenticated connection until the peer leaves, a limit is
/// hit, the service asks to close, or the server shuts down.
pub async fn serve<S, T>(
    mut stream: T,
    client: ClientIdentity,
    service: Arc<S>,
    limits: FrameLimits,
    shutdown: watch::Receiver<bool>,
) where
    S: Service,
    T: AsyncBufRead + AsyncWrite + Unpin,
{
    let peer = client.peer;
    let mut served: u64 = 0;
    let mut idle = IdleTimer::new(&limits);
    let mut shutdown = ShutdownSignal::new(shutdown);
    let why = loop {
        let frame = match read_frame(&mut stream, &limits, &mut shutdown, &mut idle).await {
            Ok(Ok(frame)) => frame,
            Ok(Err(stop)) => break format!("{stop:?}"),
            Err(e) => {
                tracing::info!(%peer, credential = %client.credential, error = %e, "closing KMIP connection");
                break "limit or error".to_owned();
            }
        };
        let size = frame.len();
        // The frame wipes itself once the service is done with it (and with any slice of it it kept).
        let reply = service.process(&client, frame).await;
        served += 1;
        let (bytes, close) = match reply {
            Reply::Send(bytes) => (Some(Wiped(bytes)), false),
            Reply::SendAndClose(bytes) => (Some(Wiped(bytes)), true),
            Reply::Close => (None, true),
        };
        if let Some(bytes) = bytes {
            tracing::debug!(%peer, request_bytes = size, response_bytes = bytes.0.len(), "KMIP message answered");
            match write_reply(&mut stream, bytes.as_ref(), limits.read_timeout).await {
                Ok(()) => {}
                Err(WriteError::Io(e)) => break format!("write failed: {e}"),
                Err(WriteError::Timeout) => break "write timeout".to_owned(),
            }
        }
        if close {
            break "closed by the service".to_owned();
        }
        if shutdown.is_stopped() {
            break "shutdown".to_owned();
        }
    };
    tracing::debug!(%peer, messages = served, why, "KMIP connection done");
    // Send close_notify; a peer that is gone or slow does not delay us.
    let _ = timeout(Duration::from_secs(1), stream.shutdown()).await;
}

/// A request or a reply, wiped when dropped: it may hold key material.
///
/// `Zeroizing<Vec<u8>>` would do the same, but it wipes a `Vec` element by
/// element, each byte behind its own optimization barrier (about 2
/// instructions a byte); the slice wipe used here is one fill and one
/// barrier. Both cover the spare capacity too.
struct Wiped(Vec<u8>);

impl AsRef<[u8]> for Wiped {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Wiped {
    fn wipe(&mut self) {
        self.0.as_mut_slice().zeroize();
        self.0.spare_capacity_mut().zeroize();
    }
}

impl Drop for Wiped {
    fn drop(&mut self) {
        self.wipe();
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::BufReader;

    use super::*;

    const LIMITS: FrameLimits = FrameLimits {
        max_message_bytes: 64,
        read_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(300),
    };

    fn never() -> ShutdownSignal {
        let (tx, rx) = watch::channel(false);
        std::mem::forget(tx);
        ShutdownSignal::new(rx)
    }

    async fn read(bytes: &[u8]) -> Result<Result<Bytes, Stop>, FrameError> {
        let mut input = bytes;
        read_frame(&mut input, &LIMITS, &mut never(), &mut IdleTimer::new(&LIMITS)).await
    }

    #[tokio::test]
    async fn a_whole_message_is_read_and_the_next_left_in_the_stream() {
        let mut two = vec![0x42, 0x00, 0x78, 0x01, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
        two.extend_from_slice(&[0x42, 0x00, 0x78, 0x01, 0, 0, 0, 0]);
        let mut input = two.as_slice();
        let mut rx = never();
        let mut idle = IdleTimer::new(&LIMITS);
        let first = read_frame(&mut input, &LIMITS, &mut rx, &mut idle).await.unwrap().unwrap();
        assert_eq!(first.len(), 16);
        let second = read_frame(&mut input, &LIMITS, &mut rx, &mut idle).await.unwrap().unwrap();
        assert_eq!(second.len(), 8);
        assert_eq!(read_frame(&mut input, &LIMITS, &mut rx, &mut idle).await.unwrap().unwrap_err(), Stop::PeerClosed);
    }

    #[test]
    fn a_wipe_zeroes_every_byte_of_the_message() {
        let mut w = Wiped(vec![0xAB; 300]);
        w.wipe();
        assert_eq!(w.0.len(), 300);
        assert!(w.0.iter().all(|&b| b == 0));
    }

    #[tokio::test]
    async fn a_header_that_is_not_a_request_message_is_refused() {
        // Response Message (42 00 7B) instead of Request Message.
        assert!(matches!(read(&[0x42, 0x00, 0x7B, 0x01, 0, 0, 0, 0]).await, Err(FrameError::NotARequest)));
        // Right tag, wrong type (Integer).
        assert!(matches!(read(&[0x42, 0x00, 0x78, 0x02, 0, 0, 0, 0]).await, Err(FrameError::NotARequest)));
    }

    #[tokio::test]
    async fn an_announced_length_over_the_limit_is_refused_before_the_body() {
        // 57 + 8 = 65 > 64; no body follows, and none is awaited.
        let r = read(&[0x42, 0x00, 0x78, 0x01, 0, 0, 0, 57]).await;
        assert!(matches!(r, Err(FrameError::TooLarge { announced: 65, limit: 64 })), "{r:?}");
        let r = read(&[0x42, 0x00, 0x78, 0x01, 0xFF, 0xFF, 0xFF, 0xFF]).await;
        assert!(matches!(r, Err(FrameError::TooLarge { announced: 0x1_0000_0007, .. })), "{r:?}");
    }

    #[tokio::test]
    async fn a_message_cut_short_is_truncated() {
        assert!(matches!(read(&[0x42, 0x00, 0x78]).await, Err(FrameError::Truncated)));
        assert!(matches!(read(&[0x42, 0x00, 0x78, 0x01, 0, 0, 0, 16, 1]).await, Err(FrameError::Truncated)));
    }

    const SHORT: FrameLimits = FrameLimits {
        max_message_bytes: 64,
        read_timeout: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(100),
    };

    #[tokio::test]
    async fn half_a_header_then_silence_hits_the_read_timeout() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut server = BufReader::new(server);
        client.write_all(&[0x42, 0x00, 0x78, 0x01]).await.unwrap();
        let r = read_frame(&mut server, &SHORT, &mut never(), &mut IdleTimer::new(&SHORT)).await;
        assert!(matches!(r, Err(FrameError::ReadTimeout)), "{r:?}");
        drop(client);
    }

    #[tokio::test]
    async fn silence_between_messages_hits_the_idle_timeout() {
        let (_client, server) = tokio::io::duplex(64);
        let mut server = BufReader::new(server);
        let r = read_frame(&mut server, &SHORT, &mut never(), &mut IdleTimer::new(&SHORT)).await;
        assert!(matches!(r, Err(FrameError::Idle)), "{r:?}");
    }

    #[tokio::test]
    async fn a_connection_busy_past_the_idle_timeout_keeps_its_one_timer_and_goes_idle_only_when_silent() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut server = BufReader::new(server);
        let mut idle = IdleTimer::new(&SHORT);
        let mut rx = never();
        let message = [0x42, 0x00, 0x78, 0x01, 0, 0, 0, 0];
        let started = Instant::now();
        // Five messages 60 ms apart: 300 ms in all, three times the idle timeout.
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(60)).await;
            client.write_all(&message).await.unwrap();
            let r = read_frame(&mut server, &SHORT, &mut rx, &mut idle).await;
            assert_eq!(r.unwrap().unwrap().len(), 8);
        }
        assert!(started.elapsed() >= Duration::from_millis(300));
        let waiting = Instant::now();
        let r = read_frame(&mut server, &SHORT, &mut rx, &mut idle).await;
        assert!(matches!(r, Err(FrameError::Idle)), "{r:?}");
        // Idle counts from the last message, not from when the timer was first armed.
        assert!(waiting.elapsed() >= Duration::from_millis(100), "{:?}", waiting.elapsed());
    }

    #[tokio::test]
    async fn shutdown_stops_a_connection_waiting_for_a_message() {
        let (_client, server) = tokio::io::duplex(64);
        let mut server = BufReader::new(server);
        let (tx, rx) = watch::channel(false);
        tx.send(true).unwrap();
        let mut stop = ShutdownSignal::new(rx);
        let r = read_frame(&mut server, &LIMITS, &mut stop, &mut IdleTimer::new(&LIMITS)).await;
        assert_eq!(r.unwrap().unwrap_err(), Stop::Shutdown);
    }

    #[tokio::test]
    async fn shutdown_wakes_a_connection_already_waiting_and_a_later_wait_sees_it_at_once() {
        let (_client, server) = tokio::io::duplex(64);
        let mut server = BufReader::new(server);
        let (tx, rx) = watch::channel(false);
        let mut stop = ShutdownSignal::new(rx);
        let mut idle = IdleTimer::new(&LIMITS);
        assert!(!stop.is_stopped());
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            tx.send(true).unwrap();
            tx
        });
        let started = Instant::now();
        let r = read_frame(&mut server, &LIMITS, &mut stop, &mut idle).await;
        assert_eq!(r.unwrap().unwrap_err(), Stop::Shutdown);
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        assert!(stop.is_stopped());
        let r = read_frame(&mut server, &LIMITS, &mut stop, &mut idle).await;
        assert_eq!(r.unwrap().unwrap_err(), Stop::Shutdown);
        drop(sender.await.unwrap());
    }

    #[tokio::test]
    async fn a_dropped_shutdown_sender_counts_as_shutdown() {
        let (_client, server) = tokio::io::duplex(64);
        let mut server = BufReader::new(server);
        let (tx, rx) = watch::channel(false);
        let mut stop = ShutdownSignal::new(rx);
        drop(tx);
        assert!(stop.is_stopped());
        let r = read_frame(&mut server, &LIMITS, &mut stop, &mut IdleTimer::new(&LIMITS)).await;
        assert_eq!(r.unwrap().unwrap_err(), Stop::Shutdown);
    }

    #[tokio::test]
    async fn a_message_arriving_in_pieces_is_put_together_and_a_pipelined_one_follows() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut server = BufReader::new(server);
        let mut rx = never();
        let mut idle = IdleTimer::new(&LIMITS);
        let writer = tokio::spawn(async move {
            // A header in two pieces, then a body in three; the last piece also carries the whole next message.
            let pieces: [&[u8]; 5] = [
                &[0x42, 0x00, 0x78],
                &[0x01, 0, 0, 0, 8],
                &[1, 2, 3],
                &[4, 5],
                &[6, 7, 8, 0x42, 0x00, 0x78, 0x01, 0, 0, 0, 0],
            ];
            for piece in pieces {
                client.write_all(piece).await.unwrap();
                client.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            client
        });
        let first = read_frame(&mut server, &LIMITS, &mut rx, &mut idle).await.unwrap().unwrap();
        assert_eq!(&first[..], &[0x42, 0x00, 0x78, 0x01, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
        let second = read_frame(&mut server, &LIMITS, &mut rx, &mut idle).await.unwrap().unwrap();
        assert_eq!(&second[..], &[0x42, 0x00, 0x78, 0x01, 0, 0, 0, 0]);
        drop(writer.await.unwrap());
        assert_eq!(read_frame(&mut server, &LIMITS, &mut rx, &mut idle).await.unwrap().unwrap_err(), Stop::PeerClosed);
    }

    #[tokio::test]
    async fn a_body_that_stalls_hits_the_read_timeout() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut server = BufReader::new(server);
        client.write_all(&[0x42, 0x00, 0x78, 0x01, 0, 0, 0, 16, 1, 2]).await.unwrap();
        let started = Instant::now();
        let r = read_frame(&mut server, &SHORT, &mut never(), &mut IdleTimer::new(&SHORT)).await;
        assert!(matches!(r, Err(FrameError::ReadTimeout)), "{r:?}");
        assert!(started.elapsed() >= Duration::from_millis(100), "{:?}", started.elapsed());
        drop(client);
    }
}
