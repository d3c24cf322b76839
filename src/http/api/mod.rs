//! The REST resources, one file per resource, all under `/api/v1` and all
//! behind the admin token. A key store is addressed by its id or its name,
//! a credential by its id or its name within the store.

pub mod allowlist;
pub mod credentials;
pub mod keystores;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use super::AppState;
use crate::error::ApiError;
use crate::keystores::{KeyStore, Registry, RegistryError};

/// The routes of every resource (paths relative to the server root).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/keystores", get(keystores::list).post(keystores::create))
        .route(
            "/api/v1/keystores/{keystore}",
            get(keystores::show).patch(keystores::update).delete(keystores::terminate),
        )
        .route("/api/v1/keystores/{keystore}/suspend", post(keystores::suspend))
        .route("/api/v1/keystores/{keystore}/resume", post(keystores::resume))
        .route("/api/v1/keystores/{keystore}/ca", get(keystores::ca))
        .route("/api/v1/keystores/{keystore}/auth", get(allowlist::auth_show).put(allowlist::auth_set))
        .route("/api/v1/keystores/{keystore}/credentials", get(credentials::list).post(credentials::issue))
        .route("/api/v1/keystores/{keystore}/credentials/register", post(credentials::register))
        .route("/api/v1/keystores/{keystore}/credentials/sign", post(credentials::sign))
        .route("/api/v1/keystores/{keystore}/credentials/{credential}", get(credentials::show))
        .route("/api/v1/keystores/{keystore}/credentials/{credential}/revoke", post(credentials::revoke))
        .route("/api/v1/keystores/{keystore}/allowlist", get(allowlist::list).post(allowlist::add))
        .route("/api/v1/keystores/{keystore}/allowlist/{entry}", axum::routing::delete(allowlist::remove))
}

/// The resources' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    keystores::list,
    keystores::create,
    keystores::show,
    keystores::update,
    keystores::terminate,
    keystores::suspend,
    keystores::resume,
    keystores::ca,
    allowlist::auth_show,
    allowlist::auth_set,
    credentials::list,
    credentials::issue,
    credentials::register,
    credentials::sign,
    credentials::show,
    credentials::revoke,
    allowlist::list,
    allowlist::add,
    allowlist::remove,
))]
pub struct ApiV1;

/// The key store a path names, by id first, then by name.
pub(crate) fn resolve(registry: &Registry, id_or_name: &str) -> Result<KeyStore, ApiError> {
    match registry.keystore(id_or_name) {
        Ok(ks) => Ok(ks),
        Err(RegistryError::KeyStoreNotFound { .. }) => match registry.keystore_by_name(id_or_name) {
            Ok(ks) => Ok(ks),
            Err(RegistryError::KeyStoreNotFound { .. }) => {
                Err(RegistryError::KeyStoreNotFound { id: id_or_name.to_owned() }.into())
            }
            Err(e) => Err(e.into()),
        },
        Err(e) => Err(e.into()),
    }
}

/// Unix seconds as RFC 3339 (UTC).
pub(crate) fn timestamp(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// A text field's value, trimmed, refused when over `max` characters or empty when `required`.
pub(crate) fn text(field: &'static str, value: &str, max: usize, required: bool) -> Result<String, ApiError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(ApiError::InvalidField { field, why: "must not be empty".into() });
    }
    if value.chars().count() > max {
        return Err(ApiError::InvalidField { field, why: format!("at most {max} characters") });
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::InvalidField { field, why: "control characters are not allowed".into() });
    }
    Ok(value.to_owned())
}
