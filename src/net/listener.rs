//! The KMIP accept loop: a permit per connection (the connection limit), a
//! task per connection that does the TLS handshake, identifies the client
//! from its certificate (the key store registry's credential, by the
//! certificate's SHA-256 fingerprint: a hash and a map lookup) and serves
//! its messages; and graceful shutdown: stop accepting, close idle
//! connections, let requests in flight finish.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;

use super::connection::{self, FrameLimits};
use super::socket::Socket;
use super::{ClientIdentity, Service};
use crate::config::Limits;
use crate::keystores::Registry;

/// Serves KMIP on `tcp` until `shutdown` completes, then waits (up to the
/// shutdown grace period) for the connections' requests in flight. Each
/// client is identified by `registry`.
pub async fn serve<S: Service>(
    tcp: TcpListener,
    tls: Arc<ServerConfig>,
    service: Arc<S>,
    registry: Registry,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let acceptor = TlsAcceptor::from(tls);
    // Config caps max_connections at u32::MAX, so the conversion holds.
    let max = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let permits = Arc::new(Semaphore::new(max as usize));
    let stops = Stops::default();
    let frame_limits = FrameLimits {
        max_message_bytes: limits.max_message_bytes,
        read_timeout: limits.read_timeout,
        idle_timeout: limits.idle_timeout,
    };

    let threads = ConnectionThreads::start(connection_threads()).await;
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = tcp.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors, or a connection reset before accept:
                // keep serving the others, and back off so as not to spin.
                tracing::warn!(error = %e, "KMIP accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%peer, limit = limits.max_connections, "KMIP connection refused: connection limit reached");
            drop(socket);
            continue;
        };
        let task = Connection {
            acceptor: acceptor.clone(),
            service: service.clone(),
            limits: frame_limits,
            shutdown: stops.subscribe(),
            registry: registry.clone(),
            _permit: permit,
        };
        threads.spawn(task, socket, peer);
    }

    drop(tcp);
    let in_flight = limits.max_connections - permits.available_permits();
    tracing::info!(connections = in_flight, "KMIP listener stopped; finishing requests in flight");
    stops.stop_all();
    let all_back = timeout(limits.shutdown_grace, permits.acquire_many(max)).await;
    match all_back {
        Ok(_) => tracing::info!("KMIP connections all closed"),
        Err(_) => tracing::warn!(
            connections = limits.max_connections - permits.available_permits(),
            "shutdown grace period over; abandoning connections"
        ),
    }
}

/// Each connection's own shutdown channel. With one channel for all, every
/// connection waiting for its next message would lock the same mutex (a
/// watch channel's waiter list) twice per message.
#[derive(Default)]
struct Stops {
    senders: Mutex<Vec<watch::Sender<bool>>>,
}

impl Stops {
    fn subscribe(&self) -> watch::Receiver<bool> {
        let (tx, rx) = watch::channel(false);
        let mut senders = self.senders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Before the list grows, forget connections that have ended: amortized, and
        // the list stays within twice the connections alive.
        if senders.len() == senders.capacity() {
            senders.retain(|s| !s.is_closed());
        }
        senders.push(tx);
        rx
    }

    fn stop_all(&self) {
        let senders = self.senders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for s in senders.iter() {
            let _ = s.send(true);
        }
    }
}

/// How many connection threads: none by default (connections run on the
/// caller's work-stealing runtime), or `COFFER_KMIP_THREADS`. On a quiet
/// 2-core machine shared with a load tool, a runtime per core gave Encrypt
/// at 64 connections a p99 of 4.5 ms against 1.4 ms for the pool; one
/// connection thread, with a one-thread tool, 1.2 ms (BENCHMARKS.md, "The
/// tail at 64 connections").
fn connection_threads() -> usize {
    std::env::var("COFFER_KMIP_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// The threads that serve connections: each runs a current-thread tokio
/// runtime, and a connection lives on one of them for its whole life (the
/// one with the fewest connections when it was accepted). Within a thread
/// the ready connections are served in turn, first come first served;
/// nothing is stolen across threads, so no thread wakes another.
struct ConnectionThreads {
    workers: Vec<Worker>,
}

struct Worker {
    handle: tokio::runtime::Handle,
    live: Arc<AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Counts a connection on its thread for as long as its task lives.
struct Live(Arc<AtomicUsize>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ConnectionThreads {
    /// Starts `n` threads; any that cannot start is left out (with none,
    /// connections run on the caller's runtime).
    async fn start(n: usize) -> ConnectionThreads {
        let mut workers = Vec::with_capacity(n);
        for i in 0..n {
            let (handle_tx, handle_rx) = tokio::sync::oneshot::channel();
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let started = std::thread::Builder::new().name(format!("coffer-kmip-{i}")).spawn(move || {
                match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => {
                        let _ = handle_tx.send(runtime.handle().clone());
                        // Until the listener is done; then the runtime and what is left on it go.
                        let _ = runtime.block_on(stop_rx);
                    }
                    Err(e) => tracing::warn!(error = %e, "KMIP connection thread: no runtime"),
                }
            });
            if let Err(e) = started {
                tracing::warn!(error = %e, "KMIP connection thread did not start");
                continue;
            }
            if let Ok(handle) = handle_rx.await {
                workers.push(Worker { handle, live: Arc::new(AtomicUsize::new(0)), _stop: stop_tx });
            }
        }
        ConnectionThreads { workers }
    }

    fn spawn<S: Service>(&self, task: Connection<S>, socket: TcpStream, peer: SocketAddr) {
        let Some(worker) = self.workers.iter().min_by_key(|w| w.live.load(Ordering::Relaxed)) else {
            tokio::spawn(task.run(socket, peer));
            return;
        };
        // The socket moves to the thread's own reactor.
        let socket = match socket.into_std() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(%peer, error = %e, "KMIP connection dropped: socket could not move");
                return;
            }
        };
        worker.live.fetch_add(1, Ordering::Relaxed);
        let live = Live(worker.live.clone());
        worker.handle.spawn(async move {
            let _live = live;
            match TcpStream::from_std(socket) {
                Ok(socket) => task.run(socket, peer).await,
                Err(e) => tracing::warn!(%peer, error = %e, "KMIP connection dropped: socket could not move"),
            }
        });
    }
}

/// One accepted connection's task; the permit goes back when it ends.
struct Connection<S> {
    acceptor: TlsAcceptor,
    service: Arc<S>,
    limits: FrameLimits,
    shutdown: watch::Receiver<bool>,
    registry: Registry,
    _permit: OwnedSemaphorePermit,
}

impl<S: Service> Connection<S> {
    async fn run(self, socket: TcpStream, peer: SocketAddr) {
        // Request/response: do not hold back small writes.
        let _ = socket.set_nodelay(true);
        let tls = match timeout(self.limits.read_timeout, self.acceptor.accept(Socket::new(socket))).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(e)) => {
                tracing::warn!(%peer, error = %e, "KMIP TLS handshake refused");
                return;
            }
            Err(_) => {
                tracing::warn!(%peer, "KMIP TLS handshake timed out");
                return;
            }
        };
        let (_, session) = tls.get_ref();
        let version = session.protocol_version().map(|v| format!("{v:?}")).unwrap_or_default();
        let resumed = session.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        let identity = session
            .peer_certificates()
            .and_then(|chain| chain.first())
            .and_then(|leaf| crate::auth::certificate::identify(&self.registry, peer, leaf.as_ref()));
        let client: ClientIdentity = match identity {
            Some(client) => client,
            None => {
                // Verified at the handshake (or when the resumed session began), but its
                // key store or credential is gone since.
                tracing::warn!(%peer, "KMIP client refused: its certificate is no key store's credential now");
                return;
            }
        };
        tracing::info!(
            %peer, credential = %client.credential, keystore = %client.keystore, tls = %version, resumed,
            "KMIP client connected"
        );
        // The peer's MAC, looked up once now if its key store checks MACs;
        // forgotten when the connection ends.
        let open = crate::auth::neighbours::PeerMacs::global().open(peer);
        if let Some(access) = client.handle.as_ref().map(|h| h.keystore().access()).filter(|a| a.restricts()) {
            let policy = access.policy();
            if policy.needs_mac() {
                let mac = open.prefetch(policy.generation).await;
                tracing::debug!(%peer, mac = ?mac, "KMIP peer's MAC from the neighbour table");
            }
        }
        connection::serve(tls, client, self.service, self.limits, self.shutdown).await;
        drop(open);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_live_connection_hears_the_shutdown_and_ended_ones_are_forgotten() {
        let stops = Stops::default();
        let kept: Vec<_> = (0..4).map(|_| stops.subscribe()).collect();
        for _ in 0..1000 {
            drop(stops.subscribe());
        }
        let len = stops.senders.lock().unwrap().len();
        assert!(len <= 2 * (kept.len() + 1), "{len} senders kept for {} live connections", kept.len());
        stops.stop_all();
        assert!(kept.iter().all(|rx| *rx.borrow()));
    }
}
