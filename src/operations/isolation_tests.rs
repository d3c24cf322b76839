//! Tenant isolation at the engine (issue 5): for every operation that names
//! an object, a client of key store B naming an object of key store A gets
//! the answer it gets for an identifier nobody holds, byte for byte once the
//! identifier is swapped, at KMIP 1.4 and 2.1; and A's objects (attributes,
//! state, revision, material, usage counters) are left exactly as they were.
//! The same request from A's own client succeeds, so every case can fail.
//! Locate, names shared between stores, the ID Placeholder, Import and the
//! background rotator are tested on their own below.

use std::sync::Arc;

use bytes::Bytes;
use time::OffsetDateTime;

use crate::auth::ClientIdentity;
use crate::clock::{Clock, TestClock};
use crate::kmip::attributes::{
    Attribute, AttributeReference, CryptographicParameters, IndexedAttribute, Link, RevocationReason, UsageLimits,
    WrappedAttribute,
};
use crate::kmip::codec::{DateTime, FromTtlv, ToTtlv};
use crate::kmip::message::{RequestMessage, ResponseBatchItem, ResponseMessage};
use crate::kmip::objects::{
    KeyBlock, KeyInformation, KeyMaterial, KeyValue, KeyWrappingData, KeyWrappingSpecification, Object, PrivateKey,
};
use crate::kmip::payloads::{
    ActivateRequest, AddAttributeRequest, CheckRequest, CreateKeyPairRequest, CreateRequest, DecryptRequest,
    DeleteAttributeRequest, DeriveKeyRequest, DestroyRequest, EncryptRequest, ExportRequest, GetAttributeListRequest,
    GetAttributesRequest, GetRequest, GetUsageAllocationRequest, LocateRequest, MACRequest, MACVerifyRequest,
    ModifyAttributeRequest, ObtainLeaseRequest, ReKeyRequest, RegisterRequest, RequestPayload as Rq,
    ResponsePayload as Rs, RevokeRequest, SetAttributeRequest, SignRequest, SignatureVerifyRequest,
};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    BlockCipherMode, CryptographicAlgorithm as Alg, CryptographicUsageMask as Mask, DerivationMethod, EncodingOption,
    HashingAlgorithm, KeyFormatType, LinkType, ObjectGroupMember, ObjectType, Operation, PaddingMethod,
    ResultReason as R, ResultStatus, RevocationReasonCode, WrappingMethod,
};
use crate::kmip::version::ProtocolVersion as V;
use crate::operations::crypto_params::none;
use crate::operations::new_object::test_support::{aes_object, attrs, import_aes, name, rekey_key_pair};
use crate::operations::{Engine, EngineLimits, Reply};
use crate::scheduler::Rotator;
use crate::stats::UsageKind;
use crate::store::Store;
use crate::ttlv::{self, Tag, Ttlv, Value};

/// The two key stores (their ids are opaque strings to the engine).
const STORE_A: &str = "2b0c4f0e-0000-4000-8000-00000000000a";
const STORE_B: &str = "2b0c4f0e-0000-4000-8000-00000000000b";

/// The bytes of each store's key-encryption key: the same in both, so that
/// a key wrapped for one would unwrap under the other's if a lookup leaked.
const KEK: [u8; 32] = [0x4b; 32];

fn client(keystore: &str) -> ClientIdentity {
    ClientIdentity::new(([127, 0, 0, 1], 5696).into(), format!("cred-{keystore}"), keystore)
}

/// The objects one store's client made, with what it computed with them.
struct Own {
    client: ClientIdentity,
    /// Active AES-256, Encrypt | Decrypt, named `<store>-aes`, with Contact
    /// Information, an Object Group and Usage Limits.
    aes: String,
    /// Its Name (same length in both stores).
    aes_name: String,
    /// Pre-Active AES-256.
    pre: String,
    /// Active HMAC-SHA256 key.
    hmac: String,
    /// Active AES-256 with Derive Key.
    base: String,
    /// Active AES-256 [`KEK`] with Wrap Key | Unwrap Key.
    kek: String,
    /// Active EC P-256 pair (ECDSA with SHA-256 by default).
    private: String,
    public: String,
    /// `aes`'s CBC ciphertext of a message, and its IV.
    sealed: (Bytes, Bytes),
    /// `private`'s signature of [`MESSAGE`].
    signature: Bytes,
    /// `hmac`'s MAC of [`MESSAGE`].
    mac: Bytes,
}

const MESSAGE: &[u8] = b"the quarterly numbers";

struct World {
    engine: Engine,
    clock: TestClock,
    a: Own,
    b: Own,
}

/// 2026-01-01: a fixed clock, so that two answers differ only where the requests do.
fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl World {
    async fn new() -> World {
        World::over(Store::default()).await
    }

    async fn over(store: Store) -> World {
        let clock = TestClock::at(t0());
        let engine = Engine::with_clock(store, EngineLimits::default(), Arc::new(clock.clone()));
        let a = setup(&engine, STORE_A).await;
        let b = setup(&engine, STORE_B).await;
        World { engine, clock, a, b }
    }
}

/// Sends one request message; the raw response bytes.
async fn raw(engine: &Engine, who: &ClientIdentity, v: V, payloads: Vec<Rq>) -> Vec<u8> {
    let frame = RequestMessage::new(v, payloads).encode_ttlv(Tag::RequestMessage, v).expect("encodes");
    match engine.process(who, Bytes::from(frame)).await {
        Reply::Send(bytes) => bytes,
        other => panic!("{other:?}"),
    }
}

fn decoded(bytes: &[u8], v: V) -> Vec<ResponseBatchItem> {
    let tree = ttlv::decode(&Bytes::copy_from_slice(bytes), &ttlv::Limits::UNBOUNDED).expect("TTLV");
    ResponseMessage::from_ttlv(&tree, v).expect("a response").batch_items
}

async fn run(engine: &Engine, who: &ClientIdentity, v: V, payloads: Vec<Rq>) -> Vec<ResponseBatchItem> {
    decoded(&raw(engine, who, v, payloads).await, v)
}

async fn ok(engine: &Engine, who: &ClientIdentity, v: V, payload: Rq) -> Rs {
    let mut items = run(engine, who, v, vec![payload]).await;
    assert_eq!(items.len(), 1);
    let item = items.remove(0);
    assert_eq!(item.result_status, ResultStatus::Success, "{:?}: {:?}", item.result_reason, item.result_message);
    item.payload.expect("a payload")
}

fn new_id(payload: &Rs) -> String {
    match payload {
        Rs::Create(r) => r.unique_identifier.clone(),
        Rs::Register(r) => r.unique_identifier.clone(),
        other => panic!("{other:?}"),
    }
}

fn create(alg: Alg, bits: i32, mask: Mask, more: Vec<Attribute>) -> Rq {
    let mut a = vec![
        Attribute::CryptographicAlgorithm(alg),
        Attribute::CryptographicLength(bits),
        Attribute::CryptographicUsageMask(mask),
    ];
    a.extend(more);
    Rq::Create(CreateRequest {
        object_type: ObjectType::SymmetricKey,
        attributes: attrs(a),
        protection_storage_masks: None,
    })
}

fn register(object: Object, more: Vec<Attribute>) -> Rq {
    Rq::Register(RegisterRequest {
        object_type: object.object_type(),
        attributes: attrs(more),
        object,
        protection_storage_masks: None,
    })
}

fn active() -> Attribute {
    Attribute::ActivationDate(DateTime(1))
}

fn cbc() -> CryptographicParameters {
    CryptographicParameters {
        block_cipher_mode: Some(BlockCipherMode::CBC),
        padding_method: Some(PaddingMethod::PKCS5),
        ..none()
    }
}

/// Makes store `keystore`'s objects through its own client, at 2.1.
async fn setup(engine: &Engine, keystore: &str) -> Own {
    let who = client(keystore);
    let v = V::V2_1;
    let tag = if keystore == STORE_A { "a" } else { "b" };
    let aes_name = format!("payroll-{tag}");
    let limits = Attribute::UsageLimits(UsageLimits { total: Some(1000), count: Some(1000), unit: None });
    let more = vec![
        name(&aes_name),
        active(),
        Attribute::ContactInformation("ops".into()),
        Attribute::ObjectGroup("finance".into()),
        limits,
    ];
    let aes = new_id(&ok(engine, &who, v, create(Alg::AES, 256, Mask::Encrypt | Mask::Decrypt, more)).await);
    let pre = new_id(&ok(engine, &who, v, create(Alg::AES, 256, Mask::Encrypt | Mask::Decrypt, vec![])).await);
    let mac_mask = Mask::MACGenerate | Mask::MACVerify;
    let hmac = new_id(&ok(engine, &who, v, create(Alg::HMAC_SHA256, 256, mac_mask, vec![active()])).await);
    let base = new_id(&ok(engine, &who, v, create(Alg::AES, 256, Mask::DeriveKey, vec![active()])).await);
    let kek_attrs = vec![Attribute::CryptographicUsageMask(Mask::WrapKey | Mask::UnwrapKey), active()];
    let kek = new_id(&ok(engine, &who, v, register(aes_object(&KEK, Some(256)), kek_attrs)).await);
    let pair = Rq::CreateKeyPair(CreateKeyPairRequest {
        common_attributes: Some(attrs(vec![
            Attribute::CryptographicAlgorithm(Alg::EC),
            Attribute::CryptographicLength(256),
            active(),
        ])),
        private_key_attributes: Some(attrs(vec![Attribute::CryptographicUsageMask(Mask::Sign)])),
        public_key_attributes: Some(attrs(vec![Attribute::CryptographicUsageMask(Mask::Verify)])),
        common_protection_storage_masks: None,
        private_protection_storage_masks: None,
        public_protection_storage_masks: None,
    });
    let (private, public) = match ok(engine, &who, v, pair).await {
        Rs::CreateKeyPair(r) => (r.private_key_unique_identifier, r.public_key_unique_identifier),
        other => panic!("{other:?}"),
    };
    let sealed = match ok(engine, &who, v, encrypt(&aes)).await {
        Rs::Encrypt(r) => (r.data.expect("data"), r.iv_counter_nonce.expect("IV")),
        other => panic!("{other:?}"),
    };
    let signature = match ok(engine, &who, v, sign(&private)).await {
        Rs::Sign(r) => r.signature_data.expect("signature"),
        other => panic!("{other:?}"),
    };
    let mac = match ok(engine, &who, v, mac(&hmac)).await {
        Rs::MAC(r) => r.mac_data.expect("MAC"),
        other => panic!("{other:?}"),
    };
    Own { client: who, aes, aes_name, pre, hmac, base, kek, private, public, sealed, signature, mac }
}

fn encrypt(id: &str) -> Rq {
    Rq::Encrypt(EncryptRequest::new(Some(id.into()), Some(cbc()), Secret::from_slice(MESSAGE)))
}

fn sign(id: &str) -> Rq {
    Rq::Sign(SignRequest {
        unique_identifier: Some(id.into()),
        cryptographic_parameters: None,
        data: Some(Bytes::from_static(MESSAGE)),
        digested_data: None,
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    })
}

fn mac(id: &str) -> Rq {
    Rq::MAC(MACRequest {
        unique_identifier: Some(id.into()),
        cryptographic_parameters: None,
        data: Some(Bytes::from_static(MESSAGE)),
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    })
}

/// A fresh EC P-256 private key object (PKCS#8).
fn ec_private_key() -> Object {
    let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).expect("P-256");
    let key = openssl::pkey::PKey::from_ec_key(openssl::ec::EcKey::generate(&group).expect("EC key")).expect("pkey");
    let der = key.private_key_to_pkcs8().expect("PKCS#8");
    Object::PrivateKey(PrivateKey {
        key_block: KeyBlock {
            key_format_type: KeyFormatType::PKCS_8,
            key_compression_type: None,
            key_value: Some(KeyValue::Plain {
                key_material: KeyMaterial::Bytes(Secret::from_slice(&der)),
                attributes: Default::default(),
            }),
            cryptographic_algorithm: None,
            cryptographic_length: None,
            key_wrapping_data: None,
        },
    })
}

fn get(id: &str) -> GetRequest {
    GetRequest::new(Some(id.into()))
}

fn wrapping(kek: &str) -> KeyWrappingSpecification {
    KeyWrappingSpecification {
        wrapping_method: WrappingMethod::Encrypt,
        encryption_key_information: Some(KeyInformation {
            unique_identifier: kek.into(),
            cryptographic_parameters: None,
        }),
        mac_signature_key_information: None,
        attribute_names: vec![],
        encoding_option: Some(EncodingOption::NoEncoding),
    }
}

/// An AES key wrapped (RFC 3394) under [`KEK`], its wrapping data naming `kek`.
fn wrapped_under(kek: &str) -> Object {
    let blob =
        crate::crypto::keywrap::wrap(crate::crypto::keywrap::WrapMode::Rfc3394, &KEK, &[0x5a; 32]).expect("wraps");
    let mut object = aes_object(&[0; 32], Some(256));
    if let Object::SymmetricKey(k) = &mut object {
        k.key_block.key_value = Some(KeyValue::Wrapped(Secret::new(blob)));
        k.key_block.key_wrapping_data = Some(KeyWrappingData {
            wrapping_method: WrappingMethod::Encrypt,
            encryption_key_information: Some(KeyInformation {
                unique_identifier: kek.into(),
                cryptographic_parameters: None,
            }),
            mac_signature_key_information: None,
            mac_signature: None,
            iv_counter_nonce: None,
            encoding_option: Some(EncodingOption::NoEncoding),
        });
    }
    object
}

fn contact_reference(v: V) -> AttributeReference {
    if v.is_2x() {
        AttributeReference::Tag(Tag::ContactInformation)
    } else {
        AttributeReference::Name("Contact Information".into())
    }
}

/// A request of the requester (`own` are its objects) that names `target`,
/// an object of another store or an identifier nobody holds.
type Build = fn(&Own, &str, V) -> Vec<Rq>;

/// One operation's case: the name, the operation (for the versions that
/// define it), which of A's objects (or what of it) it names, the request.
struct Case {
    what: &'static str,
    operation: Operation,
    target: fn(&Own) -> String,
    build: Build,
    /// The request creates objects (in the requester's store) and succeeds
    /// either way: its new identifiers are set aside before comparing.
    creates: bool,
}

fn cases() -> Vec<Case> {
    fn case(what: &'static str, operation: Operation, target: fn(&Own) -> String, build: Build) -> Case {
        Case { what, operation, target, build, creates: false }
    }
    let aes: fn(&Own) -> String = |o| o.aes.clone();
    let pre: fn(&Own) -> String = |o| o.pre.clone();
    let hmac: fn(&Own) -> String = |o| o.hmac.clone();
    let private: fn(&Own) -> String = |o| o.private.clone();
    let kek: fn(&Own) -> String = |o| o.kek.clone();
    vec![
        case("Get", Operation::Get, aes, |_, id, _| vec![Rq::Get(get(id))]),
        case("Get with a Key Wrapping Specification naming the other store's key", Operation::Get, kek, |o, id, _| {
            vec![Rq::Get(GetRequest { key_wrapping_specification: Some(wrapping(id)), ..get(&o.aes) })]
        }),
        case("Get Attributes", Operation::GetAttributes, aes, |_, id, _| {
            vec![Rq::GetAttributes(GetAttributesRequest {
                unique_identifier: Some(id.into()),
                attribute_references: vec![],
            })]
        }),
        case("Get Attributes (one named)", Operation::GetAttributes, aes, |_, id, v| {
            vec![Rq::GetAttributes(GetAttributesRequest {
                unique_identifier: Some(id.into()),
                attribute_references: vec![contact_reference(v)],
            })]
        }),
        case("Get Attribute List", Operation::GetAttributeList, aes, |_, id, _| {
            vec![Rq::GetAttributeList(GetAttributeListRequest { unique_identifier: Some(id.into()) })]
        }),
        case("Add Attribute", Operation::AddAttribute, pre, |_, id, _| {
            vec![Rq::AddAttribute(AddAttributeRequest {
                unique_identifier: Some(id.into()),
                attribute: IndexedAttribute {
                    attribute: Attribute::ContactInformation("intruder".into()),
                    index: None,
                },
            })]
        }),
        case("Modify Attribute", Operation::ModifyAttribute, aes, |_, id, _| {
            vec![Rq::ModifyAttribute(ModifyAttributeRequest {
                unique_identifier: Some(id.into()),
                current_attribute: None,
                attribute: IndexedAttribute {
                    attribute: Attribute::ContactInformation("intruder".into()),
                    index: None,
                },
            })]
        }),
        case("Delete Attribute", Operation::DeleteAttribute, aes, |_, id, v| {
            vec![Rq::DeleteAttribute(DeleteAttributeRequest {
                unique_identifier: Some(id.into()),
                current_attribute: None,
                attribute_reference: Some(contact_reference(v)),
                attribute_index: None,
            })]
        }),
        case("Set Attribute", Operation::SetAttribute, aes, |_, id, _| {
            vec![Rq::SetAttribute(SetAttributeRequest {
                unique_identifier: Some(id.into()),
                new_attribute: WrappedAttribute(Attribute::ContactInformation("intruder".into())),
            })]
        }),
        case("Activate", Operation::Activate, pre, |_, id, _| {
            vec![Rq::Activate(ActivateRequest { unique_identifier: Some(id.into()) })]
        }),
        case("Revoke", Operation::Revoke, aes, |_, id, _| {
            vec![Rq::Revoke(RevokeRequest {
                unique_identifier: Some(id.into()),
                revocation_reason: RevocationReason { code: RevocationReasonCode::KeyCompromise, message: None },
                compromise_occurrence_date: Some(DateTime(6)),
            })]
        }),
        case("Destroy", Operation::Destroy, pre, |_, id, _| {
            vec![Rq::Destroy(DestroyRequest { unique_identifier: Some(id.into()) })]
        }),
        case("Encrypt", Operation::Encrypt, aes, |_, id, _| vec![encrypt(id)]),
        case("Decrypt", Operation::Decrypt, aes, |o, id, _| {
            vec![Rq::Decrypt(DecryptRequest {
                iv_counter_nonce: Some(o.sealed.1.clone()),
                ..DecryptRequest::new(Some(id.into()), Some(cbc()), o.sealed.0.clone())
            })]
        }),
        case("MAC", Operation::MAC, hmac, |_, id, _| vec![mac(id)]),
        case("MAC Verify", Operation::MACVerify, hmac, |o, id, _| {
            vec![Rq::MACVerify(MACVerifyRequest {
                unique_identifier: Some(id.into()),
                cryptographic_parameters: None,
                data: Some(Bytes::from_static(MESSAGE)),
                mac_data: Some(o.mac.clone()),
                correlation_value: None,
                init_indicator: None,
                final_indicator: None,
            })]
        }),
        case("Sign", Operation::Sign, private, |_, id, _| vec![sign(id)]),
        case(
            "Signature Verify",
            Operation::SignatureVerify,
            |o| o.public.clone(),
            |o, id, _| {
                vec![Rq::SignatureVerify(SignatureVerifyRequest {
                    unique_identifier: Some(id.into()),
                    cryptographic_parameters: None,
                    data: Some(Bytes::from_static(MESSAGE)),
                    digested_data: None,
                    signature_data: Some(o.signature.clone()),
                    correlation_value: None,
                    init_indicator: None,
                    final_indicator: None,
                })]
            },
        ),
        case("ReKey", Operation::ReKey, aes, |_, id, _| {
            vec![Rq::ReKey(ReKeyRequest {
                unique_identifier: Some(id.into()),
                offset: None,
                attributes: None,
                legacy_template: None,
                protection_storage_masks: None,
            })]
        }),
        case("ReKey Key Pair", Operation::ReKeyKeyPair, private, |_, id, _| vec![rekey_key_pair(Some(id))]),
        case(
            "Derive Key from the other store's base key",
            Operation::DeriveKey,
            |o| o.base.clone(),
            |_, id, _| {
                let params = vec![
                    Ttlv::structure(
                        Tag::CryptographicParameters,
                        vec![Ttlv::new(Tag::HashingAlgorithm, Value::Enumeration(HashingAlgorithm::SHA_256.value()))],
                    ),
                    Ttlv::new(Tag::Salt, Value::ByteString(Bytes::from_static(b"salt"))),
                    Ttlv::new(Tag::IterationCount, Value::Integer(1000)),
                ];
                vec![Rq::DeriveKey(DeriveKeyRequest {
                    object_type: ObjectType::SymmetricKey,
                    unique_identifiers: vec![id.into()],
                    derivation_method: Ttlv::new(
                        Tag::DerivationMethod,
                        Value::Enumeration(DerivationMethod::PBKDF2.value()),
                    ),
                    derivation_parameters: Ttlv::structure(Tag::DerivationParameters, params),
                    attributes: attrs(vec![
                        Attribute::CryptographicAlgorithm(Alg::AES),
                        Attribute::CryptographicLength(128),
                        Attribute::CryptographicUsageMask(Mask::Encrypt),
                    ]),
                })]
            },
        ),
        case("Check", Operation::Check, aes, |_, id, _| {
            vec![Rq::Check(CheckRequest {
                unique_identifier: Some(id.into()),
                usage_limits_count: Some(1),
                cryptographic_usage_mask: Some(Mask::Encrypt),
                lease_time: None,
            })]
        }),
        case("Get Usage Allocation", Operation::GetUsageAllocation, aes, |_, id, _| {
            vec![Rq::GetUsageAllocation(GetUsageAllocationRequest {
                unique_identifier: Some(id.into()),
                usage_limits_count: Some(10),
            })]
        }),
        case("Obtain Lease", Operation::ObtainLease, aes, |_, id, _| {
            vec![Rq::ObtainLease(ObtainLeaseRequest { unique_identifier: Some(id.into()) })]
        }),
        case("Export", Operation::Export, aes, |_, id, _| vec![Rq::Export(ExportRequest::new(Some(id.into())))]),
        case("Register of a key wrapped under the other store's key", Operation::Register, kek, |_, id, _| {
            vec![register(wrapped_under(id), vec![])]
        }),
        case(
            "ID Placeholder: Locate by the other store's Name, then Get",
            Operation::Locate,
            |o| o.aes_name.clone(),
            |_, n, _| {
                let locate = LocateRequest {
                    maximum_items: None,
                    offset_items: None,
                    storage_status_mask: None,
                    object_group_member: None,
                    attributes: attrs(vec![name(n)]),
                };
                let get = GetRequest { unique_identifier: None, ..get("") };
                vec![Rq::Locate(locate), Rq::Get(get)]
            },
        ),
        Case {
            what: "ReKey Key Pair of an own private key linked to the other store's public key",
            operation: Operation::ReKeyKeyPair,
            target: |o| o.public.clone(),
            build: |_, id, _| {
                let link = Link { link_type: LinkType::PublicKeyLink, linked_object_identifier: id.into() };
                let more = vec![Attribute::CryptographicUsageMask(Mask::Sign), Attribute::Link(link)];
                vec![register(ec_private_key(), more), rekey_key_pair(None)]
            },
            creates: true,
        },
        Case {
            what: "Create with a Link into the other store",
            operation: Operation::Create,
            target: aes,
            build: |_, id, _| {
                let link = Link { link_type: LinkType::ParentLink, linked_object_identifier: id.into() };
                vec![create(Alg::AES, 128, Mask::Encrypt, vec![Attribute::Link(link)])]
            },
            creates: true,
        },
        Case {
            what: "Register with a Link into the other store",
            operation: Operation::Register,
            target: aes,
            build: |_, id, _| {
                let link = Link { link_type: LinkType::ParentLink, linked_object_identifier: id.into() };
                vec![register(aes_object(&[9; 16], Some(128)), vec![Attribute::Link(link)])]
            },
            creates: true,
        },
        Case {
            what: "Create Key Pair with a Link into the other store",
            operation: Operation::CreateKeyPair,
            target: aes,
            build: |_, id, _| {
                let link = Link { link_type: LinkType::ParentLink, linked_object_identifier: id.into() };
                vec![Rq::CreateKeyPair(CreateKeyPairRequest {
                    common_attributes: Some(attrs(vec![
                        Attribute::CryptographicAlgorithm(Alg::EC),
                        Attribute::CryptographicLength(256),
                        Attribute::Link(link),
                    ])),
                    private_key_attributes: Some(attrs(vec![Attribute::CryptographicUsageMask(Mask::Sign)])),
                    public_key_attributes: Some(attrs(vec![Attribute::CryptographicUsageMask(Mask::Verify)])),
                    common_protection_storage_masks: None,
                    private_protection_storage_masks: None,
                    public_protection_storage_masks: None,
                })]
            },
            creates: true,
        },
    ]
}

/// Everything observable about a store's objects: per object its id,
/// revision, metadata (attributes and state), a digest of its material and
/// its usage counters.
type Snapshot = Vec<(String, u64, Vec<u8>, Option<[u8; 32]>, Vec<u64>, Option<OffsetDateTime>)>;

async fn snapshot(engine: &Engine, keystore: &str) -> Snapshot {
    let store = engine.store();
    let mut out = Vec::new();
    for o in store.list(keystore).await.expect("list") {
        let usage = store.usage(&o.id);
        let counts = UsageKind::ALL.iter().map(|k| usage.count(*k)).collect();
        let digest = o.material.as_ref().map(|m| openssl::sha::sha256(m));
        out.push((o.id.clone(), o.revision, o.metadata.clone(), digest, counts, usage.last_used()));
    }
    out
}

/// An identifier (or Name) nobody holds, as long as `like`.
fn fresh_like(like: &str) -> String {
    let mut s = String::new();
    while s.len() < like.len() {
        s.push_str(&uuid::Uuid::new_v4().to_string());
    }
    s.truncate(like.len());
    s
}

/// `bytes` with every occurrence of `from` replaced by `to` (same length,
/// so the TTLV lengths stay right).
fn swap(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let (from, to) = (from.as_bytes(), to.as_bytes());
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i..i + from.len()) == Some(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.extend(bytes.get(i));
            i += 1;
        }
    }
    out
}

async fn ids(engine: &Engine, keystore: &str) -> Vec<String> {
    engine.store().list(keystore).await.expect("list").iter().map(|o| o.id.clone()).collect()
}

/// Runs B's request naming `target`; the raw answer with the identifiers
/// it created (if any) replaced by a fixed one.
async fn as_b(w: &World, v: V, case: &Case, target: &str) -> Vec<u8> {
    let before = ids(&w.engine, STORE_B).await;
    let mut answer = raw(&w.engine, &w.b.client, v, (case.build)(&w.b, target, v)).await;
    let made: Vec<String> = ids(&w.engine, STORE_B).await.into_iter().filter(|id| !before.contains(id)).collect();
    assert_eq!(made.is_empty(), !case.creates, "{}: B's store gained {made:?}", case.what);
    for id in made {
        answer = swap(&answer, &id, "00000000-0000-4000-8000-000000000000");
    }
    answer
}

async fn check_case(case: &Case, v: V) {
    let w = World::new().await;
    let target = (case.target)(&w.a);
    let nobody = fresh_like(&target);
    let a_before = snapshot(&w.engine, STORE_A).await;
    let b_before = snapshot(&w.engine, STORE_B).await;

    let theirs = as_b(&w, v, case, &target).await;
    let missing = as_b(&w, v, case, &nobody).await;
    assert_eq!(
        swap(&theirs, &target, &nobody),
        missing,
        "{} at {v}: the other store's object answers\n{:?}\nand a nonexistent one\n{:?}",
        case.what,
        decoded(&theirs, v),
        decoded(&missing, v),
    );
    let items = decoded(&missing, v);
    if !case.creates {
        let last = items.last().expect("an item");
        assert_eq!(last.result_status, ResultStatus::OperationFailed, "{} at {v}: {last:?}", case.what);
        if items.len() == 1 {
            let not_found = if v.is_2x() { R::ObjectNotFound } else { R::ItemNotFound };
            assert_eq!(last.result_reason, Some(not_found), "{} at {v}: {last:?}", case.what);
        }
        assert_eq!(snapshot(&w.engine, STORE_B).await, b_before, "{} at {v}: B's objects changed", case.what);
    }
    assert_eq!(snapshot(&w.engine, STORE_A).await, a_before, "{} at {v}: A's objects changed", case.what);

    // The same request from A's own client is served: the case can fail.
    for item in run(&w.engine, &w.a.client, v, (case.build)(&w.a, &target, v)).await {
        assert_eq!(
            item.result_status,
            ResultStatus::Success,
            "{} at {v} from A itself: {:?} {:?}",
            case.what,
            item.result_reason,
            item.result_message
        );
    }
}

#[tokio::test]
async fn another_stores_object_answers_every_operation_as_a_nonexistent_one_and_is_left_unchanged() {
    // Each case runs in its own task so that one failure does not hide the
    // others: the report lists every operation that leaks.
    let mut failures = Vec::new();
    let mut checked = 0;
    for v in [V::V1_4, V::V2_1] {
        for case in cases() {
            if case.operation.since().is_some_and(|since| since <= v) {
                let what = case.what;
                checked += 1;
                if tokio::spawn(async move { check_case(&case, v).await }).await.is_err() {
                    failures.push(format!("{what} at {v}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} cases leak: {failures:#?}", failures.len());
    assert_eq!(checked, 61, "31 cases at both versions, Set Attribute at 2.1 only");
}

fn locate(attributes: Vec<Attribute>, offset: Option<i32>, maximum: Option<i32>) -> Rq {
    Rq::Locate(LocateRequest {
        maximum_items: maximum,
        offset_items: offset,
        storage_status_mask: None,
        object_group_member: None,
        attributes: attrs(attributes),
    })
}

async fn located(engine: &Engine, who: &ClientIdentity, v: V, request: Rq) -> (Vec<String>, Option<i32>) {
    match ok(engine, who, v, request).await {
        Rs::Locate(r) => (r.unique_identifiers, r.located_items),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn locate_from_each_store_returns_only_its_own_objects() {
    let w = World::new().await;
    // The same Name in both stores is allowed: a Name is unique within a store.
    let shared = name("shared-name");
    let key = |m| create(Alg::AES, 128, m, vec![shared.clone(), Attribute::ObjectGroup("finance".into())]);
    let a_named = new_id(&ok(&w.engine, &w.a.client, V::V2_1, key(Mask::Encrypt)).await);
    let b_named = new_id(&ok(&w.engine, &w.b.client, V::V1_4, key(Mask::Decrypt)).await);
    for v in [V::V1_4, V::V2_1] {
        for (own, named, keystore) in [(&w.a, &a_named, STORE_A), (&w.b, &b_named, STORE_B)] {
            let everything = ids(&w.engine, keystore).await;
            let mut newest_first = everything.clone();
            newest_first.reverse();
            let who = &own.client;
            assert_eq!(
                located(&w.engine, who, v, locate(vec![shared.clone()], None, None)).await.0,
                vec![named.clone()]
            );
            assert_eq!(
                located(&w.engine, who, v, locate(vec![], None, None)).await.0,
                newest_first,
                "by nothing, at {v}"
            );
            let group = vec![Attribute::ObjectGroup("finance".into())];
            assert_eq!(
                located(&w.engine, who, v, locate(group, None, None)).await.0,
                vec![named.clone(), own.aes.clone()],
                "by Object Group, at {v}"
            );
            let fresh = Rq::Locate(LocateRequest {
                maximum_items: None,
                offset_items: None,
                storage_status_mask: None,
                object_group_member: Some(ObjectGroupMember::GroupMemberFresh),
                attributes: attrs(vec![Attribute::ObjectGroup("finance".into())]),
            });
            let (fresh, _) = located(&w.engine, who, v, fresh).await;
            assert!(!fresh.is_empty() && fresh.iter().all(|id| everything.contains(id)), "Group Member Fresh, at {v}");
            let symmetric = vec![Attribute::ObjectType(ObjectType::SymmetricKey)];
            let (all_keys, _) = located(&w.engine, who, v, locate(symmetric.clone(), None, None)).await;
            assert!(all_keys.iter().all(|id| everything.contains(id)), "by Object Type, at {v}");
            assert_eq!(all_keys.len(), 6, "by Object Type, at {v}: {all_keys:?}");
            // Paging counts only the client's own objects.
            let (page, count) = located(&w.engine, who, v, locate(symmetric, Some(2), Some(3))).await;
            assert_eq!(page, all_keys.get(2..5).map(<[String]>::to_vec).unwrap_or_default(), "a page, at {v}");
            assert_eq!(count, Some(6), "Located Items, at {v}");
            // A's Name from B (and B's from A) finds nothing.
            let theirs = if keystore == STORE_A { &w.b.aes_name } else { &w.a.aes_name };
            assert!(located(&w.engine, who, v, locate(vec![name(theirs)], None, None)).await.0.is_empty());
        }
    }
}

#[tokio::test]
async fn a_name_is_unique_within_a_store_and_free_in_another() {
    let w = World::new().await;
    let v = V::V2_1;
    // B may take A's Name, by Create, Register or by renaming a key of its own.
    let a_name = name(&w.a.aes_name);
    ok(&w.engine, &w.b.client, v, create(Alg::AES, 128, Mask::Encrypt, vec![a_name.clone()])).await;
    let again =
        run(&w.engine, &w.b.client, v, vec![register(aes_object(&[1; 16], Some(128)), vec![a_name.clone()])]).await;
    assert_eq!(
        again.first().and_then(|i| i.result_reason),
        Some(R::NonUniqueNameAttribute),
        "taken in B now: {again:?}"
    );
    let rename = Rq::ModifyAttribute(ModifyAttributeRequest {
        unique_identifier: Some(w.b.aes.clone()),
        current_attribute: None,
        attribute: IndexedAttribute { attribute: name("payroll-a-2"), index: None },
    });
    ok(&w.engine, &w.b.client, v, rename).await;
    let a_taken = Rq::AddAttribute(AddAttributeRequest {
        unique_identifier: Some(w.a.pre.clone()),
        attribute: IndexedAttribute { attribute: name("payroll-a-2"), index: None },
    });
    ok(&w.engine, &w.a.client, v, a_taken).await;
}

#[tokio::test]
async fn import_over_another_stores_identifier_never_touches_its_object() {
    let w = World::new().await;
    let a_before = snapshot(&w.engine, STORE_A).await;
    for replace in [None, Some(false), Some(true)] {
        let import = |id: &str| import_aes(id, replace);
        let items = run(&w.engine, &w.b.client, V::V2_1, vec![import(&w.a.aes)]).await;
        let item = items.first().expect("an item");
        // Identifiers are one namespace for the whole server: the id is
        // taken, and that is all the answer says (the same answer an id of
        // B's own store gets without Replace Existing).
        assert_eq!(item.result_reason, Some(R::ObjectAlreadyExists), "{item:?}");
        let message = item.result_message.clone().unwrap_or_default();
        assert!(!message.contains(STORE_A) && !message.contains("payroll"), "{message}");
        let own = run(&w.engine, &w.b.client, V::V2_1, vec![import(&w.b.aes)]).await;
        let own = own.first().expect("an item");
        if replace != Some(true) {
            assert_eq!(
                (own.result_reason, &own.result_message),
                (item.result_reason, &item.result_message.as_ref().map(|m| m.replace(&w.a.aes, &w.b.aes)))
            );
        }
    }
    assert_eq!(snapshot(&w.engine, STORE_A).await, a_before, "A's object is as it was");
    let get_a = run(&w.engine, &w.a.client, V::V2_1, vec![Rq::Get(get(&w.a.aes))]).await;
    assert_eq!(get_a.first().map(|i| i.result_status), Some(ResultStatus::Success));
}

#[tokio::test]
async fn the_rotator_rotates_each_stores_keys_inside_that_store() {
    let w = World::new().await;
    let policy = || {
        vec![
            name("disk"),
            Attribute::ActivationDate(DateTime(t0().unix_timestamp())),
            Attribute::RotateInterval(crate::kmip::codec::Interval(super::rotation::MIN_INTERVAL_SECS)),
        ]
    };
    let a_key = new_id(&ok(&w.engine, &w.a.client, V::V2_1, create(Alg::AES, 256, Mask::Encrypt, policy())).await);
    let b_key = new_id(&ok(&w.engine, &w.b.client, V::V2_1, create(Alg::AES, 256, Mask::Encrypt, policy())).await);
    w.clock.advance(time::Duration::days(31));
    let clock: Arc<dyn Clock> = Arc::new(w.clock.clone());
    let rotated = Rotator::new(w.engine.store().clone(), clock).run_once().await.expect("a pass");
    assert_eq!(rotated.len(), 2, "{rotated:?}");
    for (keystore, own, old) in [(STORE_A, &w.a, &a_key), (STORE_B, &w.b, &b_key)] {
        let r = rotated.iter().find(|r| r.old == *old).expect("rotated");
        assert_eq!(r.keystore, keystore);
        let new = w.engine.store().get(&r.new).await.expect("read").expect("stored");
        assert_eq!(new.keystore, keystore, "the new version is in the old one's store");
        let (found, _) = located(&w.engine, &own.client, V::V2_1, locate(vec![name("disk")], None, None)).await;
        assert_eq!(found, vec![r.new.clone(), old.clone()], "each store sees its own two versions");
    }
}
