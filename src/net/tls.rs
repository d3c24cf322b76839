//! The KMIP port's TLS: rustls with the ring provider, TLS 1.3 and 1.2, the
//! data directory's ECDSA P-256 server certificate, and a client certificate
//! that must chain to the data directory's CA.
//!
//! Session resumption is on, because some clients (Synology) open a new
//! connection for every operation: stateless tickets (TLS 1.3 and 1.2),
//! encrypted under a key that rustls's ring ticketer rotates every 6 hours
//! and keeps only in memory, and a server-side cache of TLS 1.2 session ids.
//! A resumed session skips the certificate signature and the client chain's
//! verification, and carries the client certificate it was first
//! established with, so the identity (credential, key store) is the same.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

/// Why the TLS configuration could not be built.
#[derive(Debug)]
pub enum TlsError {
    /// A PEM file could not be read or holds nothing usable.
    Pem {
        /// The file.
        path: PathBuf,
        /// What went wrong (never key bytes).
        message: String,
    },
    /// rustls refused the certificates or the key.
    Rustls(String),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Pem { path, message } => write!(f, "{}: {message}", path.display()),
            TlsError::Rustls(message) => write!(f, "TLS configuration: {message}"),
        }
    }
}

impl std::error::Error for TlsError {}

/// The files a KMIP TLS endpoint is built from.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// CA certificates that client certificates must chain to (PEM, one or more).
    pub client_ca: PathBuf,
    /// The server certificate chain, leaf first (PEM).
    pub server_cert: PathBuf,
    /// The server's private key (PEM: PKCS#8, SEC1 or PKCS#1).
    pub server_key: PathBuf,
}

/// TLS 1.2 sessions kept for resumption by session id (a few hundred bytes each).
const SESSION_CACHE: usize = 4096;

/// A rustls server configuration that requires and verifies a client
/// certificate, and speaks TLS 1.3 and 1.2.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());

    let mut roots = RootCertStore::empty();
    for ca in read_certs(&files.client_ca)? {
        roots.add(ca).map_err(|e| TlsError::Pem { path: files.client_ca.clone(), message: e.to_string() })?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| TlsError::Rustls(e.to_string()))?;

    let chain = read_certs(&files.server_cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.server_key)
        .map_err(|e| TlsError::Pem { path: files.server_key.clone(), message: pem_message(e) })?;

    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Rustls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    config.ticketer = rustls::crypto::ring::Ticketer::new().map_err(|e| TlsError::Rustls(e.to_string()))?;
    // One ticket per full handshake is enough for a client that reconnects
    // (the default, 2, costs a second encryption and record for nothing).
    config.send_tls13_tickets = 1;
    config.session_storage = rustls::server::ServerSessionMemoryCache::new(SESSION_CACHE);
    Ok(Arc::new(config))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Pem { path: path.to_owned(), message: pem_message(e) })?;
    if certs.is_empty() {
        return Err(TlsError::Pem { path: path.to_owned(), message: "no certificate in the file".to_owned() });
    }
    Ok(certs)
}

/// The PEM error's description; it names the problem, never the contents.
fn pem_message(e: rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) => io.to_string(),
        rustls::pki_types::pem::Error::NoItemsFound => "no PEM item of the expected kind".to_owned(),
        rustls::pki_types::pem::Error::SectionTooLarge => "a PEM section is too large".to_owned(),
        // The other variants carry lines of the file, which may be key material.
        _ => "malformed PEM".to_owned(),
    }
}
