//! Comparing coffer's response with the one an OASIS case expects.
//!
//! Everything is compared exactly (item by item, in order, same tag, type
//! and value) except what legitimately varies between two correct servers.
//! THE list of what is ignored or loosened, and why:
//!
//! 1. `ResultMessage`: free text chosen by each server; not compared, either way.
//! 2. Response header `ServerCorrelationValue` (the server's own log token)
//!    and `ClientCorrelationValue` when the expected header omits it (a
//!    server may echo it).
//! 3. `$NOW`, `$NOW-3600`, `$NOW+3600` in a response: any date between the
//!    case's start and the moment of comparison, shifted by the offset, with
//!    `NOW_SLACK` seconds either side (whole seconds on the wire). The
//!    response header's Time Stamp is always checked so, whatever the file
//!    says. In the KMIP 1.0 set extracted by Cosmian, which writes the
//!    reference server's clock as literal dates, a literal response date
//!    that no request of the case sent is checked so too (a date a request
//!    sent must come back exactly).
//! 4. Other `$NAME` placeholders (`$UNIQUE_IDENTIFIER_n`, `$SERVER_CORRELATION_VALUE`, ...):
//!    the first response position that names one binds it to what coffer
//!    returned there (same item type required); every later use, in a
//!    response or a request, must be / is that same value.
//! 5. Output that depends on key bytes or randomness the server chose, where
//!    the reference server's literal bytes cannot be reproduced. Compared by
//!    item type and byte length (`BigInteger`s and `KeyMaterial` over 64 bytes,
//!    i.e. DER keys, and `SignatureData` by type only), and remembered
//!    (expected bytes -> coffer's bytes) so that a later request quoting the
//!    reference's bytes (a Decrypt of its ciphertext, an IV) is sent coffer's:
//!    - Get / GetAttributes / Export of an object coffer generated (Create,
//!      CreateKeyPair, ReKey, ReKeyKeyPair, CreateSplitKey): `KeyMaterial`,
//!      `DigestValue`, BigIntegers;
//!    - Encrypt: `IVCounterNonce` when the request gave none; `Data` and
//!      `AuthenticatedEncryptionTag` when the key is generated or the IV was;
//!    - Decrypt with a generated key whose input was not one of coffer's own
//!      earlier outputs: `Data`;
//!    - MAC with a generated key: `MACData`; Sign: `SignatureData` (PSS and
//!      ECDSA are randomised; Signature Verify then checks coffer's own);
//!    - RNG Retrieve: `Data`.
//! 6. Lists with no order in KMIP are matched by key, not position: the items
//!    of an `Attributes` (2.x) structure by tag, 1.x `Attribute`s by Attribute
//!    Name and Index (values of one name paired in order). A Get Attributes
//!    that names no attribute, and Get Attribute List, may return more than
//!    the reference did (what "all" is differs per server); anything expected
//!    must be there.
//! 7. Query responses: each expected Operation / Object Type / ... must be
//!    present somewhere (the server may support more); Vendor Identification
//!    must be present (its text is the vendor's); Server Information is ignored.
//!
//! 8. The Random Number Generator attribute: must be there, but it describes
//!    the server's own RNG (the reference used ANSI X9.31, coffer a DRBG).
//! 9. A few values the OASIS files get wrong, corrected where the case is
//!    read (`case::VECTOR_FIXES`, each with its evidence).
//!
//! Nothing else is loosened: a missing or extra field, another Result Status
//! or Reason, another enumeration, date, mask or byte is a mismatch.

use std::collections::{HashMap, HashSet};
use std::fmt;

use bytes::Bytes;
use coffer::kmip::table::Operation;
use coffer::ttlv::xml::to_xml;
use coffer::ttlv::{Tag, Ttlv, Value};

use super::case::Message;

/// Seconds of slack on each side of a `$NOW` window.
pub const NOW_SLACK: i64 = 2;

/// The longest `KeyMaterial` whose length is still compared (symmetric keys).
const MAX_COMPARED_KEY_LEN: usize = 64;

/// What the replay has learned so far in one case.
#[derive(Debug, Default)]
pub struct Bindings {
    /// Placeholder name -> the value coffer gave it.
    pub vars: HashMap<String, Value>,
    /// Reference-server bytes -> coffer's bytes at the same position.
    pub learned: HashMap<Bytes, Bytes>,
    /// Ids of objects whose key material coffer generated.
    pub generated: HashSet<String>,
    /// Unix time at which the case started.
    pub start: i64,
    /// Whether the case writes the server's clock as literal dates (the
    /// KMIP 1.0 set extracted by Cosmian has no `$NOW`).
    pub literal_server_dates: bool,
    /// Every date the case's requests have sent so far.
    pub request_dates: HashSet<i64>,
    /// Values coffer returned under the tags of `RETURNED_TAGS`, in order.
    pub returned: HashMap<Tag, Vec<Value>>,
}

/// Tags whose returned values a later request may quote by a placeholder
/// that no response wrote (`$MAC_DATA`, `$DATA_0`, ...).
const RETURNED_TAGS: [Tag; 9] = [
    Tag::Data,
    Tag::MACData,
    Tag::IVCounterNonce,
    Tag::AuthenticatedEncryptionTag,
    Tag::SignatureData,
    Tag::CorrelationValue,
    Tag::KeyMaterial,
    Tag::KeyValue,
    Tag::ShortUniqueIdentifier,
];

fn record_returned(t: &Ttlv, out: &mut HashMap<Tag, Vec<Value>>) {
    if RETURNED_TAGS.contains(&t.tag) && !matches!(t.value, Value::Structure(_)) {
        out.entry(t.tag).or_default().push(t.value.clone());
    }
    for c in t.children() {
        record_returned(c, out);
    }
}

/// The first difference found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Tag path of the differing item (`ResponseMessage/BatchItem/ResultReason`).
    pub path: String,
    /// What was expected.
    pub expected: String,
    /// What coffer answered.
    pub got: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: expected {}, got {}", self.path, self.expected, self.got)
    }
}

/// A short one-line rendering of an item.
pub fn show(t: &Ttlv) -> String {
    let text = to_xml(t).split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 240 {
        format!("{}...", text.chars().take(240).collect::<String>())
    } else {
        text
    }
}

/// An expected item as the case writes it: a placeholder as `$NAME`.
fn show_exp(e: &Exp) -> String {
    match e.mark {
        Some(mark) => format!("<{} ... value=\"${mark}\"/>", e.node.tag),
        None if has_mark(e) => format!("{} (with placeholders)", show(e.node)),
        None => show(e.node),
    }
}

/// The expected tree, each item with its placeholder.
struct Exp<'a> {
    node: &'a Ttlv,
    mark: Option<&'a str>,
    children: Vec<Exp<'a>>,
}

fn annotate<'a>(node: &'a Ttlv, marks: &'a HashMap<usize, String>, next: &mut usize) -> Exp<'a> {
    let mark = marks.get(next).map(String::as_str);
    *next = next.saturating_add(1);
    let children = node.children().iter().map(|c| annotate(c, marks, next)).collect();
    Exp { node, mark, children }
}

/// What the comparison of one batch item needs to know about its request.
#[derive(Debug, Default, Clone)]
struct ItemCtx {
    op: Option<Operation>,
    key_generated: bool,
    request_had_iv: bool,
    iv_generated: bool,
    input_substituted: bool,
    names_attributes: bool,
}

const GENERATING: [Operation; 5] =
    [Operation::Create, Operation::CreateKeyPair, Operation::ReKey, Operation::ReKeyKeyPair, Operation::CreateSplitKey];

const ID_TAGS: [Tag; 3] = [Tag::UniqueIdentifier, Tag::PrivateKeyUniqueIdentifier, Tag::PublicKeyUniqueIdentifier];

fn operation_of(item: &Ttlv) -> Option<Operation> {
    match item.child(Tag::Operation).map(|o| &o.value) {
        Some(Value::Enumeration(v)) => Some(Operation::from_value(*v)),
        _ => None,
    }
}

/// Every text under one of `ID_TAGS`, anywhere in `t`.
fn ids_in(t: &Ttlv, out: &mut Vec<String>) {
    if let (true, Value::TextString(s)) = (ID_TAGS.contains(&t.tag), &t.value) {
        out.push(s.clone());
    }
    for c in t.children() {
        ids_in(c, out);
    }
}

/// Compares coffer's response message with the expected one, binding
/// placeholders and learning varying bytes on the way. `request` is the
/// request as sent (placeholders substituted); `substituted[i]` says whether
/// batch item i's request bytes were replaced by coffer's earlier output.
pub fn compare_response(
    expected: &Message,
    actual: &Ttlv,
    request: &Ttlv,
    substituted: &[bool],
    b: &mut Bindings,
    now_end: i64,
) -> Result<(), Mismatch> {
    let mut next = 0;
    let exp = annotate(&expected.tree, &expected.marks, &mut next);
    let mut cmp = Cmp { b, now_end, item: ItemCtx::default() };
    let root = "ResponseMessage".to_owned();
    if actual.tag != Tag::ResponseMessage {
        return Err(Mismatch { path: root, expected: "a ResponseMessage".into(), got: show(actual) });
    }
    // The header, then each batch item with what its request said.
    let exp_items: Vec<&Exp> = exp.children.iter().filter(|c| c.node.tag == Tag::BatchItem).collect();
    let act_items: Vec<&Ttlv> = actual.children_with(Tag::BatchItem).collect();
    let req_items: Vec<&Ttlv> = request.children_with(Tag::BatchItem).collect();
    match (exp.children.iter().find(|c| c.node.tag == Tag::ResponseHeader), actual.child(Tag::ResponseHeader)) {
        (Some(e), Some(a)) => cmp.node(e, a, &format!("{root}/ResponseHeader"), Some(Tag::ResponseMessage))?,
        (Some(_), None) => return Err(missing(&root, "ResponseHeader")),
        _ => {}
    }
    if exp_items.len() != act_items.len() {
        return Err(Mismatch {
            path: format!("{root}/BatchItem"),
            expected: format!("{} batch items", exp_items.len()),
            got: format!(
                "{} batch items: {}",
                act_items.len(),
                act_items.iter().map(|t| show(t)).collect::<Vec<_>>().join(" | ")
            ),
        });
    }
    // The last id an earlier item of this batch returned: the ID Placeholder.
    let mut placeholder_id: Option<String> = None;
    for (i, (e, a)) in exp_items.iter().zip(&act_items).enumerate() {
        let req = req_items.get(i).copied();
        let op = req.and_then(operation_of);
        let req_payload = req.and_then(|r| r.child(Tag::RequestPayload));
        let mut ids = Vec::new();
        if let Some(p) = req_payload {
            ids_in(p, &mut ids);
        }
        let key_generated = if ids.is_empty() {
            // No id means the ID Placeholder, set by an earlier item of the batch.
            placeholder_id.as_ref().is_some_and(|id| cmp.b.generated.contains(id))
        } else {
            ids.iter().any(|id| cmp.b.generated.contains(id))
        };
        let request_had_iv = req_payload.and_then(|p| p.child(Tag::IVCounterNonce)).is_some();
        let act_payload = a.child(Tag::ResponsePayload);
        let iv_generated = !request_had_iv && act_payload.and_then(|p| p.child(Tag::IVCounterNonce)).is_some();
        let names_attributes = req_payload
            .is_some_and(|p| p.child(Tag::AttributeName).is_some() || p.child(Tag::AttributeReference).is_some());
        cmp.item = ItemCtx {
            op,
            key_generated,
            request_had_iv,
            iv_generated,
            input_substituted: substituted.get(i).copied().unwrap_or(false),
            names_attributes,
        };
        let path = if exp_items.len() > 1 { format!("{root}/BatchItem[{i}]") } else { format!("{root}/BatchItem") };
        if let Some(p) = act_payload {
            record_returned(p, &mut cmp.b.returned);
        }
        cmp.node(e, a, &path, Some(Tag::ResponseMessage))?;
        if let Some(p) = act_payload {
            let mut returned_ids = Vec::new();
            ids_in(p, &mut returned_ids);
            if let Some(last) = returned_ids.last() {
                placeholder_id = Some(last.clone());
            }
            if op.is_some_and(|op| GENERATING.contains(&op)) {
                cmp.b.generated.extend(returned_ids);
            }
        }
    }
    Ok(())
}

fn missing(path: &str, what: &str) -> Mismatch {
    Mismatch { path: format!("{path}/{what}"), expected: format!("<{what}>"), got: "nothing".into() }
}

struct Cmp<'b> {
    b: &'b mut Bindings,
    now_end: i64,
    item: ItemCtx,
}

/// A `$NOW`-family placeholder's offset in seconds (`NOW-3600` -> -3600).
pub fn now_offset(mark: &str) -> Option<i64> {
    let rest = mark.strip_prefix("NOW")?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, digits) = rest.split_at(1);
    let n: i64 = digits.parse().ok()?;
    match sign {
        "+" => Some(n),
        "-" => Some(-n),
        _ => None,
    }
}

impl Cmp<'_> {
    fn node(&mut self, e: &Exp, a: &Ttlv, path: &str, parent: Option<Tag>) -> Result<(), Mismatch> {
        let fail = |expected: String| Mismatch { path: path.to_owned(), expected, got: show(a) };
        if e.node.tag != a.tag {
            return Err(fail(show(e.node)));
        }
        if let Some(mark) = e.mark {
            return self.placeholder(mark, e.node, a, path);
        }
        if let Value::DateTime(t) = e.node.value {
            let header_time = parent == Some(Tag::ResponseHeader) && e.node.tag == Tag::TimeStamp;
            let server_clock = self.b.literal_server_dates && !self.b.request_dates.contains(&t);
            if header_time || server_clock {
                return self.placeholder("NOW", e.node, a, path);
            }
        }
        if e.node.tag == Tag::RandomNumberGenerator || attribute_key(e.node) == "Attribute[Random Number Generator]" {
            // Rule 8: it describes the server's own RNG.
            return Ok(());
        }
        if matches!(e.node.value, Value::Structure(_)) {
            if !matches!(a.value, Value::Structure(_)) {
                return Err(fail(format!("a structure {}", show(e.node))));
            }
            return self.children(e, a, path);
        }
        if e.node.item_type() != a.item_type() {
            return Err(fail(show(e.node)));
        }
        if self.varies(e.node.tag, &e.node.value) {
            return self.vary(e.node, a, path);
        }
        if e.node.value != a.value {
            return Err(fail(show(e.node)));
        }
        Ok(())
    }

    fn placeholder(&mut self, mark: &str, e: &Ttlv, a: &Ttlv, path: &str) -> Result<(), Mismatch> {
        let fail = |expected: String| Mismatch { path: path.to_owned(), expected, got: show(a) };
        if let Some(offset) = now_offset(mark) {
            let (lo, hi) = (
                self.b.start.saturating_add(offset).saturating_sub(NOW_SLACK),
                self.now_end.saturating_add(offset).saturating_add(NOW_SLACK),
            );
            let t = match a.value {
                Value::DateTime(t) => t,
                Value::DateTimeExtended(us) => us.div_euclid(1_000_000),
                _ => return Err(fail(format!("a date (${mark})"))),
            };
            if t < lo || t > hi {
                return Err(fail(format!("${mark}, a date in [{lo}, {hi}] (unix seconds), got {t}")));
            }
            return Ok(());
        }
        match self.b.vars.get(mark) {
            Some(bound) if *bound == a.value => Ok(()),
            Some(bound) => {
                let bound = Ttlv::new(a.tag, bound.clone());
                Err(fail(format!("${mark} = {}", show(&bound))))
            }
            None if e.item_type() != a.item_type() => Err(fail(format!("${mark} as a {}", e.item_type().name()))),
            None => {
                self.b.vars.insert(mark.to_owned(), a.value.clone());
                Ok(())
            }
        }
    }

    /// Whether this leaf holds bytes the reference server chose (rule 5).
    fn varies(&self, tag: Tag, value: &Value) -> bool {
        let i = &self.item;
        match i.op {
            Some(Operation::Get | Operation::GetAttributes | Operation::Export) => {
                i.key_generated
                    && (tag == Tag::KeyMaterial || tag == Tag::DigestValue || matches!(value, Value::BigInteger(_)))
            }
            Some(Operation::Encrypt) => {
                (tag == Tag::IVCounterNonce && !i.request_had_iv)
                    || ((tag == Tag::Data || tag == Tag::AuthenticatedEncryptionTag)
                        && (i.key_generated || i.iv_generated))
            }
            Some(Operation::Decrypt) => tag == Tag::Data && i.key_generated && !i.input_substituted,
            Some(Operation::MAC) => tag == Tag::MACData && i.key_generated,
            Some(Operation::Sign) => tag == Tag::SignatureData,
            Some(Operation::RNGRetrieve) => tag == Tag::Data,
            _ => false,
        }
    }

    fn vary(&mut self, e: &Ttlv, a: &Ttlv, path: &str) -> Result<(), Mismatch> {
        match (&e.value, &a.value) {
            (Value::ByteString(x), Value::ByteString(y)) => {
                let compare_len = match e.tag {
                    t if t == Tag::KeyMaterial => x.len() <= MAX_COMPARED_KEY_LEN,
                    t if t == Tag::SignatureData => false,
                    _ => true,
                };
                if compare_len && x.len() != y.len() {
                    return Err(Mismatch {
                        path: path.to_owned(),
                        expected: format!("{} bytes (content varies: {})", x.len(), show(e)),
                        got: format!("{} bytes: {}", y.len(), show(a)),
                    });
                }
                self.b.learned.insert(x.clone(), y.clone());
                Ok(())
            }
            (Value::BigInteger(_), Value::BigInteger(_)) => Ok(()),
            _ => Err(Mismatch { path: path.to_owned(), expected: show(e), got: show(a) }),
        }
    }

    /// Whether a child of `parent` belongs to an unordered list (rule 6).
    fn unordered(&self, parent: Tag, child: Tag) -> bool {
        [Tag::Attributes, Tag::CommonAttributes, Tag::PrivateKeyAttributes, Tag::PublicKeyAttributes].contains(&parent)
            || child == Tag::Attribute
            || (self.item.op == Some(Operation::GetAttributeList)
                && parent == Tag::ResponsePayload
                && (child == Tag::AttributeName || child == Tag::AttributeReference))
    }

    /// Whether coffer may return more unordered items than expected (rule 6).
    fn extras_allowed(&self, parent: Tag) -> bool {
        match self.item.op {
            Some(Operation::GetAttributes) => {
                !self.item.names_attributes && (parent == Tag::ResponsePayload || parent == Tag::Attributes)
            }
            Some(Operation::GetAttributeList) => parent == Tag::ResponsePayload,
            _ => false,
        }
    }

    fn children(&mut self, e: &Exp, a: &Ttlv, path: &str) -> Result<(), Mismatch> {
        let parent = e.node.tag;
        if self.item.op == Some(Operation::Query) && parent == Tag::ResponsePayload {
            return self.query(e, a, path);
        }
        // Rules 1 and 2.
        let expected_has = |t: Tag| e.children.iter().any(|c| c.node.tag == t);
        let skip_expected =
            |t: Tag| t == Tag::ResultMessage || (parent == Tag::ResponseHeader && t == Tag::ServerCorrelationValue);
        let skip_actual = |t: Tag| {
            skip_expected(t) || (parent == Tag::ResponseHeader && t == Tag::ClientCorrelationValue && !expected_has(t))
        };
        let exp: Vec<&Exp> = e.children.iter().filter(|c| !skip_expected(c.node.tag)).collect();
        let act: Vec<&Ttlv> = a.children().iter().filter(|c| !skip_actual(c.tag)).collect();
        let (exp_ord, exp_set): (Vec<&Exp>, Vec<&Exp>) =
            exp.into_iter().partition(|c| !self.unordered(parent, c.node.tag));
        let (act_ord, act_set): (Vec<&Ttlv>, Vec<&Ttlv>) =
            act.into_iter().partition(|c| !self.unordered(parent, c.tag));

        // Ordered items: same tags in the same order.
        let counts = count_tags(exp_ord.iter().map(|c| c.node.tag));
        let mut seen: HashMap<Tag, usize> = HashMap::new();
        for (j, ec) in exp_ord.iter().enumerate() {
            let tag = ec.node.tag;
            let k = seen.entry(tag).or_insert(0);
            let child_path = if counts.get(&tag).copied().unwrap_or(0) > 1 {
                format!("{path}/{tag}[{k}]")
            } else {
                format!("{path}/{tag}")
            };
            *k = k.saturating_add(1);
            match act_ord.get(j) {
                Some(ac) if ac.tag == tag => self.node(ec, ac, &child_path, Some(parent))?,
                Some(ac) => {
                    return Err(Mismatch { path: child_path, expected: show_exp(ec), got: show(ac) });
                }
                None => return Err(Mismatch { path: child_path, expected: show_exp(ec), got: "nothing".into() }),
            }
        }
        if let Some(extra) = act_ord.get(exp_ord.len()) {
            return Err(Mismatch {
                path: format!("{path}/{}", extra.tag),
                expected: "nothing".into(),
                got: show(extra),
            });
        }

        // Unordered items: paired by key, values of one key in order.
        let mut used = vec![false; act_set.len()];
        for ec in &exp_set {
            let key = attribute_key(ec.node);
            let child_path = format!("{path}/{}", key);
            let free = |n: usize| !used.get(n).copied().unwrap_or(true);
            // An equal item first (lists of names or references have no order),
            // else the first free one of the same key, to show the difference.
            let found = act_set
                .iter()
                .enumerate()
                .find(|(n, ac)| free(*n) && attribute_key(ac) == key && !has_mark(ec) && **ac == ec.node)
                .or_else(|| {
                    // A list of names pairs only equal items: no value is
                    // "the same entry, changed".
                    if self.item.op == Some(Operation::GetAttributeList) {
                        return None;
                    }
                    act_set.iter().enumerate().find(|(n, ac)| free(*n) && attribute_key(ac) == key)
                });
            match found {
                Some((n, ac)) => {
                    if let Some(u) = used.get_mut(n) {
                        *u = true;
                    }
                    self.node(ec, ac, &child_path, Some(parent))?;
                }
                None => {
                    let got = if self.item.op == Some(Operation::GetAttributeList) {
                        "not listed"
                    } else {
                        "no such attribute"
                    };
                    return Err(Mismatch { path: child_path, expected: show_exp(ec), got: got.into() });
                }
            }
        }
        if !self.extras_allowed(parent) {
            if let Some((_, extra)) = act_set.iter().enumerate().find(|(n, _)| !used.get(*n).copied().unwrap_or(true)) {
                return Err(Mismatch {
                    path: format!("{path}/{}", attribute_key(extra)),
                    expected: "no such attribute".into(),
                    got: show(extra),
                });
            }
        }
        Ok(())
    }

    /// Rule 7.
    fn query(&mut self, e: &Exp, a: &Ttlv, path: &str) -> Result<(), Mismatch> {
        for ec in &e.children {
            let tag = ec.node.tag;
            if tag == Tag::ServerInformation {
                continue;
            }
            let present = if tag == Tag::VendorIdentification {
                a.child(tag).is_some()
            } else {
                a.children_with(tag).any(|ac| ac == ec.node)
            };
            if !present {
                return Err(Mismatch {
                    path: format!("{path}/{tag}"),
                    expected: show(ec.node),
                    got: "not listed".into(),
                });
            }
        }
        Ok(())
    }
}

/// Whether an expected item or any item inside it is a placeholder.
fn has_mark(e: &Exp) -> bool {
    e.mark.is_some() || e.children.iter().any(has_mark)
}

fn count_tags(tags: impl Iterator<Item = Tag>) -> HashMap<Tag, usize> {
    let mut m = HashMap::new();
    for t in tags {
        *m.entry(t).or_insert(0usize) += 1;
    }
    m
}

/// The pairing key of an unordered item: a 1.x Attribute's name and index,
/// otherwise its tag.
fn attribute_key(t: &Ttlv) -> String {
    if t.tag == Tag::Attribute {
        let name = match t.child(Tag::AttributeName).map(|n| &n.value) {
            Some(Value::TextString(s)) => s.clone(),
            _ => "?".into(),
        };
        return match t.child(Tag::AttributeIndex).map(|n| &n.value) {
            Some(Value::Integer(i)) if *i != 0 => format!("Attribute[{name}#{i}]"),
            _ => format!("Attribute[{name}]"),
        };
    }
    t.tag.to_string()
}
