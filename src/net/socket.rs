//! The TCP stream under a KMIP connection's TLS.
//!
//! rustls hands every write to `write_vectored`, even a lone record (one
//! response is one record). Over a plain `TcpStream` that is a one-element
//! `writev`, which costs more in the kernel than `send` for the same bytes:
//! the iovec is imported from user memory and the write goes through the
//! VFS path (about 0.4 µs of the ~4.5 µs a small loopback write costs,
//! measured in BENCHMARKS.md "send and writev"). [`Socket`] sends a single
//! buffer with `send` and keeps `writev` for several.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A [`TcpStream`] whose vectored writes of one non-empty buffer are plain
/// writes (`send`); everything else is the stream's own behaviour.
#[derive(Debug)]
pub struct Socket(TcpStream);

impl Socket {
    /// Wraps a connected stream.
    pub fn new(stream: TcpStream) -> Socket {
        Socket(stream)
    }

    /// The address of the other end.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsyncRead for Socket {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Socket {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut non_empty = bufs.iter().filter(|b| !b.is_empty());
        match (non_empty.next(), non_empty.next()) {
            (None, _) => Poll::Ready(Ok(0)),
            (Some(one), None) => Pin::new(&mut self.0).poll_write(cx, one),
            (Some(_), Some(_)) => Pin::new(&mut self.0).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    async fn pair() -> (Socket, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        (Socket::new(client.unwrap()), accepted.unwrap().0)
    }

    #[tokio::test]
    async fn vectored_writes_of_one_or_many_buffers_arrive_whole_and_in_order() {
        let (mut socket, mut peer) = pair().await;
        assert_eq!(socket.peer_addr().unwrap(), peer.local_addr().unwrap());
        let cases: [&[&[u8]]; 4] = [&[b"one"], &[b"", b"two", b""], &[b"th", b"", b"ree"], &[b"", b""]];
        let mut expected: Vec<u8> = Vec::new();
        for bufs in cases {
            let slices: Vec<IoSlice<'_>> = bufs.iter().map(|b| IoSlice::new(b)).collect();
            let total: usize = bufs.iter().map(|b| b.len()).sum();
            // A short write is legal for a socket; these are far below any buffer size.
            let n = socket.write_vectored(&slices).await.unwrap();
            assert_eq!(n, total, "{bufs:?}");
            expected.extend(bufs.iter().flat_map(|b| b.iter().copied()));
        }
        socket.shutdown().await.unwrap();
        let mut got = Vec::new();
        peer.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, expected);
        assert_eq!(got, b"onetwothree");
    }

    #[tokio::test]
    async fn reads_pass_through() {
        let (mut socket, mut peer) = pair().await;
        peer.write_all(b"hello").await.unwrap();
        drop(peer);
        let mut got = String::new();
        socket.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "hello");
    }
}
