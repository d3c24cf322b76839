//! The admin CLI's HTTPS client: one request per TLS connection (hyper's
//! HTTP/1.1 client over our tokio-rustls), trusting the data directory's
//! CA, sending the admin token as `Authorization: Bearer`. Problem
//! documents come back as [`ClientError::Problem`].

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use zeroize::Zeroizing;

/// The largest response body read (a credential bundle is a few kilobytes).
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// How long one request may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Why an admin request failed.
#[derive(Debug)]
pub enum ClientError {
    /// The server address is not an `https://host[:port]` URL.
    BadAddress(String),
    /// The CA file could not be read.
    Ca(String),
    /// Connecting, TLS or HTTP failed.
    Transport(String),
    /// The server answered with a problem document.
    Problem {
        /// The HTTP status.
        status: u16,
        /// The problem's stable code.
        code: String,
        /// The problem's detail.
        detail: String,
    },
    /// The server's answer is not what the API describes.
    BadResponse(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadAddress(a) => write!(f, "server address {a:?}: expected https://HOST[:PORT]"),
            ClientError::Ca(m) => write!(f, "CA certificate: {m}"),
            ClientError::Transport(m) => write!(f, "cannot reach the server: {m}"),
            ClientError::Problem { status, code, detail } => write!(f, "{detail} (HTTP {status}, {code})"),
            ClientError::BadResponse(m) => write!(f, "unexpected answer from the server: {m}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// An HTTP response: status, content type and body.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status.
    pub status: StatusCode,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The `WWW-Authenticate` header, if any.
    pub www_authenticate: Option<String>,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// The body as JSON.
    pub fn json(&self) -> Result<serde_json::Value, ClientError> {
        serde_json::from_slice(&self.body).map_err(|e| ClientError::BadResponse(format!("body is not JSON: {e}")))
    }
}

/// A client of one server's REST API.
#[derive(Clone)]
pub struct AdminClient {
    host: String,
    port: u16,
    server_name: ServerName<'static>,
    tls: Arc<ClientConfig>,
    token: Option<Arc<Zeroizing<String>>>,
}

impl fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the token.
        f.debug_struct("AdminClient").field("host", &self.host).field("port", &self.port).finish_non_exhaustive()
    }
}

impl AdminClient {
    /// A client of the server at `addr` (`https://host[:port]`), trusting the
    /// CA certificates of the PEM file `ca`, sending `token` if given.
    pub fn new(addr: &str, ca: &Path, token: Option<Zeroizing<String>>) -> Result<AdminClient, ClientError> {
        let (host, port) = parse_addr(addr)?;
        let name = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let server_name = ServerName::try_from(name).map_err(|_| ClientError::BadAddress(addr.to_owned()))?;
        let mut roots = RootCertStore::empty();
        let certs = CertificateDer::pem_file_iter(ca)
            .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
            .map_err(|e| ClientError::Ca(format!("{}: {e}", ca.display())))?;
        for cert in certs {
            roots.add(cert).map_err(|e| ClientError::Ca(format!("{}: {e}", ca.display())))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ClientError::Transport(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(AdminClient { host, port, server_name, tls: Arc::new(config), token: token.map(Arc::new) })
    }

    /// The same client without a token (to see what an anonymous caller gets).
    pub fn without_token(&self) -> AdminClient {
        AdminClient { token: None, ..self.clone() }
    }

    /// The same client with another token.
    pub fn with_token(&self, token: &str) -> AdminClient {
        AdminClient { token: Some(Arc::new(Zeroizing::new(token.to_owned()))), ..self.clone() }
    }

    /// Sends one request; `body`, if any, with `content_type`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Response, ClientError> {
        tokio::time::timeout(REQUEST_TIMEOUT, self.send_now(method, path, body))
            .await
            .map_err(|_| ClientError::Transport("the request timed out".into()))?
    }

    async fn send_now(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Response, ClientError> {
        let transport = |e: &dyn fmt::Display| ClientError::Transport(e.to_string());
        let tcp = TcpStream::connect((self.host.trim_start_matches('[').trim_end_matches(']'), self.port))
            .await
            .map_err(|e| ClientError::Transport(format!("{}:{}: {e}", self.host, self.port)))?;
        let tls = TlsConnector::from(self.tls.clone())
            .connect(self.server_name.clone(), tcp)
            .await
            .map_err(|e| transport(&e))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.map_err(|e| transport(&e))?;
        let driver = tokio::spawn(connection);

        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, format!("{}:{}", self.host, self.port))
            .header(hyper::header::ACCEPT, "application/json, application/problem+json");
        if let Some(token) = &self.token {
            request = request.header(hyper::header::AUTHORIZATION, format!("Bearer {}", token.trim()));
        }
        let bytes = match body {
            Some((content_type, bytes)) => {
                request = request.header(hyper::header::CONTENT_TYPE, content_type);
                bytes
            }
            None => Vec::new(),
        };
        let request = request.body(Full::new(Bytes::from(bytes))).map_err(|e| transport(&e))?;
        let response = sender.send_request(request).await.map_err(|e| transport(&e))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))?
            .to_bytes();
        driver.abort();
        let header = |name| {
            parts.headers.get(name).and_then(|v: &hyper::header::HeaderValue| v.to_str().ok()).map(str::to_owned)
        };
        Ok(Response {
            status: parts.status,
            content_type: header(hyper::header::CONTENT_TYPE),
            www_authenticate: header(hyper::header::WWW_AUTHENTICATE),
            body,
        })
    }

    /// Sends `body` (if any) as JSON and returns the JSON answer of a 2xx
    /// response (`null` for 204); a problem document becomes [`ClientError::Problem`].
    pub async fn json(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, ClientError> {
        let body = match body {
            Some(v) => {
                Some(("application/json", serde_json::to_vec(v).map_err(|e| ClientError::BadResponse(e.to_string()))?))
            }
            None => None,
        };
        let response = self.send(method, path, body).await?;
        if !response.status.is_success() {
            return Err(problem_of(&response));
        }
        if response.status == StatusCode::NO_CONTENT || response.body.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        response.json()
    }

    /// GETs `path` and returns the body of a 2xx answer as text.
    pub async fn text(&self, path: &str) -> Result<String, ClientError> {
        let response = self.send(Method::GET, path, None).await?;
        if !response.status.is_success() {
            return Err(problem_of(&response));
        }
        String::from_utf8(response.body.to_vec()).map_err(|_| ClientError::BadResponse("body is not UTF-8".into()))
    }
}

/// The problem document of a failed response, or a description of it.
fn problem_of(response: &Response) -> ClientError {
    let status = response.status.as_u16();
    match response.json() {
        Ok(json) => ClientError::Problem {
            status,
            code: json.get("code").and_then(|c| c.as_str()).unwrap_or("unknown").to_owned(),
            detail: json.get("detail").and_then(|c| c.as_str()).unwrap_or("no detail").to_owned(),
        },
        Err(_) => ClientError::Problem { status, code: "unknown".into(), detail: format!("HTTP {status}") },
    }
}

/// `https://host[:port][/...]` -> (host, port); the port defaults to 443.
fn parse_addr(addr: &str) -> Result<(String, u16), ClientError> {
    let bad = || ClientError::BadAddress(addr.to_owned());
    let rest = addr.strip_prefix("https://").ok_or_else(bad)?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() {
        return Err(bad());
    }
    let (host, port) = if let Some(v6_end) = authority.find(']') {
        let (host, after) = authority.split_at(v6_end.saturating_add(1));
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad())?,
            None if after.is_empty() => 443,
            None => return Err(bad()),
        };
        (host.to_owned(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), port.parse().map_err(|_| bad())?),
            None => (authority.to_owned(), 443),
        }
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_with_and_without_a_port() {
        assert_eq!(parse_addr("https://127.0.0.1:8443").unwrap(), ("127.0.0.1".into(), 8443));
        assert_eq!(parse_addr("https://localhost/").unwrap(), ("localhost".into(), 443));
        assert_eq!(parse_addr("https://[::1]:9000").unwrap(), ("[::1]".into(), 9000));
        for bad in ["http://127.0.0.1:8443", "https://", "https://h:x", "127.0.0.1:8443"] {
            assert!(parse_addr(bad).is_err(), "{bad}");
        }
    }
}
