//! The KMIP accept loop: a permit per connection (the connection limit), a
//! task per connection that does the TLS handshake, identifies the client
//! from its certificate (the key store registry's credential, by the
//! certificate's SHA-256 fingerprint: a hash and a map lookup) and serves
//! its messages; and graceful shutdown: stop accepting, close idle
//! connections, let requests in flight finish.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;

use super::connection::{self, FrameLimits};
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
    let (stop_tx, stop_rx) = watch::channel(false);
    let frame_limits = FrameLimits {
        max_message_bytes: limits.max_message_bytes,
        read_timeout: limits.read_timeout,
        idle_timeout: limits.idle_timeout,
    };

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
            shutdown: stop_rx.clone(),
            registry: registry.clone(),
            _permit: permit,
        };
        tokio::spawn(task.run(socket, peer));
    }

    drop(tcp);
    let in_flight = limits.max_connections - permits.available_permits();
    tracing::info!(connections = in_flight, "KMIP listener stopped; finishing requests in flight");
    let _ = stop_tx.send(true);
    let all_back = timeout(limits.shutdown_grace, permits.acquire_many(max)).await;
    match all_back {
        Ok(_) => tracing::info!("KMIP connections all closed"),
        Err(_) => tracing::warn!(
            connections = limits.max_connections - permits.available_permits(),
            "shutdown grace period over; abandoning connections"
        ),
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
        let tls = match timeout(self.limits.read_timeout, self.acceptor.accept(socket)).await {
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
        connection::serve(tls, client, self.service, self.limits, self.shutdown).await;
    }
}
