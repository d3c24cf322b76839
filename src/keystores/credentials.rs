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

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::registry::{
    check_description, check_name, credential_change, new_credential_handle, now, CredentialEntry, Registry,
};
use super::{read, write, CredentialOrigin, CredentialStatus, KeyStoreStatus, RegistryError};
use crate::pki::{CertInfo, Validity};

/// Longest validity of a certificate we issue or sign.
const MAX_VALIDITY_DAYS: u32 = 3650;

fn check_validity(days: u32) -> Result<(), RegistryError> {
    if days == 0 || days > MAX_VALIDITY_DAYS {
        return Err(RegistryError::Invalid(format!("a validity is 1 to {MAX_VALIDITY_DAYS} days")));
    }
    Ok(())
}

impl Registry {
    /// A key store's credentials, by validity start then name.
    pub fn credentials(&self, keystore: &str) -> Result<Vec<Credential>, RegistryError> {
        let state = read(&self.inner.state);
        state.entry(keystore)?;
        let mut all: Vec<Credential> =
            state.credentials.values().filter(|c| c.record.keystore == keystore).map(current).collect();
        all.sort_by(|a, b| (a.not_before, &a.name).cmp(&(b.not_before, &b.name)));
        Ok(all)
    }

    /// One credential of a key store.
    pub fn credential(&self, keystore: &str, id: &str) -> Result<Credential, RegistryError> {
        let state = read(&self.inner.state);
        state.entry(keystore)?;
        state
            .credentials
            .get(id)
            .filter(|c| c.record.keystore == keystore)
            .map(current)
            .ok_or_else(|| RegistryError::CredentialNotFound { id: id.to_owned() })
    }

    /// Issues a credential: a new key and certificate from the store's CA,
    /// bundled for the client. The private key is not kept.
    pub async fn issue_credential(
        &self,
        keystore: &str,
        request: IssueRequest,
    ) -> Result<CredentialBundle, RegistryError> {
        check_name("credential name", &request.name)?;
        check_description(&request.description)?;
        check_validity(request.validity_days)?;
        let _admin = self.inner.admin.lock().await;
        let ca = self.signing_ca(keystore, &request.name)?;
        let issued = ca.issue_client(keystore, &request.name, Validity::days_from_now(request.validity_days))?;
        // Into a wiping buffer at once (a move: the DER is not copied).
        let pkcs12 = Zeroizing::new(ca.pkcs12(&issued, &request.name, &request.password)?);
        let info = crate::pki::cert_info(&issued.cert_pem)?;
        let credential = self
            .record_credential(keystore, &request.name, &request.description, CredentialOrigin::Issued, info)
            .await?;
        let mut ca_pem = self.inner.options.server_ca_pem.clone();
        let store_ca = ca.cert_pem()?;
        if store_ca != ca_pem {
            ca_pem.extend_from_slice(&store_ca);
        }
        tracing::info!(keystore, credential = %credential.id, name = %credential.name, "credential issued");
        // Moved, not cloned: the key PEM's one copy is the bundle's.
        let crate::pki::Issued { cert_pem, key_pem } = issued;
        Ok(CredentialBundle {
            credential,
            pkcs12,
            cert_pem,
            key_pem,
            ca_pem,
            pykmip_conf: crate::datadir::pykmip_conf(std::path::Path::new("."), self.inner.options.kmip_addr),
        })
    }

    /// Registers an external certificate (PEM or DER) as a credential,
    /// trusted by its SHA-256 fingerprint.
    pub async fn register_credential(
        &self,
        keystore: &str,
        name: &str,
        description: &str,
        cert: &[u8],
    ) -> Result<Credential, RegistryError> {
        check_name("credential name", name)?;
        check_description(description)?;
        let info = crate::pki::cert_info(cert).map_err(RegistryError::from)?;
        if info.not_after < now() {
            return Err(RegistryError::Invalid("the certificate has expired".to_owned()));
        }
        let _admin = self.inner.admin.lock().await;
        {
            let state = read(&self.inner.state);
            live(&state, keystore)?;
            if state.credential_name_taken(keystore, name) {
                return Err(RegistryError::NameTaken { name: name.to_owned() });
            }
        }
        let credential =
            self.record_credential(keystore, name, description, CredentialOrigin::Registered, info).await?;
        tracing::info!(keystore, credential = %credential.id, name, "external certificate registered");
        Ok(credential)
    }

    /// Signs a CSR (PEM) with the store's CA: the certificate is the
    /// credential's `certificate_pem`.
    pub async fn sign_csr(
        &self,
        keystore: &str,
        name: &str,
        description: &str,
        validity_days: u32,
        csr_pem: &[u8],
    ) -> Result<Credential, RegistryError> {
        check_name("credential name", name)?;
        check_description(description)?;
        check_validity(validity_days)?;
        let _admin = self.inner.admin.lock().await;
        let ca = self.signing_ca(keystore, name)?;
        let cert = ca.sign_csr(csr_pem, keystore, name, Validity::days_from_now(validity_days))?;
        let info = crate::pki::cert_info(&cert)?;
        let credential = self.record_credential(keystore, name, description, CredentialOrigin::Csr, info).await?;
        tracing::info!(keystore, credential = %credential.id, name, "credential signed from a CSR");
        Ok(credential)
    }

    /// Revokes a credential: its open connections are refused from their
    /// next request, and it cannot be used again. Revoking twice is harmless.
    pub async fn revoke_credential(&self, keystore: &str, id: &str) -> Result<Credential, RegistryError> {
        let _admin = self.inner.admin.lock().await;
        let (handle, mut record) = {
            let state = read(&self.inner.state);
            state.entry(keystore)?;
            let entry = state
                .credentials
                .get(id)
                .filter(|c| c.record.keystore == keystore)
                .ok_or_else(|| RegistryError::CredentialNotFound { id: id.to_owned() })?;
            (Arc::clone(&entry.handle), current(entry))
        };
        if record.status == CredentialStatus::Revoked {
            return Ok(record);
        }
        record.status = CredentialStatus::Revoked;
        record.revoked_at = Some(now());
        self.inner.store.commit(vec![credential_change(&record)?]).await?;
        handle.revoked.store(true, Ordering::Release);
        if let Some(entry) = write(&self.inner.state).credentials.get_mut(id) {
            entry.record = record.clone();
        }
        tracing::info!(keystore, credential = %id, name = %record.name, "credential revoked");
        Ok(record)
    }

    /// The CA of a live key store that can sign, once `name` is checked free in it.
    fn signing_ca(&self, keystore: &str, name: &str) -> Result<Arc<crate::pki::Ca>, RegistryError> {
        let state = read(&self.inner.state);
        let entry = live(&state, keystore)?;
        if state.credential_name_taken(keystore, name) {
            return Err(RegistryError::NameTaken { name: name.to_owned() });
        }
        entry.ca.clone().ok_or(RegistryError::Unavailable("the key store's CA key is not available"))
    }

    /// Writes a new credential and adds it to the state (admin lock held by the caller).
    async fn record_credential(
        &self,
        keystore: &str,
        name: &str,
        description: &str,
        origin: CredentialOrigin,
        info: CertInfo,
    ) -> Result<Credential, RegistryError> {
        let fingerprint = hex::encode(info.sha256);
        let handle_of_store = {
            let state = read(&self.inner.state);
            if state.by_fingerprint.contains_key(&info.sha256) {
                return Err(RegistryError::CertificateTaken { fingerprint });
            }
            Arc::clone(&live(&state, keystore)?.handle)
        };
        let record = Credential {
            id: uuid::Uuid::new_v4().to_string(),
            keystore: keystore.to_owned(),
            name: name.to_owned(),
            description: description.to_owned(),
            origin,
            fingerprint,
            serial: info.serial,
            subject: info.subject,
            not_before: info.not_before,
            not_after: info.not_after,
            status: CredentialStatus::Active,
            revoked_at: None,
            last_used: None,
            certificate_pem: String::from_utf8_lossy(&info.pem).into_owned(),
        };
        self.inner.store.commit(vec![credential_change(&record)?]).await?;
        let handle = new_credential_handle(&record, &handle_of_store);
        let mut state = write(&self.inner.state);
        state.by_fingerprint.insert(info.sha256, Arc::clone(&handle));
        state
            .credentials
            .insert(record.id.clone(), CredentialEntry { handle, record: record.clone(), sha256: info.sha256 });
        drop(state);
        // Its handshakes are accepted from now on.
        self.rebuild_trust();
        Ok(record)
    }
}

/// A key store that may get credentials: not being made, not terminated.
fn live<'s>(
    state: &'s super::registry::State,
    keystore: &str,
) -> Result<&'s super::registry::StoreEntry, RegistryError> {
    let entry = state.entry(keystore)?;
    let status = entry.handle.status();
    if status == KeyStoreStatus::InCreation || entry.handle.is_terminated() {
        return Err(RegistryError::WrongStatus { name: entry.handle.name(), status, action: "get credentials" });
    }
    Ok(entry)
}

/// The record with the handle's live "last used".
fn current(entry: &CredentialEntry) -> Credential {
    let mut c = entry.record.clone();
    c.last_used = entry.handle.last_used().or(c.last_used);
    c
}
