//! The HTTPS plane: the admin REST API under `/api/v1` (key stores,
//! credentials, allowlists; see [`api`]), its OpenAPI document
//! ([`openapi`]), RFC 9457 problem documents ([`problem`]), served by axum
//! over hyper on our own rustls configuration ([`tls`]).
//!
//! Middleware order, outermost first: body size limit, then the admin
//! bearer token (every `/api/v1` route but the OpenAPI document), then the
//! handler. Bodies are JSON with unknown fields refused ([`ApiJson`]);
//! lists page with `limit` and an opaque `cursor` ([`paging`]).

pub mod api;
pub mod openapi;
pub mod paging;
pub mod problem;
pub mod secret_json;
pub mod tls;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::{header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;
use zeroize::Zeroizing;

use crate::error::ApiError;
use crate::keystores::Registry;

/// The largest request body accepted (JSON bodies are small; a CSR or a
/// certificate chain in PEM is a few kilobytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// HTTPS connections served at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 256;

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request's headers may take to arrive, and so how long a
/// kept-alive connection may stay idle.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// How long requests in flight may run on after shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What every handler shares: the registry, the admin token's digest and
/// what the key store views name as endpoints. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    /// SHA-256 of the admin token: the token itself is not kept in memory.
    token_digest: [u8; 32],
    endpoints: Endpoints,
    registry: Registry,
}

/// The addresses a client of a key store is told to use.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The KMIP listener, `host:port`.
    pub kmip: String,
    /// The REST API's base URL.
    pub rest: String,
}

impl AppState {
    /// State for a server whose admin token is `token` (surrounding
    /// whitespace ignored, as in the `admin.token` file).
    pub fn new(token: &str, endpoints: Endpoints, registry: Registry) -> AppState {
        let token_digest = openssl::sha::sha256(token.trim().as_bytes());
        AppState { inner: Arc::new(Inner { token_digest, endpoints, registry }) }
    }

    /// State whose token is read from the data directory's `admin.token`.
    pub fn from_token_file(path: &Path, endpoints: Endpoints, registry: Registry) -> std::io::Result<AppState> {
        let text = Zeroizing::new(std::fs::read_to_string(path)?);
        if text.trim().is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "the admin token file is empty"));
        }
        Ok(AppState::new(&text, endpoints, registry))
    }

    /// The key store registry.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The endpoints the key store views show.
    pub fn endpoints(&self) -> &Endpoints {
        &self.inner.endpoints
    }

    /// Whether `presented` is the admin token: SHA-256 digests compared in
    /// constant time, so timing reveals neither the token nor its length.
    fn token_matches(&self, presented: &str) -> bool {
        let digest = openssl::sha::sha256(presented.as_bytes());
        openssl::memcmp::eq(&digest, &self.inner.token_digest)
    }
}

/// The whole HTTPS application: the REST API and its OpenAPI document;
/// every other path is a 404 problem.
pub fn router(state: AppState) -> Router {
    let protected = api::routes().layer(middleware::from_fn_with_state(state.clone(), require_admin_token));
    Router::new()
        .route("/api/v1/openapi.json", axum::routing::get(openapi::document))
        .merge(protected)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::RouteNotFound(uri.path().to_owned())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Refuses a request without the admin token with a 401 problem.
async fn require_admin_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(token) if state.token_matches(token) => next.run(request).await,
        _ => ApiError::Unauthorized.into_response(),
    }
}

/// A JSON body, refused with a problem document when it is not JSON, is
/// malformed, has unknown fields (types say `deny_unknown_fields`) or is
/// over [`MAX_BODY_BYTES`].
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    match rejection.status().as_u16() {
        413 => ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES },
        415 => ApiError::UnsupportedMediaType,
        _ => ApiError::InvalidBody(rejection.body_text()),
    }
}

/// Query parameters, refused with a 400 problem when they do not parse.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(&rejection)),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> ApiError {
    ApiError::BadRequest(rejection.body_text())
}

/// Serves `app` over TLS on `tcp` until `shutdown` turns true, then lets
/// requests in flight finish (up to a grace period).
pub async fn serve(tcp: TcpListener, tls: Arc<ServerConfig>, app: Router, mut shutdown: watch::Receiver<bool>) {
    let acceptor = TlsAcceptor::from(tls);
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            biased;
            _ = shutdown.wait_for(|stop| *stop) => break,
            accepted = tcp.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!(error = %e, "HTTPS accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "HTTPS connection refused: connection limit reached");
            continue;
        };
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(app.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(socket)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => return tracing::debug!(%peer, error = %e, "HTTPS handshake failed"),
                Err(_) => return tracing::debug!(%peer, "HTTPS handshake timed out"),
            };
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
            let conn = builder.serve_connection(TokioIo::new(CloseNotify(Some(stream))), service);
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(%peer, error = %e, "HTTPS connection ended with an error");
            }
        });
    }
    drop(tcp);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("HTTPS shutdown grace period over; abandoning connections");
    }
}

/// A server TLS stream that, when dropped, sends a TLS close_notify if it
/// can without waiting, then closes with a lingering close. hyper drops the
/// stream without a TLS shutdown when a connection ends in an error (a
/// malformed request, the header timeout of an idle kept-alive
/// connection), and a client then sees an EOF "in violation of protocol"
/// instead of a clean close.
struct CloseNotify(Option<tokio_rustls::server::TlsStream<tokio::net::TcpStream>>);

impl CloseNotify {
    fn stream(&mut self) -> std::io::Result<&mut tokio_rustls::server::TlsStream<tokio::net::TcpStream>> {
        // Taken only by `drop`.
        self.0.as_mut().ok_or_else(|| std::io::ErrorKind::NotConnected.into())
    }
}

impl Drop for CloseNotify {
    fn drop(&mut self) {
        let Some(stream) = self.0.take() else { return };
        let (tcp, mut tls) = stream.into_inner();
        tls.send_close_notify();
        let mut writer = TryWrite(&tcp);
        // Best effort: a full socket buffer just leaves the alert unsent.
        while tls.wants_write() {
            match tls.write_tls(&mut writer) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(linger(tcp));
        }
    }
}

/// How long, and for how many bytes, a closing connection reads what the
/// client still sends.
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1024 * 1024;

/// A lingering close (RFC 9112 §9.6): a client may still be sending the
/// body of a request refused at its head (hyper answers a malformed header
/// with a 400 and ends the connection). Closing at once would answer those
/// bytes with a TCP reset, which makes the client's next write fail before
/// it reads the answer. So: our side ends (FIN), what the client sends is
/// read and dropped until it closes too, for two seconds or 1 MiB at most.
async fn linger(mut tcp: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _ = tcp.shutdown().await;
    let drain = async {
        let mut scratch = [0u8; 4096];
        let mut left = LINGER_BYTES;
        while left > 0 {
            match tcp.read(&mut scratch).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(LINGER_TIME, drain).await;
}

/// `std::io::Write` over a tokio socket's non-blocking `try_write`.
struct TryWrite<'a>(&'a tokio::net::TcpStream);

impl std::io::Write for TryWrite<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.try_write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl tokio::io::AsyncRead for CloseNotify {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.stream() {
            Ok(stream) => std::pin::Pin::new(stream).poll_read(cx, buf),
            Err(e) => std::task::Poll::Ready(Err(e)),
        }
    }
}

impl tokio::io::AsyncWrite for CloseNotify {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.stream() {
            Ok(stream) => std::pin::Pin::new(stream).poll_write(cx, buf),
            Err(e) => std::task::Poll::Ready(Err(e)),
        }
    }

    // Vectored, as the TLS stream is: hyper then queues a response body's
    // `Bytes` as they are instead of copying them into its own buffer (which
    // is never wiped: a key-bearing body, see `secret_json`, would stay there).
    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.stream() {
            Ok(stream) => std::pin::Pin::new(stream).poll_write_vectored(cx, bufs),
            Err(e) => std::task::Poll::Ready(Err(e)),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.0.as_ref().is_none_or(|s| s.is_write_vectored())
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.stream() {
            Ok(stream) => std::pin::Pin::new(stream).poll_flush(cx),
            Err(e) => std::task::Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.stream() {
            Ok(stream) => std::pin::Pin::new(stream).poll_shutdown(cx),
            Err(e) => std::task::Poll::Ready(Err(e)),
        }
    }
}

/// The REST API's base URL for a listener on `addr`.
pub fn rest_url(addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() { "127.0.0.1".to_owned() } else { addr.ip().to_string() };
    match addr.ip() {
        std::net::IpAddr::V6(_) if !addr.ip().is_unspecified() => format!("https://[{host}]:{}/api/v1", addr.port()),
        _ => format!("https://{host}:{}/api/v1", addr.port()),
    }
}
