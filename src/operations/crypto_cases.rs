//! Replays the OASIS profile test cases of the cryptographic services
//! (CS-BC-M-*, CS-AC-M-4..6 for MAC, CS-RNG-M-1) through [`Engine::process`],
//! KMIP 1.4 and 2.1, and checks every answer: Result Status, Result Reason
//! and each response payload field, ciphertexts, tags and MACs included.
//!
//! Register and Create are not this branch's operations: their keys are put
//! in the store directly (the Register case's own key bytes and attributes;
//! random key bytes for Create), under the identifier the case's response
//! names. Everything else, Revoke and Destroy included, runs in the engine.
//! Values the case leaves to the server (`$DATA_0`, `$IV_COUNTER_NONCE`, ...)
//! are captured from our response and substituted into later requests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::kmip::codec::{FromTtlv, ToTtlv};
use crate::kmip::message::{RequestMessage, ResponseBatchItem, ResponseMessage};
use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue, Object, SymmetricKey};
use crate::kmip::payloads::RequestPayload;
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    CryptographicAlgorithm, CryptographicUsageMask, KeyFormatType, ObjectType, ResultReason, ResultStatus, State,
};
use crate::kmip::version::ProtocolVersion;
use crate::operations::managed::ManagedObject;
use crate::operations::new_object::test_support::{client_of, raw_key_object};
use crate::operations::{Engine, EngineLimits, Reply};
use crate::store::Store;
use crate::ttlv::{self, Tag, Ttlv, Value};

use crate::kmip::attributes::Attribute;

/// An engine over an in-memory store, for the crypto operations' tests.
#[derive(Clone)]
pub(crate) struct Bench {
    /// The store the engine uses.
    pub store: Store,
    engine: Engine,
}

impl Bench {
    pub(crate) fn new() -> Bench {
        let store = Store::default();
        Bench { engine: Engine::new(store.clone(), EngineLimits::default()), store }
    }

    /// Stores `object` as `id` in the client's key store.
    pub(crate) async fn put(&self, id: &str, object: Object, mut attributes: Vec<Attribute>) {
        attributes.insert(0, Attribute::ObjectType(object.object_type()));
        let managed = ManagedObject::new(id.into(), "default".into(), object, attributes);
        self.store.commit(vec![managed.change().expect("record")]).await.expect("stored");
    }

    /// Runs one batch item at version `v` and returns its response item.
    pub(crate) async fn run(&self, v: ProtocolVersion, payload: RequestPayload) -> ResponseBatchItem {
        let message = RequestMessage::new(v, vec![payload]);
        let frame = message.encode_ttlv(Tag::RequestMessage, v).expect("encodes");
        let Reply::Send(bytes) = self.engine.process(&client_of("default"), Bytes::from(frame)).await else {
            panic!("no response")
        };
        let tree = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED).expect("decodes");
        let response = ResponseMessage::from_ttlv(&tree, ProtocolVersion::V1_0).expect("a response message");
        assert_eq!(response.header.protocol_version, v);
        response.batch_items.into_iter().next().expect("one item")
    }

    /// Runs one batch item that must fail; returns its reason and message.
    pub(crate) async fn refused(&self, v: ProtocolVersion, payload: RequestPayload) -> (ResultReason, String) {
        let item = self.run(v, payload).await;
        assert_eq!(item.result_status, ResultStatus::OperationFailed, "{item:?}");
        let reason = item.result_reason.expect("a reason");
        // A reason newer than the client's version is never sent.
        assert!(reason.since().is_none_or(|since| since <= v), "{reason:?} sent to a {v:?} client");
        (reason, item.result_message.unwrap_or_default())
    }
}

/// A raw AES key of `bytes`.
pub(crate) fn aes_key(bytes: &[u8]) -> Object {
    symmetric_key(bytes, CryptographicAlgorithm::AES)
}

/// A raw symmetric key of `bytes` for `algorithm`.
pub(crate) fn symmetric_key(bytes: &[u8], algorithm: CryptographicAlgorithm) -> Object {
    raw_key_object(bytes, algorithm, i32::try_from(bytes.len() * 8).ok())
}

/// The attributes of a key in `state` whose usage mask is `mask`.
pub(crate) fn key_attributes(state: State, mask: CryptographicUsageMask) -> Vec<Attribute> {
    vec![Attribute::State(state), Attribute::CryptographicUsageMask(mask)]
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/kmip-vectors/oasis-profiles")
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(rest.get(..start).unwrap_or_default());
        rest = match rest.get(start..).and_then(|r| r.find("-->")) {
            Some(end) => rest.get(start + end + 3..).unwrap_or_default(),
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The text of every `<name>...</name>` element, in order.
fn elements(text: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let Some(len) = rest.get(start..).and_then(|r| r.find(&close)) else { break };
        out.push(rest.get(start..start + len + close.len()).unwrap_or_default().to_owned());
        rest = rest.get(start + len + close.len()..).unwrap_or_default();
    }
    out
}

/// Replaces `$NOW`, `$NOW-3600`, `$NOW+3600` with dates around `now`.
fn substitute_dates(text: &str, now: i64) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("\"$NOW") {
        out.push_str(rest.get(..=start).unwrap_or_default());
        let after = rest.get(start + 5..).unwrap_or_default();
        let end = after.find('"').unwrap_or(after.len());
        let offset: i64 = after.get(..end).and_then(|o| o.trim_start_matches('+').parse().ok()).unwrap_or(0);
        out.push_str(&ttlv_date(now + offset));
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

fn ttlv_date(seconds: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The `$NAME` placeholders of byte-string values: replaced by the captured
/// hex in a request; in an expected response, emptied (their element names
/// are returned, so the field is captured instead of compared).
fn placeholders(text: &str, vars: &HashMap<String, String>, capture: bool) -> (String, Vec<(String, String)>) {
    let mut out = String::new();
    let mut captured = Vec::new();
    let mut rest = text;
    let marker = "type=\"ByteString\" value=\"$";
    while let Some(at) = rest.find(marker) {
        let head = rest.get(..at).unwrap_or_default();
        let element = head.rfind('<').and_then(|i| head.get(i + 1..)).unwrap_or_default().trim().to_owned();
        let after = rest.get(at + marker.len()..).unwrap_or_default();
        let end = after.find('"').unwrap_or(after.len());
        let name = after.get(..end).unwrap_or_default().to_owned();
        out.push_str(head);
        out.push_str("type=\"ByteString\" value=\"");
        if capture {
            captured.push((element, name));
        } else {
            // A case may name a value its response gave literally
            // (`$DATA_0` after a literal Data): the field's last value.
            let field = name.trim_end_matches(|c: char| c.is_ascii_digit()).trim_end_matches('_');
            let value = vars
                .get(&name)
                .or_else(|| vars.get(field))
                .unwrap_or_else(|| panic!("${name} used before it was captured"));
            out.push_str(value);
        }
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    (out, captured)
}

fn hex_of(item: &Ttlv) -> String {
    match &item.value {
        Value::ByteString(b) => hex::encode(b),
        other => panic!("{:?} is not a byte string: {other:?}", item.tag),
    }
}

/// The object a Register or Create puts in the store.
fn key_for(payload: &RequestPayload) -> Option<(Object, Vec<Attribute>, bool)> {
    match payload {
        RequestPayload::Register(r) => Some((r.object.clone(), r.attributes.iter().cloned().collect(), false)),
        RequestPayload::Create(r) => {
            let attributes: Vec<Attribute> = r.attributes.iter().cloned().collect();
            let algorithm = attributes.iter().find_map(|a| match a {
                Attribute::CryptographicAlgorithm(x) => Some(*x),
                _ => None,
            });
            let bits = attributes
                .iter()
                .find_map(|a| match a {
                    Attribute::CryptographicLength(x) => Some(*x),
                    _ => None,
                })
                .unwrap_or(128);
            let bytes = crate::crypto::rng::generate_key(usize::try_from(bits / 8).unwrap_or(16)).expect("key");
            let object = Object::SymmetricKey(SymmetricKey {
                key_block: KeyBlock {
                    key_format_type: KeyFormatType::Raw,
                    key_compression_type: None,
                    key_value: Some(KeyValue::Plain {
                        key_material: KeyMaterial::Bytes(Secret::from_slice(&bytes)),
                        attributes: Default::default(),
                    }),
                    cryptographic_algorithm: algorithm,
                    cryptographic_length: Some(bits),
                    key_wrapping_data: None,
                },
            });
            Some((object, attributes, true))
        }
        _ => None,
    }
}

/// Fields whose value depends on server randomness (a random key, a
/// server-generated IV, random bytes): never compared.
fn random_field(tag: Tag, random_key: bool, random_iv: bool, operation: Option<&str>) -> bool {
    ((random_key || random_iv)
        && matches!(tag, Tag::Data | Tag::AuthenticatedEncryptionTag | Tag::MACData | Tag::IVCounterNonce))
        || (operation == Some("RNGRetrieve") && tag == Tag::Data)
}

/// The name a case uses for the last value of a response field.
fn field_var(tag: Tag) -> Option<&'static str> {
    match tag {
        Tag::Data => Some("DATA"),
        Tag::IVCounterNonce => Some("IV_COUNTER_NONCE"),
        Tag::AuthenticatedEncryptionTag => Some("AUTHENTICATED_ENCRYPTION_TAG"),
        Tag::MACData => Some("MAC_DATA"),
        _ => None,
    }
}

/// The request payload's field `tag`, if any.
fn item_has(request: &Ttlv, tag: Tag) -> Option<&Ttlv> {
    request.child(Tag::BatchItem)?.child(Tag::RequestPayload)?.child(tag)
}

/// Runs one case file; returns how many responses were checked.
pub(crate) async fn replay(relative: &str) -> usize {
    let path = root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let text = substitute_dates(&strip_comments(&text), now);
    let requests = elements(&text, "RequestMessage");
    let responses = elements(&text, "ResponseMessage");
    assert_eq!(requests.len(), responses.len(), "{relative}: requests and responses pair up");

    let store = Store::default();
    let engine = Engine::new(store.clone(), EngineLimits::default());
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut random_keys: Vec<String> = Vec::new();
    let mut checked = 0;
    for (step, (request, response)) in requests.iter().zip(responses.iter()).enumerate() {
        let at = format!("{relative} step {step}");
        let (request, _) = placeholders(request, &vars, false);
        let (response, captures) = placeholders(response, &vars, true);
        let request = ttlv::xml::from_xml(&request).unwrap_or_else(|e| panic!("{at}: request: {e}"));
        let expected = ttlv::xml::from_xml(&response).unwrap_or_else(|e| panic!("{at}: response: {e}"));
        let message =
            RequestMessage::from_ttlv(&request, ProtocolVersion::V1_0).unwrap_or_else(|e| panic!("{at}: {e}"));
        let item = message.batch_items.first().unwrap_or_else(|| panic!("{at}: no batch item"));
        let expected_item = expected.child(Tag::BatchItem).unwrap_or_else(|| panic!("{at}: no expected item"));
        let expected_payload = expected_item.child(Tag::ResponsePayload);
        let operation = item.operation.name();

        if let Some((object, mut attributes, random)) = key_for(&item.payload) {
            let id = match expected_payload.and_then(|p| p.child(Tag::UniqueIdentifier)).map(|i| &i.value) {
                Some(Value::TextString(id)) => id.clone(),
                other => panic!("{at}: Register/Create answered no Unique Identifier: {other:?}"),
            };
            attributes.push(Attribute::ObjectType(object.object_type()));
            attributes.push(Attribute::State(State::PreActive));
            let public = object.object_type() == ObjectType::PublicKey;
            let managed = ManagedObject::new(id.clone(), "default".into(), object, attributes);
            store.commit(vec![managed.change().expect("record")]).await.expect("stored");
            // RSA encryption (OAEP, PKCS#1 v1.5) is randomized: a public
            // key's ciphertexts are one server's draw.
            if random || public {
                random_keys.push(id);
            }
            continue;
        }

        let frame = ttlv::encode_to_vec(&request).expect("encodes");
        let reply = engine.process(&client_of("default"), Bytes::from(frame)).await;
        let Reply::Send(bytes) = reply else { panic!("{at}: no response: {reply:?}") };
        let actual = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED).expect("response decodes");
        let actual_item = actual.child(Tag::BatchItem).unwrap_or_else(|| panic!("{at}: no batch item"));
        for tag in [Tag::ResultStatus, Tag::ResultReason] {
            assert_eq!(
                actual_item.child(tag),
                expected_item.child(tag),
                "{at}: {tag:?} (message {:?})",
                actual_item.child(Tag::ResultMessage)
            );
        }
        checked += 1;
        let Some(expected_payload) = expected_payload else { continue };
        let actual_payload = actual_item.child(Tag::ResponsePayload).unwrap_or_else(|| panic!("{at}: no payload"));
        let random_key = expected_payload
            .child(Tag::UniqueIdentifier)
            .is_some_and(|id| matches!(&id.value, Value::TextString(s) if random_keys.contains(s)));
        let random_iv =
            expected_payload.child(Tag::IVCounterNonce).is_some() && item_has(&request, Tag::IVCounterNonce).is_none();
        for field in expected_payload.children() {
            let name = field.tag.name().unwrap_or_default().to_owned();
            let got = actual_payload.child(field.tag).unwrap_or_else(|| panic!("{at}: {name} missing"));
            if let Some((_, var)) = captures.iter().find(|(element, _)| *element == name) {
                vars.insert(var.clone(), hex_of(got));
            } else if !random_field(field.tag, random_key, random_iv, operation) {
                assert_eq!(got, field, "{at}: {name}");
            }
        }
        for field in actual_payload.children() {
            assert!(expected_payload.child(field.tag).is_some(), "{at}: unexpected {:?} in the response", field.tag);
            if let (Some(var), Value::ByteString(_)) = (field_var(field.tag), &field.value) {
                vars.insert(var.to_owned(), hex_of(field));
            }
        }
    }
    checked
}

macro_rules! cases {
    ($($name:ident => $file:literal,)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                assert!(replay($file).await > 0, "{} checked nothing", $file);
            }
        )*
    };
}

// Every CS-BC-M, CS-AC-M and CS-RNG-M case of KMIP 1.3, 1.4, 2.0 (the
// csprd01 draft) and 2.1 that uses only these operations, except:
// - CS-BC-M-GCM-3 (streaming: Init/Final Indicator, Correlation Value),
//   CS-BC-M-CHACHA20*, CS-BC-M-4-12-3DES-13 and CS-AC-M-OAEP-* (ChaCha20,
//   3DES and RSA are not offered);
// - CS-BC-M-6-13, whose expected ciphertext is wrong (KMIP 1.4's CS-BC-M-6
//   corrected it to d9bcce11..., which CS-BC-M-7 agrees with);
// - CS-BC-M-14-20: the 2.0 draft expects Permission Denied where 2.1's
//   CS-BC-M-14 expects Wrong Key Lifecycle State, which 2.0 defines too.
cases! {
    cs_ac_m_1_14 => "v1.4/mandatory/CS-AC-M-1-14.xml",
    cs_ac_m_2_14 => "v1.4/mandatory/CS-AC-M-2-14.xml",
    cs_ac_m_3_14 => "v1.4/mandatory/CS-AC-M-3-14.xml",
    cs_ac_m_7_14 => "v1.4/mandatory/CS-AC-M-7-14.xml",
    cs_ac_m_8_14 => "v1.4/mandatory/CS-AC-M-8-14.xml",
    cs_ac_m_oaep_1_14 => "v1.4/mandatory/CS-AC-M-OAEP-1-14.xml",
    cs_ac_m_oaep_2_14 => "v1.4/mandatory/CS-AC-M-OAEP-2-14.xml",
    cs_ac_m_oaep_3_14 => "v1.4/mandatory/CS-AC-M-OAEP-3-14.xml",
    cs_ac_m_oaep_4_14 => "v1.4/mandatory/CS-AC-M-OAEP-4-14.xml",
    cs_ac_m_oaep_5_14 => "v1.4/mandatory/CS-AC-M-OAEP-5-14.xml",
    cs_ac_m_oaep_6_14 => "v1.4/mandatory/CS-AC-M-OAEP-6-14.xml",
    cs_ac_m_oaep_7_14 => "v1.4/mandatory/CS-AC-M-OAEP-7-14.xml",
    cs_ac_m_oaep_8_14 => "v1.4/mandatory/CS-AC-M-OAEP-8-14.xml",
    cs_ac_m_oaep_9_14 => "v1.4/mandatory/CS-AC-M-OAEP-9-14.xml",
    cs_ac_m_oaep_10_14 => "v1.4/mandatory/CS-AC-M-OAEP-10-14.xml",
    cs_ac_m_1_21 => "v2.1/mandatory/CS-AC-M-1-21.xml",
    cs_ac_m_2_21 => "v2.1/mandatory/CS-AC-M-2-21.xml",
    cs_ac_m_3_21 => "v2.1/mandatory/CS-AC-M-3-21.xml",
    cs_ac_m_7_21 => "v2.1/mandatory/CS-AC-M-7-21.xml",
    cs_ac_m_8_21 => "v2.1/mandatory/CS-AC-M-8-21.xml",
    cs_ac_m_oaep_1_21 => "v2.1/mandatory/CS-AC-M-OAEP-1-21.xml",
    cs_ac_m_oaep_2_21 => "v2.1/mandatory/CS-AC-M-OAEP-2-21.xml",
    cs_ac_m_oaep_3_21 => "v2.1/mandatory/CS-AC-M-OAEP-3-21.xml",
    cs_ac_m_oaep_4_21 => "v2.1/mandatory/CS-AC-M-OAEP-4-21.xml",
    cs_ac_m_oaep_5_21 => "v2.1/mandatory/CS-AC-M-OAEP-5-21.xml",
    cs_ac_m_oaep_6_21 => "v2.1/mandatory/CS-AC-M-OAEP-6-21.xml",
    cs_ac_m_oaep_7_21 => "v2.1/mandatory/CS-AC-M-OAEP-7-21.xml",
    cs_ac_m_oaep_8_21 => "v2.1/mandatory/CS-AC-M-OAEP-8-21.xml",
    cs_ac_m_oaep_9_21 => "v2.1/mandatory/CS-AC-M-OAEP-9-21.xml",
    cs_ac_m_oaep_10_21 => "v2.1/mandatory/CS-AC-M-OAEP-10-21.xml",
    cs_ac_m_4_13 => "v1.3/mandatory/CS-AC-M-4-13.xml",
    cs_ac_m_5_13 => "v1.3/mandatory/CS-AC-M-5-13.xml",
    cs_ac_m_6_13 => "v1.3/mandatory/CS-AC-M-6-13.xml",
    cs_bc_m_1_13 => "v1.3/mandatory/CS-BC-M-1-13.xml",
    cs_bc_m_10_13 => "v1.3/mandatory/CS-BC-M-10-13.xml",
    cs_bc_m_11_13 => "v1.3/mandatory/CS-BC-M-11-13.xml",
    cs_bc_m_12_13 => "v1.3/mandatory/CS-BC-M-12-13.xml",
    cs_bc_m_13_13 => "v1.3/mandatory/CS-BC-M-13-13.xml",
    cs_bc_m_14_13 => "v1.3/mandatory/CS-BC-M-14-13.xml",
    cs_bc_m_2_13 => "v1.3/mandatory/CS-BC-M-2-13.xml",
    cs_bc_m_3_13 => "v1.3/mandatory/CS-BC-M-3-13.xml",
    cs_bc_m_4_13 => "v1.3/mandatory/CS-BC-M-4-13.xml",
    cs_bc_m_5_13 => "v1.3/mandatory/CS-BC-M-5-13.xml",
    cs_bc_m_7_13 => "v1.3/mandatory/CS-BC-M-7-13.xml",
    cs_bc_m_8_13 => "v1.3/mandatory/CS-BC-M-8-13.xml",
    cs_bc_m_9_13 => "v1.3/mandatory/CS-BC-M-9-13.xml",
    cs_rng_m_1_13 => "v1.3/mandatory/CS-RNG-M-1-13.xml",
    cs_ac_m_4_14 => "v1.4/mandatory/CS-AC-M-4-14.xml",
    cs_ac_m_5_14 => "v1.4/mandatory/CS-AC-M-5-14.xml",
    cs_ac_m_6_14 => "v1.4/mandatory/CS-AC-M-6-14.xml",
    cs_bc_m_1_14 => "v1.4/mandatory/CS-BC-M-1-14.xml",
    cs_bc_m_10_14 => "v1.4/mandatory/CS-BC-M-10-14.xml",
    cs_bc_m_11_14 => "v1.4/mandatory/CS-BC-M-11-14.xml",
    cs_bc_m_12_14 => "v1.4/mandatory/CS-BC-M-12-14.xml",
    cs_bc_m_13_14 => "v1.4/mandatory/CS-BC-M-13-14.xml",
    cs_bc_m_14_14 => "v1.4/mandatory/CS-BC-M-14-14.xml",
    cs_bc_m_2_14 => "v1.4/mandatory/CS-BC-M-2-14.xml",
    cs_bc_m_3_14 => "v1.4/mandatory/CS-BC-M-3-14.xml",
    cs_bc_m_4_14 => "v1.4/mandatory/CS-BC-M-4-14.xml",
    cs_bc_m_5_14 => "v1.4/mandatory/CS-BC-M-5-14.xml",
    cs_bc_m_6_14 => "v1.4/mandatory/CS-BC-M-6-14.xml",
    cs_bc_m_7_14 => "v1.4/mandatory/CS-BC-M-7-14.xml",
    cs_bc_m_8_14 => "v1.4/mandatory/CS-BC-M-8-14.xml",
    cs_bc_m_9_14 => "v1.4/mandatory/CS-BC-M-9-14.xml",
    cs_bc_m_gcm_1_14 => "v1.4/mandatory/CS-BC-M-GCM-1-14.xml",
    cs_bc_m_gcm_2_14 => "v1.4/mandatory/CS-BC-M-GCM-2-14.xml",
    cs_rng_m_1_14 => "v1.4/mandatory/CS-RNG-M-1-14.xml",
    cs_ac_m_4_20 => "v2.0-csprd01/mandatory/CS-AC-M-4-20.xml",
    cs_ac_m_5_20 => "v2.0-csprd01/mandatory/CS-AC-M-5-20.xml",
    cs_ac_m_6_20 => "v2.0-csprd01/mandatory/CS-AC-M-6-20.xml",
    cs_bc_m_1_20 => "v2.0-csprd01/mandatory/CS-BC-M-1-20.xml",
    cs_bc_m_10_20 => "v2.0-csprd01/mandatory/CS-BC-M-10-20.xml",
    cs_bc_m_11_20 => "v2.0-csprd01/mandatory/CS-BC-M-11-20.xml",
    cs_bc_m_12_20 => "v2.0-csprd01/mandatory/CS-BC-M-12-20.xml",
    cs_bc_m_13_20 => "v2.0-csprd01/mandatory/CS-BC-M-13-20.xml",
    cs_bc_m_2_20 => "v2.0-csprd01/mandatory/CS-BC-M-2-20.xml",
    cs_bc_m_3_20 => "v2.0-csprd01/mandatory/CS-BC-M-3-20.xml",
    cs_bc_m_4_20 => "v2.0-csprd01/mandatory/CS-BC-M-4-20.xml",
    cs_bc_m_5_20 => "v2.0-csprd01/mandatory/CS-BC-M-5-20.xml",
    cs_bc_m_6_20 => "v2.0-csprd01/mandatory/CS-BC-M-6-20.xml",
    cs_bc_m_7_20 => "v2.0-csprd01/mandatory/CS-BC-M-7-20.xml",
    cs_bc_m_8_20 => "v2.0-csprd01/mandatory/CS-BC-M-8-20.xml",
    cs_bc_m_9_20 => "v2.0-csprd01/mandatory/CS-BC-M-9-20.xml",
    cs_bc_m_gcm_1_20 => "v2.0-csprd01/mandatory/CS-BC-M-GCM-1-20.xml",
    cs_bc_m_gcm_2_20 => "v2.0-csprd01/mandatory/CS-BC-M-GCM-2-20.xml",
    cs_rng_m_1_20 => "v2.0-csprd01/mandatory/CS-RNG-M-1-20.xml",
    cs_ac_m_4_21 => "v2.1/mandatory/CS-AC-M-4-21.xml",
    cs_ac_m_5_21 => "v2.1/mandatory/CS-AC-M-5-21.xml",
    cs_ac_m_6_21 => "v2.1/mandatory/CS-AC-M-6-21.xml",
    cs_bc_m_1_21 => "v2.1/mandatory/CS-BC-M-1-21.xml",
    cs_bc_m_10_21 => "v2.1/mandatory/CS-BC-M-10-21.xml",
    cs_bc_m_11_21 => "v2.1/mandatory/CS-BC-M-11-21.xml",
    cs_bc_m_12_21 => "v2.1/mandatory/CS-BC-M-12-21.xml",
    cs_bc_m_13_21 => "v2.1/mandatory/CS-BC-M-13-21.xml",
    cs_bc_m_14_21 => "v2.1/mandatory/CS-BC-M-14-21.xml",
    cs_bc_m_2_21 => "v2.1/mandatory/CS-BC-M-2-21.xml",
    cs_bc_m_3_21 => "v2.1/mandatory/CS-BC-M-3-21.xml",
    cs_bc_m_4_21 => "v2.1/mandatory/CS-BC-M-4-21.xml",
    cs_bc_m_5_21 => "v2.1/mandatory/CS-BC-M-5-21.xml",
    cs_bc_m_6_21 => "v2.1/mandatory/CS-BC-M-6-21.xml",
    cs_bc_m_7_21 => "v2.1/mandatory/CS-BC-M-7-21.xml",
    cs_bc_m_8_21 => "v2.1/mandatory/CS-BC-M-8-21.xml",
    cs_bc_m_9_21 => "v2.1/mandatory/CS-BC-M-9-21.xml",
    cs_bc_m_gcm_1_21 => "v2.1/mandatory/CS-BC-M-GCM-1-21.xml",
    cs_bc_m_gcm_2_21 => "v2.1/mandatory/CS-BC-M-GCM-2-21.xml",
    cs_rng_m_1_21 => "v2.1/mandatory/CS-RNG-M-1-21.xml",
}

/// Requests exactly as PyKMIP 0.11 writes them at KMIP 1.2 (its
/// `EncryptRequestPayload` with CBC, PKCS5, AES and Random IV, as
/// `ProxyKmipClient.encrypt` sends; its `MACRequestPayload` with
/// HMAC-SHA256), for key "k". libmongocrypt's KMIP Encrypt (MongoDB's
/// KMIP 1.2 provider) carries the same fields.
mod pykmip {
    use super::*;
    use crate::kmip::payloads::ResponsePayload;

    const ENCRYPT_1_2: &str = "42007801000000d04200770100000038420069010000002042006a0200000004000000010000000042006b02\
        00000004000000020000000042000d0200000004000000010000000042000f010000008842005c05000000040000001f000000004200790100\
        00007042009407000000016b0000000000000042002b01000000404200110500000004000000010000000042005f0500000004000000030000\
        0000420028050000000400000003000000004200c5060000000800000000000000014200c2080000000e61747461636b206174206461776e\
        0000";
    const MAC_1_2: &str = "42007801000000b04200770100000038420069010000002042006a020000000400000001000000004200\
        6b0200000004000000020000000042000d0200000004000000010000000042000f010000006842005c0500000004000000230000000042\
        0079010000005042009407000000016b0000000000000042002b0100000010420028050000000400000009000000004200c2080000001c\
        7768617420646f2079612077616e7420666f72206e6f7468696e673f00000000";

    async fn answer(bench: &Bench, hex_frame: &str) -> ResponseMessage {
        let frame = hex::decode(hex_frame).expect("hex");
        let Reply::Send(bytes) = bench.engine.process(&client_of("default"), Bytes::from(frame)).await else {
            panic!("no reply")
        };
        let tree = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED).expect("decodes");
        ResponseMessage::from_ttlv(&tree, ProtocolVersion::V1_0).expect("response")
    }

    #[tokio::test]
    async fn pykmip_encrypt_with_random_iv_gets_the_iv_back() {
        let bench = Bench::new();
        let mask = CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt;
        bench.put("k", aes_key(&[3; 32]), key_attributes(State::Active, mask)).await;
        let response = answer(&bench, ENCRYPT_1_2).await;
        let item = response.batch_items.first().expect("item");
        assert_eq!(item.result_status, ResultStatus::Success, "{item:?}");
        let Some(ResponsePayload::Encrypt(out)) = &item.payload else { panic!("{item:?}") };
        assert_eq!(out.iv_counter_nonce.as_ref().map(Bytes::len), Some(16));
        assert_eq!(out.data.as_ref().map(Bytes::len), Some(16));
        assert_eq!(out.authenticated_encryption_tag, None);
    }

    #[tokio::test]
    async fn pykmip_mac_with_hmac_sha256() {
        let bench = Bench::new();
        // RFC 4231 test case 2; the key is an AES-typed key, as in CS-AC-M-4.
        bench.put("k", aes_key(b"Jefe"), key_attributes(State::Active, CryptographicUsageMask::MACGenerate)).await;
        let response = answer(&bench, MAC_1_2).await;
        let item = response.batch_items.first().expect("item");
        let Some(ResponsePayload::MAC(out)) = &item.payload else { panic!("{item:?}") };
        assert_eq!(
            out.mac_data.as_ref().map(hex::encode).as_deref(),
            Some("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
    }
}
