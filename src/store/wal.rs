//! The write-ahead log, DATA/coffer.wal: what makes a commit durable without
//! a durable redb transaction.
//!
//! A durable redb commit writes about fifteen pages (the changed B-tree
//! leaves and branches of five tables, the allocator state, the header) and
//! checksums them; that costs more CPU than the fsync itself. So the writer
//! appends each group's changes to this log as one record, fdatasyncs it,
//! and only then commits the same changes to redb with
//! [`redb::Durability::None`] (visible to readers at once, persisted with the
//! next durable commit) and answers. A checkpoint (an empty durable redb
//! commit, which persists every non-durable one before it) then lets the
//! log be emptied; the writer does one when it is idle or when the log has
//! grown past [`super::StoreOptions::checkpoint_bytes`] or is older than
//! [`super::StoreOptions::checkpoint_interval`].
//!
//! On open, the complete records of the log are applied to redb in one
//! durable transaction, and the log is emptied. A record is a list of table
//! writes with their final values (put this key to these bytes, remove that
//! key), applied in order, so replaying a record that redb already holds (a
//! crash after the checkpoint, before the log was emptied; a crash during the
//! replay) ends in the same state.
//!
//! The file is preallocated (zero-filled, 1 MiB at a time) and reused:
//! emptying it writes a new generation number into its header and starts
//! again at its beginning, overwriting in place. So an append changes no file
//! size and its fdatasync no metadata (on this machine's ext4, an fdatasync
//! that grows the file costs 0.12-0.20 ms against 0.08 ms in place). A record
//! carries its generation: what follows the newest record is zeros or
//! records of an older generation, which end the log.
//!
//! ```text
//! file   := "COFFWAL1" | u64 generation | record*
//! record := u32 body length | u32 CRC-32 of (length, generation, body) | u64 generation | body
//! body   := op*
//! op     := u8 kind, then its fields (str = u32 length + UTF-8, bytes = u32 length + bytes, u64)
//!   1 object put      str id, bytes record (see super::record; the material in it is sealed)
//!   2 object remove   str id
//!   3 name put        str keystore, str name, u64 seq, str id
//!   4 name remove     str keystore, str name, u64 seq
//!   5 member put      str keystore, u64 seq, str id
//!   6 member remove   str keystore, u64 seq
//!   7 usage put       str id, bytes counters
//!   8 usage remove    str id
//!   9 next sequence   u64
//!  10 record put      str kind, str key, bytes value (a non-object record: key store, credential)
//!  11 record remove   str kind, str key
//! ```
//!
//! Integers are big-endian. A record whose length runs past the end of the
//! file, whose checksum does not match or whose generation is not the
//! header's ends the log: it is a torn write (the process or the machine
//! stopped while appending it; it was never acknowledged), or free space.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::Instant;

use super::StoreError;

/// A record larger than this is taken for garbage (a group holds at most 1 024 commits).
const MAX_RECORD: u32 = 1 << 30;
const MAGIC: &[u8; 8] = b"COFFWAL1";
/// The file header: magic and generation.
const HEADER: u64 = 16;
/// A record's length, checksum and generation.
const FRAME: usize = 16;
/// The file grows by this much, zero-filled, when a record does not fit.
const GROWTH: u64 = 1 << 20;

/// Where the log's bytes live: a file, or (in tests) memory that fails on demand.
pub(crate) trait LogFile: Send {
    /// The whole file.
    fn read_all(&mut self) -> std::io::Result<Vec<u8>>;
    /// Writes `bytes` at `offset` (within the current length, or extending it).
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> std::io::Result<()>;
    /// Makes what was written durable (fdatasync).
    fn sync(&mut self) -> std::io::Result<()>;
}

/// The log in a file.
struct FileLog(File);

impl LogFile for FileLog {
    fn read_all(&mut self) -> std::io::Result<Vec<u8>> {
        let len = usize::try_from(self.0.metadata()?.len()).map_err(std::io::Error::other)?;
        let mut out = vec![0u8; len];
        self.0.read_exact_at(&mut out, 0)?;
        Ok(out)
    }
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> std::io::Result<()> {
        self.0.write_all_at(bytes, offset)
    }
    fn sync(&mut self) -> std::io::Result<()> {
        self.0.sync_data()
    }
}

/// The writer's handle on the log.
pub(crate) struct Wal {
    file: Box<dyn LogFile>,
    /// The header's generation; every record appended carries it.
    generation: u64,
    /// Where the next record goes.
    tail: u64,
    /// The file's length (preallocated).
    len: u64,
    /// When the oldest record not yet checkpointed was appended.
    oldest: Option<Instant>,
    /// When the newest record was appended.
    newest: Option<Instant>,
    /// How long the newest append's write and fsync took.
    last_sync: std::time::Duration,
    /// A write or sync failed: the log's tail is unknown, so no further record is
    /// appended until the store is reopened.
    failed: bool,
}

/// Opens (creating, readable by its owner only) the log at `path`; a new
/// file's directory entry is synced so that its records cannot vanish with it.
pub(crate) fn open(path: &Path) -> Result<Wal, StoreError> {
    let file_io = |e: std::io::Error| StoreError::Io(format!("{}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            options.create_new(true);
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(path).map_err(file_io)?;
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            File::open(parent).and_then(|d| d.sync_all()).map_err(file_io)?;
            file
        }
        Err(e) => return Err(file_io(e)),
    };
    Ok(Wal::new(Box::new(FileLog(file))))
}

fn log_io(what: &str) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io(format!("{what} the write-ahead log: {e}"))
}

impl Wal {
    /// A log over `file`; [`Wal::records`] reads its state, [`Wal::reset`] starts a generation.
    pub(crate) fn new(file: Box<dyn LogFile>) -> Wal {
        Wal {
            file,
            generation: 0,
            tail: HEADER,
            len: 0,
            oldest: None,
            newest: None,
            last_sync: std::time::Duration::ZERO,
            failed: false,
        }
    }

    /// The complete records of the log's current generation, oldest first (a torn tail is left out).
    pub(crate) fn records(&mut self) -> Result<Vec<Vec<u8>>, StoreError> {
        let bytes = self.file.read_all().map_err(log_io("reading"))?;
        self.len = bytes.len() as u64;
        let (generation, records) = parse(&bytes);
        self.generation = generation;
        Ok(records.into_iter().map(<[u8]>::to_vec).collect())
    }

    /// Empties the log, once a durable redb commit holds all its records: a new
    /// generation in the header, and the next record at the start. Not synced:
    /// should the header be lost, the old records replay onto a state that holds
    /// them already; the next append's fdatasync persists it with the record.
    pub(crate) fn reset(&mut self) -> Result<(), StoreError> {
        let generation = self.generation.wrapping_add(1);
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&generation.to_be_bytes());
        self.file.write_at(0, &header).map_err(log_io("resetting"))?;
        self.generation = generation;
        self.tail = HEADER;
        self.len = self.len.max(HEADER);
        self.oldest = None;
        Ok(())
    }

    /// Appends one record holding `body` and syncs it: once this returns Ok the
    /// record survives a crash. After a failure every later call fails too.
    pub(crate) fn append(&mut self, body: &[u8]) -> Result<(), StoreError> {
        if self.failed {
            return Err(StoreError::Io("the write-ahead log failed earlier; reopen the store".to_string()));
        }
        let framed =
            frame(self.generation, body).ok_or_else(|| StoreError::Io("a group's record is over 1 GiB".to_string()))?;
        let end = self.tail.saturating_add(framed.len() as u64);
        let mut started = Instant::now();
        let result = self.grow_to(end).and_then(|()| {
            // The growth's zero-filling is not what the disk's speed is judged by.
            started = Instant::now();
            self.file.write_at(self.tail, &framed)?;
            self.file.sync()
        });
        if let Err(e) = result {
            self.failed = true;
            return Err(log_io("writing")(e));
        }
        self.tail = end;
        let now = Instant::now();
        self.last_sync = now.duration_since(started);
        self.oldest.get_or_insert(now);
        self.newest = Some(now);
        Ok(())
    }

    /// Zero-fills the file up to at least `end` (whole [`GROWTH`] steps) and syncs it,
    /// so that appends overwrite allocated blocks in place.
    fn grow_to(&mut self, end: u64) -> std::io::Result<()> {
        if end <= self.len {
            return Ok(());
        }
        let target = end.div_ceil(GROWTH).saturating_mul(GROWTH);
        let zeros = vec![0u8; 64 << 10];
        let mut at = self.len;
        while at < target {
            let n = (target - at).min(zeros.len() as u64);
            self.file.write_at(at, zeros.get(..n as usize).unwrap_or_default())?;
            at += n;
        }
        self.file.sync()?;
        self.len = target;
        Ok(())
    }

    /// No further record may be appended (the redb commit that follows an append failed).
    pub(crate) fn poison(&mut self) {
        self.failed = true;
    }

    /// Whether it failed (or was poisoned): nothing may be written until the store is reopened.
    pub(crate) fn has_failed(&self) -> bool {
        self.failed
    }

    /// Records appended since the last reset.
    pub(crate) fn is_dirty(&self) -> bool {
        self.tail > HEADER
    }

    /// How long the last append's write and fsync took.
    pub(crate) fn last_sync(&self) -> std::time::Duration {
        self.last_sync
    }

    /// How long since the last append (forever if none since the last reset).
    pub(crate) fn idle_for(&self) -> std::time::Duration {
        match (self.is_dirty(), self.newest) {
            (true, Some(t)) => t.elapsed(),
            _ => std::time::Duration::MAX,
        }
    }

    /// Whether the log holds more than `bytes` of records, or one older than `age`.
    pub(crate) fn is_due(&self, bytes: u64, age: std::time::Duration) -> bool {
        self.tail.saturating_sub(HEADER) >= bytes || self.oldest.is_some_and(|t| t.elapsed() >= age)
    }
}

/// `body` framed as one record of `generation`, or None if it is too large.
fn frame(generation: u64, body: &[u8]) -> Option<Vec<u8>> {
    let len = u32::try_from(body.len()).ok().filter(|&n| n <= MAX_RECORD)?;
    let mut out = Vec::with_capacity(body.len().saturating_add(FRAME));
    out.extend_from_slice(&len.to_be_bytes());
    let crc = crc32(crc32(crc32(0, &len.to_be_bytes()), &generation.to_be_bytes()), body);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(&generation.to_be_bytes());
    out.extend_from_slice(body);
    Some(out)
}

/// The header's generation and the bodies of the complete, intact records of
/// that generation at the start of the log (generation 0 and none if the
/// file has no header yet).
pub(crate) fn parse(log: &[u8]) -> (u64, Vec<&[u8]>) {
    let mut out = Vec::new();
    let generation = match (log.get(..8), log.get(8..16)) {
        (Some(magic), Some(g)) if magic == MAGIC => u64::from_be_bytes(g.try_into().unwrap_or_default()),
        _ => return (0, out),
    };
    let mut rest = log.get(16..).unwrap_or_default();
    loop {
        let (Some(len), Some(crc), Some(g)) = (rest.get(..4), rest.get(4..8), rest.get(8..16)) else {
            return (generation, out);
        };
        let len_bytes: [u8; 4] = len.try_into().unwrap_or_default();
        let crc = u32::from_be_bytes(crc.try_into().unwrap_or_default());
        let n = u32::from_be_bytes(len_bytes);
        if n > MAX_RECORD || g != generation.to_be_bytes() {
            return (generation, out);
        }
        let Some(body) = usize::try_from(n).ok().and_then(|n| rest.get(FRAME..n.checked_add(FRAME)?)) else {
            return (generation, out);
        };
        if crc32(crc32(crc32(0, &len_bytes), g), body) != crc {
            return (generation, out);
        }
        out.push(body);
        rest = rest.get(body.len().saturating_add(FRAME)..).unwrap_or_default();
    }
}

/// CRC-32 (IEEE 802.3, the zlib one) of `data`, continuing from `crc`.
pub(crate) fn crc32(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in data {
        let i = usize::from((c as u8) ^ b);
        c = CRC_TABLE.get(i).copied().unwrap_or_default() ^ (c >> 8);
    }
    !c
}

// Evaluated at compile time: an index out of range would fail the build, never a request.
#[allow(clippy::indexing_slicing)]
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// One table write in a record. Borrowed when decoded from a record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Op<'a> {
    ObjectPut { id: &'a str, record: &'a [u8] },
    ObjectRemove { id: &'a str },
    NamePut { keystore: &'a str, name: &'a str, seq: u64, id: &'a str },
    NameRemove { keystore: &'a str, name: &'a str, seq: u64 },
    MemberPut { keystore: &'a str, seq: u64, id: &'a str },
    MemberRemove { keystore: &'a str, seq: u64 },
    UsagePut { id: &'a str, counters: &'a [u8] },
    UsageRemove { id: &'a str },
    NextSeq(u64),
    RecordPut { kind: &'a str, key: &'a str, value: &'a [u8] },
    RecordRemove { kind: &'a str, key: &'a str },
}

/// A field longer than 4 GiB cannot be logged (nor stored: the record format has the same limit).
#[derive(Debug)]
pub(crate) struct TooLarge;

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) -> Result<(), TooLarge> {
    let n = u32::try_from(b.len()).map_err(|_| TooLarge)?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(b);
    Ok(())
}

impl Op<'_> {
    /// Appends this op's encoding to a record body.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), TooLarge> {
        match self {
            Op::ObjectPut { id, record } => {
                out.push(1);
                put_bytes(out, id.as_bytes())?;
                put_bytes(out, record)
            }
            Op::ObjectRemove { id } => {
                out.push(2);
                put_bytes(out, id.as_bytes())
            }
            Op::NamePut { keystore, name, seq, id } => {
                out.push(3);
                put_bytes(out, keystore.as_bytes())?;
                put_bytes(out, name.as_bytes())?;
                out.extend_from_slice(&seq.to_be_bytes());
                put_bytes(out, id.as_bytes())
            }
            Op::NameRemove { keystore, name, seq } => {
                out.push(4);
                put_bytes(out, keystore.as_bytes())?;
                put_bytes(out, name.as_bytes())?;
                out.extend_from_slice(&seq.to_be_bytes());
                Ok(())
            }
            Op::MemberPut { keystore, seq, id } => {
                out.push(5);
                put_bytes(out, keystore.as_bytes())?;
                out.extend_from_slice(&seq.to_be_bytes());
                put_bytes(out, id.as_bytes())
            }
            Op::MemberRemove { keystore, seq } => {
                out.push(6);
                put_bytes(out, keystore.as_bytes())?;
                out.extend_from_slice(&seq.to_be_bytes());
                Ok(())
            }
            Op::UsagePut { id, counters } => {
                out.push(7);
                put_bytes(out, id.as_bytes())?;
                put_bytes(out, counters)
            }
            Op::UsageRemove { id } => {
                out.push(8);
                put_bytes(out, id.as_bytes())
            }
            Op::NextSeq(seq) => {
                out.push(9);
                out.extend_from_slice(&seq.to_be_bytes());
                Ok(())
            }
            Op::RecordPut { kind, key, value } => {
                out.push(10);
                put_bytes(out, kind.as_bytes())?;
                put_bytes(out, key.as_bytes())?;
                put_bytes(out, value)
            }
            Op::RecordRemove { kind, key } => {
                out.push(11);
                put_bytes(out, kind.as_bytes())?;
                put_bytes(out, key.as_bytes())
            }
        }
    }
}

/// Reads the ops of one record body; an op that does not decode is an error
/// (the checksum matched, so it is not a torn write: the log is corrupt).
pub(crate) fn decode_ops(body: &[u8]) -> Result<Vec<Op<'_>>, &'static str> {
    let mut r = Reader(body);
    let mut out = Vec::new();
    while let Some(kind) = r.u8() {
        let op = match kind {
            1 => Op::ObjectPut { id: r.str()?, record: r.bytes()? },
            2 => Op::ObjectRemove { id: r.str()? },
            3 => Op::NamePut { keystore: r.str()?, name: r.str()?, seq: r.u64()?, id: r.str()? },
            4 => Op::NameRemove { keystore: r.str()?, name: r.str()?, seq: r.u64()? },
            5 => Op::MemberPut { keystore: r.str()?, seq: r.u64()?, id: r.str()? },
            6 => Op::MemberRemove { keystore: r.str()?, seq: r.u64()? },
            7 => Op::UsagePut { id: r.str()?, counters: r.bytes()? },
            8 => Op::UsageRemove { id: r.str()? },
            9 => Op::NextSeq(r.u64()?),
            10 => Op::RecordPut { kind: r.str()?, key: r.str()?, value: r.bytes()? },
            11 => Op::RecordRemove { kind: r.str()?, key: r.str()? },
            _ => return Err("an unknown operation in the write-ahead log"),
        };
        out.push(op);
    }
    Ok(out)
}

struct Reader<'a>(&'a [u8]);

const TRUNCATED: &str = "a truncated operation in the write-ahead log";

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        let head = self.0.get(..n).ok_or(TRUNCATED)?;
        self.0 = self.0.get(n..).unwrap_or_default();
        Ok(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).ok().and_then(|b| b.first().copied())
    }
    fn u64(&mut self) -> Result<u64, &'static str> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().map_err(|_| TRUNCATED)?))
    }
    fn bytes(&mut self) -> Result<&'a [u8], &'static str> {
        let n = u32::from_be_bytes(self.take(4)?.try_into().map_err(|_| TRUNCATED)?);
        self.take(usize::try_from(n).map_err(|_| TRUNCATED)?)
    }
    fn str(&mut self) -> Result<&'a str, &'static str> {
        std::str::from_utf8(self.bytes()?).map_err(|_| "a name in the write-ahead log is not UTF-8")
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn sample() -> Vec<Op<'static>> {
        vec![
            Op::ObjectPut { id: "a", record: b"rec" },
            Op::NamePut { keystore: "ks", name: "n", seq: 7, id: "a" },
            Op::MemberPut { keystore: "ks", seq: 7, id: "a" },
            Op::UsagePut { id: "a", counters: b"\x01\x02" },
            Op::NameRemove { keystore: "ks", name: "old", seq: 3 },
            Op::MemberRemove { keystore: "ks", seq: 3 },
            Op::ObjectRemove { id: "b" },
            Op::UsageRemove { id: "b" },
            Op::NextSeq(8),
            Op::RecordPut { kind: "keystore", key: "default", value: b"{}" },
            Op::RecordRemove { kind: "credential", key: "c1" },
        ]
    }

    #[test]
    fn crc32_is_the_zlib_one() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(0, b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn ops_round_trip() {
        let mut body = Vec::new();
        for op in sample() {
            op.encode(&mut body).unwrap();
        }
        assert_eq!(decode_ops(&body).unwrap(), sample());
        assert!(decode_ops(&body[..body.len() - 1]).is_err());
        assert!(decode_ops(&[42]).is_err());
    }

    /// A log cut at any byte yields exactly the records that were complete
    /// before the cut; a flipped bit ends the log at the damaged record; records
    /// of an older generation after the newest ones (a reused file) are not read.
    #[test]
    fn a_torn_damaged_or_stale_tail_is_ignored() {
        let bodies: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i; 10 + usize::from(i) * 7]).collect();
        let mut log = MAGIC.to_vec();
        log.extend_from_slice(&5u64.to_be_bytes());
        let mut ends = Vec::new();
        for b in &bodies {
            log.extend(frame(5, b).unwrap());
            ends.push(log.len());
        }
        assert_eq!(parse(&log), (5, bodies.iter().map(Vec::as_slice).collect::<Vec<_>>()));
        for cut in 0..=log.len() {
            let complete = ends.iter().filter(|&&e| e <= cut).count();
            let (_, got) = parse(&log[..cut]);
            assert_eq!(got, bodies[..complete].iter().map(Vec::as_slice).collect::<Vec<_>>(), "cut at {cut}");
        }
        for byte in 16..log.len() {
            let mut damaged = log.clone();
            damaged[byte] ^= 0x10;
            let intact = ends.iter().filter(|&&e| e <= byte).count();
            assert_eq!(parse(&damaged).1.len(), intact, "bit flipped in byte {byte}");
        }
        let mut stale = log.clone();
        stale.extend(frame(4, b"older").unwrap());
        stale.extend(vec![0u8; 100]);
        assert_eq!(parse(&stale).1.len(), bodies.len());
        assert_eq!(parse(b"not a log at all"), (0, vec![]));
    }

    /// Memory standing in for the file.
    struct Mem(Vec<u8>);

    impl LogFile for Mem {
        fn read_all(&mut self) -> std::io::Result<Vec<u8>> {
            Ok(self.0.clone())
        }
        fn write_at(&mut self, offset: u64, bytes: &[u8]) -> std::io::Result<()> {
            let end = offset as usize + bytes.len();
            if self.0.len() < end {
                self.0.resize(end, 0);
            }
            self.0[offset as usize..end].copy_from_slice(bytes);
            Ok(())
        }
        fn sync(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// After a reset, the old generation's records are not read back though
    /// they are still in the file, and the file does not grow while reused.
    #[test]
    fn a_reset_log_reads_only_what_was_appended_since() {
        let mut wal = Wal::new(Box::new(Mem(Vec::new())));
        assert!(wal.records().unwrap().is_empty());
        wal.reset().unwrap();
        for i in 0..3u8 {
            wal.append(&[i; 40]).unwrap();
        }
        assert!(wal.is_dirty());
        assert_eq!(wal.records().unwrap(), vec![vec![0u8; 40], vec![1; 40], vec![2; 40]]);
        let len = wal.len;
        assert_eq!(len, GROWTH, "preallocated in whole steps");
        wal.reset().unwrap();
        assert!(!wal.is_dirty());
        wal.append(&[9; 10]).unwrap();
        assert_eq!(wal.records().unwrap(), vec![vec![9u8; 10]]);
        assert_eq!(wal.len, len);
    }
}
