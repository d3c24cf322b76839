//! The OpenAPI 3 document of the REST API, generated from the handlers'
//! annotations by `utoipa` and served at `/api/v1/openapi.json` (without a
//! token: it holds no data). Every route, schema and problem response is in
//! it, and the admin token as the `bearer` security scheme.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::api;
use super::problem::Problem;

/// The REST API's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "coffer admin API",
        description = "Key stores, client credentials and allowlists of a coffer KMIP server. \
                       Errors are RFC 9457 problem documents with a stable `code`; lists page with `limit` and `cursor`.",
        version = "1"
    ),
    paths(document),
    nest((path = "/api/v1", api = api::ApiV1)),
    components(schemas(Problem)),
    modifiers(&BearerScheme, &ProblemResponses),
    security(("bearer" = [])),
    tags(
        (name = "meta", description = "This document"),
        (name = "keystores", description = "Key stores: the tenants"),
        (name = "credentials", description = "Client certificates of a key store"),
        (name = "allowlist", description = "IP, CIDR and MAC allowlist entries and the authentication policy of a key store")
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The admin token: the data directory's `admin.token`"))
                    .build(),
            ),
        );
    }
}

/// Adds the problem responses every operation can give, so each handler's
/// annotation only names its success: 400 (a bad parameter), 401 (no or a
/// wrong token), 404 (unknown key store, credential or entry), 409 (a
/// conflict: a taken name, a status that forbids it) on changes, 413 and
/// 415 where there is a body, 500 and 503 (an internal fault).
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    super::problem::PROBLEM_JSON,
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public = path.ends_with("/openapi.json");
            let operations = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (operation, changes) in operations {
                let Some(operation) = operation.as_mut() else { continue };
                let has_body = operation.request_body.is_some();
                let mut add = |status: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                if public {
                    continue;
                }
                add("400", "A parameter or the body is not acceptable");
                add("401", "No admin token, or a wrong one");
                add("404", "No such key store, credential or entry");
                if changes {
                    add("409", "A conflict: the name is taken, or the key store's status forbids it");
                }
                if has_body {
                    add("413", "The body is too large");
                    add("415", "The body is not JSON");
                }
                add("500", "Internal server error");
                add("503", "The key store registry is not available");
            }
        }
    }
}

/// The OpenAPI document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3 document of this API", content_type = "application/json", body = Object))
)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn the_document_describes_the_bearer_scheme_and_the_problem_schema() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    }
}
