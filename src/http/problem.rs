//! RFC 9457 problem documents: every error the HTTPS plane answers is one,
//! as `application/problem+json`, with a stable machine-readable `code`.
//! Which status and code an error gets is decided in [`crate::error`]
//! ([`crate::error::ApiError::http_problem`]); this module only renders it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// The media type of a problem document (RFC 9457 §3).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:coffer:problem:keystore-not-found",
    "title": "Key store not found",
    "status": 404,
    "detail": "no key store with id or name \"sales\"",
    "code": "keystore-not-found"
}))]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:coffer:problem:` and the code.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a human.
    pub detail: String,
    /// The stable code a program can match on (the last part of `type`).
    pub code: String,
}

impl Problem {
    /// A problem document with this status, code, title and detail.
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            type_: format!("urn:coffer:problem:{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
        }
    }
}

impl From<&ApiError> for Problem {
    fn from(e: &ApiError) -> Problem {
        let spec = e.http_problem();
        Problem::new(spec.status, spec.code, spec.title, spec.detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.is_internal() {
            // The client gets a generic detail; the log gets the cause.
            tracing::error!(error = %self, "REST API internal error");
        }
        Problem::from(&self).into_response()
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_names_its_code_in_its_type() {
        let p = Problem::from(&ApiError::Unauthorized);
        assert_eq!(p.status, 401);
        assert_eq!(p.code, "unauthorized");
        assert_eq!(p.type_, "urn:coffer:problem:unauthorized");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], "urn:coffer:problem:unauthorized");
    }

    #[test]
    fn a_problem_response_is_problem_json_and_asks_for_a_bearer_token_on_401() {
        let r = ApiError::Unauthorized.into_response();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
