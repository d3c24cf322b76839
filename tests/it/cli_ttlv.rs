//! `coffer ttlv decode | coffer ttlv encode` gives back the exact bytes of
//! real messages: those PyKMIP 0.11's own encoders write for every protocol
//! version it speaks (tests/pykmip/encode_messages.py), and every request and
//! response captured from PyKMIP's integration suite
//! (../shared/kmip-vectors/pykmip-captures). Each message goes through the
//! real binary, as a user would pipe it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use coffer::kmip::table;
use coffer::ttlv::Tag;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the coffer binary with `args`, feeding it `stdin`.
fn coffer(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("coffer starts");
    let mut child_stdin = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || child_stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    output
}

/// Decodes `hex` with the binary, encodes the tree it printed, and checks
/// the bytes are the same.
fn round_trip(label: &str, hex: &str) -> Result<(), String> {
    let decoded = coffer(&["ttlv", "decode"], hex.as_bytes());
    if !decoded.status.success() {
        return Err(format!("{label}: decode failed: {}", String::from_utf8_lossy(&decoded.stderr)));
    }
    let encoded = coffer(&["ttlv", "encode"], &decoded.stdout);
    if !encoded.status.success() {
        return Err(format!("{label}: encode failed: {}", String::from_utf8_lossy(&encoded.stderr)));
    }
    let again = String::from_utf8(encoded.stdout).unwrap();
    if again.trim_end() != hex.to_ascii_lowercase() {
        return Err(format!(
            "{label}: bytes differ after decode | encode\n  in:  {hex}\n  out: {}\n  tree:\n{}",
            again.trim_end(),
            String::from_utf8_lossy(&decoded.stdout)
        ));
    }
    Ok(())
}

/// Round-trips every (label, hex) on a few threads; fails listing every failure.
fn round_trip_all(messages: &[(String, String)]) {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 4);
    let chunk = messages.len().div_ceil(threads).max(1);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = messages
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().filter_map(|(l, h)| round_trip(l, h).err()).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{} of {} messages failed:\n{}", failures.len(), messages.len(), failures.join("\n"));
}

/// Whether a missing prerequisite fails the test (under CI) or skips it.
fn require(what: &str, path: &Path) -> bool {
    if path.exists() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is missing at {} (run ./tests/setup.sh)", path.display());
    }
    eprintln!("\n!!!!! SKIPPED: {what} is missing at {}; run ./tests/setup.sh !!!!!\n", path.display());
    false
}

#[test]
fn pykmip_encoded_messages_of_every_version_round_trip_exactly() {
    let python = manifest_dir().join("tests/.venv/bin/python");
    if !require("the PyKMIP venv", &python) {
        return;
    }
    let script = manifest_dir().join("tests/pykmip/encode_messages.py");
    let out = Command::new(&python).arg(&script).output().unwrap();
    assert!(out.status.success(), "encode_messages.py failed: {}", String::from_utf8_lossy(&out.stderr));

    let mut per_version: BTreeMap<String, usize> = BTreeMap::new();
    let mut messages = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let version = row["version"].as_str().unwrap().to_owned();
        let label = format!("{} (KMIP {version})", row["label"].as_str().unwrap());
        *per_version.entry(version).or_default() += 1;
        messages.push((label, row["hex"].as_str().unwrap().to_owned()));
    }
    let expected: BTreeMap<String, usize> =
        [("1.0", 44), ("1.1", 48), ("1.2", 61), ("1.3", 61), ("1.4", 61), ("2.0", 63)]
            .into_iter()
            .map(|(v, n)| (v.to_owned(), n))
            .collect();
    assert_eq!(per_version, expected, "messages per protocol version");
    round_trip_all(&messages);
}

#[test]
fn pykmip_captured_requests_and_responses_round_trip_exactly() {
    let dir = manifest_dir().join("../shared/kmip-vectors/pykmip-captures");
    if !require("the PyKMIP captures", &dir) {
        return;
    }
    let mut messages = Vec::new();
    let mut pairs = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files.iter().filter(|p| p.extension().is_some_and(|e| e == "jsonl")) {
        for (n, line) in std::fs::read_to_string(file).unwrap().lines().enumerate() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            let name = format!("{}:{}", file.file_name().unwrap().to_string_lossy(), n + 1);
            messages.push((format!("{name} request"), row["request_hex"].as_str().unwrap().to_owned()));
            messages.push((format!("{name} response"), row["response_hex"].as_str().unwrap().to_owned()));
            pairs += 1;
        }
    }
    assert_eq!(pairs, 865, "request/response pairs in {}", dir.display());
    round_trip_all(&messages);
}

/// A Discover Versions request for KMIP 1.4 (KMIP 1.4 test case DV-1 shape).
const DISCOVER_VERSIONS_HEX: &str =
    "42007801000000604200770100000038420069010000002042006a0200000004000000010000000042006b02000000040000000400000000\
42000d0200000004000000010000000042000f010000001842005c05000000040000001e000000004200790100000000";

#[test]
fn decode_prints_the_documented_tree() {
    let out = coffer(&["ttlv", "decode"], DISCOVER_VERSIONS_HEX.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let operation = match table::enum_for_tag(Tag::Operation).and_then(|e| e.name_of(0x1E)) {
        Some(name) => format!("{name} (0x0000001E)"),
        None => "0x0000001E".to_owned(),
    };
    let expected = format!(
        "RequestMessage Structure
  RequestHeader Structure
    ProtocolVersion Structure
      ProtocolVersionMajor Integer 1
      ProtocolVersionMinor Integer 4
    BatchCount Integer 1
  BatchItem Structure
    Operation Enumeration {operation}
    RequestPayload Structure
"
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn binary_in_and_binary_out() {
    let bytes = hex::decode(DISCOVER_VERSIONS_HEX).unwrap();
    let tree = coffer(&["ttlv", "decode"], &bytes);
    assert!(tree.status.success(), "{}", String::from_utf8_lossy(&tree.stderr));
    let raw = coffer(&["ttlv", "encode", "--binary"], &tree.stdout);
    assert!(raw.status.success());
    assert_eq!(raw.stdout, bytes);
}

#[test]
fn a_hand_written_tree_encodes() {
    let tree = "# Discover Versions, written by hand
RequestMessage Structure
  RequestHeader Structure
    ProtocolVersion Structure
      ProtocolVersionMajor Integer 1
      ProtocolVersionMinor Integer 4
    BatchCount Integer 1
  BatchItem Structure
    Operation Enumeration 0x1E
    RequestPayload Structure
";
    let out = coffer(&["ttlv", "encode"], tree.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim_end(), DISCOVER_VERSIONS_HEX);
}

#[test]
fn malformed_input_fails_with_the_offset_and_tag_path() {
    // The Batch Count's padding is not zero.
    let bad = DISCOVER_VERSIONS_HEX.replace("42000d02000000040000000100000000", "42000d02000000040000000100000001");
    let out = coffer(&["ttlv", "decode"], bad.as_bytes());
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("padding bytes are not zero at byte 68 in RequestMessage/RequestHeader/BatchCount"),
        "{stderr}"
    );

    let out = coffer(&["ttlv", "encode"], b"RequestMessage Structure\n  BatchCount Integer many\n");
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 2"), "{stderr}");

    let out = coffer(&["ttlv", "decode"], b"");
    assert!(!out.status.success());
}

#[test]
fn help_describes_the_ttlv_commands() {
    let out = coffer(&["ttlv", "--help"], b"");
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("decode") && help.contains("encode"), "{help}");
}

#[test]
fn decode_to_kmip_json_and_xml_and_encode_back() {
    for flag in ["--json", "--xml"] {
        let text = coffer(&["ttlv", "decode", flag], DISCOVER_VERSIONS_HEX.as_bytes());
        assert!(text.status.success(), "{flag}: {}", String::from_utf8_lossy(&text.stderr));
        let first = text.stdout.first().copied();
        assert_eq!(first, Some(if flag == "--json" { b'{' } else { b'<' }), "{flag}");
        let hex = coffer(&["ttlv", "encode"], &text.stdout);
        assert!(hex.status.success(), "{flag}: {}", String::from_utf8_lossy(&hex.stderr));
        assert_eq!(String::from_utf8(hex.stdout).unwrap().trim_end(), DISCOVER_VERSIONS_HEX, "{flag}");
    }
}
