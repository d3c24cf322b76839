//! The HTTPS plane's TLS: the same server certificate as the KMIP port,
//! TLS 1.3 and 1.2, HTTP/1.1 by ALPN, and a client certificate that is
//! optional (the admin API authenticates with a bearer token; a browser has
//! no client certificate). One that is sent is verified as the KMIP port
//! verifies it: chained to a key store's CA or registered by fingerprint.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

use crate::keystores::Registry;
use crate::net::tls::{RegistryVerifier, TlsError, TlsFiles};

/// A rustls server configuration for the HTTPS listener: the KMIP port's,
/// with HTTP/1.1 by ALPN and the client certificate optional.
pub fn server_config(files: &TlsFiles, registry: &Registry) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(Optional(RegistryVerifier::new(registry.clone(), provider.clone())));
    let mut config = crate::net::tls::build(provider, verifier, files)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A client certificate verifier that asks for a certificate but lets the
/// client send none; one that is sent must pass the inner verifier.
#[derive(Debug)]
struct Optional<V>(V);

impl<V: ClientCertVerifier> ClientCertVerifier for Optional<V> {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.0.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.0.verify_client_cert(end_entity, intermediates, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
