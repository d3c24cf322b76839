//! The OASIS KMIP profile test cases (1.4 and 2.1, mandatory and optional,
//! `../shared/kmip-vectors/oasis-profiles`) replayed through the engine:
//! each request is sent as the case writes it, with the identifiers this
//! server returned in place of `$UNIQUE_IDENTIFIER_n`, and every answer
//! must be the case's: the same Result Status and Result Reason per batch
//! item and, on success, the same payload (identifiers bound the same way,
//! `$NOW` and other server-chosen values matching anything).
//!
//! A case runs until its first request with an operation this server does
//! not implement yet (or a placeholder only a client could fill in); what
//! follows depends on that request and is not run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::kmip::table::{tag_by_name, ObjectType, Operation};
use crate::operations::new_object::test_support::{client_of, engine};
use crate::operations::{Engine, Reply, SUPPORTED_OBJECT_TYPES, SUPPORTED_OPERATIONS};
use crate::ttlv::{self, Tag, Ttlv, Value};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/kmip-vectors/oasis-profiles");
const FOLDERS: [&str; 4] = ["v1.4/mandatory", "v1.4/optional", "v2.1/mandatory", "v2.1/optional"];

/// `$NOW` (and `$NOW+3600`, `$NOW-3600`) is read as this Date-Time plus the
/// offset: in a request it becomes the real time plus the offset, in a
/// response it matches any date.
const NOW_SENTINEL: i64 = 1_000_000_000;
/// How far from the sentinel an offset may go.
const NOW_SPAN: i64 = 86_400;

fn now_offset(d: i64) -> Option<i64> {
    let offset = d - NOW_SENTINEL;
    (offset.abs() <= NOW_SPAN).then_some(offset)
}
/// Other server-chosen byte strings (`$KEY_MATERIAL`, `$IV_COUNTER_NONCE`, ...).
const BYTES_SENTINEL: &[u8] = &[0xCA, 0x11, 0xAB, 0x1E];

/// Replaces `value="$..."` of non-text types by the sentinels, so the XML parses.
fn sentinels(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(pos) = rest.find("value=\"$") {
        let (before, after) = rest.split_at(pos);
        out.push_str(before);
        let ty = before.rsplit('<').next().and_then(|e| e.split("type=\"").nth(1)).and_then(|t| t.split('"').next());
        let end = after.get(7..).and_then(|a| a.find('"')).map_or(after.len(), |e| e + 8);
        let placeholder = after.get(8..end.saturating_sub(1)).unwrap_or("");
        let value = match ty {
            Some("DateTime") => {
                let offset: i64 = placeholder.strip_prefix("NOW").and_then(|o| o.parse().ok()).unwrap_or(0);
                let at = time::OffsetDateTime::from_unix_timestamp(NOW_SENTINEL + offset)
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
            }
            Some("ByteString") => hex::encode(BYTES_SENTINEL),
            Some("Integer" | "LongInteger") => "0".to_owned(),
            // Text placeholders stay: `$UNIQUE_IDENTIFIER_n` is bound at run time.
            _ => after.get(7..end.saturating_sub(1)).unwrap_or("").to_owned(),
        };
        out.push_str("value=\"");
        out.push_str(&value);
        out.push('"');
        rest = after.get(end..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// What one replay saw.
#[derive(Default, Debug)]
pub(super) struct Tally {
    pub(super) pairs_run: usize,
    pub(super) cases_complete: usize,
    pub(super) cases_partial: usize,
    /// Cases stopped by a Feature Not Supported where the case expects success.
    pub(super) not_supported: Vec<String>,
    pub(super) failures: Vec<String>,
}

/// Puts our identifiers and the time in a request; false when it names an
/// identifier not bound yet or holds a value only a client could know.
fn prepare(item: &mut Ttlv, ids: &HashMap<String, String>, now: i64) -> bool {
    match &mut item.value {
        Value::TextString(s) if s.starts_with("$UNIQUE_IDENTIFIER_") => match ids.get(s.as_str()) {
            Some(ours) => {
                *s = ours.clone();
                true
            }
            None => false,
        },
        Value::TextString(s) => !s.starts_with('$'),
        Value::DateTime(d) if now_offset(*d).is_some() => {
            *d = now + now_offset(*d).unwrap_or(0);
            true
        }
        Value::ByteString(b) => b.as_ref() != BYTES_SENTINEL,
        Value::Structure(children) => children.iter_mut().all(|c| prepare(c, ids, now)),
        _ => true,
    }
}

/// The Object Types a request's Create or Register payloads name.
fn object_types(request: &Ttlv) -> Vec<ObjectType> {
    request
        .children()
        .iter()
        .filter(|c| c.tag == Tag::BatchItem)
        .filter(|b| {
            let op = b.child(Tag::Operation).map(|o| o.value.clone());
            op == Some(Value::Enumeration(Operation::Create.value()))
                || op == Some(Value::Enumeration(Operation::Register.value()))
        })
        .filter_map(|b| b.child(Tag::RequestPayload)?.child(Tag::ObjectType))
        .filter_map(|t| match t.value {
            Value::Enumeration(e) => Some(ObjectType::from_value(e)),
            _ => None,
        })
        .collect()
}

/// The operations a request message's batch items name.
fn operations(request: &Ttlv) -> Vec<Operation> {
    request
        .children()
        .iter()
        .filter(|c| c.tag == Tag::BatchItem)
        .filter_map(|b| b.child(Tag::Operation))
        .filter_map(|o| match o.value {
            Value::Enumeration(e) => Some(Operation::from_value(e)),
            _ => None,
        })
        .collect()
}

/// The state of one case's replay.
#[derive(Default)]
struct Case {
    /// `$UNIQUE_IDENTIFIER_n` to our identifiers.
    ids: HashMap<String, String>,
    /// The case has had the server generate a key (Create).
    generated: bool,
}

/// Compares an expected item (with placeholders) with ours, binding
/// `$UNIQUE_IDENTIFIER_n` on first sight.
fn same(expected: &Ttlv, ours: &Ttlv, case: &mut Case, path: &str) -> Result<(), String> {
    let generated = case.generated;
    let ids = &mut case.ids;
    let path = format!("{path}/{}", expected.tag);
    if expected.tag != ours.tag {
        return Err(format!("{path}: expected, found {}", ours.tag));
    }
    match (&expected.value, &ours.value) {
        (Value::TextString(e), Value::TextString(o)) if e.starts_with("$UNIQUE_IDENTIFIER_") => {
            match ids.get(e.as_str()) {
                Some(bound) if bound != o => Err(format!("{path}: {e} is {bound:?}, found {o:?}")),
                Some(_) => Ok(()),
                None => {
                    ids.insert(e.clone(), o.clone());
                    Ok(())
                }
            }
        }
        (Value::TextString(e), Value::TextString(_)) if e.starts_with('$') => Ok(()),
        (Value::DateTime(e), Value::DateTime(_)) if now_offset(*e).is_some() => Ok(()),
        // Values of a key the server generated (its bytes, their digest)
        // are the reference server's own: any value matches.
        (Value::ByteString(_), Value::ByteString(_))
            if generated && (expected.tag == Tag::KeyMaterial || expected.tag == Tag::DigestValue) =>
        {
            Ok(())
        }
        (Value::ByteString(e), Value::ByteString(_)) if e.as_ref() == BYTES_SENTINEL => Ok(()),
        // The cases write a generated key's bytes as `*`s.
        (Value::ByteString(e), Value::ByteString(_)) if !e.is_empty() && e.iter().all(|x| *x == b'*') => Ok(()),
        // Which generator made a key is each server's own.
        (Value::Structure(_), Value::Structure(_)) if expected.tag == Tag::RandomNumberGenerator => Ok(()),
        (Value::Structure(e), Value::Structure(o))
            if expected.tag == Tag::Attribute
                && expected.child(Tag::AttributeName).map(|n| &n.value)
                    == Some(&Value::TextString("Random Number Generator".into())) =>
        {
            let name = |items: &[Ttlv]| items.iter().find(|i| i.tag == Tag::AttributeName).cloned();
            if name(e) == name(o) {
                Ok(())
            } else {
                Err(format!("{path}: expected the Random Number Generator, found {:?}", name(o)))
            }
        }
        (Value::Structure(e), Value::Structure(o)) => {
            if expected.tag == Tag::BatchItem {
                return same_batch_item(e, o, case, &path);
            }
            let tags = |items: &[Ttlv]| items.iter().map(|i| i.tag.to_string()).collect::<Vec<_>>().join(",");
            if e.len() != o.len() {
                return Err(format!("{path}: expected [{}], found [{}]", tags(e), tags(o)));
            }
            e.iter().zip(o).try_for_each(|(e, o)| same(e, o, case, &path))
        }
        (e, o) if e == o => Ok(()),
        (e, o) => Err(format!("{path}: expected {e:?}, found {o:?}")),
    }
}

/// A batch item: Result Messages are free text, a failure has no payload
/// to compare beyond status and reason, and Query answers list what each
/// server implements.
fn same_batch_item(e: &[Ttlv], o: &[Ttlv], case: &mut Case, path: &str) -> Result<(), String> {
    let pick =
        |items: &[Ttlv], tags: &[Tag]| items.iter().filter(|i| tags.contains(&i.tag)).cloned().collect::<Vec<_>>();
    let status = [Tag::Operation, Tag::ResultStatus, Tag::ResultReason];
    let (se, so) = (pick(e, &status), pick(o, &status));
    if se != so {
        let message = o.iter().find(|i| i.tag == Tag::ResultMessage).map(|m| format!("{:?}", m.value));
        return Err(format!("{path}: expected {se:?}, found {so:?} {}", message.unwrap_or_default()));
    }
    let query = se.iter().any(|i| i.tag == Tag::Operation && i.value == Value::Enumeration(Operation::Query.value()));
    let failed = se.iter().any(|i| i.tag == Tag::ResultStatus && i.value != Value::Enumeration(0));
    if failed || query {
        return Ok(());
    }
    let attribute_lists = [Operation::GetAttributes, Operation::GetAttributeList]
        .iter()
        .any(|op| se.iter().any(|i| i.tag == Tag::Operation && i.value == Value::Enumeration(op.value())));
    if attribute_lists {
        let payload = |items: &[Ttlv]| items.iter().find(|i| i.tag == Tag::ResponsePayload).map(flatten_attributes);
        return match (payload(e), payload(o)) {
            (Some(pe), Some(po)) => same_unordered(&pe, &po, case, path),
            (pe, po) => Err(format!("{path}: payload expected {}, found {}", pe.is_some(), po.is_some())),
        };
    }
    let rest = [Tag::UniqueBatchItemID, Tag::ResponsePayload];
    let (e, o) = (pick(e, &rest), pick(o, &rest));
    same(&Ttlv::structure(Tag::ResponsePayload, e), &Ttlv::structure(Tag::ResponsePayload, o), case, path)
}

/// Attributes the reference server keeps and this one does not (Lease
/// Time: no leases yet; 2.1's Short Unique Identifier and Protection
/// Storage Mask): absent from our Get Attributes and Get Attribute List.
const NOT_KEPT: [&str; 3] = ["LeaseTime", "ShortUniqueIdentifier", "ProtectionStorageMask"];

/// A Get Attributes / Get Attribute List payload's items, the 2.x
/// Attributes structure opened.
fn flatten_attributes(payload: &Ttlv) -> Vec<Ttlv> {
    payload
        .children()
        .iter()
        .flat_map(|c| if c.tag == Tag::Attributes { c.children().to_vec() } else { vec![c.clone()] })
        .collect()
}

/// The attribute an item names, without spaces (1.x names and 2.x tags
/// alike), for [`NOT_KEPT`].
fn attribute_name(item: &Ttlv) -> String {
    let name = match (&item.value, item.child(Tag::AttributeName)) {
        (Value::TextString(t), _) => t.clone(),
        (_, Some(n)) => match &n.value {
            Value::TextString(t) => t.clone(),
            _ => String::new(),
        },
        (Value::Enumeration(e), _) => Tag::new(*e).to_string(),
        _ => item.tag.to_string(),
    };
    name.replace(' ', "")
}

/// Attribute lists match whatever their order: servers list attributes in
/// their own order.
fn same_unordered(e: &[Ttlv], o: &[Ttlv], case: &mut Case, path: &str) -> Result<(), String> {
    let mut unused: Vec<&Ttlv> = o.iter().collect();
    for item in e.iter().filter(|i| !NOT_KEPT.contains(&attribute_name(i).as_str())) {
        let at = unused.iter().position(|mine| same(item, mine, case, path).is_ok());
        match at {
            Some(i) => {
                unused.remove(i);
            }
            None => return Err(format!("{path}: no match for {} {:?}", attribute_name(item), item.value)),
        }
    }
    let extra: Vec<String> = unused.iter().map(|i| attribute_name(i)).collect();
    if extra.is_empty() {
        Ok(())
    } else {
        Err(format!("{path}: unexpected {extra:?}"))
    }
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "xml")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Replays one case file; true when the server generated a key in it.
pub(super) async fn replay(file: &Path, engine: &Engine, generated_before: bool, tally: &mut Tally) -> bool {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let Ok(text) = std::fs::read_to_string(file) else { return false };
    let Ok(messages) = ttlv::xml::from_xml_document(&sentinels(&text)) else {
        tally.failures.push(format!("{name}: unreadable"));
        return false;
    };
    let client = client_of("default");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut case = Case { generated: generated_before, ..Case::default() };
    let request_tag = tag_by_name("RequestMessage");
    let mut complete = true;
    for pair in messages.chunks(2) {
        let [request, expected] = pair else { break };
        if Some(request.tag) != request_tag {
            tally.failures.push(format!("{name}: messages out of order"));
            return case.generated;
        }
        let ops = operations(request);
        if ops.iter().all(|o| o.name() == Some("Interop")) {
            continue;
        }
        let mut request = request.clone();
        let stored_type = object_types(&request).iter().all(|t| SUPPORTED_OBJECT_TYPES.contains(t));
        if !ops.iter().all(|o| SUPPORTED_OPERATIONS.contains(o))
            || !stored_type
            || !prepare(&mut request, &case.ids, now)
        {
            complete = false;
            break;
        }
        case.generated |= ops.contains(&Operation::Create) || ops.contains(&Operation::CreateKeyPair);
        let Ok(frame) = ttlv::encode_to_vec(&request) else { break };
        let Reply::Send(answer) = engine.process(&client, Bytes::from(frame)).await else {
            tally.failures.push(format!("{name}: no answer"));
            return case.generated;
        };
        let Ok(ours) = ttlv::decode(&Bytes::from(answer), &ttlv::Limits::UNBOUNDED) else {
            tally.failures.push(format!("{name}: undecodable answer"));
            return case.generated;
        };
        tally.pairs_run += 1;
        let items = |m: &Ttlv| m.children().iter().filter(|c| c.tag == Tag::BatchItem).cloned().collect::<Vec<_>>();
        let (e, o) = (items(expected), items(&ours));
        let ops_text = ops.iter().map(|o| o.name().unwrap_or("?")).collect::<Vec<_>>().join(",");
        let result = if e.len() == o.len() {
            e.iter().zip(&o).try_for_each(|(e, o)| same(e, o, &mut case, ""))
        } else {
            Err(format!("{} batch items, expected {}", o.len(), e.len()))
        };
        if let Err(why) = result {
            // Feature Not Supported (reason 8) is an honest "not yet": what
            // follows in the case depends on it and is not run.
            let unsupported =
                o.iter().any(|i| i.child(Tag::ResultReason).is_some_and(|r| r.value == Value::Enumeration(8)))
                    && !e.iter().any(|i| i.child(Tag::ResultReason).is_some());
            if unsupported {
                tally.not_supported.push(format!("{name} [{ops_text}]: {why}"));
                tally.cases_partial += 1;
            } else {
                tally.failures.push(format!("{name} [{ops_text}]: {why}"));
            }
            return case.generated;
        }
    }
    if complete {
        tally.cases_complete += 1;
    } else {
        tally.cases_partial += 1;
    }
    case.generated
}

/// Known differences, each with its owner or cause; the failure is
/// printed, not hidden.
const KNOWN: &[(&str, &str)] = &[
    (
        "TL-M-3-14.xml [Locate,GetAttributes]",
        "the 1.4 reference lists Sensitive, Extractable, Always / Never Extractable in Get Attribute List but \
         leaves them out of Get Attributes (all); its 2.1 case has them in both, and matches",
    ),
    ("SKFF-M-9-14.xml [AddAttribute", "ops-lifecycle: a 1.x Add Attribute answer carries Attribute Index 0"),
    ("SKFF-M-10-14.xml [AddAttribute", "ops-lifecycle: a 1.x Add Attribute answer carries Attribute Index 0"),
    ("SKFF-M-11-14.xml [AddAttribute", "ops-lifecycle: a 1.x Add Attribute answer carries Attribute Index 0"),
    ("SKFF-M-12-14.xml [AddAttribute", "ops-lifecycle: a 1.x Add Attribute answer carries Attribute Index 0"),
    // Values a server draws at random, which a case writes down as one
    // server drew them; crypto_cases replays these cases with them unchecked.
    ("CS-BC-M-1-14.xml [Encrypt]", RANDOM_KEY),
    ("CS-BC-M-1-21.xml [Encrypt]", RANDOM_KEY),
    ("CS-BC-M-2-14.xml [Decrypt]", RANDOM_KEY),
    ("CS-BC-M-2-21.xml [Decrypt]", RANDOM_KEY),
    ("CS-BC-M-3-14.xml [Encrypt]", RANDOM_KEY),
    ("CS-BC-M-3-21.xml [Encrypt]", RANDOM_KEY),
    ("CS-BC-M-13-14.xml [Encrypt]", "the key asks for a Random IV: the 1.4 case writes one server's IV and ciphertext"),
    ("CS-RNG-M-1-14.xml [RNGRetrieve]", "random bytes: the case's are one server's"),
    ("CS-RNG-M-1-21.xml [RNGRetrieve]", "random bytes: the case's are one server's"),
    ("CS-BC-M-CHACHA20-", CHACHA),
    // Its Checks pass as the case expects (check.rs tests), but the batch asks
    // for the Undo continuation option, which coffer refuses (Stop or Continue).
    ("BL-M-2-21.xml [Activate,Check,Check]", "Batch Error Continuation Option Undo is not supported"),
    ("CS-BC-M-CHACHA20POLY1305-", CHACHA),
    ("CS-AC-M-1-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-2-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-3-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-8-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-1-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-2-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-3-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-4-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-5-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-6-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-7-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-8-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-9-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-10-14.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-1-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-2-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-3-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-8-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-1-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-2-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-3-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-4-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-5-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-6-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-7-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-8-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-9-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("CS-AC-M-OAEP-10-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("BL-M-6-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("BL-M-7-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("BL-M-8-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("BL-M-9-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("BL-M-11-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("BL-M-12-21.xml [Register]", REGISTER_ASYMMETRIC),
    ("BL-M-13-21.xml [Register]", REGISTER_ASYMMETRIC),
    // Run since Register stores asymmetric keys and certificates (wrap).
    // RSA-OAEP pads with fresh randomness: the case's ciphertext is one server's
    // (its Decrypt cases, which check the plaintext, pass).
    ("CS-AC-M-OAEP-1-14.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-3-14.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-5-14.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-7-14.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-9-14.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-1-21.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-3-21.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-5-21.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-7-21.xml [Encrypt]", OAEP_RANDOM),
    ("CS-AC-M-OAEP-9-21.xml [Encrypt]", OAEP_RANDOM),
    ("BL-M-10-21.xml [GetAttributes]", "wrap: a certificate's X.509 subject and issuer attributes are not derived"),
    ("BL-M-12-21.xml [Register]", "wrap: DSA keys are not supported (RSA, EC, Ed25519 are)"),
    ("BL-M-13-21.xml [Register]", "wrap: DSA keys are not supported (RSA, EC, Ed25519 are)"),
];

/// Why the cases that register a Public or Private Key stop there.
const REGISTER_ASYMMETRIC: &str = "wrap (issue 4): Register of Public and Private Keys; crypto_cases replays the \
                                   CS-AC cases with the registered keys put in the store";

/// Why an RSA-OAEP Encrypt case cannot match byte for byte.
const OAEP_RANDOM: &str = "RSA-OAEP encryption is randomised: the case's ciphertext is one server's";
/// Why a Create-then-Encrypt case cannot match byte for byte.
const RANDOM_KEY: &str = "Create makes a random key: the case's ciphertext (or plaintext) is one server's";
/// Why the ChaCha20 cases fail.
const CHACHA: &str = "ops-crypto: ChaCha20 and ChaCha20-Poly1305 are not offered (AES only)";

#[tokio::test]
async fn the_oasis_profile_cases_get_the_answers_they_expect() {
    if !Path::new(ROOT).is_dir() {
        assert!(std::env::var("CI").is_err(), "{ROOT} not found");
        eprintln!("skipped: {ROOT} not found");
        return;
    }
    let mut tally = Tally::default();
    for folder in FOLDERS {
        let mut series: Option<(String, Engine, bool)> = None;
        for file in xml_files(&Path::new(ROOT).join(folder)) {
            // The SASED and TL cases run in order on one server (SASED-M-3
            // locates what SASED-M-2 registered); every other case on its own.
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            // Quantum Safe is not a profile SPEC §2 claims (QS-M-2 expects
            // an AES-128 Create refused as not quantum safe).
            if name.starts_with("QS-") {
                continue;
            }
            let family = name.split("-M-").next().filter(|f| *f == "SASED" || *f == "TL").map(str::to_owned);
            let (engine, generated) = match (&family, &series) {
                (Some(f), Some((g, e, generated))) if f == g => (e.clone(), *generated),
                _ => (engine(), false),
            };
            let generated = replay(&file, &engine, generated, &mut tally).await;
            series = family.map(|f| (f, engine.clone(), generated));
        }
    }
    eprintln!("OASIS replay: {tally:#?}");
    let unexplained: Vec<&String> =
        tally.failures.iter().filter(|f| !KNOWN.iter().any(|(case, _)| f.starts_with(case))).collect();
    assert!(unexplained.is_empty(), "{unexplained:#?}");
    assert!(tally.cases_complete >= 45, "{tally:#?}");
}
