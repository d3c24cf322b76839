//! Request and response payloads, one file per operation (KMIP 1.4 §4,
//! KMIP 2.1 §6), and the [`RequestPayload`] / [`ResponsePayload`] enums that
//! the batch item's Operation chooses between.
//!
//! An operation that has no file here (or an unknown value) still decodes,
//! as `Other { operation, raw }`, so the server can answer Operation Not
//! Supported for that batch item alone.

use crate::kmip::codec::{FromTtlv, ModelError, Out, ToTtlv};
use crate::kmip::table::Operation;
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{Tag, Ttlv};

pub mod activate;
pub mod add_attribute;
pub mod adjust_attribute;
pub mod archive;
pub mod cancel;
pub mod certify;
pub mod check;
pub mod create;
pub mod create_key_pair;
pub mod decrypt;
pub mod delete_attribute;
pub mod derive_key;
pub mod destroy;
pub mod discover_versions;
pub mod encrypt;
pub mod export;
pub mod get;
pub mod get_attribute_list;
pub mod get_attributes;
pub mod get_usage_allocation;
pub mod hash;
pub mod import;
pub mod locate;
pub mod mac;
pub mod mac_verify;
pub mod modify_attribute;
pub mod obtain_lease;
pub mod poll;
pub mod query;
pub mod recertify;
pub mod recover;
pub mod register;
pub mod rekey;
pub mod rekey_key_pair;
pub mod revoke;
pub mod rng_retrieve;
pub mod rng_seed;
pub mod set_attribute;
pub mod sign;
pub mod signature_verify;
pub mod validate;

/// Defines both payload enums from one list: `Operation => module::{Request, Response},`.
macro_rules! payloads {
    ($( $op:ident => $module:ident::{$req:ident, $resp:ident}, )*) => {
        $( pub use $module::{$req, $resp}; )*

        /// A request payload, typed by its batch item's Operation.
        // The server builds this enum only off its hot path (Encrypt, Decrypt and Get are
        // decoded straight into their request type), so its size is left as it is.
        #[allow(clippy::large_enum_variant)]
        #[derive(Clone, Debug, PartialEq)]
        pub enum RequestPayload {
            $(
                #[doc = concat!("`", stringify!($op), "`.")]
                $op($req),
            )*
            /// An operation coffer does not model; the payload kept as received.
            Other {
                /// The batch item's Operation.
                operation: Operation,
                /// The Request Payload structure as received.
                raw: Ttlv,
            },
        }

        /// A response payload, typed by its batch item's Operation.
        ///
        /// Each payload is boxed: the enum is moved several times per batch
        /// item (handler, dispatch, batch item, response list), and a box
        /// moves as a pointer where the largest payloads (Get's object,
        /// Export's) would be copied whole, every time, for every operation.
        #[derive(Clone, Debug, PartialEq)]
        pub enum ResponsePayload {
            $(
                #[doc = concat!("`", stringify!($op), "`.")]
                $op(Box<$resp>),
            )*
            /// An operation coffer does not model; the payload kept as received.
            Other {
                /// The batch item's Operation.
                operation: Operation,
                /// The Response Payload structure as received.
                raw: Ttlv,
            },
        }

        impl RequestPayload {
            /// Decodes the Request Payload `item` of an `operation` batch item.
            pub fn decode<'a, I: $crate::ttlv::Item<'a>>(
                operation: Operation,
                item: I,
                v: ProtocolVersion,
            ) -> Result<RequestPayload, ModelError> {
                Ok(match operation {
                    $( Operation::$op => RequestPayload::$op($req::read(item, v)?), )*
                    other => RequestPayload::Other { operation: other, raw: item.tree().into_owned() },
                })
            }

            /// The operation this payload belongs to.
            pub fn operation(&self) -> Operation {
                match self {
                    $( RequestPayload::$op(_) => Operation::$op, )*
                    RequestPayload::Other { operation, .. } => *operation,
                }
            }
        }

        impl ToTtlv for RequestPayload {
            fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
                match self {
                    $( RequestPayload::$op(p) => p.write_ttlv(tag, out), )*
                    RequestPayload::Other { raw, .. } => raw.write_ttlv(tag, out),
                }
            }
        }

        impl ResponsePayload {
            /// Decodes the Response Payload `item` of an `operation` batch item.
            pub fn decode(operation: Operation, item: &Ttlv, v: ProtocolVersion) -> Result<ResponsePayload, ModelError> {
                Ok(match operation {
                    $( Operation::$op => ResponsePayload::$op(Box::new($resp::from_ttlv(item, v)?)), )*
                    other => ResponsePayload::Other { operation: other, raw: item.clone() },
                })
            }

            /// The operation this payload belongs to.
            pub fn operation(&self) -> Operation {
                match self {
                    $( ResponsePayload::$op(_) => Operation::$op, )*
                    ResponsePayload::Other { operation, .. } => *operation,
                }
            }
        }

        impl ToTtlv for ResponsePayload {
            fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
                match self {
                    $( ResponsePayload::$op(p) => p.write_ttlv(tag, out), )*
                    ResponsePayload::Other { raw, .. } => raw.write_ttlv(tag, out),
                }
            }
        }
    };
}

payloads! {
    DiscoverVersions => discover_versions::{DiscoverVersionsRequest, DiscoverVersionsResponse},
    Query => query::{QueryRequest, QueryResponse},
    Create => create::{CreateRequest, CreateResponse},
    Register => register::{RegisterRequest, RegisterResponse},
    Get => get::{GetRequest, GetResponse},
    Locate => locate::{LocateRequest, LocateResponse},
    Encrypt => encrypt::{EncryptRequest, EncryptResponse},
    Decrypt => decrypt::{DecryptRequest, DecryptResponse},
    Destroy => destroy::{DestroyRequest, DestroyResponse},
    Activate => activate::{ActivateRequest, ActivateResponse},
    Revoke => revoke::{RevokeRequest, RevokeResponse},
    CreateKeyPair => create_key_pair::{CreateKeyPairRequest, CreateKeyPairResponse},
    ReKeyKeyPair => rekey_key_pair::{ReKeyKeyPairRequest, ReKeyKeyPairResponse},
    GetAttributes => get_attributes::{GetAttributesRequest, GetAttributesResponse},
    GetAttributeList => get_attribute_list::{GetAttributeListRequest, GetAttributeListResponse},
    AddAttribute => add_attribute::{AddAttributeRequest, AddAttributeResponse},
    ModifyAttribute => modify_attribute::{ModifyAttributeRequest, ModifyAttributeResponse},
    DeleteAttribute => delete_attribute::{DeleteAttributeRequest, DeleteAttributeResponse},
    SetAttribute => set_attribute::{SetAttributeRequest, SetAttributeResponse},
    AdjustAttribute => adjust_attribute::{AdjustAttributeRequest, AdjustAttributeResponse},
    MAC => mac::{MACRequest, MACResponse},
    MACVerify => mac_verify::{MACVerifyRequest, MACVerifyResponse},
    RNGRetrieve => rng_retrieve::{RNGRetrieveRequest, RNGRetrieveResponse},
    RNGSeed => rng_seed::{RNGSeedRequest, RNGSeedResponse},
    ReKey => rekey::{ReKeyRequest, ReKeyResponse},
    Sign => sign::{SignRequest, SignResponse},
    SignatureVerify => signature_verify::{SignatureVerifyRequest, SignatureVerifyResponse},
    Hash => hash::{HashRequest, HashResponse},
    DeriveKey => derive_key::{DeriveKeyRequest, DeriveKeyResponse},
    Check => check::{CheckRequest, CheckResponse},
    GetUsageAllocation => get_usage_allocation::{GetUsageAllocationRequest, GetUsageAllocationResponse},
    ObtainLease => obtain_lease::{ObtainLeaseRequest, ObtainLeaseResponse},
    Archive => archive::{ArchiveRequest, ArchiveResponse},
    Recover => recover::{RecoverRequest, RecoverResponse},
    Poll => poll::{PollRequest, PollResponse},
    Cancel => cancel::{CancelRequest, CancelResponse},
    Validate => validate::{ValidateRequest, ValidateResponse},
    Import => import::{ImportRequest, ImportResponse},
    Export => export::{ExportRequest, ExportResponse},
    Certify => certify::{CertifyRequest, CertifyResponse},
    ReCertify => recertify::{ReCertifyRequest, ReCertifyResponse},
}
