//! One KMIP connection: read a message, hand it to the service, write the
//! reply, repeat.
//!
//! A message is read in two steps. The 8-byte header (tag 42 00 78 Request
//! Message, type 01 Structure, a 4-byte length) is checked, and the
//! announced length compared with the limit, before any buffer is sized
//! from it; the body is then read in chunks, so memory grows with the bytes
//! that really arrive, never with what a header claims. Waiting for a
//! message is bounded by the idle timeout; once its first byte has arrived
//! the whole message must arrive within the read timeout. An idle
//! connection holds no buffer of ours: the 8-byte header lives on the
//! task's stack.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::{timeout, timeout_at, Instant};
use zeroize::{Zeroize, Zeroizing};

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
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl IdleTimer {
    /// A timer for a connection with the given idle timeout.
    pub fn new(limits: &FrameLimits) -> IdleTimer {
        IdleTimer { sleep: Box::pin(tokio::time::sleep(limits.idle_timeout)) }
    }

    /// Waits until `deadline` has passed.
    async fn until(&mut self, deadline: Instant) {
        loop {
            (&mut self.sleep).await;
            if Instant::now() >= deadline {
                return;
            }
            self.sleep.as_mut().reset(deadline);
        }
    }
}

/// Reads the next whole message (header included). Waits for its first
/// byte under the idle timeout (kept by `idle`), giving up early if
/// `shutdown` turns true; from then on the message is not abandoned for
/// shutdown, only for the read timeout.
pub async fn read_frame<R: AsyncRead + Unpin>(
    stream: &mut R,
    limits: &FrameLimits,
    shutdown: &mut watch::Receiver<bool>,
    idle: &mut IdleTimer,
) -> Result<Result<BytesMut, Stop>, FrameError> {
    let mut header = [0u8; HEADER_LEN];
    let idle_deadline = Instant::now() + limits.idle_timeout;
    // Bytes already waiting win over shutdown: a message that has arrived is in flight.
    let first = tokio::select! {
        biased;
        read = stream.read(&mut header) => read,
        _ = shutdown.wait_for(|stop| *stop) => return Ok(Err(Stop::Shutdown)),
        () = idle.until(idle_deadline) => return Err(FrameError::Idle),
    };
    let got = match first {
        // Many clients (PyKMIP among them) close without a TLS close_notify;
        // between messages that is an ordinary goodbye.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(Err(Stop::PeerClosed)),
        Err(e) => return Err(FrameError::Io(e)),
        Ok(0) => return Ok(Err(Stop::PeerClosed)),
        Ok(n) => n,
    };
    let deadline = Instant::now() + limits.read_timeout;

    if let Some(rest) = header.get_mut(got..) {
        match timeout_at(deadline, stream.read_exact(rest)).await {
            Err(_) => return Err(FrameError::ReadTimeout),
            Ok(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(FrameError::Truncated),
            Ok(Err(e)) => return Err(FrameError::Io(e)),
            Ok(Ok(_)) => {}
        }
    }
    let [t0, t1, t2, ty, l0, l1, l2, l3] = header;
    if [t0, t1, t2, ty] != REQUEST_MESSAGE_PREFIX {
        return Err(FrameError::NotARequest);
    }
    let announced = u64::from(u32::from_be_bytes([l0, l1, l2, l3])) + HEADER_LEN as u64;
    let total = match usize::try_from(announced) {
        Ok(total) if total <= limits.max_message_bytes => total,
        _ => return Err(FrameError::TooLarge { announced, limit: limits.max_message_bytes }),
    };

    let mut buf = BytesMut::with_capacity(total.min(CHUNK));
    buf.extend_from_slice(&header);
    match timeout_at(deadline, read_body(stream, &mut buf, total)).await {
        Err(_) => Err(FrameError::ReadTimeout),
        Ok(Err(e)) => Err(e),
        Ok(Ok(())) => Ok(Ok(buf)),
    }
}

async fn read_body<R: AsyncRead + Unpin>(stream: &mut R, buf: &mut BytesMut, total: usize) -> Result<(), FrameError> {
    while buf.len() < total {
        let want = (total - buf.len()).min(CHUNK);
        buf.reserve(want);
        let n = (&mut *stream).take(want as u64).read_buf(buf).await.map_err(FrameError::Io)?;
        if n == 0 {
            return Err(FrameError::Truncated);
        }
    }
    Ok(())
}

/// Serves one authenticated connection until the peer leaves, a limit is
/// hit, the service asks to close, or the server shuts down.
pub async fn serve<S, T>(
    mut stream: T,
    client: ClientIdentity,
    service: Arc<S>,
    limits: FrameLimits,
    mut shutdown: watch::Receiver<bool>,
) where
    S: Service,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let peer = client.peer;
    let mut served: u64 = 0;
    let mut idle = IdleTimer::new(&limits);
    let why = loop {
        let frame = match read_frame(&mut stream, &limits, &mut shutdown, &mut idle).await {
            Ok(Ok(frame)) => frame.freeze(),
            Ok(Err(stop)) => break format!("{stop:?}"),
            Err(e) => {
                tracing::info!(%peer, credential = %client.credential, error = %e, "closing KMIP connection");
                break "limit or error".to_owned();
            }
        };
        let size = frame.len();
        let reply = service.process(&client, frame.clone()).await;
        wipe(frame);
        served += 1;
        let (bytes, close) = match reply {
            Reply::Send(bytes) => (Some(Zeroizing::new(bytes)), false),
            Reply::SendAndClose(bytes) => (Some(Zeroizing::new(bytes)), true),
            Reply::Close => (None, true),
        };
        if let Some(bytes) = bytes {
            tracing::debug!(%peer, request_bytes = size, response_bytes = bytes.len(), "KMIP message answered");
            // A client that does not read its answers must not hold the task forever.
            match timeout(limits.read_timeout, write_all_flush(&mut stream, &bytes)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => break format!("write failed: {e}"),
                Err(_) => break "write timeout".to_owned(),
            }
        }
        if close {
            break "closed by the service".to_owned();
        }
        if *shutdown.borrow() {
            break "shutdown".to_owned();
        }
    };
    tracing::debug!(%peer, messages = served, why, "KMIP connection done");
    // Send close_notify; a peer that is gone or slow does not delay us.
    let _ = timeout(Duration::from_secs(1), stream.shutdown()).await;
}

async fn write_all_flush<T: AsyncWrite + Unpin>(stream: &mut T, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}

/// Wipes a request once the service is done with it: it may hold key
/// material (Register, Import). If the service kept a reference, the bytes
/// are its to wipe.
fn wipe(frame: Bytes) {
    if let Ok(mut bytes) = frame.try_into_mut() {
        bytes.as_mut().zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: FrameLimits = FrameLimits {
        max_message_bytes: 64,
        read_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(300),
    };

    fn never() -> watch::Receiver<bool> {
        let (tx, rx) = watch::channel(false);
        std::mem::forget(tx);
        rx
    }

    async fn read(bytes: &[u8]) -> Result<Result<BytesMut, Stop>, FrameError> {
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
        let (mut client, mut server) = tokio::io::duplex(64);
        client.write_all(&[0x42, 0x00, 0x78, 0x01]).await.unwrap();
        let r = read_frame(&mut server, &SHORT, &mut never(), &mut IdleTimer::new(&SHORT)).await;
        assert!(matches!(r, Err(FrameError::ReadTimeout)), "{r:?}");
        drop(client);
    }

    #[tokio::test]
    async fn silence_between_messages_hits_the_idle_timeout() {
        let (_client, mut server) = tokio::io::duplex(64);
        let r = read_frame(&mut server, &SHORT, &mut never(), &mut IdleTimer::new(&SHORT)).await;
        assert!(matches!(r, Err(FrameError::Idle)), "{r:?}");
    }

    #[tokio::test]
    async fn a_connection_busy_past_the_idle_timeout_keeps_its_one_timer_and_goes_idle_only_when_silent() {
        let (mut client, mut server) = tokio::io::duplex(64);
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
        let (_client, mut server) = tokio::io::duplex(64);
        let (tx, mut rx) = watch::channel(false);
        tx.send(true).unwrap();
        let r = read_frame(&mut server, &LIMITS, &mut rx, &mut IdleTimer::new(&LIMITS)).await;
        assert_eq!(r.unwrap().unwrap_err(), Stop::Shutdown);
    }
}
