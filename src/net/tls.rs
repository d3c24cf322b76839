//! The KMIP port's TLS: rustls with the ring provider, TLS 1.3 and 1.2, the
//! data directory's ECDSA P-256 server certificate, and a client certificate
//! that must be a credential on record, chained to its key store's CA or
//! registered as an external certificate pinned by its SHA-256 fingerprint
//! ([`RegistryVerifier`], which reads the registry's current set on every
//! full handshake, so a new key store or credential needs no restart).
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
use std::sync::{Arc, RwLock};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, ServerConfig, SignatureScheme,
};

use crate::keystores::{Registry, TrustSnapshot};

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
    /// The server certificate chain, leaf first (PEM).
    pub server_cert: PathBuf,
    /// The server's private key (PEM: PKCS#8, SEC1 or PKCS#1).
    pub server_key: PathBuf,
}

/// TLS 1.2 sessions kept for resumption by session id (a few hundred bytes each).
const SESSION_CACHE: usize = 4096;

/// The KMIP port's rustls configuration: TLS 1.3 and 1.2, a client
/// certificate required and verified against the key stores of `registry`
/// as they are at each handshake ([`RegistryVerifier`]).
pub fn server_config(files: &TlsFiles, registry: &Registry) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(RegistryVerifier::new(registry.clone(), provider.clone()));
    build(provider, verifier, files).map(Arc::new)
}

/// A configuration over the server certificate with `verifier` for client
/// certificates, session resumption on (the KMIP port and HTTPS share it).
pub(crate) fn build(
    provider: Arc<CryptoProvider>,
    verifier: Arc<dyn ClientCertVerifier>,
    files: &TlsFiles,
) -> Result<ServerConfig, TlsError> {
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
    Ok(config)
}

/// Accepts a client certificate that chains to a key store's CA, or that is
/// a registered external certificate (its SHA-256 fingerprint pinned, within
/// its validity dates). The set is the registry's [`TrustSnapshot`] at the
/// handshake; the webpki verifier built from it is kept until it changes.
pub struct RegistryVerifier {
    registry: Registry,
    provider: Arc<CryptoProvider>,
    /// The snapshot the cached verifier was built from, and the verifier
    /// (None: the snapshot has no CA).
    cached: RwLock<(Arc<TrustSnapshot>, Option<ChainVerifier>)>,
}

/// rustls's webpki verifier over one snapshot's CAs.
type ChainVerifier = Arc<dyn ClientCertVerifier>;

impl fmt::Debug for RegistryVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryVerifier").finish_non_exhaustive()
    }
}

impl RegistryVerifier {
    /// A verifier over `registry`'s key stores.
    pub fn new(registry: Registry, provider: Arc<CryptoProvider>) -> RegistryVerifier {
        RegistryVerifier { registry, provider, cached: RwLock::new((Arc::new(TrustSnapshot::default()), None)) }
    }

    /// The webpki verifier for the current snapshot (rebuilt only when the snapshot changed).
    fn chain_verifier(&self, trust: &Arc<TrustSnapshot>) -> Result<Option<ChainVerifier>, rustls::Error> {
        {
            let cached = self.cached.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            if Arc::ptr_eq(&cached.0, trust) {
                return Ok(cached.1.clone());
            }
        }
        let mut roots = RootCertStore::empty();
        for der in &trust.roots {
            // A CA webpki cannot use is skipped: its store's clients are refused, the others served.
            if let Err(e) = roots.add(CertificateDer::from(der.clone())) {
                tracing::warn!(error = %e, "a key store's CA certificate is not usable as a TLS trust anchor");
            }
        }
        let verifier: Option<ChainVerifier> = if roots.is_empty() {
            None
        } else {
            Some(
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                    .build()
                    .map_err(|e| rustls::Error::General(e.to_string()))?,
            )
        };
        let mut cached = self.cached.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *cached = (Arc::clone(trust), verifier.clone());
        Ok(verifier)
    }
}

impl ClientCertVerifier for RegistryVerifier {
    /// No hints: the set changes at run time, and a client sends its one
    /// certificate when the list is empty.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let trust = self.registry.trust();
        // Hashed once: the pinned set and the recorded set are both by fingerprint.
        let sha256 = openssl::sha::sha256(end_entity.as_ref());
        if let Some((not_before, not_after)) = trust.pinned.get(&sha256) {
            let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
            return if now < *not_before {
                Err(CertificateError::NotValidYet.into())
            } else if now > *not_after {
                Err(CertificateError::Expired.into())
            } else {
                Ok(ClientCertVerified::assertion())
            };
        }
        let verified = match self.chain_verifier(&trust)? {
            Some(v) => v.verify_client_cert(end_entity, intermediates, now)?,
            None => return Err(CertificateError::UnknownIssuer.into()),
        };
        // Signed by a store's CA is not enough: only a recorded credential can be revoked.
        if !trust.recorded.contains(&sha256) {
            return Err(CertificateError::Other(rustls::OtherError(Arc::new(NotACredential))).into());
        }
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A certificate a key store's CA signed that no credential records (made
/// by hand with a CA key, or its credential record deleted).
struct NotACredential;

impl fmt::Display for NotACredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the certificate is no credential of its key store (never issued or registered through coffer)")
    }
}

/// rustls prints the cause of a refused certificate with Debug: make the log say why.
impl fmt::Debug for NotACredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for NotACredential {}

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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use zeroize::Zeroizing;

    use super::*;
    use crate::keystores::{IssueRequest, RegistryOptions};
    use crate::pki::{Ca, Validity};
    use crate::store::{MasterKey, Store, StoreOptions};

    fn der(pem: &[u8]) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(pem).unwrap()
    }

    /// The verifier reads the registry's set at each handshake: a key store
    /// made after it was built is trusted at once, a terminated one no
    /// longer; a pinned certificate is accepted within its dates only.
    #[tokio::test]
    async fn the_verifier_follows_the_registry_without_a_restart() {
        let ca = Ca::generate("coffer test CA", 30).unwrap();
        let store = Store::in_memory(MasterKey::generate().unwrap(), StoreOptions::default()).unwrap();
        let options = RegistryOptions {
            regions: vec!["local".into()],
            server_ca_pem: ca.cert_pem().unwrap(),
            default_ca: Some((ca.cert_pem().unwrap(), ca.key_pem().unwrap())),
            default_client_pem: None,
            kmip_addr: ([127, 0, 0, 1], 5696).into(),
        };
        let registry = Registry::open(store, options).await.unwrap();
        let verifier = RegistryVerifier::new(registry.clone(), Arc::new(rustls::crypto::ring::default_provider()));
        let now = UnixTime::now();
        // Signed by the default store's CA but on no credential's record: refused.
        let by_default_ca = ca.issue_client("default", "x", Validity::days_from_now(1)).unwrap();
        let refused = verifier.verify_client_cert(&der(&by_default_ca.cert_pem), &[], now).unwrap_err();
        assert!(format!("{refused}").contains("no credential of its key store"), "{refused}");
        registry.register_credential("default", "x", "", &by_default_ca.cert_pem).await.unwrap();
        assert!(verifier.verify_client_cert(&der(&by_default_ca.cert_pem), &[], now).is_ok());

        let ks = registry.create_keystore("payments", "", "").await.unwrap();
        let request = IssueRequest {
            name: "app".into(),
            description: String::new(),
            validity_days: 1,
            password: Zeroizing::default(),
        };
        let bundle = registry.issue_credential(&ks.id, request).await.unwrap();
        let app = der(&bundle.cert_pem);
        assert!(verifier.verify_client_cert(&app, &[], now).is_ok(), "a store made after the verifier");

        let stranger = Ca::generate("stranger", 30).unwrap();
        let external = stranger.issue_client("x", "ext", Validity::days_from_now(2)).unwrap();
        let ext = der(&external.cert_pem);
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert_eq!(verifier.verify_client_cert(&ext, &[], now).unwrap_err(), unknown);
        registry.register_credential(&ks.id, "ext", "", &external.cert_pem).await.unwrap();
        assert!(verifier.verify_client_cert(&ext, &[], now).is_ok(), "pinned");
        let later = UnixTime::since_unix_epoch(Duration::from_secs(now.as_secs() + 3 * 86_400));
        assert_eq!(
            verifier.verify_client_cert(&ext, &[], later).unwrap_err(),
            rustls::Error::InvalidCertificate(CertificateError::Expired)
        );

        registry.terminate_keystore(&ks.id, "payments").await.unwrap();
        assert_eq!(verifier.verify_client_cert(&app, &[], now).unwrap_err(), unknown);
        assert_eq!(verifier.verify_client_cert(&ext, &[], now).unwrap_err(), unknown);
        assert!(verifier.verify_client_cert(&der(&by_default_ca.cert_pem), &[], now).is_ok());
    }
}
