//! Golden TTLV vectors from outside the project: every message decodes with
//! the strict decoder and re-encodes byte for byte, and a few decoded
//! messages match the OASIS KMIP 1.1 Test Cases document field by field.
//!
//! Sources (see `../shared/kmip-vectors/README.md`): the Tesco copy of the
//! KMIP 1.1 test-case hex, NLnetLabs `kmip-protocol`'s spec hex, PyKMIP
//! 0.11.0's unit-test fragments, and the PyKMIP client/server captures.

use bytes::Bytes;
use coffer::ttlv::{self, DecodeErrorKind, Limits, Tag, Ttlv, Value};
use serde_json::Value as Json;

const TESCO: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/kmip-vectors/ttlv-hex/kmip-1.1-testcases.tesco-hexbytes.json");
const NLNETLABS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/kmip-vectors/ttlv-hex/nlnetlabs-kmip-protocol.spec-hex.jsonl");
const PYKMIP_FRAGMENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/kmip-vectors/ttlv-hex/pykmip-0.11.0-unit-tests.spec-fragments.jsonl"
);
const PYKMIP_CAPTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/kmip-vectors/pykmip-captures/pykmip-0.11.0-integration-suite.client-server-pairs.jsonl"
);

/// One labelled message from a vector file.
pub struct Vector {
    /// Where it came from: file, line or case name, request/response.
    pub label: String,
    /// The message bytes.
    pub bytes: Bytes,
}

fn unhex(label: &str, hex: &str) -> Bytes {
    Bytes::from(hex::decode(hex).unwrap_or_else(|e| panic!("{label}: bad hex in the vector file: {e}")))
}

fn jsonl(path: &str) -> Vec<(usize, Json)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i + 1, serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}:{}: {e}", i + 1))))
        .collect()
}

fn str_field<'a>(record: &'a Json, field: &str, label: &str) -> &'a str {
    record[field].as_str().unwrap_or_else(|| panic!("{label}: no string field {field:?}"))
}

/// The 87 Tesco KMIP 1.1 test cases, request then response, labelled by section and step.
pub fn tesco_messages() -> Vec<Vector> {
    let text = std::fs::read_to_string(TESCO).unwrap();
    let cases: serde_json::Map<String, Json> = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for (case, pair) in &cases {
        for kind in ["request", "response"] {
            let label = format!("Tesco KMIP 1.1 test case \"{case}\" {kind}");
            let bytes = unhex(&label, str_field(pair, kind, &label));
            out.push(Vector { label, bytes });
        }
    }
    out
}

/// The 77 NLnetLabs spec hex strings, labelled by file line and test function.
pub fn nlnetlabs_messages() -> Vec<Vector> {
    jsonl(NLNETLABS)
        .into_iter()
        .map(|(line, record)| {
            let label = format!(
                "nlnetlabs-kmip-protocol.spec-hex.jsonl:{line} ({} {})",
                record["test_fn"].as_str().unwrap_or("?"),
                record["kind"].as_str().unwrap_or("?")
            );
            let bytes = unhex(&label, str_field(&record, "hex", &label));
            Vector { label, bytes }
        })
        .collect()
}

/// The PyKMIP unit-test fragments, each with its `ttlv_well_formed` flag.
pub fn pykmip_fragments() -> Vec<(Vector, bool)> {
    jsonl(PYKMIP_FRAGMENTS)
        .into_iter()
        .map(|(line, record)| {
            let label = format!(
                "pykmip-0.11.0-unit-tests.spec-fragments.jsonl:{line} ({}:{} {})",
                record["path"].as_str().unwrap_or("?"),
                record["line"],
                record["target"].as_str().unwrap_or("?")
            );
            let bytes = unhex(&label, str_field(&record, "hex", &label));
            let well_formed = record["ttlv_well_formed"].as_bool().unwrap();
            (Vector { label, bytes }, well_formed)
        })
        .collect()
}

/// The 865 PyKMIP client/server pairs, as 1730 messages.
pub fn pykmip_captures() -> Vec<Vector> {
    let mut out = Vec::new();
    for (line, record) in jsonl(PYKMIP_CAPTURES) {
        for (field, kind) in [("request_hex", "request"), ("response_hex", "response")] {
            let label = format!(
                "pykmip captures line {line} ({} session {} {:?} {kind})",
                record["label"].as_str().unwrap_or("?"),
                record["session"].as_str().unwrap_or("?"),
                record["operations"]
            );
            let bytes = unhex(&label, str_field(&record, field, &label));
            out.push(Vector { label, bytes });
        }
    }
    out
}

/// Every well-formed message from all four sources (for seeding other tests).
pub fn all_well_formed() -> Vec<Vector> {
    let mut all = tesco_messages();
    all.extend(nlnetlabs_messages());
    all.extend(pykmip_fragments().into_iter().filter(|(_, ok)| *ok).map(|(v, _)| v));
    all.extend(pykmip_captures());
    all
}

/// Decodes and re-encodes each vector; returns how many passed and panics
/// with every failing label at once.
fn assert_round_trips(vectors: &[Vector]) -> usize {
    let mut failures = Vec::new();
    for v in vectors {
        match ttlv::decode(&v.bytes, &Limits::DEFAULT) {
            Err(e) => failures.push(format!("{}: decode failed: {e} ({:?})", v.label, e.kind)),
            Ok(tree) => {
                let again = ttlv::encode_to_vec(&tree).unwrap();
                if again != v.bytes {
                    failures.push(format!(
                        "{}: re-encoding differs\n  in:  {}\n  out: {}",
                        v.label,
                        hex::encode(&v.bytes),
                        hex::encode(&again)
                    ));
                } else if ttlv::encoded_len(&tree) != v.bytes.len() {
                    failures.push(format!(
                        "{}: encoded_len {} != {}",
                        v.label,
                        ttlv::encoded_len(&tree),
                        v.bytes.len()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), vectors.len(), failures.join("\n"));
    vectors.len()
}

#[test]
fn all_87_tesco_kmip_1_1_test_cases_round_trip_request_and_response() {
    let messages = tesco_messages();
    assert_eq!(messages.len(), 87 * 2);
    assert_eq!(assert_round_trips(&messages), 174);
}

#[test]
fn all_77_nlnetlabs_spec_hex_strings_round_trip() {
    let messages = nlnetlabs_messages();
    assert_eq!(messages.len(), 77);
    let requests = messages.iter().filter(|v| v.label.ends_with(" request)")).count();
    assert_eq!(requests, 39);
    assert_eq!(assert_round_trips(&messages), 77);
}

#[test]
fn the_85_well_formed_pykmip_fragments_round_trip() {
    let fragments = pykmip_fragments();
    assert_eq!(fragments.len(), 88);
    let good: Vec<Vector> = fragments.into_iter().filter(|(_, ok)| *ok).map(|(v, _)| v).collect();
    assert_eq!(assert_round_trips(&good), 85);
}

#[test]
fn the_3_malformed_pykmip_fragments_are_refused_with_the_specific_error() {
    let bad: Vec<Vector> = pykmip_fragments().into_iter().filter(|(_, ok)| !*ok).map(|(v, _)| v).collect();
    assert_eq!(bad.len(), 3);
    // Each announces a payload 16 bytes longer than the bytes that follow
    // (PyKMIP's hand-edited encodings kept the old length). The decoder must
    // say so at byte 0, inside the payload, before reading any child.
    let expected = [
        (":25 ", Tag::new(0x42007C), 80, 64),
        (":51 ", Tag::new(0x42007C), 208, 192),
        (":55 ", Tag::new(0x420079), 208, 192),
    ];
    for (v, (line, tag, needed, available)) in bad.iter().zip(expected) {
        assert!(v.label.contains(line), "{} is not the vector at line{line}", v.label);
        let e = ttlv::decode(&v.bytes, &Limits::DEFAULT).expect_err(&v.label);
        assert_eq!(e.kind, DecodeErrorKind::Truncated { needed, available }, "{}", v.label);
        assert_eq!(e.offset, 0, "{}", v.label);
        assert_eq!(e.path, vec![tag], "{}", v.label);
        assert_eq!(v.bytes.len(), available + 8, "{}", v.label);
    }
}

#[test]
fn all_865_pykmip_capture_pairs_round_trip() {
    let messages = pykmip_captures();
    assert_eq!(messages.len(), 865 * 2);
    assert_eq!(assert_round_trips(&messages), 1730);
}

const OASIS_DOCUMENT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/kmip-vectors/ttlv-hex/kmip-testcases-v1.1.oasis-document.txt");

#[test]
fn every_tesco_hex_string_appears_verbatim_in_the_oasis_1_1_test_cases_document() {
    let document = std::fs::read_to_string(OASIS_DOCUMENT).unwrap().to_uppercase();
    let messages = tesco_messages();
    let missing: Vec<&str> = messages
        .iter()
        .filter(|v| !document.contains(&hex::encode_upper(&v.bytes)))
        .map(|v| v.label.as_str())
        .collect();
    assert!(missing.is_empty(), "not in the OASIS document: {missing:?}");
    assert_eq!(messages.len(), 174);
}

/// Every whole message in the OASIS document: a line holding only the hex
/// of a Request (42 00 78) or Response (42 00 7B) Message, labelled by line.
fn document_messages() -> Vec<(usize, Vector)> {
    let document = std::fs::read_to_string(OASIS_DOCUMENT).unwrap();
    document
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| {
            (line.starts_with("42007801") || line.starts_with("42007B01"))
                && line.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|(n, line)| {
            let label = format!("kmip-testcases-v1.1.oasis-document.txt:{n}");
            let bytes = unhex(&label, line);
            (n, Vector { label, bytes })
        })
        .collect()
}

/// The first `steps` request/response pairs of the document's test case
/// whose heading is `heading` (its last occurrence: the body, not the
/// table of contents), decoded.
fn document_case(heading: &str, steps: usize) -> Vec<(Ttlv, Ttlv)> {
    let document = std::fs::read_to_string(OASIS_DOCUMENT).unwrap();
    let heading_line =
        document.lines().enumerate().filter(|(_, l)| l.contains(heading)).map(|(i, _)| i + 1).last().unwrap();
    let messages: Vec<Ttlv> = document_messages()
        .into_iter()
        .filter(|(n, _)| *n > heading_line)
        .take(steps * 2)
        .map(|(_, v)| ttlv::decode(&v.bytes, &Limits::DEFAULT).unwrap())
        .collect();
    assert_eq!(messages.len(), steps * 2);
    messages.chunks(2).map(|pair| (pair[0].clone(), pair[1].clone())).collect()
}

#[test]
fn all_520_messages_printed_in_the_oasis_1_1_test_cases_document_round_trip() {
    let messages: Vec<Vector> = document_messages().into_iter().map(|(_, v)| v).collect();
    assert_eq!(messages.len(), 520);
    let requests = messages.iter().filter(|v| v.bytes.starts_with(&[0x42, 0x00, 0x78])).count();
    assert_eq!(requests, 260);
    assert_eq!(assert_round_trips(&messages), 520);
}

/// Follows `path` from `root`: each step is (tag, n) = the n-th child with that tag.
fn at<'a>(root: &'a Ttlv, path: &[(u32, usize)]) -> &'a Ttlv {
    let mut item = root;
    for &(tag, n) in path {
        item = item
            .children_with(Tag::new(tag))
            .nth(n)
            .unwrap_or_else(|| panic!("no child #{n} 0x{tag:06X} under {} in path {path:X?}", item.tag));
    }
    item
}

/// Asserts the tag, item type and value of the item at `path`, as the OASIS document lists them.
fn assert_item(root: &Ttlv, path: &[(u32, usize)], value: Value) {
    let item = at(root, path);
    let tag = path.last().map_or(root.tag.value(), |&(tag, _)| tag);
    assert_eq!(item.tag, Tag::new(tag));
    assert_eq!(item.item_type(), value.item_type(), "item type at {path:X?}");
    assert_eq!(item.value, value, "value at {path:X?}");
}

const REQUEST_HEADER: (u32, usize) = (0x420077, 0);
const RESPONSE_HEADER: (u32, usize) = (0x42007A, 0);
const PROTOCOL_VERSION: (u32, usize) = (0x420069, 0);
const MAJOR: (u32, usize) = (0x42006A, 0);
const MINOR: (u32, usize) = (0x42006B, 0);
const BATCH_COUNT: (u32, usize) = (0x42000D, 0);
const BATCH_ITEM: (u32, usize) = (0x42000F, 0);
const OPERATION: (u32, usize) = (0x42005C, 0);
const REQUEST_PAYLOAD: (u32, usize) = (0x420079, 0);
const RESPONSE_PAYLOAD: (u32, usize) = (0x42007C, 0);
const RESULT_STATUS: (u32, usize) = (0x42007F, 0);
const TIME_STAMP: (u32, usize) = (0x420092, 0);

#[test]
fn discover_versions_16_1_step_0_decodes_to_the_fields_the_oasis_document_lists() {
    // (The Tesco file has this case under the key "3.1.5 Discover Versions",
    // where later steps overwrote earlier ones; so read the document itself.)
    let steps = document_case("16.1                          Test Case: Discover Versions", 1);
    let (request, response) = &steps[0];
    let (request, response) = (request.clone(), response.clone());

    // Request Message (0x420078), Structure: header + one batch item.
    assert_eq!(request.tag, Tag::new(0x420078));
    assert_eq!(request.children().len(), 2);
    assert_item(&request, &[REQUEST_HEADER, PROTOCOL_VERSION, MAJOR], Value::Integer(1));
    assert_item(&request, &[REQUEST_HEADER, PROTOCOL_VERSION, MINOR], Value::Integer(1));
    assert_item(&request, &[REQUEST_HEADER, BATCH_COUNT], Value::Integer(1));
    assert_item(&request, &[BATCH_ITEM, OPERATION], Value::Enumeration(0x1E));
    // "Request Payload (0x420079), Type: Structure (0x01), Data: null"
    assert_item(&request, &[BATCH_ITEM, REQUEST_PAYLOAD], Value::Structure(vec![]));

    assert_eq!(response.tag, Tag::new(0x42007B));
    assert_item(&response, &[RESPONSE_HEADER, PROTOCOL_VERSION, MAJOR], Value::Integer(1));
    assert_item(&response, &[RESPONSE_HEADER, PROTOCOL_VERSION, MINOR], Value::Integer(1));
    // Thu Dec 01 09:46:15 CET 2011
    assert_item(&response, &[RESPONSE_HEADER, TIME_STAMP], Value::DateTime(0x4ED7_3ED7));
    assert_item(&response, &[RESPONSE_HEADER, BATCH_COUNT], Value::Integer(1));
    assert_item(&response, &[BATCH_ITEM, OPERATION], Value::Enumeration(0x1E));
    assert_item(&response, &[BATCH_ITEM, RESULT_STATUS], Value::Enumeration(0));
    // Out: v1.1, v1.0, in the server's order of preference.
    let payload = at(&response, &[BATCH_ITEM, RESPONSE_PAYLOAD]);
    assert_eq!(payload.children().len(), 2);
    assert_item(payload, &[(0x420069, 0), MAJOR], Value::Integer(1));
    assert_item(payload, &[(0x420069, 0), MINOR], Value::Integer(1));
    assert_item(payload, &[(0x420069, 1), MAJOR], Value::Integer(1));
    assert_item(payload, &[(0x420069, 1), MINOR], Value::Integer(0));
}

#[test]
fn create_3_1_1_step_0_decodes_to_the_fields_the_oasis_document_lists() {
    let steps = document_case("3.1.1                           Test Case: Create / Destroy", 2);
    let (request, response) = steps[0].clone();
    // Step 1 destroys the key step 0 created.
    assert_item(&steps[1].0, &[BATCH_ITEM, OPERATION], Value::Enumeration(0x14)); // Destroy
    assert_item(
        &steps[1].0,
        &[BATCH_ITEM, REQUEST_PAYLOAD, (0x420094, 0)],
        Value::TextString("fb4b5b9c-6188-4c63-8142-fe9c328129fc".into()),
    );
    assert_item(&steps[1].1, &[BATCH_ITEM, RESULT_STATUS], Value::Enumeration(0));

    assert_eq!(request.tag, Tag::new(0x420078));
    assert_item(&request, &[REQUEST_HEADER, PROTOCOL_VERSION, MAJOR], Value::Integer(1));
    assert_item(&request, &[REQUEST_HEADER, PROTOCOL_VERSION, MINOR], Value::Integer(1));
    assert_item(&request, &[REQUEST_HEADER, BATCH_COUNT], Value::Integer(1));
    assert_item(&request, &[BATCH_ITEM, OPERATION], Value::Enumeration(1)); // Create
    let payload = at(&request, &[BATCH_ITEM, REQUEST_PAYLOAD]);
    assert_item(payload, &[(0x420057, 0)], Value::Enumeration(2)); // Object Type: Symmetric Key
    let template = at(payload, &[(0x420091, 0)]); // Template-Attribute
    assert_eq!(template.children().len(), 3);
    let attribute = |n: usize, name: &str, value: Value| {
        assert_item(template, &[(0x420008, n), (0x42000A, 0)], Value::TextString(name.into()));
        assert_item(template, &[(0x420008, n), (0x42000B, 0)], value);
    };
    attribute(0, "Cryptographic Algorithm", Value::Enumeration(3)); // AES
    attribute(1, "Cryptographic Length", Value::Integer(128));
    attribute(2, "Cryptographic Usage Mask", Value::Integer(0x0C)); // Encrypt, Decrypt

    assert_eq!(response.tag, Tag::new(0x42007B));
    assert_item(&response, &[RESPONSE_HEADER, TIME_STAMP], Value::DateTime(0x4F9A_54E5));
    assert_item(&response, &[RESPONSE_HEADER, BATCH_COUNT], Value::Integer(1));
    assert_item(&response, &[BATCH_ITEM, OPERATION], Value::Enumeration(1));
    assert_item(&response, &[BATCH_ITEM, RESULT_STATUS], Value::Enumeration(0)); // Success
    assert_item(&response, &[BATCH_ITEM, RESPONSE_PAYLOAD, (0x420057, 0)], Value::Enumeration(2));
    assert_item(
        &response,
        &[BATCH_ITEM, RESPONSE_PAYLOAD, (0x420094, 0)],
        Value::TextString("fb4b5b9c-6188-4c63-8142-fe9c328129fc".into()),
    );
}
