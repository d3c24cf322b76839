//! The HTTPS plane's TLS: the same server certificate as the KMIP port,
//! TLS 1.3 and 1.2, HTTP/1.1 by ALPN, and a client certificate that is
//! optional (the admin API authenticates with a bearer token; a browser has
//! no client certificate), verified against the data directory's CA when one is sent.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

use crate::net::tls::{TlsError, TlsFiles};

/// A rustls server configuration for the HTTPS listener.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    for ca in read_certs(&files.client_ca)? {
        roots.add(ca).map_err(|e| pem_error(&files.client_ca, &e.to_string()))?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    let chain = read_certs(&files.server_cert)?;
    // The PEM error's text may quote lines of the key file: never pass it on.
    let key = PrivateKeyDer::from_pem_file(&files.server_key)
        .map_err(|_| pem_error(&files.server_key, "cannot read the private key"))?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Rustls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|_| pem_error(path, "cannot read the certificates"))?;
    if certs.is_empty() {
        return Err(pem_error(path, "no certificate in the file"));
    }
    Ok(certs)
}

fn pem_error(path: &Path, message: &str) -> TlsError {
    TlsError::Pem { path: path.to_owned(), message: message.to_owned() }
}
