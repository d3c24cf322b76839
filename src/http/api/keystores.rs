//! `/api/v1/keystores`: list, create, show, rename or describe, suspend,
//! resume, terminate (with `?confirm=NAME`), and the CA download.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{resolve, text, timestamp};
use crate::error::ApiError;
use crate::http::paging::{page, PageParams};
use crate::http::{ApiJson, ApiQuery, AppState};
use crate::keystores::{Combine, KeyStore, KeyStoreStatus};
use crate::kmip::table::ObjectType;
use crate::operations::managed::ManagedObject;

/// Longest key store name.
const MAX_NAME: usize = 64;
/// Longest description.
const MAX_DESCRIPTION: usize = 1024;

/// A key store's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusView {
    /// Being made.
    InCreation,
    /// In service.
    Ok,
    /// Every request refused until resumed.
    Suspended,
    /// Out of service: its term ended.
    Expired,
}

impl From<KeyStoreStatus> for StatusView {
    fn from(s: KeyStoreStatus) -> StatusView {
        match s {
            KeyStoreStatus::InCreation => StatusView::InCreation,
            KeyStoreStatus::Ok => StatusView::Ok,
            KeyStoreStatus::Suspended => StatusView::Suspended,
            KeyStoreStatus::Expired => StatusView::Expired,
        }
    }
}

/// What a key store holds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Counts {
    /// Managed objects of every kind.
    pub objects: u64,
    /// Keys: symmetric, public, private and split keys.
    pub keys: u64,
    /// Secret data and opaque objects.
    pub secrets: u64,
    /// Client credentials (active and revoked).
    pub credentials: u64,
    /// Allowlist entries.
    pub allowlist: u64,
}

/// Where a key store's clients connect.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EndpointsView {
    /// The KMIP endpoint, `host:port`.
    pub kmip: String,
    /// The REST API's base URL.
    pub rest: String,
}

/// A key store.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KeyStoreView {
    /// Unique and immutable.
    pub id: String,
    /// Unique display name.
    pub name: String,
    /// The operator's note.
    pub description: String,
    /// Region label.
    pub region: String,
    /// Where it is in its life.
    pub status: StatusView,
    /// When it was made (RFC 3339).
    #[schema(format = DateTime)]
    pub created: String,
    /// The authentication methods it enables.
    pub auth: super::allowlist::AuthView,
    /// What it holds.
    pub counts: Counts,
    /// Where its clients connect.
    pub endpoints: EndpointsView,
}

/// A page of key stores.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KeyStorePage {
    /// The key stores on this page, by name.
    pub items: Vec<KeyStoreView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// Create a key store.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyStore {
    /// Unique display name (1 to 64 characters).
    pub name: String,
    /// A configured region; the first configured one when absent.
    #[serde(default)]
    pub region: Option<String>,
    /// The operator's note.
    #[serde(default)]
    pub description: Option<String>,
}

/// Rename a key store or change its description.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateKeyStore {
    /// The new name.
    #[serde(default)]
    pub name: Option<String>,
    /// The new description.
    #[serde(default)]
    pub description: Option<String>,
}

/// The confirmation terminate needs.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Confirm {
    /// The key store's name, repeated: terminating destroys every key and credential in it.
    pub confirm: Option<String>,
}

/// What terminate destroyed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Terminated {
    /// The key store's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Managed objects destroyed.
    pub objects: u64,
    /// Credentials deleted.
    pub credentials: u64,
}

/// The view of `ks`, with its counts (reads its objects: admin calls only).
pub(crate) async fn view(state: &AppState, ks: KeyStore) -> Result<KeyStoreView, ApiError> {
    let registry = state.registry();
    let credentials = registry.credentials(&ks.id)?.len();
    let objects = registry.store().list(&ks.id).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let (mut keys, mut secrets) = (0u64, 0u64);
    for stored in &objects {
        let kind = ManagedObject::from_stored(stored).ok().and_then(|m| m.object_type());
        match kind {
            Some(ObjectType::SymmetricKey | ObjectType::PublicKey | ObjectType::PrivateKey | ObjectType::SplitKey) => {
                keys = keys.saturating_add(1)
            }
            Some(ObjectType::SecretData | ObjectType::OpaqueObject) => secrets = secrets.saturating_add(1),
            _ => {}
        }
    }
    let counts = Counts {
        objects: objects.len() as u64,
        keys,
        secrets,
        credentials: credentials as u64,
        allowlist: ks.allowlist.len() as u64,
    };
    let endpoints = state.endpoints();
    Ok(KeyStoreView {
        created: timestamp(ks.created),
        status: ks.status.into(),
        auth: super::allowlist::AuthView::from(ks.auth),
        counts,
        endpoints: EndpointsView { kmip: endpoints.kmip.clone(), rest: endpoints.rest.clone() },
        id: ks.id,
        name: ks.name,
        description: ks.description,
        region: ks.region,
    })
}

/// List the key stores, by name.
#[utoipa::path(
    get,
    path = "/keystores",
    tag = "keystores",
    params(PageParams),
    responses((status = 200, description = "A page of key stores", body = KeyStorePage))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<KeyStorePage>, ApiError> {
    let mut all = state.registry().keystores();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let (items, next_cursor) = page(all, |ks| ks.name.as_str(), &params)?;
    let mut views = Vec::with_capacity(items.len());
    for ks in items {
        views.push(view(&state, ks).await?);
    }
    Ok(Json(KeyStorePage { items: views, next_cursor }))
}

/// Create a key store: made `IN_CREATION`, answered once `OK` (its CA made and stored).
#[utoipa::path(
    post,
    path = "/keystores",
    tag = "keystores",
    request_body = CreateKeyStore,
    responses((status = 201, description = "The key store, created", body = KeyStoreView))
)]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateKeyStore>,
) -> Result<(StatusCode, Json<KeyStoreView>), ApiError> {
    let name = text("name", &body.name, MAX_NAME, true)?;
    let description = text("description", body.description.as_deref().unwrap_or_default(), MAX_DESCRIPTION, false)?;
    let registry = state.registry();
    let region = match body.region {
        Some(region) => region,
        None => registry.regions().first().cloned().unwrap_or_else(|| "local".to_owned()),
    };
    let ks = registry.create_keystore(&name, &description, &region).await?;
    Ok((StatusCode::CREATED, Json(view(&state, ks).await?)))
}

/// Show a key store.
#[utoipa::path(
    get,
    path = "/keystores/{keystore}",
    tag = "keystores",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    responses((status = 200, description = "The key store", body = KeyStoreView))
)]
pub async fn show(State(state): State<AppState>, Path(keystore): Path<String>) -> Result<Json<KeyStoreView>, ApiError> {
    let ks = resolve(state.registry(), &keystore)?;
    Ok(Json(view(&state, ks).await?))
}

/// Rename a key store and/or change its description.
#[utoipa::path(
    patch,
    path = "/keystores/{keystore}",
    tag = "keystores",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    request_body = UpdateKeyStore,
    responses((status = 200, description = "The key store, changed", body = KeyStoreView))
)]
pub async fn update(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiJson(body): ApiJson<UpdateKeyStore>,
) -> Result<Json<KeyStoreView>, ApiError> {
    let registry = state.registry();
    let mut ks = resolve(registry, &keystore)?;
    let name = body.name.map(|n| text("name", &n, MAX_NAME, true)).transpose()?;
    let description = body.description.map(|d| text("description", &d, MAX_DESCRIPTION, false)).transpose()?;
    if let Some(name) = name {
        if name != ks.name {
            ks = registry.rename_keystore(&ks.id, &name).await?;
        }
    }
    if let Some(description) = description {
        ks = registry.describe_keystore(&ks.id, &description).await?;
    }
    Ok(Json(view(&state, ks).await?))
}

/// Suspend a key store: its clients are refused from their next request.
#[utoipa::path(
    post,
    path = "/keystores/{keystore}/suspend",
    tag = "keystores",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    responses((status = 200, description = "The key store, suspended", body = KeyStoreView))
)]
pub async fn suspend(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
) -> Result<Json<KeyStoreView>, ApiError> {
    let ks = resolve(state.registry(), &keystore)?;
    let ks = state.registry().suspend_keystore(&ks.id).await?;
    Ok(Json(view(&state, ks).await?))
}

/// Resume a suspended key store.
#[utoipa::path(
    post,
    path = "/keystores/{keystore}/resume",
    tag = "keystores",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    responses((status = 200, description = "The key store, in service again", body = KeyStoreView))
)]
pub async fn resume(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
) -> Result<Json<KeyStoreView>, ApiError> {
    let ks = resolve(state.registry(), &keystore)?;
    let ks = state.registry().resume_keystore(&ks.id).await?;
    Ok(Json(view(&state, ks).await?))
}

/// Terminate a key store: every key, secret and credential in it is
/// destroyed, irreversibly. `confirm` must repeat its name.
#[utoipa::path(
    delete,
    path = "/keystores/{keystore}",
    tag = "keystores",
    params(("keystore" = String, Path, description = "The key store's id or name"), Confirm),
    responses((status = 200, description = "The key store is gone; what was destroyed", body = Terminated))
)]
pub async fn terminate(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiQuery(confirm): ApiQuery<Confirm>,
) -> Result<Json<Terminated>, ApiError> {
    let ks = resolve(state.registry(), &keystore)?;
    let confirmation = confirm.confirm.unwrap_or_default();
    let report = state.registry().terminate_keystore(&ks.id, &confirmation).await?;
    Ok(Json(Terminated {
        id: ks.id,
        name: ks.name,
        objects: report.objects as u64,
        credentials: report.credentials as u64,
    }))
}

/// Download the key store's CA certificate (PEM).
#[utoipa::path(
    get,
    path = "/keystores/{keystore}/ca",
    tag = "keystores",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    responses((status = 200, description = "The CA certificate that issues the store's credentials", content_type = "application/x-pem-file", body = String))
)]
pub async fn ca(State(state): State<AppState>, Path(keystore): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let ks = resolve(state.registry(), &keystore)?;
    let pem = state.registry().ca_pem(&ks.id)?;
    let disposition = format!(
        "attachment; filename=\"{}-ca.pem\"",
        ks.name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_', "_")
    );
    Ok(([(header::CONTENT_TYPE, "application/x-pem-file".to_owned()), (header::CONTENT_DISPOSITION, disposition)], pem))
}

impl From<Combine> for super::allowlist::CombineView {
    fn from(c: Combine) -> super::allowlist::CombineView {
        match c {
            Combine::And => super::allowlist::CombineView::And,
            Combine::Or => super::allowlist::CombineView::Or,
        }
    }
}
