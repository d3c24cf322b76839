//! The REST resources, one file per resource, all under `/api/v1` and all
//! behind the admin token.

use axum::Router;
use utoipa::OpenApi;

use super::AppState;

/// The routes of every resource (paths relative to the server root).
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// The resources' part of the OpenAPI document, nested under `/api/v1`.
#[derive(OpenApi)]
#[openapi()]
pub struct ApiV1;
