//! The server's typed error, and THE one mapping from it to a KMIP Result
//! Reason and Result Message.
//!
//! Every handler returns [`Error`]; [`Error::kmip_result`] is the only place
//! that decides what a client is told. Its match is exhaustive on purpose: a
//! new variant does not compile until someone picks its Result Reason.
//!
//! Reasons differ by protocol version (the OASIS test cases show it: an
//! Encrypt with a Pre-Active key is Permission Denied at 1.4 and Wrong Key
//! Lifecycle State at 2.1), and a reason that a version does not define is
//! never sent to its clients: each variant names its 1.x reason too.

use std::fmt;

use crate::crypto::CryptoError;
use crate::keystores::RegistryError;
use crate::kmip::codec::{ErrorClass, ModelError};
use crate::kmip::table::{ObjectType, Operation, ResultReason, State};
use crate::kmip::version::ProtocolVersion;
use crate::store::StoreError;

/// Why a request, or one batch item, failed.
#[derive(Debug)]
pub enum Error {
    /// The message or a payload could not be read as KMIP.
    Model(ModelError),
    /// The bytes are not well-formed TTLV.
    Decode(String),
    /// No object with this identifier is visible to the client.
    ObjectNotFound {
        /// The identifier asked for.
        id: String,
    },
    /// The object exists but its key material was destroyed.
    ObjectDestroyed {
        /// The identifier asked for.
        id: String,
    },
    /// The object's state does not allow the operation.
    WrongState {
        /// The object.
        id: String,
        /// Its state.
        state: State,
        /// The refused operation.
        operation: Operation,
    },
    /// The object's dates do not allow the use now (Protect Stop Date
    /// passed, Process Start Date to come).
    OutsideUsePeriod {
        /// The object.
        id: String,
        /// The refused operation.
        operation: Operation,
        /// Which date forbids it.
        why: &'static str,
    },
    /// The object's Cryptographic Usage Mask lacks the bit the operation needs.
    UsageNotAllowed {
        /// The object.
        id: String,
        /// The usage the mask lacks, as the spec names it ("Encrypt").
        usage: &'static str,
    },
    /// The operation is refused for another reason (policy, object type).
    PermissionDenied(String),
    /// The client is not (or no longer) who may call: a revoked credential,
    /// an address the key store's allowlist does not admit.
    AuthenticationNotSuccessful(String),
    /// The client asked for a Quantum Safe object that would not be (KMIP
    /// 2.0 §4.?: Quantum Safe); General Failure, as the OASIS QS-M-2 case answers.
    NotQuantumSafe(String),
    /// A field's value is not acceptable.
    InvalidField(String),
    /// A field the operation needs is absent.
    MissingData(String),
    /// A value or combination the server does not implement.
    FeatureNotSupported(String),
    /// The operation is not implemented.
    OperationNotSupported(Operation),
    /// The requested Key Format Type cannot be produced.
    KeyFormatNotSupported(String),
    /// A Key Compression Type was asked for that the object cannot have.
    KeyCompressionNotSupported(String),
    /// A 1.x Template-Attribute names a template; this server stores none.
    TemplateNotFound {
        /// The template's Name.
        name: String,
    },
    /// The object is Sensitive: its key material may not leave the server.
    Sensitive {
        /// The object.
        id: String,
    },
    /// The object is not Extractable: it may leave the server only wrapped.
    NotExtractable {
        /// The object.
        id: String,
    },
    /// Import without Replace Existing names an identifier already in use.
    ObjectAlreadyExists {
        /// The identifier.
        id: String,
    },
    /// A cryptographic operation failed on the client's data (bad tag,
    /// bad padding, wrong key for the data).
    CryptographicFailure(String),
    /// The Cryptographic Parameters are not usable with this key.
    BadCryptographicParameters(String),
    /// A cryptographic primitive refused its input or failed; the text of
    /// [`CryptoError`] never holds key bytes or data.
    Crypto(CryptoError),
    /// A Decrypt whose mode needs an IV/Counter/Nonce named none (CS-BC-M-11
    /// to 13 expect Invalid Message).
    IvMissing(String),
    /// The object is not of a type the operation works on, or the request
    /// names a type of object the operation does not make or store.
    WrongObjectType {
        /// The existing object, or `None` for the type a request names
        /// (Create, Register).
        id: Option<String>,
        /// Its type.
        object_type: ObjectType,
        /// The refused operation.
        operation: Operation,
    },
    /// A Name is already used by another object of the key store.
    NonUniqueName(String),
    /// The attribute may not be changed by a client.
    AttributeReadOnly(String),
    /// The attribute (or the instance of it) is not on the object.
    AttributeNotFound(String),
    /// The attribute may have one value only.
    AttributeSingleValued(String),
    /// The attribute has several values, so it cannot be set as one (2.x Set Attribute).
    AttributeMultiValued(String),
    /// The object's state forbids changing this attribute now (Activation
    /// Date once the object is Active, SKLC-M-3).
    AttributeLocked {
        /// The object.
        id: String,
        /// The attribute's name.
        attribute: String,
        /// The object's state.
        state: State,
        /// The refused operation.
        operation: Operation,
        /// Why (which rule).
        why: &'static str,
    },
    /// The response would exceed the client's Maximum Response Size.
    ResponseTooLarge {
        /// The encoded size.
        size: usize,
        /// The client's maximum.
        max: usize,
    },
    /// A batch item that was not run because an earlier one failed.
    NotRunAfterFailure,
    /// The protocol version is not one the server speaks.
    UnsupportedVersion(ProtocolVersion),
    /// The store failed; an internal fault, reported without detail.
    Store(StoreError),
    /// A bug or an internal fault; reported without detail.
    Internal(String),
}

impl Error {
    /// The Result Reason and Result Message for a client of version `v`.
    /// Internal faults get a generic message; the caller logs the detail.
    pub fn kmip_result(&self, v: ProtocolVersion) -> (ResultReason, String) {
        use ResultReason as R;
        // (reason in 2.x, reason in 1.x, message)
        let (modern, legacy, message): (ResultReason, ResultReason, String) = match self {
            Error::Model(e) => {
                let reason = match e.class() {
                    ErrorClass::InvalidMessage => R::InvalidMessage,
                    ErrorClass::InvalidField => R::InvalidField,
                    ErrorClass::MissingData => R::MissingData,
                    ErrorClass::OperationNotSupported => R::OperationNotSupported,
                };
                (reason, reason, e.to_string())
            }
            Error::Decode(e) => (R::InvalidMessage, R::InvalidMessage, e.clone()),
            Error::ObjectNotFound { id } => {
                (R::ObjectNotFound, R::ItemNotFound, format!("no object with Unique Identifier {id:?}"))
            }
            Error::ObjectDestroyed { id } => {
                (R::ObjectDestroyed, R::ItemNotFound, format!("object {id:?} has been destroyed"))
            }
            Error::WrongState { id, state, operation } => (
                R::WrongKeyLifecycleState,
                R::PermissionDenied,
                format!("{} is not allowed: object {id:?} is {}", op_name(*operation), state_name(*state)),
            ),
            Error::OutsideUsePeriod { id, operation, why } => (
                R::WrongKeyLifecycleState,
                R::PermissionDenied,
                format!("{} is not allowed: object {id:?}: {why}", op_name(*operation)),
            ),
            Error::UsageNotAllowed { id, usage } => (
                R::IncompatibleCryptographicUsageMask,
                R::PermissionDenied,
                format!("object {id:?}: its Cryptographic Usage Mask does not allow {usage}"),
            ),
            Error::PermissionDenied(m) => (R::PermissionDenied, R::PermissionDenied, m.clone()),
            Error::AuthenticationNotSuccessful(m) => {
                (R::AuthenticationNotSuccessful, R::AuthenticationNotSuccessful, m.clone())
            }
            Error::NotQuantumSafe(m) => (R::GeneralFailure, R::GeneralFailure, m.clone()),
            Error::InvalidField(m) => (R::InvalidField, R::InvalidField, m.clone()),
            Error::MissingData(m) => (R::MissingData, R::MissingData, m.clone()),
            Error::FeatureNotSupported(m) => (R::FeatureNotSupported, R::FeatureNotSupported, m.clone()),
            Error::OperationNotSupported(op) => (
                R::OperationNotSupported,
                R::OperationNotSupported,
                format!("operation {} is not supported by this server", op_name(*op)),
            ),
            Error::KeyFormatNotSupported(m) => (R::KeyFormatTypeNotSupported, R::KeyFormatTypeNotSupported, m.clone()),
            Error::KeyCompressionNotSupported(m) => {
                (R::KeyCompressionTypeNotSupported, R::KeyCompressionTypeNotSupported, m.clone())
            }
            Error::TemplateNotFound { name } => (
                R::ItemNotFound,
                R::ItemNotFound,
                format!("template {name:?} not found: this server stores no templates; send the attributes instead"),
            ),
            Error::Sensitive { id } => (
                R::Sensitive,
                R::PermissionDenied,
                format!("object {id:?} is Sensitive: its key material cannot be returned"),
            ),
            Error::NotExtractable { id } => (
                R::NotExtractable,
                R::PermissionDenied,
                format!("object {id:?} is not Extractable: its key material cannot be returned"),
            ),
            Error::ObjectAlreadyExists { id } => (
                R::ObjectAlreadyExists,
                R::InvalidField,
                format!("object {id:?} already exists; set Replace Existing to replace it"),
            ),
            Error::CryptographicFailure(m) => (R::CryptographicFailure, R::CryptographicFailure, m.clone()),
            Error::BadCryptographicParameters(m) => (R::BadCryptographicParameters, R::InvalidField, m.clone()),
            Error::Crypto(e) => {
                let (modern, legacy) = match e {
                    CryptoError::InvalidKeyLength { .. }
                    | CryptoError::InvalidIvLength { .. }
                    | CryptoError::InvalidInput(_) => (R::InvalidField, R::InvalidField),
                    // CS-BC-M-GCM-1 (1.4 and 2.1) answers a GCM Tag Length of
                    // 1 or 32 bytes with General Failure.
                    CryptoError::InvalidTagLength(_) => (R::GeneralFailure, R::GeneralFailure),
                    CryptoError::AuthenticationFailed => (R::CryptographicFailure, R::CryptographicFailure),
                    CryptoError::Unsupported(_) => (R::UnsupportedCryptographicParameters, R::FeatureNotSupported),
                    CryptoError::Backend(_) => (R::GeneralFailure, R::GeneralFailure),
                };
                let message = match e {
                    CryptoError::Backend(_) => "internal server error; the server log has the details".into(),
                    other => other.to_string(),
                };
                (modern, legacy, message)
            }
            Error::IvMissing(m) => (R::InvalidMessage, R::InvalidMessage, m.clone()),
            // 1.x has no reason for it; PyKMIP's server answers Permission Denied.
            Error::WrongObjectType { id: Some(id), object_type, operation } => (
                R::IllegalObjectType,
                R::PermissionDenied,
                format!(
                    "{} is not allowed: object {id:?} is a {}{}",
                    op_name(*operation),
                    type_name(*object_type),
                    object_types_hint(*operation)
                ),
            ),
            Error::WrongObjectType { id: None, object_type, operation } => (
                R::InvalidObjectType,
                R::InvalidField,
                format!(
                    "{} does not make or store a {}{}",
                    op_name(*operation),
                    type_name(*object_type),
                    object_types_hint(*operation)
                ),
            ),
            Error::NonUniqueName(name) => (
                R::NonUniqueNameAttribute,
                R::InvalidField,
                format!("the name {name:?} is already used by another object"),
            ),
            Error::AttributeReadOnly(name) => (
                R::AttributeReadOnly,
                R::PermissionDenied,
                format!("attribute {name:?} is set by the server and cannot be changed"),
            ),
            Error::AttributeNotFound(m) => (R::AttributeNotFound, R::ItemNotFound, m.clone()),
            Error::AttributeSingleValued(name) => (
                R::AttributeSingleValued,
                R::InvalidField,
                format!("attribute {name:?} has a value already and may have only one"),
            ),
            Error::AttributeMultiValued(name) => (
                R::MultiValuedAttribute,
                R::InvalidField,
                format!("attribute {name:?} may have several values; add or modify an instance instead"),
            ),
            Error::AttributeLocked { id, attribute, state, operation, why } => (
                R::WrongKeyLifecycleState,
                R::PermissionDenied,
                format!(
                    "{} is not allowed: {attribute} of object {id:?}, which is {}: {why}",
                    op_name(*operation),
                    state_name(*state)
                ),
            ),
            Error::ResponseTooLarge { size, max } => (
                R::ResponseTooLarge,
                R::ResponseTooLarge,
                format!("the response is {size} bytes, over the Maximum Response Size of {max}"),
            ),
            Error::NotRunAfterFailure => (
                R::OperationCanceledByRequester,
                R::OperationCanceledByRequester,
                "not run: an earlier batch item failed and the Batch Error Continuation Option is Stop or Undo".into(),
            ),
            Error::UnsupportedVersion(pv) => (
                R::UnsupportedProtocolVersion,
                R::InvalidMessage,
                format!("protocol version {}.{} is not supported; this server speaks 1.0 to 2.1", pv.major, pv.minor),
            ),
            Error::Store(_) | Error::Internal(_) => {
                (R::GeneralFailure, R::GeneralFailure, "internal server error; the server log has the details".into())
            }
        };
        let reason = match modern.since() {
            Some(since) if since > v => legacy,
            _ => modern,
        };
        (reason, message)
    }

    /// True for faults of the server rather than of the request: they are
    /// logged with their detail.
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Store(_) | Error::Internal(_) | Error::Crypto(CryptoError::Backend(_)))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Store(e) => write!(f, "store: {e}"),
            Error::Internal(e) => write!(f, "internal: {e}"),
            Error::Crypto(e @ CryptoError::Backend(_)) => write!(f, "crypto: {e}"),
            other => f.write_str(&other.kmip_result(ProtocolVersion::V2_1).1),
        }
    }
}

impl std::error::Error for Error {}

impl From<ModelError> for Error {
    fn from(e: ModelError) -> Error {
        Error::Model(e)
    }
}

impl From<CryptoError> for Error {
    fn from(e: CryptoError) -> Error {
        Error::Crypto(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            // The store's atomic backstop of the operations' own Name check: answered the same way.
            StoreError::NameTaken { name } => Error::NonUniqueName(name),
            other => Error::Store(other),
        }
    }
}

/// Why a request to the HTTPS plane (the admin REST API) failed. Its one
/// mapping to an HTTP status and a stable problem code is
/// [`ApiError::http_problem`]; [`crate::http::problem`] renders it.
#[derive(Debug)]
pub enum ApiError {
    /// No `Authorization: Bearer` token, or not the admin token.
    Unauthorized,
    /// A query parameter or path segment is not acceptable.
    BadRequest(String),
    /// The JSON body is malformed, of the wrong shape, or has unknown fields.
    InvalidBody(String),
    /// The body is not `application/json`.
    UnsupportedMediaType,
    /// The body is over the size limit.
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// No route for this path.
    RouteNotFound(String),
    /// The route exists but not with this method.
    MethodNotAllowed,
    /// A field of the body has a value that is not acceptable (a bad CIDR, MAC, PEM).
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// Why.
        why: String,
    },
    /// The key store registry refused or failed.
    Registry(RegistryError),
    /// A bug or an internal fault; reported without detail.
    Internal(String),
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> ApiError {
        ApiError::Registry(e)
    }
}

/// What an [`ApiError`] is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpProblem {
    /// The HTTP status.
    pub status: axum::http::StatusCode,
    /// The stable code (kebab-case).
    pub code: &'static str,
    /// The title: one per code.
    pub title: &'static str,
    /// This occurrence, for a human.
    pub detail: String,
}

impl ApiError {
    /// THE mapping from an HTTPS-plane error to its HTTP status, problem code,
    /// title and detail. Internal faults get a generic detail; the caller logs it.
    pub fn http_problem(&self) -> HttpProblem {
        use axum::http::StatusCode as S;
        let (status, code, title, detail) = match self {
            ApiError::Unauthorized => (
                S::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
                "send the admin token as `Authorization: Bearer <token>`".to_owned(),
            ),
            ApiError::BadRequest(m) => (S::BAD_REQUEST, "bad-request", "Bad request", m.clone()),
            ApiError::InvalidBody(m) => (S::BAD_REQUEST, "invalid-body", "Invalid request body", m.clone()),
            ApiError::UnsupportedMediaType => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "the body must be JSON, with `Content-Type: application/json`".to_owned(),
            ),
            ApiError::PayloadTooLarge { limit } => (
                S::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Request body too large",
                format!("the body is over the limit of {limit} bytes"),
            ),
            ApiError::RouteNotFound(path) => (S::NOT_FOUND, "not-found", "Not found", format!("no resource at {path}")),
            ApiError::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this resource does not accept this method".to_owned(),
            ),
            ApiError::InvalidField { field, why } => {
                (S::BAD_REQUEST, "invalid-field", "Invalid field value", format!("{field}: {why}"))
            }
            ApiError::Registry(e) => registry_problem(e),
            ApiError::Internal(_) => (
                S::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
                "internal server error; the server log has the details".to_owned(),
            ),
        };
        HttpProblem { status, code, title, detail }
    }

    /// True for faults of the server rather than of the request: they are logged.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            ApiError::Internal(_)
                | ApiError::Registry(RegistryError::Pki(_) | RegistryError::Store(_) | RegistryError::Unavailable(_))
        )
    }
}

/// The HTTP side of a registry error: status, code, title, detail.
fn registry_problem(e: &RegistryError) -> (axum::http::StatusCode, &'static str, &'static str, String) {
    use axum::http::StatusCode as S;
    match e {
        RegistryError::KeyStoreNotFound { id } => {
            (S::NOT_FOUND, "keystore-not-found", "Key store not found", format!("no key store with id or name {id:?}"))
        }
        RegistryError::CredentialNotFound { id } => (
            S::NOT_FOUND,
            "credential-not-found",
            "Credential not found",
            format!("no credential with id or name {id:?} in this key store"),
        ),
        RegistryError::AllowEntryNotFound { id } => (
            S::NOT_FOUND,
            "allow-entry-not-found",
            "Allowlist entry not found",
            format!("no allowlist entry {id:?} in this key store"),
        ),
        RegistryError::NameTaken { .. } => (S::CONFLICT, "name-taken", "Name already used", e.to_string()),
        RegistryError::CertificateTaken { .. } => {
            (S::CONFLICT, "certificate-taken", "Certificate already registered", e.to_string())
        }
        RegistryError::UnknownRegion { .. } => (S::BAD_REQUEST, "unknown-region", "Unknown region", e.to_string()),
        RegistryError::WrongStatus { .. } => {
            (S::CONFLICT, "wrong-status", "Not allowed in the key store's status", e.to_string())
        }
        RegistryError::ConfirmationMismatch { name } => (
            S::BAD_REQUEST,
            "confirmation-mismatch",
            "Confirmation required",
            format!(
                "terminating key store {name} destroys every key and credential in it: confirm with ?confirm={name}"
            ),
        ),
        RegistryError::Invalid(why) => (S::BAD_REQUEST, "invalid-value", "Invalid value", why.clone()),
        RegistryError::Pki(_) | RegistryError::Store(_) => (
            S::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            "internal server error; the server log has the details".to_owned(),
        ),
        RegistryError::Unavailable(_) => (
            S::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            "the key store registry is not available; the server log has the details".to_owned(),
        ),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Internal(e) => write!(f, "internal: {e}"),
            ApiError::Registry(e) => e.fmt(f),
            other => f.write_str(&other.http_problem().detail),
        }
    }
}

impl std::error::Error for ApiError {}

fn op_name(op: Operation) -> String {
    op.name().map_or_else(|| format!("0x{:08X}", op.value()), str::to_owned)
}

/// What a client refused for an object's type should use instead, where
/// another operation or type would do.
fn object_types_hint(op: Operation) -> &'static str {
    match op {
        Operation::Create => "; Create makes Symmetric Keys, and key pairs come from Create Key Pair",
        Operation::Register | Operation::Import => {
            "; it stores keys, certificates, Split Keys, Templates, Secret Data and Opaque Objects"
        }
        Operation::ReKey => "; ReKey rotates Symmetric Keys, and key pairs are rotated with ReKey Key Pair",
        _ => "",
    }
}

fn type_name(t: ObjectType) -> String {
    t.name().map_or_else(|| format!("0x{:08X}", t.value()), str::to_owned)
}

fn state_name(state: State) -> String {
    state.name().map_or_else(|| format!("state 0x{:08X}", state.value()), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_newer_than_the_client_is_never_sent() {
        let e = Error::WrongState { id: "1".into(), state: State::PreActive, operation: Operation::Encrypt };
        assert_eq!(e.kmip_result(ProtocolVersion::V1_4).0, ResultReason::PermissionDenied);
        assert_eq!(e.kmip_result(ProtocolVersion::V2_1).0, ResultReason::WrongKeyLifecycleState);
        let e = Error::ObjectNotFound { id: "x".into() };
        assert_eq!(e.kmip_result(ProtocolVersion::V1_0).0, ResultReason::ItemNotFound);
        assert_eq!(e.kmip_result(ProtocolVersion::V2_0).0, ResultReason::ObjectNotFound);
    }

    /// The store's refusal of a taken Name is answered as the operations' own check answers it.
    #[test]
    fn a_name_the_store_refuses_is_answered_as_a_non_unique_name() {
        let refused = Error::from(StoreError::NameTaken { name: "k".into() });
        assert!(!refused.is_internal());
        for (v, reason) in [
            (ProtocolVersion::V1_0, ResultReason::InvalidField),
            (ProtocolVersion::V1_4, ResultReason::InvalidField),
            (ProtocolVersion::V2_0, ResultReason::NonUniqueNameAttribute),
            (ProtocolVersion::V2_1, ResultReason::NonUniqueNameAttribute),
        ] {
            assert_eq!(refused.kmip_result(v), Error::NonUniqueName("k".into()).kmip_result(v));
            assert_eq!(refused.kmip_result(v).0, reason);
        }
    }

    #[test]
    fn registry_errors_map_to_their_http_status_and_code() {
        use axum::http::StatusCode as S;
        let cases = [
            (RegistryError::KeyStoreNotFound { id: "x".into() }, S::NOT_FOUND, "keystore-not-found"),
            (RegistryError::CredentialNotFound { id: "x".into() }, S::NOT_FOUND, "credential-not-found"),
            (RegistryError::AllowEntryNotFound { id: "x".into() }, S::NOT_FOUND, "allow-entry-not-found"),
            (RegistryError::NameTaken { name: "x".into() }, S::CONFLICT, "name-taken"),
            (RegistryError::CertificateTaken { fingerprint: "ab".into() }, S::CONFLICT, "certificate-taken"),
            (RegistryError::UnknownRegion { region: "mars".into() }, S::BAD_REQUEST, "unknown-region"),
            (RegistryError::ConfirmationMismatch { name: "x".into() }, S::BAD_REQUEST, "confirmation-mismatch"),
            (RegistryError::Invalid("bad".into()), S::BAD_REQUEST, "invalid-value"),
            (RegistryError::Pki("openssl said xyzzy".into()), S::INTERNAL_SERVER_ERROR, "internal"),
            (RegistryError::Unavailable("closed"), S::SERVICE_UNAVAILABLE, "unavailable"),
        ];
        for (e, status, code) in cases {
            let internal = matches!(e, RegistryError::Pki(_) | RegistryError::Unavailable(_));
            let e = ApiError::from(e);
            let p = e.http_problem();
            assert_eq!((p.status, p.code), (status, code), "{e:?}");
            assert_eq!(e.is_internal(), internal, "{e:?}");
            assert!(!p.detail.contains("xyzzy"), "an internal detail reached the client: {}", p.detail);
        }
        assert_eq!(ApiError::Unauthorized.http_problem().status, S::UNAUTHORIZED);
        assert_eq!(ApiError::PayloadTooLarge { limit: 1 }.http_problem().status, S::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn internal_faults_do_not_leak_their_detail() {
        let e = Error::Internal("secret detail".into());
        let (reason, message) = e.kmip_result(ProtocolVersion::V1_2);
        assert_eq!(reason, ResultReason::GeneralFailure);
        assert!(!message.contains("secret"));
    }

    #[test]
    fn crypto_failures_by_version() {
        let backend = Error::Crypto(CryptoError::Backend("EVP step: xyzzy".into()));
        assert!(backend.is_internal());
        assert!(!backend.kmip_result(ProtocolVersion::V2_1).1.contains("xyzzy"));
        let unsupported = Error::Crypto(CryptoError::Unsupported("CFB".into()));
        assert_eq!(unsupported.kmip_result(ProtocolVersion::V1_4).0, ResultReason::FeatureNotSupported);
        assert_eq!(unsupported.kmip_result(ProtocolVersion::V2_0).0, ResultReason::UnsupportedCryptographicParameters);
        let tag = Error::Crypto(CryptoError::AuthenticationFailed);
        assert_eq!(tag.kmip_result(ProtocolVersion::V1_0).0, ResultReason::CryptographicFailure);
        assert!(!tag.is_internal());
        let wrong = Error::WrongObjectType {
            id: Some("s".into()),
            object_type: ObjectType::SecretData,
            operation: Operation::Encrypt,
        };
        assert_eq!(wrong.kmip_result(ProtocolVersion::V1_4).0, ResultReason::PermissionDenied);
        let (reason, message) = wrong.kmip_result(ProtocolVersion::V2_1);
        assert_eq!(reason, ResultReason::IllegalObjectType);
        assert!(message.contains("SecretData"), "{message}");
        let named =
            Error::WrongObjectType { id: None, object_type: ObjectType::SecretData, operation: Operation::Encrypt };
        assert_eq!(named.kmip_result(ProtocolVersion::V1_4).0, ResultReason::InvalidField);
        let (reason, message) = named.kmip_result(ProtocolVersion::V2_1);
        assert_eq!(reason, ResultReason::InvalidObjectType);
        assert_eq!(message, "Encrypt does not make or store a SecretData");
    }
}
