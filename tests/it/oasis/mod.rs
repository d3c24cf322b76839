//! A replayer of the OASIS KMIP profile test cases against coffer's engine,
//! in process: each case's requests are sent, in order, to a fresh
//! [`Engine`] over an in-memory store, and each response is compared with
//! the one the case expects (see `compare` for exactly what is loosened).
//!
//! Placeholders in requests: `$NOW`, `$NOW-3600`, `$NOW+3600` become the
//! current time (plus offset) when the request is sent; any other `$NAME`
//! takes the value bound at the first response position that named it (so
//! `$UNIQUE_IDENTIFIER_n` is the id coffer returned where the reference
//! server returned its n-th one). A request that uses a name no earlier
//! response bound is a failure of the case. Byte strings equal to bytes the
//! reference server chose (a ciphertext, an IV) are replaced by what coffer
//! returned in their place.
//!
//! Interop Begin/End/Reset messages (the test harness's own markers) are not
//! sent; they count as answered with success.

pub mod case;
pub mod compare;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use coffer::auth::ClientIdentity;
use coffer::kmip::table::Operation;
use coffer::operations::{Engine, EngineLimits, Reply};
use coffer::store::Store;
use coffer::ttlv::{decode, encode_to_vec, Limits, Tag, Ttlv, Value};

pub use case::{load, Case, Message};
pub use compare::{compare_response, Bindings, Mismatch};

/// The folder of the OASIS profile cases.
pub const PROFILES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/kmip-vectors/oasis-profiles");

/// Why a case did not pass.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The case id.
    pub case: String,
    /// The file it came from.
    pub source: PathBuf,
    /// The step (request/response pair, from 0) that failed, if any.
    pub step: Option<usize>,
    /// The operations of that step's request.
    pub operations: String,
    /// What went wrong.
    pub what: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(step) => write!(
                f,
                "{} step {step} ({}): {}\n    [{}]",
                self.case,
                self.operations,
                self.what,
                self.source.display()
            ),
            None => write!(f, "{}: {}\n    [{}]", self.case, self.what, self.source.display()),
        }
    }
}

fn client() -> ClientIdentity {
    ClientIdentity {
        peer: ([127, 0, 0, 1], 5696).into(),
        credential: "oasis".into(),
        keystore: "default".into(),
        handle: None,
    }
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn operation_names(message: &Ttlv) -> String {
    case::operations(message)
        .into_iter()
        .map(|op| {
            let op = Operation::from_value(op);
            op.name().map(str::to_owned).unwrap_or_else(|| format!("{:#x}", op.value()))
        })
        .collect::<Vec<_>>()
        .join("+")
}

/// Whether every batch item of a request is an Interop marker.
fn is_interop(request: &Ttlv) -> bool {
    let ops = case::operations(request);
    !ops.is_empty() && ops.iter().all(|op| *op == Operation::Interop.value())
}

/// The request to send: placeholders substituted, reference bytes replaced
/// by coffer's. Returns, per batch item, whether any bytes were replaced.
pub fn instantiate(message: &Message, b: &Bindings, now: i64) -> Result<(Ttlv, Vec<bool>), String> {
    let mut tree = message.tree.clone();
    let mut next = 0usize;
    substitute(&mut tree, message, b, now, &mut next)?;
    let substituted = tree.children_with(Tag::BatchItem).map(|item| replace_learned(item, b).1).collect::<Vec<_>>();
    let items =
        tree.children().iter().map(|c| if c.tag == Tag::BatchItem { replace_learned(c, b).0 } else { c.clone() });
    Ok((Ttlv::structure(tree.tag, items.collect()), substituted))
}

fn substitute(t: &mut Ttlv, m: &Message, b: &Bindings, now: i64, next: &mut usize) -> Result<(), String> {
    if let Some(mark) = m.marks.get(next) {
        let value = match (compare::now_offset(mark), &t.value) {
            (Some(offset), Value::DateTimeExtended(_)) => {
                Value::DateTimeExtended(now.saturating_add(offset) * 1_000_000)
            }
            (Some(offset), _) => Value::DateTime(now.saturating_add(offset)),
            (None, _) => match b.vars.get(mark).or_else(|| returned_value(mark, t.tag, b)) {
                Some(v) => v.clone(),
                None => return Err(format!("the request uses ${mark}, which no earlier response gave")),
            },
        };
        t.value = value;
    }
    *next = next.saturating_add(1);
    if let Value::Structure(children) = &mut t.value {
        for c in children {
            substitute(c, m, b, now, next)?;
        }
    }
    Ok(())
}

/// A byte placeholder the files use in requests only (`$MAC_DATA`,
/// `$DATA_0`, `$IV_COUNTER_NONCE`): the n-th value coffer returned under the
/// placeholder's own tag in this case, or the last one when the name has no
/// number. Ids are never guessed so: they must be bound by position.
fn returned_value<'a>(mark: &str, tag: Tag, b: &'a Bindings) -> Option<&'a Value> {
    if mark.starts_with("UNIQUE_IDENTIFIER") {
        return None;
    }
    let values = b.returned.get(&tag)?;
    let number = mark.rsplit_once('_').and_then(|(_, n)| n.parse::<usize>().ok());
    match number {
        Some(n) => values.get(n),
        None => values.last(),
    }
}

fn replace_learned(t: &Ttlv, b: &Bindings) -> (Ttlv, bool) {
    match &t.value {
        Value::ByteString(x) => match b.learned.get(x) {
            Some(y) => (Ttlv::new(t.tag, Value::ByteString(y.clone())), true),
            None => (t.clone(), false),
        },
        Value::Structure(children) => {
            let mut any = false;
            let children = children
                .iter()
                .map(|c| {
                    let (c, changed) = replace_learned(c, b);
                    any |= changed;
                    c
                })
                .collect();
            (Ttlv::structure(t.tag, children), any)
        }
        _ => (t.clone(), false),
    }
}

/// Replays one case against a fresh engine.
pub async fn replay(case: &Case) -> Result<(), Failure> {
    let engine = Engine::new(Store::default(), EngineLimits::default());
    replay_on(&engine, case).await
}

/// The case whose objects a case expects to find (the profile runs them in
/// order on one server): SASED-M-3 and TL-M-3 locate what SASED-M-2 and
/// TL-M-2 registered.
pub fn prerequisite(id: &str) -> Option<String> {
    ["SASED-M-3-", "TL-M-3-"]
        .iter()
        .find_map(|p| id.strip_prefix(p).map(|version| format!("{}2-{version}", p.trim_end_matches("3-"))))
}

/// Replays one case against `engine`.
pub async fn replay_on(engine: &Engine, case: &Case) -> Result<(), Failure> {
    replay_carrying(engine, case, HashSet::new()).await.map(|_| ())
}

/// Replays one case against `engine`, knowing which ids (from an earlier
/// case on the same engine) name keys coffer generated; returns them, with
/// this case's.
pub async fn replay_carrying(
    engine: &Engine,
    case: &Case,
    generated: HashSet<String>,
) -> Result<HashSet<String>, Failure> {
    let mut b = Bindings {
        start: unix_now(),
        literal_server_dates: case.literal_server_dates,
        generated,
        ..Bindings::default()
    };
    let client = client();
    for (step, (request, expected)) in case.steps.iter().enumerate() {
        let fail = |what: String| Failure {
            case: case.id.clone(),
            source: case.source.clone(),
            step: Some(step),
            operations: operation_names(&request.tree),
            what,
        };
        if is_interop(&request.tree) {
            continue;
        }
        let (sent, substituted) = instantiate(request, &b, unix_now()).map_err(fail)?;
        dates_in(&sent, &mut b.request_dates);
        let frame = encode_to_vec(&sent).map_err(|e| fail(format!("the request does not encode: {e}")))?;
        let reply = engine.process(&client, Bytes::from(frame)).await;
        let bytes = match reply {
            Reply::Send(bytes) => bytes,
            Reply::SendAndClose(_) => return Err(fail("the server answered and closed the connection".into())),
            Reply::Close => return Err(fail("the server closed the connection without answering".into())),
        };
        let actual = decode(&Bytes::from(bytes), &Limits::UNBOUNDED)
            .map_err(|e| fail(format!("the response does not decode: {e}")))?;
        compare_response(expected, &actual, &sent, &substituted, &mut b, unix_now()).map_err(|m| {
            // The server's own explanation helps whoever fixes it.
            let said = result_messages(&actual);
            if said.is_empty() {
                fail(m.to_string())
            } else {
                fail(format!("{m} (server said: {said})"))
            }
        })?;
    }
    Ok(b.generated)
}

/// The Result Messages of a response, joined.
fn result_messages(response: &Ttlv) -> String {
    response
        .children_with(Tag::BatchItem)
        .filter_map(|i| match i.child(Tag::ResultMessage).map(|m| &m.value) {
            Some(Value::TextString(s)) => Some(s.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn dates_in(t: &Ttlv, out: &mut HashSet<i64>) {
    if let Value::DateTime(d) = t.value {
        out.insert(d);
    }
    for c in t.children() {
        dates_in(c, out);
    }
}

/// The case files (`*.xml`) of one folder under [`PROFILES`], sorted.
pub fn case_files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(PROFILES).join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "xml")).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Loads and replays the case at `folder/id.xml` under [`PROFILES`].
pub async fn replay_file(path: &Path) -> Result<(), Failure> {
    let case = load(path).map_err(|what| Failure {
        case: path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        source: path.to_path_buf(),
        step: None,
        operations: String::new(),
        what,
    })?;
    let engine = Engine::new(Store::default(), EngineLimits::default());
    if let Some(before) = prerequisite(&case.id) {
        let before_path = path.with_file_name(format!("{before}.xml"));
        let first = load(&before_path).map_err(|what| Failure {
            case: case.id.clone(),
            source: path.to_path_buf(),
            step: None,
            operations: String::new(),
            what: format!("its prerequisite {before}: {what}"),
        })?;
        let generated = replay_carrying(&engine, &first, HashSet::new()).await.map_err(|f| Failure {
            case: case.id.clone(),
            source: path.to_path_buf(),
            step: None,
            operations: String::new(),
            what: format!("its prerequisite {before} failed at step {:?}: {}", f.step, f.what),
        })?;
        return replay_carrying(&engine, &case, generated).await.map(|_| ());
    }
    replay_on(&engine, &case).await
}
