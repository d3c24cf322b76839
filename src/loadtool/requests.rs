//! The requests the load tool sends, built once with coffer's own typed
//! model and encoded with its TTLV writer, and the check made on every
//! response.
//!
//! The shapes follow what PyKMIP 0.11's client sends, so the same bytes
//! work against PyKMIP's server: Create with a Template-Attribute of
//! Cryptographic Algorithm, Length and Usage Mask; Encrypt / Decrypt with
//! Cryptographic Parameters (algorithm, mode, padding) and a client IV.

use bytes::Bytes;

use crate::kmip::attributes::{Attribute, Attributes, CryptographicParameters};
use crate::kmip::codec::{FromTtlv, ToTtlv};
use crate::kmip::message::{RequestMessage, ResponseBatchItem, ResponseMessage};
use crate::kmip::payloads::{
    ActivateRequest, CreateKeyPairRequest, CreateRequest, DecryptRequest, DiscoverVersionsRequest, EncryptRequest,
    GetRequest, RequestPayload, ResponsePayload, SignRequest,
};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    BlockCipherMode, CryptographicAlgorithm, CryptographicUsageMask, DigitalSignatureAlgorithm, HashingAlgorithm,
    ObjectType, Operation, PaddingMethod, ResultReason, ResultStatus,
};
use crate::kmip::ProtocolVersion;
use crate::ttlv::{self, ItemType, Tag, Value};

use super::{KeyType, LoadError};

/// The plaintext every Encrypt sends: 64 bytes, as in the targets we compare with.
pub const PLAINTEXT_LEN: usize = 64;
/// The client-chosen CBC IV (16 bytes). Reusing it is fine for a benchmark
/// and nothing else.
const IV: [u8; 16] = [0x1f; 16];

/// One whole Request Message with one batch item, encoded.
pub fn message(version: ProtocolVersion, payload: RequestPayload) -> Result<Vec<u8>, LoadError> {
    let msg = RequestMessage::new(version, vec![payload]);
    msg.encode_ttlv(Tag::RequestMessage, version).map_err(|e| LoadError::Protocol(format!("encoding the request: {e}")))
}

/// Create: one AES-256 key usable to Encrypt and Decrypt.
pub fn create() -> RequestPayload {
    RequestPayload::Create(CreateRequest {
        object_type: ObjectType::SymmetricKey,
        attributes: Attributes::new([
            Attribute::CryptographicAlgorithm(CryptographicAlgorithm::AES),
            Attribute::CryptographicLength(256),
            Attribute::CryptographicUsageMask(CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt),
        ]),
        protection_storage_masks: None,
    })
}

/// Activate the key `uid` (a Pre-Active key cannot encrypt).
pub fn activate(uid: &str) -> RequestPayload {
    RequestPayload::Activate(ActivateRequest { unique_identifier: Some(uid.to_owned()) })
}

/// Get the key `uid`, in the server's default format.
pub fn get(uid: &str) -> RequestPayload {
    RequestPayload::Get(GetRequest::new(Some(uid.to_owned())))
}

/// Encrypt 64 bytes under `uid`: AES CBC, PKCS5 padding, the client's IV.
pub fn encrypt(uid: &str) -> RequestPayload {
    RequestPayload::Encrypt(EncryptRequest {
        iv_counter_nonce: Some(Bytes::from_static(&IV)),
        ..EncryptRequest::new(Some(uid.to_owned()), Some(aes_cbc()), Secret::new(vec![0x5a; PLAINTEXT_LEN]))
    })
}

/// Decrypt `ciphertext` (from [`encrypt`]) under `uid`.
pub fn decrypt(uid: &str, ciphertext: Bytes) -> RequestPayload {
    RequestPayload::Decrypt(DecryptRequest {
        iv_counter_nonce: Some(Bytes::from_static(&IV)),
        ..DecryptRequest::new(Some(uid.to_owned()), Some(aes_cbc()), ciphertext)
    })
}

/// Create Key Pair of `key_type`: a Sign private key and a Verify public key
/// (algorithm and length in the common attributes, as PyKMIP's client sends).
pub fn create_key_pair(key_type: KeyType) -> RequestPayload {
    let (algorithm, length) = match key_type {
        KeyType::EcP256 => (CryptographicAlgorithm::EC, 256),
        KeyType::Rsa2048 => (CryptographicAlgorithm::RSA, 2048),
    };
    RequestPayload::CreateKeyPair(CreateKeyPairRequest {
        common_attributes: Some(Attributes::new([
            Attribute::CryptographicAlgorithm(algorithm),
            Attribute::CryptographicLength(length),
        ])),
        private_key_attributes: Some(Attributes::new([Attribute::CryptographicUsageMask(
            CryptographicUsageMask::Sign,
        )])),
        public_key_attributes: Some(Attributes::new([Attribute::CryptographicUsageMask(
            CryptographicUsageMask::Verify,
        )])),
        common_protection_storage_masks: None,
        private_protection_storage_masks: None,
        public_protection_storage_masks: None,
    })
}

/// Sign 64 bytes with the private key `uid`: ECDSA with SHA-256 or RSA
/// PKCS#1 v1.5 with SHA-256.
pub fn sign(uid: &str, key_type: KeyType) -> RequestPayload {
    let (algorithm, scheme) = match key_type {
        KeyType::EcP256 => (CryptographicAlgorithm::EC, DigitalSignatureAlgorithm::ECDSAWithSHA256),
        KeyType::Rsa2048 => (CryptographicAlgorithm::RSA, DigitalSignatureAlgorithm::SHA_256WithRSAEncryption),
    };
    // PyKMIP's server wants the RSA padding and hash spelled out beside the scheme.
    let (padding_method, hashing_algorithm) = match key_type {
        KeyType::EcP256 => (None, None),
        KeyType::Rsa2048 => (Some(PaddingMethod::PKCS1V1_5), Some(HashingAlgorithm::SHA_256)),
    };
    let params = CryptographicParameters {
        padding_method,
        hashing_algorithm,
        digital_signature_algorithm: Some(scheme),
        cryptographic_algorithm: Some(algorithm),
        ..CryptographicParameters::none()
    };
    RequestPayload::Sign(SignRequest {
        unique_identifier: Some(uid.to_owned()),
        cryptographic_parameters: Some(params),
        data: Some(Bytes::from_static(&[0x5a; PLAINTEXT_LEN])),
        digested_data: None,
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    })
}

/// Discover Versions with no list: the cheapest request, no key involved.
pub fn discover_versions() -> RequestPayload {
    RequestPayload::DiscoverVersions(DiscoverVersionsRequest { protocol_versions: Vec::new() })
}

fn aes_cbc() -> CryptographicParameters {
    CryptographicParameters {
        block_cipher_mode: Some(BlockCipherMode::CBC),
        padding_method: Some(PaddingMethod::PKCS5),
        cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
        ..CryptographicParameters::none()
    }
}

/// What a response said, as the hot loop needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Result Status Success.
    Success,
    /// Anything else: the failure's name (Result Reason, or what was wrong
    /// with the response) and the server's Result Message.
    Failure {
        /// Result Reason's name, or a description of a malformed response.
        reason: String,
        /// Result Message, if any.
        message: Option<String>,
    },
}

/// The hot-path check: decodes the TTLV (strictly) and reads the Result
/// Status of the one batch item, without building typed payloads.
pub fn check(frame: &Bytes) -> Outcome {
    let tree = match ttlv::decode(frame, &ttlv::Limits::DEFAULT) {
        Ok(t) => t,
        Err(e) => return malformed(format!("undecodable response: {e}")),
    };
    if tree.tag != Tag::ResponseMessage {
        return malformed(format!("not a Response Message: {}", tree.tag));
    }
    let mut items = tree.children_with(Tag::BatchItem);
    let (Some(item), None) = (items.next(), items.next()) else {
        return malformed("not exactly one batch item".to_owned());
    };
    let enumeration = |tag| match item.child(tag).map(|t| &t.value) {
        Some(Value::Enumeration(v)) => Some(*v),
        _ => None,
    };
    match enumeration(Tag::ResultStatus).map(ResultStatus::from_value) {
        Some(ResultStatus::Success) => Outcome::Success,
        Some(status) => Outcome::Failure {
            reason: match enumeration(Tag::ResultReason).map(ResultReason::from_value) {
                Some(r) => reason_name(r),
                None => format!("{status:?} without a Result Reason"),
            },
            message: match item.child(Tag::ResultMessage).map(|t| &t.value) {
                Some(Value::TextString(m)) => Some(m.clone()),
                _ => None,
            },
        },
        None => malformed("no Result Status".to_owned()),
    }
}

/// The hot-loop check: walks the Response Message and its one Batch Item
/// in place, with no allocation, and accepts only a well-formed Success:
/// at both levels every child's length (padded to 8) must end exactly at
/// its parent's end, there must be exactly one Batch Item, and its Result
/// Status must be an Enumeration equal to Success. Anything else is handed
/// to the strict decode of [`check`], which names the failure. The first
/// response of a run gets a full typed check ([`typed_payload`]) besides.
pub fn check_in_place(frame: &[u8]) -> Outcome {
    if in_place_success(frame) {
        Outcome::Success
    } else {
        check(&Bytes::from_owner(zeroize::Zeroizing::new(frame.to_vec())))
    }
}

fn in_place_success(frame: &[u8]) -> bool {
    let Some((Tag::ResponseMessage, Some(ItemType::Structure), body, [])) = split_item(frame) else {
        return false;
    };
    let mut batch_items = 0u32;
    let mut succeeded = false;
    let mut rest = body;
    while !rest.is_empty() {
        let Some((tag, item_type, value, next)) = split_item(rest) else {
            return false;
        };
        if tag == Tag::BatchItem {
            batch_items = batch_items.saturating_add(1);
            succeeded = item_type == Some(ItemType::Structure) && batch_item_succeeded(value);
        }
        rest = next;
    }
    batch_items == 1 && succeeded
}

fn batch_item_succeeded(mut rest: &[u8]) -> bool {
    let mut status = None;
    while !rest.is_empty() {
        let Some((tag, item_type, value, next)) = split_item(rest) else {
            return false;
        };
        if tag == Tag::ResultStatus {
            let (Some(ItemType::Enumeration), Ok(v)) = (item_type, <[u8; 4]>::try_from(value)) else {
                return false;
            };
            status = Some(ResultStatus::from_value(u32::from_be_bytes(v)));
        }
        rest = next;
    }
    status == Some(ResultStatus::Success)
}

/// An item read in place: tag, type (if known), value (unpadded), and the bytes after its padding.
type Split<'a> = (Tag, Option<ItemType>, &'a [u8], &'a [u8]);

/// One item off the front of `bytes`; `None` when the header or the padded
/// value runs past the end.
fn split_item(bytes: &[u8]) -> Option<Split<'_>> {
    let (&[t0, t1, t2, ty, l0, l1, l2, l3], after) = bytes.split_first_chunk::<{ ttlv::HEADER_LEN }>()?;
    let len = usize::try_from(u32::from_be_bytes([l0, l1, l2, l3])).ok()?;
    let padded = len.checked_add(7)? & !7;
    let value = after.get(..len)?;
    let rest = after.get(padded..)?;
    Some((Tag::from_bytes([t0, t1, t2]), ItemType::from_code(ty), value, rest))
}

fn malformed(reason: String) -> Outcome {
    Outcome::Failure { reason, message: None }
}

fn reason_name(r: ResultReason) -> String {
    match r.name() {
        Some(n) => n.to_owned(),
        None => format!("ResultReason 0x{:08X}", r.value()),
    }
}

/// The typed check used during setup: the one batch item's payload, or
/// the failure as an error naming the operation.
pub fn typed_payload(frame: &Bytes, op: Operation) -> Result<ResponsePayload, LoadError> {
    let setup =
        |reason: String, message: Option<String>| LoadError::Setup { operation: format!("{op:?}"), reason, message };
    let tree =
        ttlv::decode(frame, &ttlv::Limits::DEFAULT).map_err(|e| setup(format!("undecodable response: {e}"), None))?;
    let msg = ResponseMessage::from_ttlv(&tree, ProtocolVersion::V1_0)
        .map_err(|e| setup(format!("malformed response: {e}"), None))?;
    let item: ResponseBatchItem =
        msg.batch_items.into_iter().next().ok_or_else(|| setup("no batch item".to_owned(), None))?;
    if item.result_status != ResultStatus::Success {
        let reason = item.result_reason.map_or_else(|| format!("{:?}", item.result_status), reason_name);
        return Err(setup(reason, item.result_message));
    }
    item.payload.ok_or_else(|| setup("no response payload".to_owned(), None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::message::RequestMessage;
    use crate::ttlv::Ttlv;

    fn decode(bytes: &[u8]) -> Ttlv {
        ttlv::decode(&Bytes::copy_from_slice(bytes), &ttlv::Limits::DEFAULT).unwrap()
    }

    #[test]
    fn encrypt_request_carries_cbc_pkcs5_aes_the_iv_and_64_bytes() {
        let bytes = message(ProtocolVersion::V1_2, encrypt("42")).unwrap();
        let msg = RequestMessage::from_ttlv(&decode(&bytes), ProtocolVersion::V1_2).unwrap();
        assert_eq!(msg.header.protocol_version, ProtocolVersion::V1_2);
        let Some(RequestPayload::Encrypt(e)) = msg.batch_items.first().map(|i| &i.payload) else {
            panic!("not an Encrypt")
        };
        assert_eq!(e.unique_identifier.as_deref(), Some("42"));
        assert_eq!(e.data.as_ref().unwrap().len(), PLAINTEXT_LEN);
        assert_eq!(e.iv_counter_nonce.as_deref(), Some(&IV[..]));
        let p = e.cryptographic_parameters.as_ref().unwrap();
        assert_eq!(p.block_cipher_mode, Some(BlockCipherMode::CBC));
        assert_eq!(p.padding_method, Some(PaddingMethod::PKCS5));
        assert_eq!(p.cryptographic_algorithm, Some(CryptographicAlgorithm::AES));
    }

    #[test]
    fn create_request_is_a_1x_template_attribute_with_three_attributes() {
        let bytes = message(ProtocolVersion::V1_2, create()).unwrap();
        let tree = decode(&bytes);
        let payload = tree.child(Tag::BatchItem).unwrap().child(Tag::RequestPayload).unwrap();
        let template = payload.child(Tag::TemplateAttribute).unwrap();
        assert_eq!(template.children_with(Tag::Attribute).count(), 3);
    }

    fn response(status: ResultStatus, reason: Option<ResultReason>, message: Option<&str>) -> Bytes {
        let mut item = vec![
            Ttlv::new(Tag::Operation, Value::Enumeration(Operation::Encrypt.value())),
            Ttlv::new(Tag::ResultStatus, Value::Enumeration(status.value())),
        ];
        if let Some(r) = reason {
            item.push(Ttlv::new(Tag::ResultReason, Value::Enumeration(r.value())));
        }
        if let Some(m) = message {
            item.push(Ttlv::new(Tag::ResultMessage, Value::TextString(m.to_owned())));
        }
        let header = Ttlv::structure(Tag::ResponseHeader, vec![]);
        let msg = Ttlv::structure(Tag::ResponseMessage, vec![header, Ttlv::structure(Tag::BatchItem, item)]);
        Bytes::from(ttlv::encode_to_vec(&msg).unwrap())
    }

    #[test]
    fn check_reads_success_and_names_a_failure_by_its_result_reason() {
        assert_eq!(check(&response(ResultStatus::Success, None, None)), Outcome::Success);
        assert_eq!(
            check(&response(ResultStatus::OperationFailed, Some(ResultReason::ItemNotFound), Some("no such key"))),
            Outcome::Failure { reason: "ItemNotFound".to_owned(), message: Some("no such key".to_owned()) }
        );
        let Outcome::Failure { reason, .. } = check(&Bytes::from_static(&[0x42, 0, 0x7b, 1, 0, 0, 0, 8])) else {
            panic!("a truncated frame passed")
        };
        assert!(reason.starts_with("undecodable"), "{reason}");
    }

    #[test]
    fn the_in_place_check_agrees_with_the_strict_one() {
        let ok = response(ResultStatus::Success, None, None);
        assert_eq!(check_in_place(&ok), Outcome::Success);
        let failed = response(ResultStatus::OperationFailed, Some(ResultReason::ItemNotFound), Some("no such key"));
        assert_eq!(check_in_place(&failed), check(&failed));
        // Every truncation of a Success, and a trailing byte, is refused.
        for cut in 0..ok.len() {
            assert_ne!(check_in_place(ok.get(..cut).unwrap()), Outcome::Success, "cut at {cut}");
        }
        let mut longer = ok.to_vec();
        longer.push(0);
        assert_ne!(check_in_place(&longer), Outcome::Success);
        // Two batch items, or a Result Status that is not an Enumeration.
        let item = Ttlv::structure(
            Tag::BatchItem,
            vec![Ttlv::new(Tag::ResultStatus, Value::Enumeration(ResultStatus::Success.value()))],
        );
        let header = Ttlv::structure(Tag::ResponseHeader, vec![]);
        let two = Ttlv::structure(Tag::ResponseMessage, vec![header.clone(), item.clone(), item.clone()]);
        assert_ne!(check_in_place(&ttlv::encode_to_vec(&two).unwrap()), Outcome::Success);
        let one = Ttlv::structure(Tag::ResponseMessage, vec![header.clone(), item]);
        assert_eq!(check_in_place(&ttlv::encode_to_vec(&one).unwrap()), Outcome::Success);
        let integer = Ttlv::structure(Tag::BatchItem, vec![Ttlv::new(Tag::ResultStatus, Value::Integer(0))]);
        let bad = Ttlv::structure(Tag::ResponseMessage, vec![header, integer]);
        assert_ne!(check_in_place(&ttlv::encode_to_vec(&bad).unwrap()), Outcome::Success);
    }
}
