//! `/api/v1/keystores/{keystore}/credentials`: list, issue (a new key and
//! certificate from the store's CA, answered as a bundle: PKCS#12 in
//! base64, PEM files, `pykmip.conf`), register an external certificate,
//! sign a CSR, show, revoke.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeroize::Zeroizing;

use super::{resolve, text, timestamp};
use crate::error::ApiError;
use crate::http::paging::{page, PageParams};
use crate::http::secret_json::{SecretJson, SecretString};
use crate::http::{ApiJson, ApiQuery, AppState};
use crate::keystores::{Credential, CredentialOrigin, CredentialStatus, IssueRequest, Registry, RegistryError};

/// Longest credential name.
const MAX_NAME: usize = 64;
/// Longest description.
const MAX_DESCRIPTION: usize = 1024;
/// Validity when none is asked for, in days.
const DEFAULT_VALIDITY_DAYS: u32 = 365;
/// Longest validity, in days (ten years).
const MAX_VALIDITY_DAYS: u32 = 3650;
/// Longest PKCS#12 password.
const MAX_PASSWORD: usize = 1024;

/// How a credential's certificate came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OriginView {
    /// Key and certificate made by the store's CA.
    Issued,
    /// An external certificate, trusted by its fingerprint.
    Registered,
    /// Signed by the store's CA from the client's CSR.
    Csr,
}

/// Whether a credential may still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CredentialStatusView {
    /// Usable.
    Active,
    /// Refused on every request; irreversible.
    Revoked,
}

/// A client credential.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CredentialView {
    /// Unique.
    pub id: String,
    /// The key store's id.
    pub keystore: String,
    /// Unique within the key store.
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// The operator's note.
    pub description: String,
    /// Issued, registered or signed from a CSR.
    pub origin: OriginView,
    /// SHA-256 of the certificate's DER, lowercase hex.
    pub fingerprint: String,
    /// The certificate's serial number, hex.
    pub serial: String,
    /// The certificate's subject.
    pub subject: String,
    /// Valid from (RFC 3339).
    #[schema(format = DateTime)]
    pub not_before: String,
    /// Valid until (RFC 3339).
    #[schema(format = DateTime)]
    pub not_after: String,
    /// Active or revoked.
    pub status: CredentialStatusView,
    /// When it was revoked (RFC 3339).
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
    /// When it was last used for a KMIP request (RFC 3339).
    #[schema(format = DateTime)]
    pub last_used: Option<String>,
    /// The certificate, PEM.
    pub certificate_pem: String,
}

impl From<Credential> for CredentialView {
    fn from(c: Credential) -> CredentialView {
        CredentialView {
            origin: match c.origin {
                CredentialOrigin::Issued => OriginView::Issued,
                CredentialOrigin::Registered => OriginView::Registered,
                CredentialOrigin::Csr => OriginView::Csr,
            },
            status: match c.status {
                CredentialStatus::Active => CredentialStatusView::Active,
                CredentialStatus::Revoked => CredentialStatusView::Revoked,
            },
            not_before: timestamp(c.not_before),
            not_after: timestamp(c.not_after),
            revoked_at: c.revoked_at.map(timestamp),
            last_used: c.last_used.map(timestamp),
            id: c.id,
            keystore: c.keystore,
            name: c.name,
            description: c.description,
            fingerprint: c.fingerprint,
            serial: c.serial,
            subject: c.subject,
            certificate_pem: c.certificate_pem,
        }
    }
}

/// A page of credentials.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CredentialPage {
    /// The credentials on this page, by name.
    pub items: Vec<CredentialView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// Issue a credential.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueCredential {
    /// Unique within the key store; it becomes the certificate's Common Name.
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// The operator's note.
    #[serde(default)]
    #[schema(max_length = 1024)]
    pub description: Option<String>,
    /// Days the certificate is valid, 1 to 3650 (default 365).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3650)]
    pub validity_days: Option<u32>,
    /// Protects the PKCS#12 file (empty when absent).
    #[serde(default)]
    #[schema(format = Password)]
    pub password: Option<String>,
}

/// An issued credential and everything a client needs. The private key is
/// in this answer only: the server keeps no copy.
// (This doc comment is the schema's description. The key's fields wipe
// themselves, and the handler answers through `SecretJson`, which wipes the body.)
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CredentialBundleView {
    /// The credential as recorded.
    pub credential: CredentialView,
    /// `client.p12` in base64: key, certificate and CA chain, protected by the password.
    #[schema(value_type = String, format = Byte)]
    pub pkcs12_base64: SecretString,
    /// `client.pem`: the certificate.
    pub client_pem: String,
    /// `client.key`: the private key, PKCS#8 PEM.
    #[schema(value_type = String)]
    pub client_key_pem: SecretString,
    /// `ca.pem`: the CA certificates to verify the server with, and the store's CA.
    pub ca_pem: String,
    /// `pykmip.conf`, naming `client.pem`, `client.key` and `ca.pem` in the current directory.
    pub pykmip_conf: String,
}

/// Register an external client certificate.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterCredential {
    /// Unique within the key store.
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// The operator's note.
    #[serde(default)]
    #[schema(max_length = 1024)]
    pub description: Option<String>,
    /// The certificate, PEM.
    pub certificate: String,
}

/// Sign a certificate signing request with the key store's CA.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignCsr {
    /// Unique within the key store.
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// The operator's note.
    #[serde(default)]
    #[schema(max_length = 1024)]
    pub description: Option<String>,
    /// Days the certificate is valid, 1 to 3650 (default 365).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3650)]
    pub validity_days: Option<u32>,
    /// The CSR, PEM (PKCS#10).
    pub csr: String,
}

/// A credential name: it goes into the certificate's Common Name and the
/// PKCS#12 friendly name, a BMPString, which holds no character past U+FFFF.
fn credential_name(name: &str) -> Result<String, ApiError> {
    let name = text("name", name, MAX_NAME, true)?;
    if name.chars().any(|c| u32::from(c) > 0xFFFF) {
        return Err(ApiError::InvalidField {
            field: "name",
            why: "characters past U+FFFF cannot be in a certificate name".into(),
        });
    }
    Ok(name)
}

/// The name and description a new credential is recorded with, checked
/// (the name first, so its error is the one reported when both are wrong).
fn labels(name: &str, description: Option<&str>) -> Result<(String, String), ApiError> {
    let name = credential_name(name)?;
    let description = text("description", description.unwrap_or_default(), MAX_DESCRIPTION, false)?;
    Ok((name, description))
}

/// The answer to a request that recorded a new credential.
fn created(credential: Credential) -> (StatusCode, Json<CredentialView>) {
    (StatusCode::CREATED, Json(credential.into()))
}

fn validity(days: Option<u32>) -> Result<u32, ApiError> {
    let days = days.unwrap_or(DEFAULT_VALIDITY_DAYS);
    if !(1..=MAX_VALIDITY_DAYS).contains(&days) {
        return Err(ApiError::InvalidField {
            field: "validity_days",
            why: format!("must be 1 to {MAX_VALIDITY_DAYS}"),
        });
    }
    Ok(days)
}

/// The credential a path names: the key store `keystore` (id or name), then
/// its credential by id, then by name. Answers the key store's id too.
fn find(registry: &Registry, keystore: &str, id_or_name: &str) -> Result<(String, Credential), ApiError> {
    let keystore = resolve(registry, keystore)?.id;
    let found = match registry.credential(&keystore, id_or_name) {
        Ok(c) => c,
        Err(RegistryError::CredentialNotFound { .. }) => registry
            .credentials(&keystore)?
            .into_iter()
            .find(|c| c.name == id_or_name)
            .ok_or_else(|| RegistryError::CredentialNotFound { id: id_or_name.to_owned() })?,
        Err(e) => return Err(e.into()),
    };
    Ok((keystore, found))
}

/// List a key store's credentials, by name.
#[utoipa::path(
    get,
    path = "/keystores/{keystore}/credentials",
    tag = "credentials",
    params(("keystore" = String, Path, description = "The key store's id or name"), PageParams),
    responses((status = 200, description = "A page of credentials", body = CredentialPage))
)]
pub async fn list(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<CredentialPage>, ApiError> {
    let ks = resolve(state.registry(), &keystore)?;
    let mut all = state.registry().credentials(&ks.id)?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let (items, next_cursor) = page(all, |c| c.name.as_str(), &params)?;
    Ok(Json(CredentialPage { items: items.into_iter().map(CredentialView::from).collect(), next_cursor }))
}

/// Issue a credential: a new key and certificate from the store's CA.
#[utoipa::path(
    post,
    path = "/keystores/{keystore}/credentials",
    tag = "credentials",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    request_body = IssueCredential,
    responses((status = 201, description = "The credential and its files", body = CredentialBundleView))
)]
pub async fn issue(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiJson(body): ApiJson<IssueCredential>,
) -> Result<(StatusCode, SecretJson), ApiError> {
    let password = Zeroizing::new(body.password.unwrap_or_default());
    if password.chars().count() > MAX_PASSWORD {
        return Err(ApiError::InvalidField { field: "password", why: format!("at most {MAX_PASSWORD} characters") });
    }
    let request = IssueRequest {
        name: credential_name(&body.name)?,
        description: text("description", body.description.as_deref().unwrap_or_default(), MAX_DESCRIPTION, false)?,
        validity_days: validity(body.validity_days)?,
        password,
    };
    let ks = resolve(state.registry(), &keystore)?;
    let bundle = state.registry().issue_credential(&ks.id, request).await?;
    let view = CredentialBundleView {
        pkcs12_base64: SecretString::new(openssl::base64::encode_block(&bundle.pkcs12)),
        client_pem: String::from_utf8_lossy(&bundle.cert_pem).into_owned(),
        client_key_pem: pem_text(bundle.key_pem)?,
        ca_pem: String::from_utf8_lossy(&bundle.ca_pem).into_owned(),
        pykmip_conf: bundle.pykmip_conf,
        credential: bundle.credential.into(),
    };
    Ok((StatusCode::CREATED, SecretJson::new(&view)?))
}

/// A private key's PEM as text, moved (not copied) into a wiping string.
fn pem_text(mut pem: Zeroizing<Vec<u8>>) -> Result<SecretString, ApiError> {
    match String::from_utf8(std::mem::take(&mut *pem)) {
        Ok(text) => Ok(SecretString::new(text)),
        Err(e) => {
            // PEM is ASCII; should it not be, its bytes are still wiped.
            drop(Zeroizing::new(e.into_bytes()));
            Err(ApiError::Internal("an issued private key's PEM is not UTF-8".to_owned()))
        }
    }
}

/// Register an external certificate as a credential (trusted by its fingerprint).
#[utoipa::path(
    post,
    path = "/keystores/{keystore}/credentials/register",
    tag = "credentials",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    request_body = RegisterCredential,
    responses((status = 201, description = "The credential", body = CredentialView))
)]
pub async fn register(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiJson(body): ApiJson<RegisterCredential>,
) -> Result<(StatusCode, Json<CredentialView>), ApiError> {
    let (name, description) = labels(&body.name, body.description.as_deref())?;
    let ks = resolve(state.registry(), &keystore)?;
    let credential =
        state.registry().register_credential(&ks.id, &name, &description, body.certificate.as_bytes()).await?;
    Ok(created(credential))
}

/// Sign a CSR with the store's CA; the certificate is in the answer.
#[utoipa::path(
    post,
    path = "/keystores/{keystore}/credentials/sign",
    tag = "credentials",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    request_body = SignCsr,
    responses((status = 201, description = "The credential, with its certificate", body = CredentialView))
)]
pub async fn sign(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiJson(body): ApiJson<SignCsr>,
) -> Result<(StatusCode, Json<CredentialView>), ApiError> {
    let (name, description) = labels(&body.name, body.description.as_deref())?;
    let days = validity(body.validity_days)?;
    let ks = resolve(state.registry(), &keystore)?;
    let credential = state.registry().sign_csr(&ks.id, &name, &description, days, body.csr.as_bytes()).await?;
    Ok(created(credential))
}

/// Show a credential.
#[utoipa::path(
    get,
    path = "/keystores/{keystore}/credentials/{credential}",
    tag = "credentials",
    params(
        ("keystore" = String, Path, description = "The key store's id or name"),
        ("credential" = String, Path, description = "The credential's id or name")
    ),
    responses((status = 200, description = "The credential", body = CredentialView))
)]
pub async fn show(
    State(state): State<AppState>,
    Path((keystore, credential)): Path<(String, String)>,
) -> Result<Json<CredentialView>, ApiError> {
    let (_, found) = find(state.registry(), &keystore, &credential)?;
    Ok(Json(found.into()))
}

/// Revoke a credential: its open connections are refused from their next request. Irreversible.
#[utoipa::path(
    post,
    path = "/keystores/{keystore}/credentials/{credential}/revoke",
    tag = "credentials",
    params(
        ("keystore" = String, Path, description = "The key store's id or name"),
        ("credential" = String, Path, description = "The credential's id or name")
    ),
    responses((status = 200, description = "The credential, revoked", body = CredentialView))
)]
pub async fn revoke(
    State(state): State<AppState>,
    Path((keystore, credential)): Path<(String, String)>,
) -> Result<Json<CredentialView>, ApiError> {
    let (keystore, found) = find(state.registry(), &keystore, &credential)?;
    Ok(Json(state.registry().revoke_credential(&keystore, &found.id).await?.into()))
}
