//! Credentials: issue (key and certificate from the store's CA, bundled as
//! a password-protected PKCS#12 with PEM files and a `pykmip.conf`), sign a
//! CSR, register an external certificate, revoke.

use std::fmt;

use zeroize::Zeroizing;

use super::Credential;

/// What the operator asks for when issuing a credential.
pub struct IssueRequest {
    /// Unique within the key store; goes into the certificate's Common Name.
    pub name: String,
    /// The operator's note.
    pub description: String,
    /// How long the certificate is valid, in days (1 to 3650).
    pub validity_days: u32,
    /// Protects the PKCS#12 file.
    pub password: Zeroizing<String>,
}

impl fmt::Debug for IssueRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssueRequest")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("validity_days", &self.validity_days)
            .finish_non_exhaustive()
    }
}

/// An issued credential and everything a client needs to use it. The
/// private key exists only here: coffer keeps no copy.
pub struct CredentialBundle {
    /// The credential as recorded.
    pub credential: Credential,
    /// `client.p12`: key, certificate and CA chain, protected by the password (AES-256, PBKDF2).
    pub pkcs12: Zeroizing<Vec<u8>>,
    /// `client.pem`: the certificate.
    pub cert_pem: Vec<u8>,
    /// `client.key`: the private key, PKCS#8 PEM.
    pub key_pem: Zeroizing<Vec<u8>>,
    /// `ca.pem`: the CA that signed the server's certificate (to verify the
    /// server), then the key store's CA.
    pub ca_pem: Vec<u8>,
    /// `pykmip.conf`, naming the files above in the current directory.
    pub pykmip_conf: String,
}

impl fmt::Debug for CredentialBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialBundle").field("credential", &self.credential).finish_non_exhaustive()
    }
}
