//! The KMIP JSON and XML encodings: exact forms, round trips of arbitrary
//! trees, and every OASIS XML test vector through binary TTLV and back.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use coffer::kmip::table::tag_by_name;
use coffer::ttlv::json::{from_json, from_json_str, to_json, to_json_string};
use coffer::ttlv::xml::{from_xml, from_xml_document, to_xml};
use coffer::ttlv::{decode, encode_to_vec, Limits, Tag, TextErrorKind, Ttlv, Value};
use proptest::prelude::*;
use serde_json::json;

use crate::strategies;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/kmip-vectors");

fn tag(name: &str) -> Tag {
    tag_by_name(name).unwrap_or_else(|| panic!("the table has no tag {name}"))
}

fn usage_mask(v: i32) -> Ttlv {
    Ttlv::new(tag("CryptographicUsageMask"), Value::Integer(v))
}

// ---- exact forms ----

#[test]
fn xml_writes_names_masks_hex_and_dates_as_the_profile_shows() {
    let tree = Ttlv::structure(
        tag("RequestMessage"),
        vec![
            Ttlv::new(tag("ObjectType"), Value::Enumeration(2)),
            usage_mask(0x0C),
            Ttlv::new(tag("ActivationDate"), Value::DateTime(1_335_514_344)),
            Ttlv::new(Tag::new(0x54_0001), Value::ByteString(Bytes::from_static(&[0xAB, 0x01]))),
            Ttlv::new(tag("ObjectType"), Value::Enumeration(0x8000_0001)),
            Ttlv::structure(tag("RequestPayload"), vec![]),
        ],
    );
    let xml = to_xml(&tree);
    assert_eq!(
        xml,
        "<RequestMessage>\n\
         \x20 <ObjectType type=\"Enumeration\" value=\"SymmetricKey\"/>\n\
         \x20 <CryptographicUsageMask type=\"Integer\" value=\"Encrypt Decrypt\"/>\n\
         \x20 <ActivationDate type=\"DateTime\" value=\"2012-04-27T08:12:24+00:00\"/>\n\
         \x20 <TTLV tag=\"0x540001\" type=\"ByteString\" value=\"ab01\"/>\n\
         \x20 <ObjectType type=\"Enumeration\" value=\"0x80000001\"/>\n\
         \x20 <RequestPayload/>\n\
         </RequestMessage>\n"
    );
    assert_eq!(from_xml(&xml).unwrap(), tree);
}

#[test]
fn json_writes_names_masks_hex_and_dates_as_the_profile_shows() {
    let tree = Ttlv::structure(
        tag("RequestMessage"),
        vec![
            Ttlv::new(tag("ObjectType"), Value::Enumeration(2)),
            usage_mask(0x0C | 0x0100_0000),
            Ttlv::new(tag("ActivationDate"), Value::DateTime(1_335_514_344)),
            Ttlv::new(Tag::new(0x54_0001), Value::ByteString(Bytes::from_static(&[0xAB, 0x01]))),
            Ttlv::new(Tag::new(0x54_0002), Value::LongInteger(1 << 60)),
            Ttlv::new(Tag::new(0x54_0003), Value::LongInteger(-5)),
            Ttlv::new(Tag::new(0x54_0004), Value::BigInteger(Bytes::from_static(&[0, 0, 0, 0, 0, 1, 0, 1]))),
        ],
    );
    assert_eq!(
        to_json(&tree),
        json!({"tag": "RequestMessage", "value": [
            {"tag": "ObjectType", "type": "Enumeration", "value": "SymmetricKey"},
            {"tag": "CryptographicUsageMask", "type": "Integer", "value": "Encrypt|Decrypt|0x01000000"},
            {"tag": "ActivationDate", "type": "DateTime", "value": "2012-04-27T08:12:24+00:00"},
            {"tag": "0x540001", "type": "ByteString", "value": "ab01"},
            {"tag": "0x540002", "type": "LongInteger", "value": "0x1000000000000000"},
            {"tag": "0x540003", "type": "LongInteger", "value": -5},
            {"tag": "0x540004", "type": "BigInteger", "value": "0x0000000000010001"},
        ]})
    );
    assert_eq!(from_json_str(&to_json_string(&tree)).unwrap(), tree);
}

#[test]
fn the_decoders_accept_the_alternative_forms_the_profiles_allow() {
    let expected = Ttlv::structure(
        tag("RequestMessage"),
        vec![
            Ttlv::new(tag("ObjectType"), Value::Enumeration(2)),
            usage_mask(0x0C),
            usage_mask(0x0C),
            Ttlv::new(Tag::new(0x54_0001), Value::Boolean(true)),
            Ttlv::new(Tag::new(0x54_0002), Value::LongInteger(-1)),
            Ttlv::new(tag("ActivationDate"), Value::DateTime(1_335_514_344)),
        ],
    );
    let xml = r#"<RequestMessage type="Structure">
        <ObjectType type="Enumeration" value="0x00000002"/>
        <CryptographicUsageMask type="Integer" value="0x0000000C"/>
        <CryptographicUsageMask type="Integer" value="12"/>
        <TTLV tag="0x540001" type="Boolean" value="0x0000000000000001"/>
        <TTLV tag="0x540002" type="LongInteger" value="0xFFFFFFFFFFFFFFFF"/>
        <ActivationDate type="DateTime" value="2012-04-27T18:12:24+10:00"/>
    </RequestMessage>"#;
    assert_eq!(from_xml(xml).unwrap(), expected);
    let json = json!({"tag": "RequestMessage", "type": "Structure", "value": [
        {"tag": "ObjectType", "type": "Enumeration", "value": 2},
        {"tag": "CryptographicUsageMask", "type": "Integer", "value": "Encrypt Decrypt"},
        {"tag": "CryptographicUsageMask", "type": "Integer", "value": 12},
        {"tag": "0x540001", "type": "Boolean", "value": "0x0000000000000001"},
        {"tag": "0x540002", "type": "LongInteger", "value": -1},
        {"tag": "Activation Date", "type": "DateTime", "value": "2012-04-27T08:12:24Z"},
    ]});
    assert_eq!(from_json(&json).unwrap(), expected);
}

#[test]
fn a_1x_attribute_value_is_named_through_its_attribute_name() {
    let xml = r#"<Attribute>
        <AttributeName type="TextString" value="Cryptographic Usage Mask"/>
        <AttributeValue type="Integer" value="Decrypt   Encrypt"/>
    </Attribute>"#;
    let tree = from_xml(xml).unwrap();
    assert_eq!(tree.children()[1].value, Value::Integer(0x0C));
    assert!(to_xml(&tree).contains(r#"<AttributeValue type="Integer" value="Encrypt Decrypt"/>"#));

    let json = json!({"tag": "Attribute", "value": [
        {"tag": "AttributeName", "type": "TextString", "value": "Object Type"},
        {"tag": "AttributeValue", "type": "Enumeration", "value": "SymmetricKey"},
    ]});
    let tree = from_json(&json).unwrap();
    assert_eq!(tree.children()[1].value, Value::Enumeration(2));
    assert_eq!(to_json(&tree), json);
}

#[test]
fn an_attribute_reference_enumeration_holds_a_tag() {
    let reference = tag("AttributeReference");
    let tree = from_xml(r#"<AttributeReference type="Enumeration" value="ObjectType"/>"#).unwrap();
    assert_eq!(tree, Ttlv::new(reference, Value::Enumeration(0x42_0057)));
    assert_eq!(to_xml(&tree), "<AttributeReference type=\"Enumeration\" value=\"ObjectType\"/>\n");
}

#[test]
fn the_2x_identifier_reference_and_name_reference_types_read_as_text_strings() {
    let tree = from_xml(
        r#"<RequestPayload>
             <UniqueIdentifier type="Identifier" value="uid-1"/>
             <UniqueIdentifier type="Reference" value="uid-2"/>
             <UniqueIdentifier type="NameReference" value="group"/>
           </RequestPayload>"#,
    )
    .unwrap();
    let uid = tag("UniqueIdentifier");
    assert_eq!(
        tree.children(),
        &[
            Ttlv::new(uid, Value::TextString("uid-1".into())),
            Ttlv::new(uid, Value::TextString("uid-2".into())),
            Ttlv::new(uid, Value::TextString("group".into())),
        ]
    );
}

#[test]
fn bad_xml_is_refused_with_the_element_path() {
    let err = from_xml(r#"<RequestMessage><BatchCount type="Integer" value="many"/></RequestMessage>"#).unwrap_err();
    assert_eq!(err.path, "RequestMessage/BatchCount");
    assert!(matches!(err.kind, TextErrorKind::BadValue { ref value, .. } if value == "many"));

    let err = from_xml(r#"<NoSuchTag type="Integer" value="1"/>"#).unwrap_err();
    assert_eq!(err.kind, TextErrorKind::UnknownTag("NoSuchTag".into()));

    let err = from_xml(r#"<ObjectType type="Colour" value="1"/>"#).unwrap_err();
    assert_eq!(err.kind, TextErrorKind::UnknownType("Colour".into()));

    let err = from_xml("<RequestMessage><BatchCount").unwrap_err();
    assert!(matches!(err.kind, TextErrorKind::Syntax(_)), "{err}");

    let deep = "<RequestMessage>".repeat(100) + &"</RequestMessage>".repeat(100);
    assert_eq!(from_xml(&deep).unwrap_err().kind, TextErrorKind::TooDeep);
}

#[test]
fn bad_json_is_refused_with_the_item_path() {
    let err = from_json(&json!({"tag": "RequestMessage", "value": [
        {"tag": "ObjectType", "type": "Enumeration", "value": "NoSuchObject"}
    ]}))
    .unwrap_err();
    assert_eq!(err.path, "RequestMessage/ObjectType");
    assert!(matches!(err.kind, TextErrorKind::BadValue { .. }));

    let err = from_json(&json!({"tag": "ObjectType", "type": "Enumeration"})).unwrap_err();
    assert_eq!(err.kind, TextErrorKind::Missing("value"));

    let err = from_json(&json!({"tag": "0x540001", "type": "Integer", "value": 1u64 << 40})).unwrap_err();
    assert!(matches!(err.kind, TextErrorKind::BadValue { .. }));
}

#[test]
fn deeply_nested_json_is_refused_before_it_can_exhaust_the_stack() {
    let mut json = json!({"tag": "0x540001", "type": "Integer", "value": 1});
    for _ in 0..100 {
        json = json!({"tag": "RequestMessage", "value": [json]});
    }
    assert_eq!(from_json(&json).unwrap_err().kind, TextErrorKind::TooDeep);
}

#[test]
fn dates_outside_iso_8601_years_fall_back_to_hex() {
    let far = Ttlv::new(tag("ActivationDate"), Value::DateTime(i64::MIN));
    assert_eq!(to_xml(&far), "<ActivationDate type=\"DateTime\" value=\"0x8000000000000000\"/>\n");
    assert_eq!(from_xml(&to_xml(&far)).unwrap(), far);
    let micros = Ttlv::new(Tag::new(0x54_0001), Value::DateTimeExtended(1_335_514_344_000_001));
    assert_eq!(to_json(&micros)["value"], json!("2012-04-27T08:12:24.000001+00:00"));
    assert_eq!(from_json(&to_json(&micros)).unwrap(), micros);
}

// ---- round trips ----

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_tree_survives_json(tree in strategies::ttlv()) {
        let back = from_json_str(&to_json_string(&tree));
        prop_assert_eq!(back, Ok(tree));
    }

    #[test]
    fn arbitrary_text_never_panics_either_decoder(text in "[<>/=\"a-zA-Z0-9 {}:,\\[\\]]{0,64}") {
        let _ = from_xml(&text);
        let _ = from_xml_document(&text);
        let _ = from_json_str(&text);
    }

    #[test]
    fn any_tree_survives_xml(tree in strategies::ttlv()) {
        let xml = to_xml(&tree);
        prop_assert_eq!(from_xml(&xml), Ok(tree), "{}", xml);
    }
}

// ---- the OASIS vectors ----

/// The file whose upstream copy has a second `</KMIP>` at the end.
const DUPLICATED_CLOSING_KMIP: &str = "TC-ECDSA-SIGN-1-14.xml";

/// A fixed value of each type for the placeholders (`$NOW`, `$UNIQUE_IDENTIFIER_0`, ...).
fn dummy(item_type: &str) -> &'static str {
    match item_type {
        "Integer" | "LongInteger" | "Interval" => "1",
        "BigInteger" | "ByteString" => "0102030405060708",
        "Enumeration" => "0x00000001",
        "Boolean" => "true",
        "DateTime" => "2020-01-01T00:00:00+00:00",
        "DateTimeExtended" => "2020-01-01T00:00:00.000001+00:00",
        _ => "placeholder",
    }
}

/// Replaces every `value="$..."` by a dummy of its element's type; returns
/// the text and how many were replaced.
fn substitute_placeholders(xml: &str) -> (String, usize) {
    const MARK: &str = "value=\"$";
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    let mut count = 0;
    while let Some(pos) = rest.find(MARK) {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        let element_start = out.rfind('<').unwrap();
        let element_end = after.find('>').unwrap();
        let element = format!("{}{}", &out[element_start..], &after[..element_end]);
        let ty = element.split("type=\"").nth(1).and_then(|t| t.split('"').next()).unwrap_or("TextString");
        let value_end = after["value=\"".len()..].find('"').unwrap() + "value=\"".len();
        out.push_str("value=\"");
        out.push_str(dummy(ty));
        out.push('"');
        rest = &after[value_end + 1..];
        count += 1;
    }
    out.push_str(rest);
    (out, count)
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    messages: usize,
    requests: usize,
    responses: usize,
    placeholders: usize,
    defects_tolerated: usize,
    failures: Vec<String>,
}

/// XML -> Ttlv -> binary -> decode -> XML -> Ttlv (and -> JSON -> Ttlv),
/// for every message of every file under these folders.
fn convert_all(folders: &[&str]) -> Tally {
    let mut tally = Tally::default();
    for folder in folders {
        for file in xml_files(&Path::new(VECTORS).join(folder)) {
            tally.files += 1;
            let raw = std::fs::read_to_string(&file).unwrap();
            let (text, placeholders) = substitute_placeholders(&raw);
            tally.placeholders += placeholders;
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let messages = match from_xml_document(&text) {
                Ok(messages) => messages,
                Err(err) if name == DUPLICATED_CLOSING_KMIP => {
                    // Known upstream defect: recorded, then read without the extra closing tag.
                    assert!(matches!(err.kind, TextErrorKind::Syntax(_)), "{name}: {err}");
                    tally.defects_tolerated += 1;
                    let fixed = text.trim_end().strip_suffix("</KMIP>").unwrap();
                    match from_xml_document(fixed) {
                        Ok(messages) => messages,
                        Err(err) => {
                            tally.failures.push(format!("{folder}/{name}: {err}"));
                            continue;
                        }
                    }
                }
                Err(err) => {
                    tally.failures.push(format!("{folder}/{name}: {err}"));
                    continue;
                }
            };
            for (i, message) in messages.iter().enumerate() {
                match Some(message.tag) {
                    t if t == tag_by_name("RequestMessage") => tally.requests += 1,
                    t if t == tag_by_name("ResponseMessage") => tally.responses += 1,
                    _ => tally.failures.push(format!("{folder}/{name} #{i}: top tag {}", message.tag)),
                }
                let bytes = Bytes::from(encode_to_vec(message).unwrap());
                let decoded = decode(&bytes, &Limits::UNBOUNDED).unwrap();
                let again = from_xml(&to_xml(&decoded));
                if decoded != *message || again.as_ref() != Ok(message) {
                    tally.failures.push(format!("{folder}/{name} #{i}: {:?}", again.err()));
                    continue;
                }
                let via_json = from_json_str(&to_json_string(&decoded));
                if via_json.as_ref() != Ok(message) {
                    tally.failures.push(format!("{folder}/{name} #{i} (JSON): {:?}", via_json.err()));
                    continue;
                }
                tally.messages += 1;
            }
        }
    }
    tally
}

fn assert_clean(tally: &Tally) {
    assert!(
        tally.failures.is_empty(),
        "{} failures, first: {:#?}",
        tally.failures.len(),
        &tally.failures[..tally.failures.len().min(15)]
    );
}

#[test]
fn every_oasis_profile_vector_survives_xml_binary_xml_and_json() {
    let tally = convert_all(&[
        "oasis-profiles/v1.3",
        "oasis-profiles/v1.4",
        "oasis-profiles/v2.0-csprd01",
        "oasis-profiles/v2.1",
    ]);
    assert_clean(&tally);
    assert_eq!(tally.files, 69 + 75 + 72 + 93);
    assert_eq!(tally.requests, 320 + 471 + 469 + 578);
    assert_eq!(tally.responses, tally.requests);
    assert_eq!(tally.messages, 2 * (320 + 471 + 469 + 578));
    assert_eq!(tally.placeholders, 5709);
}

#[test]
fn every_oasis_test_case_vector_survives_xml_binary_xml_and_json() {
    let tally = convert_all(&["oasis-testcases"]);
    assert_clean(&tally);
    assert_eq!(tally.files, 39 + 3 + 110 + 2 + 60 + 4 + 4);
    assert_eq!(tally.defects_tolerated, 1);
    // Counted with grep over the files; the vectors README says 554 for
    // v1.4-cnprd01, where the files hold 565 request messages.
    assert_eq!(tally.requests, 114 + 17 + 565 + 18 + 425 + 37 + 30);
    assert_eq!(tally.placeholders, 3916);
    assert_eq!(tally.messages, 2 * tally.requests);
}

#[test]
fn every_kmip_1_0_extracted_vector_survives_xml_binary_xml_and_json() {
    let tally = convert_all(&["oasis-profiles/v1.0-extracted-by-cosmian"]);
    assert_clean(&tally);
    assert_eq!(tally.files, 57 + 27);
    assert_eq!(tally.requests, 402 + 171);
    assert_eq!(tally.messages, 2 * tally.requests);
}

#[test]
fn placeholders_are_replaced_by_a_dummy_of_the_element_type() {
    let (text, n) = substitute_placeholders(
        r#"<A><TimeStamp type="DateTime" value="$NOW-3600"/><UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/></A>"#,
    );
    assert_eq!(n, 2);
    assert_eq!(
        text,
        r#"<A><TimeStamp type="DateTime" value="2020-01-01T00:00:00+00:00"/><UniqueIdentifier type="TextString" value="placeholder"/></A>"#
    );
}
