//! The TTLV encoder: a streaming [`Writer`] that appends items to a byte
//! buffer, and [`encode`] / [`encode_to_vec`] for a [`Ttlv`] tree, which
//! are thin users of it.

use std::fmt;

use bytes::BytesMut;
use zeroize::Zeroize;

use super::{ItemType, Tag, Ttlv, Value, HEADER_LEN};

/// A tree that cannot be written as TTLV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// A value or structure is longer than a TTLV length field can say.
    TooLong(Tag),
    /// What was written does not read back as TTLV (a bug in a writer).
    Unreadable(Tag),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::TooLong(tag) => write!(f, "{tag} is longer than 4 GiB"),
            EncodeError::Unreadable(tag) => write!(f, "{tag} was written as TTLV that does not read back"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Appends the encoding of `item` to `out`. On error `out` is left as it was.
pub fn encode(item: &Ttlv, out: &mut BytesMut) -> Result<(), EncodeError> {
    let mut w = Writer::new(out);
    w.item(item);
    // The outermost item is the one too long: it holds the one that failed,
    // so its length is at least as large.
    w.finish().map_err(|_| EncodeError::TooLong(item.tag))
}

/// The encoding of `item` as a new vector, allocated once at its exact size.
pub fn encode_to_vec(item: &Ttlv) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(encoded_len(item));
    let mut w = Writer::new(&mut out);
    w.item(item);
    w.finish().map_err(|_| EncodeError::TooLong(item.tag))?;
    Ok(out)
}

/// The number of bytes `item` takes on the wire, padding included.
pub fn encoded_len(item: &Ttlv) -> usize {
    HEADER_LEN.saturating_add(padded(value_len(&item.value)))
}

fn padded(len: usize) -> usize {
    len.div_ceil(8).saturating_mul(8)
}

/// The value length written in the header (before padding).
fn value_len(value: &Value) -> usize {
    match value {
        Value::Structure(children) => children.iter().map(encoded_len).fold(0, usize::saturating_add),
        Value::BigInteger(bytes) => padded(bytes.len()),
        Value::TextString(s) => s.len(),
        Value::ByteString(b) => b.len(),
        other => other.item_type().fixed_len().unwrap_or(0) as usize,
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for Vec<u8> {}
    impl Sealed for bytes::BytesMut {}
}

/// A growable byte buffer a [`Writer`] appends to: `Vec<u8>` or `BytesMut`.
pub trait Sink: sealed::Sealed {
    /// The number of bytes in the buffer.
    fn filled(&self) -> usize;
    /// Makes room for `additional` more bytes.
    fn make_room(&mut self, additional: usize);
    /// Appends `bytes`.
    fn append(&mut self, bytes: &[u8]);
    /// The bytes written so far.
    fn written_mut(&mut self) -> &mut [u8];
    /// Keeps the first `len` bytes.
    fn shorten(&mut self, len: usize);

    /// Overwrites the bytes at `at` (already written).
    fn overwrite(&mut self, at: usize, bytes: &[u8]) {
        if let Some(dst) = self.written_mut().get_mut(at..at.saturating_add(bytes.len())) {
            dst.copy_from_slice(bytes);
        }
    }

    /// Wipes and drops everything after the first `len` bytes.
    fn cut(&mut self, len: usize) {
        if let Some(tail) = self.written_mut().get_mut(len..) {
            tail.zeroize();
        }
        self.shorten(len);
    }
}

/// A vector grows by moving to a new allocation that the writer makes, so
/// that the old one can be wiped: what was written (key material in a Get
/// response) is never left behind in freed memory. The final buffer is the
/// caller's to wipe (the server holds responses in `Zeroizing`).
impl Sink for Vec<u8> {
    #[inline]
    fn filled(&self) -> usize {
        self.len()
    }

    #[inline]
    fn make_room(&mut self, additional: usize) {
        if self.capacity().saturating_sub(self.len()) < additional {
            grow_wiping(self, additional);
        }
    }

    #[inline]
    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn written_mut(&mut self) -> &mut [u8] {
        self
    }

    fn shorten(&mut self, len: usize) {
        self.truncate(len);
    }
}

/// Moves `buf` to an allocation with room for `additional` more bytes (at
/// least twice as large) and wipes the one it leaves.
#[cold]
fn grow_wiping(buf: &mut Vec<u8>, additional: usize) {
    let want = buf.len().saturating_add(additional).max(buf.capacity().saturating_mul(2)).max(256);
    let mut grown = Vec::with_capacity(want);
    grown.extend_from_slice(buf);
    let mut old = std::mem::replace(buf, grown);
    // Wipes the whole allocation, spare capacity included.
    old.zeroize();
}

/// A `BytesMut` grows as it does on its own (callers of [`encode`] pass
/// trees, not key material they need wiped).
impl Sink for BytesMut {
    fn filled(&self) -> usize {
        self.len()
    }

    fn make_room(&mut self, additional: usize) {
        self.reserve(additional);
    }

    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn written_mut(&mut self) -> &mut [u8] {
        self
    }

    fn shorten(&mut self, len: usize) {
        self.truncate(len);
    }
}

/// Tag, type and length as the eight header bytes.
fn header(tag: Tag, item_type: ItemType, len: u32) -> [u8; 8] {
    ((u64::from(tag.value()) << 40) | (u64::from(item_type.code()) << 32) | u64::from(len)).to_be_bytes()
}

/// Where an open structure's header is, to patch its length when it ends.
#[derive(Debug)]
#[must_use = "a structure must be ended with Writer::end"]
pub struct Open {
    header_at: usize,
    tag: Tag,
}

/// Writes TTLV items straight into a byte buffer, no tree in between.
///
/// A structure's header is written with a zero length and patched when
/// its children are written ([`Writer::structure`], or [`Writer::begin`]
/// and [`Writer::end`]). A length that does not fit the four-byte field
/// makes the writer fail: what follows is skipped and [`Writer::finish`]
/// cuts the buffer back to what it held before and says which item.
pub struct Writer<'a, B: Sink = Vec<u8>> {
    out: &'a mut B,
    start: usize,
    limit: usize,
    failed: Option<Tag>,
}

impl<'a, B: Sink> Writer<'a, B> {
    /// A writer appending to `out` (after what it holds).
    pub fn new(out: &'a mut B) -> Writer<'a, B> {
        Writer::with_limit(out, u32::MAX as usize)
    }

    /// A writer whose longest item is `limit` bytes (the wire's is
    /// `u32::MAX`; a test cannot allocate 4 GiB).
    fn with_limit(out: &'a mut B, limit: usize) -> Writer<'a, B> {
        let start = out.filled();
        Writer { out, start, limit, failed: None }
    }

    /// The number of bytes written so far by this writer.
    pub fn written(&self) -> usize {
        self.out.filled().saturating_sub(self.start)
    }

    /// True once an item was too long (everything after is skipped).
    pub fn failed(&self) -> bool {
        self.failed.is_some()
    }

    /// Ends the write: on error the buffer is cut back to what it held
    /// before the writer was made, and the error names the first item
    /// that was too long.
    pub fn finish(self) -> Result<(), EncodeError> {
        match self.failed {
            None => Ok(()),
            Some(tag) => {
                self.out.cut(self.start);
                Err(EncodeError::TooLong(tag))
            }
        }
    }

    fn fail(&mut self, tag: Tag) {
        if self.failed.is_none() {
            self.failed = Some(tag);
        }
    }

    /// A structure `tag` whose children `children` writes.
    pub fn structure(&mut self, tag: Tag, children: impl FnOnce(&mut Self)) {
        let open = self.begin(tag);
        children(self);
        self.end(open);
    }

    /// Opens a structure; its children follow, then [`Writer::end`].
    pub fn begin(&mut self, tag: Tag) -> Open {
        let header_at = self.out.filled();
        if self.failed.is_none() {
            self.out.make_room(HEADER_LEN);
            self.out.append(&header(tag, ItemType::Structure, 0));
        }
        Open { header_at, tag }
    }

    /// Closes a structure: writes its length into its header.
    pub fn end(&mut self, open: Open) {
        if self.failed.is_some() {
            return;
        }
        let len = self.out.filled().saturating_sub(open.header_at).saturating_sub(HEADER_LEN);
        match u32::try_from(len) {
            Ok(len) if len as usize <= self.limit => {
                self.out.overwrite(open.header_at.saturating_add(4), &len.to_be_bytes())
            }
            _ => self.fail(open.tag),
        }
    }

    /// A fixed-size item: two words, header then value (padding included).
    fn fixed(&mut self, tag: Tag, item_type: ItemType, len: u32, word: u64) {
        if self.failed.is_some() {
            return;
        }
        let mut item = [0u8; 16];
        let (head, value) = item.split_at_mut(HEADER_LEN);
        head.copy_from_slice(&header(tag, item_type, len));
        value.copy_from_slice(&word.to_be_bytes());
        self.out.make_room(item.len());
        self.out.append(&item);
    }

    /// An Integer.
    pub fn integer(&mut self, tag: Tag, value: i32) {
        self.fixed(tag, ItemType::Integer, 4, u64::from(u32::from_be_bytes(value.to_be_bytes())) << 32);
    }

    /// A Long Integer.
    pub fn long(&mut self, tag: Tag, value: i64) {
        self.fixed(tag, ItemType::LongInteger, 8, u64::from_be_bytes(value.to_be_bytes()));
    }

    /// An Enumeration.
    pub fn enumeration(&mut self, tag: Tag, value: u32) {
        self.fixed(tag, ItemType::Enumeration, 4, u64::from(value) << 32);
    }

    /// A Boolean.
    pub fn boolean(&mut self, tag: Tag, value: bool) {
        self.fixed(tag, ItemType::Boolean, 8, u64::from(value));
    }

    /// A Date-Time (seconds since the epoch).
    pub fn datetime(&mut self, tag: Tag, value: i64) {
        self.fixed(tag, ItemType::DateTime, 8, u64::from_be_bytes(value.to_be_bytes()));
    }

    /// An Interval (seconds).
    pub fn interval(&mut self, tag: Tag, value: u32) {
        self.fixed(tag, ItemType::Interval, 4, u64::from(value) << 32);
    }

    /// A Date-Time Extended (microseconds since the epoch).
    pub fn datetime_ext(&mut self, tag: Tag, value: i64) {
        self.fixed(tag, ItemType::DateTimeExtended, 8, u64::from_be_bytes(value.to_be_bytes()));
    }

    /// A Text String.
    pub fn text(&mut self, tag: Tag, value: &str) {
        self.variable(tag, ItemType::TextString, value.as_bytes());
    }

    /// A Byte String.
    pub fn bytes(&mut self, tag: Tag, value: &[u8]) {
        self.variable(tag, ItemType::ByteString, value);
    }

    /// Header, value, zeros to the eight-byte boundary.
    fn variable(&mut self, tag: Tag, item_type: ItemType, value: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        let len = match u32::try_from(value.len()) {
            Ok(len) if value.len() <= self.limit => len,
            _ => return self.fail(tag),
        };
        let pad = padded(value.len()).saturating_sub(value.len());
        // Room for eight bytes of padding, of which `pad` are kept: eight
        // zeros are one store, where 0 to 7 would be a call to copy them.
        self.out.make_room(HEADER_LEN.saturating_add(value.len()).saturating_add(8));
        self.out.append(&header(tag, item_type, len));
        self.out.append(value);
        let end = self.out.filled().saturating_add(pad);
        self.out.append(&[0u8; 8]);
        self.out.shorten(end);
    }

    /// A Big Integer from its two's-complement big-endian bytes,
    /// sign-extended on the left to a multiple of eight bytes.
    pub fn big_integer(&mut self, tag: Tag, value: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        let padded_len = padded(value.len());
        let len = match u32::try_from(padded_len) {
            Ok(len) if padded_len <= self.limit => len,
            _ => return self.fail(tag),
        };
        let fill = if value.first().is_some_and(|&first| first & 0x80 != 0) { 0xFF } else { 0x00 };
        self.out.make_room(HEADER_LEN.saturating_add(padded_len));
        self.out.append(&header(tag, ItemType::BigInteger, len));
        self.out.append([fill; 8].get(..padded_len.saturating_sub(value.len())).unwrap_or_default());
        self.out.append(value);
    }

    /// A tree item, as it is.
    pub fn item(&mut self, item: &Ttlv) {
        self.item_as(item.tag, item);
    }

    /// A tree item under another tag (its children keep theirs).
    pub fn item_as(&mut self, tag: Tag, item: &Ttlv) {
        match &item.value {
            Value::Structure(children) => self.structure(tag, |w| children.iter().for_each(|c| w.item(c))),
            Value::Integer(v) => self.integer(tag, *v),
            Value::LongInteger(v) => self.long(tag, *v),
            Value::BigInteger(b) => self.big_integer(tag, b),
            Value::Enumeration(v) => self.enumeration(tag, *v),
            Value::Boolean(v) => self.boolean(tag, *v),
            Value::TextString(s) => self.text(tag, s),
            Value::ByteString(b) => self.bytes(tag, b),
            Value::DateTime(v) => self.datetime(tag, *v),
            Value::Interval(v) => self.interval(tag, *v),
            Value::DateTimeExtended(v) => self.datetime_ext(tag, *v),
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[test]
    fn writes_the_spec_structure_example() {
        // KMIP 1.4 §9.1.2: a Structure holding an Enumeration 254 and an Integer 255.
        let item = Ttlv::structure(
            Tag::new(0x420020),
            vec![
                Ttlv::new(Tag::new(0x420004), Value::Enumeration(254)),
                Ttlv::new(Tag::new(0x420005), Value::Integer(255)),
            ],
        );
        assert_eq!(
            hex::encode(encode_to_vec(&item).unwrap()),
            "42002001000000204200040500000004000000fe000000004200050200000004000000ff00000000"
        );
    }

    #[test]
    fn nested_lengths_are_patched_in_place_after_what_the_buffer_held() {
        // Structure(Structure(Text "abc")), appended after three bytes already there.
        let item = Ttlv::structure(
            Tag::new(0x420078),
            vec![Ttlv::structure(
                Tag::new(0x420077),
                vec![Ttlv::new(Tag::new(0x420094), Value::TextString("abc".into()))],
            )],
        );
        let mut out = BytesMut::from(&b"xyz"[..]);
        encode(&item, &mut out).unwrap();
        assert_eq!(
            hex::encode(&out),
            concat!("78797a", "4200780100000018", "4200770100000010", "4200940700000003", "6162630000000000")
        );
        assert_eq!(out.len() - 3, encoded_len(&item));
        assert_eq!(out.get(3..).unwrap(), encode_to_vec(&item).unwrap());
    }

    #[test]
    fn big_integers_are_sign_extended() {
        let item = Ttlv::new(Tag::new(0x420020), Value::BigInteger(Bytes::from_static(&[0x80, 0x01])));
        assert_eq!(hex::encode(encode_to_vec(&item).unwrap()), "4200200400000008ffffffffffff8001");
    }

    #[test]
    fn the_writer_nests_pads_and_patches_every_structure_length() {
        // Structure(Integer, Structure(Text "abc", Bytes 8), Big Integer 0x80 01, Boolean),
        // appended after bytes already in the buffer, into a vector with no room.
        let mut out = b"xyz".to_vec();
        out.shrink_to_fit();
        let mut w = Writer::new(&mut out);
        w.structure(Tag::new(0x420078), |w| {
            w.integer(Tag::new(0x42000D), -2);
            w.structure(Tag::new(0x420077), |w| {
                w.text(Tag::new(0x420094), "abc");
                w.bytes(Tag::new(0x420093), &[9; 8]);
            });
            w.big_integer(Tag::new(0x420020), &[0x80, 0x01]);
            w.boolean(Tag::new(0x420008), true);
        });
        assert_eq!(w.written(), 8 + 16 + (8 + 16 + 16) + 16 + 16);
        w.finish().unwrap();
        assert_eq!(
            hex::encode(&out),
            concat!(
                "78797a",
                "4200780100000058",
                "42000d0200000004fffffffe00000000",
                "4200770100000020",
                "4200940700000003616263000000000042009308000000080909090909090909",
                "4200200400000008ffffffffffff8001",
                "42000806000000080000000000000001",
            )
        );
        // The same tree written through `item` gives the same bytes.
        let tree = Ttlv::structure(
            Tag::new(0x420078),
            vec![
                Ttlv::new(Tag::new(0x42000D), Value::Integer(-2)),
                Ttlv::structure(
                    Tag::new(0x420077),
                    vec![
                        Ttlv::new(Tag::new(0x420094), Value::TextString("abc".into())),
                        Ttlv::new(Tag::new(0x420093), Value::ByteString(Bytes::from_static(&[9; 8]))),
                    ],
                ),
                Ttlv::new(Tag::new(0x420020), Value::BigInteger(Bytes::from_static(&[0x80, 0x01]))),
                Ttlv::new(Tag::new(0x420008), Value::Boolean(true)),
            ],
        );
        assert_eq!(out.get(3..).unwrap(), encode_to_vec(&tree).unwrap());
    }

    #[test]
    fn a_byte_string_of_each_length_is_padded_with_zeros_to_eight_and_no_further() {
        for n in 0..=17 {
            let value = vec![0xAB; n];
            let mut out = b"x".to_vec();
            let mut w = Writer::new(&mut out);
            w.bytes(Tag::new(0x420093), &value);
            w.integer(Tag::new(0x42000D), 1);
            w.finish().unwrap();
            let item = out.get(1..).unwrap();
            assert_eq!(item.len(), 8 + n.div_ceil(8) * 8 + 16, "{n}");
            assert_eq!(item.get(..8).unwrap(), &header(Tag::new(0x420093), ItemType::ByteString, n as u32), "{n}");
            assert_eq!(item.get(8..8 + n).unwrap(), &value[..], "{n}");
            let (padding, next) = item.get(8 + n..).unwrap().split_at(n.div_ceil(8) * 8 - n);
            assert!(padding.iter().all(|b| *b == 0), "{n}");
            assert_eq!(hex::encode(next), "42000d02000000040000000100000000", "{n}");
        }
    }

    #[test]
    fn an_item_too_long_fails_the_write_and_leaves_the_buffer_as_it_was() {
        // The wire limit is 4 GiB; the same check with a 16-byte limit.
        let text = Tag::new(0x420094);
        let mut out = b"xyz".to_vec();
        let mut w = Writer::with_limit(&mut out, 16);
        w.structure(Tag::new(0x420078), |w| {
            w.integer(Tag::new(0x42000D), 1);
            w.text(text, "seventeen bytes!!");
            // Skipped once the writer has failed.
            w.integer(Tag::new(0x42000D), 2);
            assert!(w.failed());
        });
        assert_eq!(w.finish(), Err(EncodeError::TooLong(text)));
        assert_eq!(out, b"xyz");

        // A structure whose children each fit but whose length does not.
        let outer = Tag::new(0x420078);
        let mut out = BytesMut::from(&b"xyz"[..]);
        let mut w = Writer::with_limit(&mut out, 24);
        w.structure(outer, |w| {
            w.long(Tag::new(0x42000D), 1);
            w.long(Tag::new(0x42000D), 2);
        });
        assert_eq!(w.finish(), Err(EncodeError::TooLong(outer)));
        assert_eq!(&out[..], b"xyz");

        // At the limit exactly, it is written (the structure's value is 24 bytes).
        let mut out = Vec::new();
        let mut w = Writer::with_limit(&mut out, 24);
        w.structure(outer, |w| w.text(text, "sixteen bytes!!!"));
        w.finish().unwrap();
        assert_eq!(out.len(), 8 + 8 + 16);
    }
}
