//! The strict, bounded TTLV decoder.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use bytes::Bytes;

use super::{ItemType, Tag, Ttlv, Value, HEADER_LEN};

/// What the decoder accepts. Every decode takes one, so no caller can forget
/// to bound what a peer may make it do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest whole message, header included, in bytes.
    pub max_message_size: usize,
    /// The deepest nesting of structures (the outermost item is depth 1).
    pub max_depth: usize,
    /// The most items one structure may hold.
    pub max_items_per_structure: usize,
    /// The longest Text String, Byte String or Big Integer value, in bytes.
    pub max_field_length: usize,
}

impl Limits {
    /// Limits that fit every KMIP message seen from real clients, with room.
    pub const DEFAULT: Limits = Limits {
        max_message_size: 1024 * 1024,
        max_depth: 16,
        max_items_per_structure: 4096,
        max_field_length: 1024 * 1024,
    };

    /// No practical limit; for trusted input such as our own fixtures.
    pub const UNBOUNDED: Limits = Limits {
        max_message_size: usize::MAX,
        max_depth: 1024,
        max_items_per_structure: usize::MAX,
        max_field_length: usize::MAX,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// Why a decode failed, where, and inside which structures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset in the input of the item (or field) at fault.
    pub offset: usize,
    /// Tags of the enclosing structures, outermost first, then the item's own
    /// tag where it was read.
    pub path: Vec<Tag>,
    /// What was wrong.
    pub kind: DecodeErrorKind,
}

/// The kinds of malformed input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The input ended inside an item.
    Truncated {
        /// Bytes the item needs from the offset.
        needed: usize,
        /// Bytes left from the offset.
        available: usize,
    },
    /// The type byte is not a TTLV item type.
    UnknownItemType(u8),
    /// A fixed-size type announced another length, or a Big Integer's length
    /// is not a multiple of eight.
    BadLength {
        /// The item's type.
        item_type: ItemType,
        /// The announced length.
        length: u32,
    },
    /// Padding bytes are not zero.
    NonZeroPadding,
    /// A Boolean's value is neither 0 nor 1.
    InvalidBoolean(u64),
    /// A Text String is not UTF-8.
    InvalidUtf8,
    /// Bytes are left after the outermost item.
    TrailingBytes(usize),
    /// Structures nest deeper than the limit.
    TooDeep(usize),
    /// A structure holds more items than the limit.
    TooManyItems(usize),
    /// A string or big integer is longer than the limit.
    FieldTooLong {
        /// The announced length.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// The message is larger than the limit.
    MessageTooLarge {
        /// The whole message length announced by the header.
        length: usize,
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::Truncated { needed, available } => {
                write!(f, "input ends early: {needed} bytes needed, {available} left")
            }
            DecodeErrorKind::UnknownItemType(t) => write!(f, "unknown item type 0x{t:02X}"),
            DecodeErrorKind::BadLength { item_type, length } => {
                write!(f, "length {length} is not valid for a {item_type}")
            }
            DecodeErrorKind::NonZeroPadding => f.write_str("padding bytes are not zero"),
            DecodeErrorKind::InvalidBoolean(v) => write!(f, "boolean value {v} is not 0 or 1"),
            DecodeErrorKind::InvalidUtf8 => f.write_str("text string is not valid UTF-8"),
            DecodeErrorKind::TrailingBytes(n) => {
                write!(f, "{n} bytes follow the end of the message")
            }
            DecodeErrorKind::TooDeep(max) => write!(f, "structures nest deeper than {max}"),
            DecodeErrorKind::TooManyItems(max) => {
                write!(f, "a structure holds more than {max} items")
            }
            DecodeErrorKind::FieldTooLong { length, max } => {
                write!(f, "field of {length} bytes exceeds the limit of {max}")
            }
            DecodeErrorKind::MessageTooLarge { length, max } => {
                write!(f, "message of {length} bytes exceeds the limit of {max}")
            }
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)?;
        if !self.path.is_empty() {
            f.write_str(" in ")?;
            for (i, tag) in self.path.iter().enumerate() {
                if i > 0 {
                    f.write_str("/")?;
                }
                write!(f, "{tag}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// The first eight bytes of an item, read before its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// The item's tag.
    pub tag: Tag,
    /// The item's type.
    pub item_type: ItemType,
    /// The announced value length (without the eight header bytes).
    pub length: u32,
}

impl FrameHeader {
    /// The length of the whole item on the wire: header, value, padding.
    pub fn total_len(&self) -> usize {
        HEADER_LEN.saturating_add(padded(self.length as usize))
    }
}

/// Reads the header of a message from its first eight bytes and checks the
/// announced size against the limit, so that a network reader knows how much
/// to read, and refuses an oversized message, before it allocates anything.
pub fn decode_header(head: &[u8; HEADER_LEN], limits: &Limits) -> Result<FrameHeader, DecodeError> {
    let [t0, t1, t2, type_byte, l0, l1, l2, l3] = *head;
    let tag = Tag::from_bytes([t0, t1, t2]);
    let err = |kind| DecodeError { offset: 0, path: vec![tag], kind };
    let item_type = ItemType::from_code(type_byte).ok_or(err(DecodeErrorKind::UnknownItemType(type_byte)))?;
    let length = u32::from_be_bytes([l0, l1, l2, l3]);
    let header = FrameHeader { tag, item_type, length };
    check_length(item_type, length).map_err(err)?;
    if header.total_len() > limits.max_message_size {
        return Err(err(DecodeErrorKind::MessageTooLarge { length: header.total_len(), max: limits.max_message_size }));
    }
    Ok(header)
}

/// Decodes exactly one item from `input`; any byte left over is an error.
///
/// The tree is built from the [`View`] [`decode_view`] makes: one decoder,
/// one set of checks, whichever form the caller wants.
pub fn decode(input: &Bytes, limits: &Limits) -> Result<Ttlv, DecodeError> {
    Ok(decode_view(input, limits)?.root().to_tree())
}

/// Decodes and checks exactly one item from `input`, as a [`View`]: the
/// items' tags, types and values located in `input`, with no tree built.
/// Accepts and refuses exactly what [`decode`] does, with the same errors.
pub fn decode_view(input: &Bytes, limits: &Limits) -> Result<View, DecodeError> {
    if input.len() > limits.max_message_size {
        return Err(DecodeError {
            offset: 0,
            path: Vec::new(),
            kind: DecodeErrorKind::MessageTooLarge { length: input.len(), max: limits.max_message_size },
        });
    }
    // A typical item takes 16 bytes; capped so a large byte string does
    // not reserve slots it will never use.
    let guess = (input.len() / 16).min(64);
    let mut nodes = SPARE_NODES.try_with(Cell::take).unwrap_or_default();
    nodes.reserve(guess);
    let mut reader = Reader {
        depth: 0,
        max_depth: limits.max_depth,
        max_items: limits.max_items_per_structure,
        max_field: limits.max_field_length,
        nodes,
    };
    let end = reader.item(input, 0).map_err(|e| *e)?;
    if end != input.len() {
        return Err(DecodeError {
            offset: end,
            path: Vec::new(),
            kind: DecodeErrorKind::TrailingBytes(input.len().saturating_sub(end)),
        });
    }
    Ok(View { input: input.clone(), nodes: reader.nodes })
}

/// A decoded, checked message: its items in document order, each located
/// in the message's bytes. Reading a value from it copies nothing but
/// integers (a byte string is a [`Bytes::slice`] of the message).
#[derive(Clone, Debug)]
pub struct View {
    input: Bytes,
    nodes: Vec<Node>,
}

thread_local! {
    /// The node vector of the last [`View`] dropped on this thread, empty,
    /// for the next decode: a connection decodes message after message,
    /// and this saves an allocation and a free per message.
    static SPARE_NODES: Cell<Vec<Node>> = const { Cell::new(Vec::new()) };
}

/// The largest node vector kept for reuse (6 KiB): enough for any common
/// message; a larger one is freed.
const MAX_SPARE_NODES: usize = 256;

/// Gives the nodes back for the next decode on this thread.
impl Drop for View {
    fn drop(&mut self) {
        let mut nodes = std::mem::take(&mut self.nodes);
        if nodes.capacity() <= MAX_SPARE_NODES {
            nodes.clear();
            // Fails only while the thread exits: the nodes are freed then.
            let _ = SPARE_NODES.try_with(|spare| spare.set(nodes));
        }
    }
}

/// One item of a [`View`].
#[derive(Clone, Copy, Debug)]
struct Node {
    tag: Tag,
    item_type: ItemType,
    /// A fixed-size value (four-byte ones in the low half); for the others
    /// the value's offset in the input.
    word: u64,
    /// The value's length in bytes (strings and big integers).
    len: u32,
    /// How many items follow this one inside it (its descendants).
    span: u32,
}

impl View {
    /// The outermost item.
    pub fn root(&self) -> ItemRef<'_> {
        // A view always holds its outermost item; the empty fallback is
        // never seen.
        match self.nodes.split_first() {
            Some((node, sub)) => ItemRef { input: &self.input, node, sub },
            None => ItemRef { input: &self.input, node: &EMPTY, sub: &[] },
        }
    }
}

const EMPTY: Node = Node { tag: Tag::from_bytes([0, 0, 0]), item_type: ItemType::Structure, word: 0, len: 0, span: 0 };

/// One item of a [`View`]: a cheap, copyable reference to its node and
/// its descendants'.
#[derive(Clone, Copy)]
pub struct ItemRef<'a> {
    input: &'a Bytes,
    node: &'a Node,
    /// The item's descendants, in document order.
    sub: &'a [Node],
}

impl fmt::Debug for ItemRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_tree().fmt(f)
    }
}

impl PartialEq for ItemRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.to_tree() == other.to_tree()
    }
}

/// The value of an item, borrowed where it can be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// A structure (read its children instead).
    Structure,
    /// Integer.
    Integer(i32),
    /// Long Integer.
    LongInteger(i64),
    /// Big Integer, its bytes as on the wire.
    BigInteger(Bytes),
    /// Enumeration.
    Enumeration(u32),
    /// Boolean.
    Boolean(bool),
    /// Text String.
    TextString(&'a str),
    /// Byte String.
    ByteString(Bytes),
    /// Date-Time.
    DateTime(i64),
    /// Interval.
    Interval(u32),
    /// Date-Time Extended.
    DateTimeExtended(i64),
}

/// What the typed model reads: an item of a tree ([`Ttlv`]) or of a
/// [`View`], through the same calls.
pub trait Item<'a>: Copy {
    /// The item's children, in order.
    type Children: Iterator<Item = Self> + Clone;
    /// The item's tag.
    fn tag(self) -> Tag;
    /// The item's type.
    fn item_type(self) -> ItemType;
    /// The children, if the item is a structure.
    fn children(self) -> Option<Self::Children>;
    /// The item's value.
    fn value(self) -> ValueRef<'a>;
    /// The item as a tree: borrowed if it is one, else built.
    fn tree(self) -> Cow<'a, Ttlv>;
    /// The items `children` yields, as a slice of trees.
    fn trees(children: Self::Children) -> Cow<'a, [Ttlv]>;
    /// A Byte String's bytes, borrowed (no [`Bytes`] made): for values
    /// that are copied at once, such as secrets.
    fn byte_string(self) -> Option<&'a [u8]>;
    /// The first child with this tag, if the item is a structure.
    fn find_child(self, tag: Tag) -> Option<Self> {
        self.children().and_then(|mut c| c.find(|i| i.tag() == tag))
    }
    /// The tag of the item `children` yields next, without taking it: a
    /// cursor looking for an optional field reads only this.
    #[inline]
    fn peek_tag(children: &Self::Children) -> Option<Tag> {
        children.clone().next().map(Item::tag)
    }

    // Typed accessors: one value of one type, without building a
    // [`ValueRef`] (whose byte strings are reference-counted [`Bytes`]).

    /// An Integer's value; None for any other item type.
    #[inline]
    fn integer(self) -> Option<i32> {
        match self.value() {
            ValueRef::Integer(x) => Some(x),
            _ => None,
        }
    }
    /// A Long Integer's value; None for any other item type.
    #[inline]
    fn long_integer(self) -> Option<i64> {
        match self.value() {
            ValueRef::LongInteger(x) => Some(x),
            _ => None,
        }
    }
    /// An Enumeration's value; None for any other item type.
    #[inline]
    fn enumeration(self) -> Option<u32> {
        match self.value() {
            ValueRef::Enumeration(x) => Some(x),
            _ => None,
        }
    }
    /// A Boolean's value; None for any other item type.
    #[inline]
    fn boolean(self) -> Option<bool> {
        match self.value() {
            ValueRef::Boolean(x) => Some(x),
            _ => None,
        }
    }
    /// A Text String's value; None for any other item type.
    #[inline]
    fn text(self) -> Option<&'a str> {
        match self.value() {
            ValueRef::TextString(x) => Some(x),
            _ => None,
        }
    }
    /// A Date-Time's value; None for any other item type.
    #[inline]
    fn date_time(self) -> Option<i64> {
        match self.value() {
            ValueRef::DateTime(x) => Some(x),
            _ => None,
        }
    }
    /// An Interval's value; None for any other item type.
    #[inline]
    fn interval(self) -> Option<u32> {
        match self.value() {
            ValueRef::Interval(x) => Some(x),
            _ => None,
        }
    }
    /// A Date-Time Extended's value; None for any other item type.
    #[inline]
    fn date_time_extended(self) -> Option<i64> {
        match self.value() {
            ValueRef::DateTimeExtended(x) => Some(x),
            _ => None,
        }
    }
    /// A Byte String's value as [`Bytes`] (sharing the message's memory
    /// where it can); None for any other item type.
    #[inline]
    fn shared_bytes(self) -> Option<Bytes> {
        match self.value() {
            ValueRef::ByteString(x) => Some(x),
            _ => None,
        }
    }
}

impl<'a> Item<'a> for &'a Ttlv {
    type Children = std::slice::Iter<'a, Ttlv>;
    fn tag(self) -> Tag {
        self.tag
    }
    fn item_type(self) -> ItemType {
        self.value.item_type()
    }
    fn children(self) -> Option<Self::Children> {
        match &self.value {
            Value::Structure(items) => Some(items.iter()),
            _ => None,
        }
    }
    fn value(self) -> ValueRef<'a> {
        match &self.value {
            Value::Structure(_) => ValueRef::Structure,
            Value::Integer(x) => ValueRef::Integer(*x),
            Value::LongInteger(x) => ValueRef::LongInteger(*x),
            Value::BigInteger(x) => ValueRef::BigInteger(x.clone()),
            Value::Enumeration(x) => ValueRef::Enumeration(*x),
            Value::Boolean(x) => ValueRef::Boolean(*x),
            Value::TextString(x) => ValueRef::TextString(x),
            Value::ByteString(x) => ValueRef::ByteString(x.clone()),
            Value::DateTime(x) => ValueRef::DateTime(*x),
            Value::Interval(x) => ValueRef::Interval(*x),
            Value::DateTimeExtended(x) => ValueRef::DateTimeExtended(*x),
        }
    }
    fn tree(self) -> Cow<'a, Ttlv> {
        Cow::Borrowed(self)
    }
    fn byte_string(self) -> Option<&'a [u8]> {
        match &self.value {
            Value::ByteString(b) => Some(b),
            _ => None,
        }
    }
    fn trees(children: Self::Children) -> Cow<'a, [Ttlv]> {
        Cow::Borrowed(children.as_slice())
    }
    #[inline]
    fn peek_tag(children: &Self::Children) -> Option<Tag> {
        children.as_slice().first().map(|t| t.tag)
    }
    #[inline]
    fn text(self) -> Option<&'a str> {
        match &self.value {
            Value::TextString(x) => Some(x),
            _ => None,
        }
    }
}

/// The children of a structure in a [`View`].
#[derive(Clone, Debug)]
pub struct Children<'a> {
    input: &'a Bytes,
    /// The children and their descendants, in document order.
    nodes: &'a [Node],
}

impl<'a> Iterator for Children<'a> {
    type Item = ItemRef<'a>;
    #[inline]
    fn next(&mut self) -> Option<ItemRef<'a>> {
        let (node, rest) = self.nodes.split_first()?;
        let (sub, after) = rest.split_at_checked(node.span as usize).unwrap_or((rest, &[]));
        self.nodes = after;
        Some(ItemRef { input: self.input, node, sub })
    }
}

impl<'a> ItemRef<'a> {
    /// The value bytes of a string or big integer: in range, the decoder
    /// checked it.
    fn raw(self) -> &'a [u8] {
        let start = usize::try_from(self.node.word).unwrap_or(usize::MAX);
        self.input.get(start..start.saturating_add(self.node.len as usize)).unwrap_or_default()
    }

    fn bytes(self) -> Bytes {
        self.input.slice_ref(self.raw())
    }

    /// The fixed-size value's word, if the item has this type.
    #[inline]
    fn word(self, item_type: ItemType) -> Option<u64> {
        (self.node.item_type == item_type).then_some(self.node.word)
    }

    /// The item and its descendants as a tree.
    pub fn to_tree(self) -> Ttlv {
        let value = match self.value() {
            ValueRef::Structure => Value::Structure(match Item::children(self) {
                Some(children) => children.map(ItemRef::to_tree).collect(),
                None => Vec::new(),
            }),
            ValueRef::Integer(x) => Value::Integer(x),
            ValueRef::LongInteger(x) => Value::LongInteger(x),
            ValueRef::BigInteger(x) => Value::BigInteger(x),
            ValueRef::Enumeration(x) => Value::Enumeration(x),
            ValueRef::Boolean(x) => Value::Boolean(x),
            ValueRef::TextString(x) => Value::TextString(x.to_owned()),
            ValueRef::ByteString(x) => Value::ByteString(x),
            ValueRef::DateTime(x) => Value::DateTime(x),
            ValueRef::Interval(x) => Value::Interval(x),
            ValueRef::DateTimeExtended(x) => Value::DateTimeExtended(x),
        };
        Ttlv { tag: self.node.tag, value }
    }
}

impl<'a> Item<'a> for ItemRef<'a> {
    type Children = Children<'a>;
    #[inline]
    fn tag(self) -> Tag {
        self.node.tag
    }
    #[inline]
    fn item_type(self) -> ItemType {
        self.node.item_type
    }
    #[inline]
    fn children(self) -> Option<Children<'a>> {
        (self.node.item_type == ItemType::Structure).then_some(Children { input: self.input, nodes: self.sub })
    }
    #[inline]
    fn value(self) -> ValueRef<'a> {
        let w = self.node.word;
        match self.node.item_type {
            ItemType::Structure => ValueRef::Structure,
            ItemType::Integer => ValueRef::Integer(i32::from_be_bytes((w as u32).to_be_bytes())),
            ItemType::Enumeration => ValueRef::Enumeration(w as u32),
            ItemType::Interval => ValueRef::Interval(w as u32),
            ItemType::LongInteger => ValueRef::LongInteger(i64::from_be_bytes(w.to_be_bytes())),
            ItemType::DateTime => ValueRef::DateTime(i64::from_be_bytes(w.to_be_bytes())),
            ItemType::DateTimeExtended => ValueRef::DateTimeExtended(i64::from_be_bytes(w.to_be_bytes())),
            ItemType::Boolean => ValueRef::Boolean(w != 0),
            ItemType::ByteString => ValueRef::ByteString(self.bytes()),
            ItemType::BigInteger => ValueRef::BigInteger(self.bytes()),
            // Checked by the decoder: never the empty fallback.
            ItemType::TextString => ValueRef::TextString(std::str::from_utf8(self.raw()).unwrap_or_default()),
        }
    }
    fn tree(self) -> Cow<'a, Ttlv> {
        Cow::Owned(self.to_tree())
    }
    fn byte_string(self) -> Option<&'a [u8]> {
        (self.node.item_type == ItemType::ByteString).then(|| self.raw())
    }
    #[inline]
    fn shared_bytes(self) -> Option<Bytes> {
        (self.node.item_type == ItemType::ByteString).then(|| self.bytes())
    }
    fn trees(children: Children<'a>) -> Cow<'a, [Ttlv]> {
        Cow::Owned(children.map(ItemRef::to_tree).collect())
    }
    #[inline]
    fn peek_tag(children: &Children<'a>) -> Option<Tag> {
        children.nodes.first().map(|n| n.tag)
    }
    #[inline]
    fn integer(self) -> Option<i32> {
        self.word(ItemType::Integer).map(|w| i32::from_be_bytes((w as u32).to_be_bytes()))
    }
    #[inline]
    fn long_integer(self) -> Option<i64> {
        self.word(ItemType::LongInteger).map(|w| i64::from_be_bytes(w.to_be_bytes()))
    }
    #[inline]
    fn enumeration(self) -> Option<u32> {
        self.word(ItemType::Enumeration).map(|w| w as u32)
    }
    #[inline]
    fn boolean(self) -> Option<bool> {
        self.word(ItemType::Boolean).map(|w| w != 0)
    }
    #[inline]
    fn text(self) -> Option<&'a str> {
        // Checked by the decoder: never the empty fallback.
        (self.node.item_type == ItemType::TextString).then(|| std::str::from_utf8(self.raw()).unwrap_or_default())
    }
    #[inline]
    fn date_time(self) -> Option<i64> {
        self.word(ItemType::DateTime).map(|w| i64::from_be_bytes(w.to_be_bytes()))
    }
    #[inline]
    fn interval(self) -> Option<u32> {
        self.word(ItemType::Interval).map(|w| w as u32)
    }
    #[inline]
    fn date_time_extended(self) -> Option<i64> {
        self.word(ItemType::DateTimeExtended).map(|w| i64::from_be_bytes(w.to_be_bytes()))
    }
}

/// Rounds a value length up to the eight-byte boundary.
fn padded(len: usize) -> usize {
    len.saturating_add(7) & !7
}

fn check_length(item_type: ItemType, length: u32) -> Result<(), DecodeErrorKind> {
    let ok = match item_type.fixed_len() {
        Some(fixed) => length == fixed,
        None => item_type != ItemType::BigInteger || length.is_multiple_of(8),
    } && (item_type != ItemType::Structure || length.is_multiple_of(8));
    if ok {
        Ok(())
    } else {
        Err(DecodeErrorKind::BadLength { item_type, length })
    }
}

/// A decode error on its way out of the reader: boxed, so that every
/// `Result` the hot path returns is one word larger than its value, and
/// built only in the cold functions below.
type Fail = Box<DecodeError>;

/// An error at `offset` inside the current structure, before any item's tag
/// is known (the enclosing structures add theirs on the way out).
#[cold]
#[inline(never)]
fn fail(offset: usize, kind: DecodeErrorKind) -> Fail {
    Box::new(DecodeError { offset, path: Vec::new(), kind })
}

/// An error about the item with this tag, at `offset`.
#[cold]
#[inline(never)]
fn fail_at(offset: usize, tag: Tag, kind: DecodeErrorKind) -> Fail {
    Box::new(DecodeError { offset, path: vec![tag], kind })
}

/// Puts an enclosing structure's tag in front of an error's path.
#[cold]
#[inline(never)]
fn inside(mut error: Fail, tag: Tag) -> Fail {
    error.path.insert(0, tag);
    error
}

/// The eight value bytes (value and padding, as one big-endian word) of a
/// fixed-size item whose header starts `window`, once its announced length
/// is checked against the type's.
#[inline(always)]
fn fixed_word(
    window: &[u8],
    start: usize,
    tag: Tag,
    item_type: ItemType,
    length: u32,
    expected: u32,
) -> Result<u64, Fail> {
    if length != expected {
        return Err(fail_at(start, tag, DecodeErrorKind::BadLength { item_type, length }));
    }
    match window.first_chunk::<{ 2 * HEADER_LEN }>() {
        Some(&[_, _, _, _, _, _, _, _, ref value @ ..]) => Ok(u64::from_be_bytes(*value)),
        None => {
            let available = window.len().saturating_sub(HEADER_LEN);
            Err(fail_at(start, tag, DecodeErrorKind::Truncated { needed: 8, available }))
        }
    }
}

struct Reader {
    /// How many structures enclose the item being read.
    ///
    /// The tags of those structures are not kept while decoding (that would
    /// cost an allocation per message); an error collects them on its way
    /// out instead, each structure putting its tag in front of the path.
    depth: usize,
    /// The limits, copied: the item loop reads them from its own frame.
    max_depth: usize,
    max_items: usize,
    max_field: usize,
    /// The items read so far, in document order.
    nodes: Vec<Node>,
}

impl Reader {
    /// Reads the items of a structure: `rest`, its value, which starts at
    /// `pos` in the input; errors come back without this structure's tag,
    /// which the caller adds.
    ///
    /// The loop walks a slice of what is left (its own end bound) and keeps
    /// the position beside it for the nodes and the errors; both are locals,
    /// kept in registers. Positions never pass the input's length, so they
    /// add without overflow.
    #[inline(never)]
    fn children(&mut self, mut pos: usize, mut rest: &[u8]) -> Result<(), Fail> {
        let mut count = 0usize;
        while !rest.is_empty() {
            if count >= self.max_items {
                return Err(fail(pos, DecodeErrorKind::TooManyItems(self.max_items)));
            }
            let taken = self.item(rest, pos)?;
            rest = rest.get(taken..).unwrap_or_default();
            pos += taken;
            count += 1;
        }
        Ok(())
    }

    /// Reads one item from the start of `window` (what is left of the
    /// enclosing structure), which is at `start` in the input; returns the
    /// item's length in bytes.
    ///
    /// One header read, then one branch per item type, each with its own
    /// checks, in the order the reference reader makes them (so a damaged
    /// item gets the same error); the error values are built out of line.
    /// Inlined into `children` (and `decode_view`), so that only a
    /// structure costs a call.
    #[inline(always)]
    fn item(&mut self, window: &[u8], start: usize) -> Result<usize, Fail> {
        let Some(head) = window.first_chunk::<HEADER_LEN>() else {
            return Err(fail(start, DecodeErrorKind::Truncated { needed: HEADER_LEN, available: window.len() }));
        };
        // Tag (3 bytes), type (1), length (4), big-endian: one load.
        let head = u64::from_be_bytes(*head);
        let tag = Tag::new((head >> 40) as u32);
        let type_byte = (head >> 32) as u8;
        let length = head as u32;
        // What follows the header, up to `end`.
        let available = window.len() - HEADER_LEN;
        let Some(item_type) = ItemType::from_code(type_byte) else {
            return Err(fail_at(start, tag, DecodeErrorKind::UnknownItemType(type_byte)));
        };
        let word = match item_type {
            // Four-byte values: value and padding are read as one word.
            ItemType::Integer | ItemType::Enumeration | ItemType::Interval => {
                let value = fixed_word(window, start, tag, item_type, length, 4)?;
                if value & 0xFFFF_FFFF != 0 {
                    return Err(fail_at(start + HEADER_LEN + 4, tag, DecodeErrorKind::NonZeroPadding));
                }
                value >> 32
            }
            // Eight-byte values have no padding.
            ItemType::LongInteger | ItemType::DateTime | ItemType::DateTimeExtended | ItemType::Boolean => {
                let value = fixed_word(window, start, tag, item_type, length, 8)?;
                if item_type == ItemType::Boolean && value > 1 {
                    return Err(fail_at(start, tag, DecodeErrorKind::InvalidBoolean(value)));
                }
                value
            }
            ItemType::Structure => {
                let len = length as usize;
                if !length.is_multiple_of(8) {
                    return Err(fail_at(start, tag, DecodeErrorKind::BadLength { item_type, length }));
                }
                if len > available {
                    return Err(fail_at(start, tag, DecodeErrorKind::Truncated { needed: len, available }));
                }
                if self.depth >= self.max_depth {
                    return Err(fail_at(start, tag, DecodeErrorKind::TooDeep(self.max_depth)));
                }
                let value_start = start + HEADER_LEN;
                let index = self.nodes.len();
                self.nodes.push(Node { tag, item_type, word: 0, len: 0, span: 0 });
                self.depth += 1;
                let value = window.get(HEADER_LEN..HEADER_LEN + len).unwrap_or_default();
                self.children(value_start, value).map_err(|e| inside(e, tag))?;
                self.depth -= 1;
                // An item takes at least eight bytes: a span fits in u32
                // for any message under 32 GiB (far above any limit we set).
                let span = u32::try_from(self.nodes.len() - index - 1).unwrap_or(u32::MAX);
                if let Some(node) = self.nodes.get_mut(index) {
                    node.span = span;
                }
                // A structure's length is a multiple of eight: no padding.
                return Ok(HEADER_LEN + len);
            }
            ItemType::TextString | ItemType::ByteString | ItemType::BigInteger => {
                if item_type == ItemType::BigInteger && !length.is_multiple_of(8) {
                    return Err(fail_at(start, tag, DecodeErrorKind::BadLength { item_type, length }));
                }
                let len = length as usize;
                let padded_len = padded(len);
                if padded_len > available {
                    return Err(fail_at(start, tag, DecodeErrorKind::Truncated { needed: padded_len, available }));
                }
                if len > self.max_field {
                    return Err(fail_at(
                        start,
                        tag,
                        DecodeErrorKind::FieldTooLong { length: len, max: self.max_field },
                    ));
                }
                let value_start = start + HEADER_LEN;
                let value_end = value_start + len;
                // Validated here, once; read later in place.
                if item_type == ItemType::TextString
                    && window.get(HEADER_LEN..HEADER_LEN + len).is_none_or(|text| std::str::from_utf8(text).is_err())
                {
                    return Err(fail_at(value_start, tag, DecodeErrorKind::InvalidUtf8));
                }
                // The padding is the low bytes of the value's last eight
                // (a padded value of one byte or more has eight).
                if padded_len > len {
                    let last = window.get(HEADER_LEN + padded_len - 8..HEADER_LEN + padded_len);
                    let last = last.and_then(|b| b.first_chunk::<8>()).map_or(0, |b| u64::from_be_bytes(*b));
                    let padding_bits = 8 * (padded_len - len);
                    if last & ((1u64 << padding_bits) - 1) != 0 {
                        return Err(fail_at(value_end, tag, DecodeErrorKind::NonZeroPadding));
                    }
                }
                self.nodes.push(Node { tag, item_type, word: value_start as u64, len: length, span: 0 });
                return Ok(HEADER_LEN + padded_len);
            }
        };
        self.nodes.push(Node { tag, item_type, word, len: 0, span: 0 });
        // Fixed-size items take sixteen bytes.
        Ok(2 * HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Bytes {
        Bytes::from(hex::decode(s.replace(' ', "")).unwrap())
    }

    /// The reader as it was before the fast paths (main at 9709f43), kept
    /// verbatim to check that the current one returns the same tree, or the
    /// same error with the same offset, path and kind, for any input.
    mod reference {
        use super::super::*;

        pub fn decode(input: &Bytes, limits: &Limits) -> Result<Ttlv, DecodeError> {
            if input.len() > limits.max_message_size {
                return Err(DecodeError {
                    offset: 0,
                    path: Vec::new(),
                    kind: DecodeErrorKind::MessageTooLarge { length: input.len(), max: limits.max_message_size },
                });
            }
            let mut reader = Reader { input, pos: 0, limits, depth: 0 };
            let item = reader.item(input.len())?;
            if reader.pos != input.len() {
                return Err(reader.error(DecodeErrorKind::TrailingBytes(input.len().saturating_sub(reader.pos))));
            }
            Ok(item)
        }

        pub struct Reader<'a> {
            input: &'a Bytes,
            pos: usize,
            limits: &'a Limits,
            /// How many structures enclose the item being read.
            ///
            /// The tags of those structures are not kept while decoding (that would
            /// cost an allocation per message); an error collects them on its way
            /// out instead, each structure putting its tag in front of the path.
            depth: usize,
        }

        impl Reader<'_> {
            /// An error at the current position, inside the current structure.
            fn error(&self, kind: DecodeErrorKind) -> DecodeError {
                DecodeError { offset: self.pos, path: Vec::new(), kind }
            }

            /// An error about the item with this tag, which starts at `offset`.
            fn error_at(&self, offset: usize, tag: Tag, kind: DecodeErrorKind) -> DecodeError {
                DecodeError { offset, path: vec![tag], kind }
            }

            /// Takes `n` bytes, or fails without moving.
            fn take(&mut self, n: usize, end: usize) -> Result<&[u8], DecodeError> {
                let available = end.saturating_sub(self.pos);
                if n > available {
                    return Err(self.error(DecodeErrorKind::Truncated { needed: n, available }));
                }
                let start = self.pos;
                self.pos = start.saturating_add(n);
                self.input.get(start..self.pos).ok_or(DecodeError {
                    offset: start,
                    path: Vec::new(),
                    kind: DecodeErrorKind::Truncated { needed: n, available },
                })
            }

            fn take_array<const N: usize>(&mut self, end: usize) -> Result<[u8; N], DecodeError> {
                let bytes = self.take(N, end)?;
                let mut out = [0u8; N];
                out.copy_from_slice(bytes);
                Ok(out)
            }

            fn take_i64(&mut self, end: usize) -> Result<i64, DecodeError> {
                self.take_array(end).map(i64::from_be_bytes)
            }

            /// Reads the children of a structure whose value ends at `value_end`.
            /// Errors come back without this structure's tag; the caller adds it.
            fn children(&mut self, value_end: usize) -> Result<Vec<Ttlv>, DecodeError> {
                // A guess from the length (already checked against the bytes
                // present; a typical child takes 16 bytes), capped at 8: one slot
                // per 16 bytes sent is at most three times what the peer sent.
                // Sizing exactly by a first walk over the children's headers cost
                // 9-26 % more instructions (BENCHMARKS.md).
                let guess = (value_end.saturating_sub(self.pos) / 16).min(8).min(self.limits.max_items_per_structure);
                let mut children = Vec::with_capacity(guess);
                while self.pos < value_end {
                    if children.len() >= self.limits.max_items_per_structure {
                        return Err(self.error(DecodeErrorKind::TooManyItems(self.limits.max_items_per_structure)));
                    }
                    children.push(self.item(value_end)?);
                }
                Ok(children)
            }

            /// Reads one item that must end at or before `end`.
            fn item(&mut self, end: usize) -> Result<Ttlv, DecodeError> {
                let start = self.pos;
                let head: [u8; HEADER_LEN] = self.take_array(end)?;
                let [t0, t1, t2, type_byte, l0, l1, l2, l3] = head;
                let tag = Tag::from_bytes([t0, t1, t2]);
                let item_type = ItemType::from_code(type_byte)
                    .ok_or_else(|| self.error_at(start, tag, DecodeErrorKind::UnknownItemType(type_byte)))?;
                let length = u32::from_be_bytes([l0, l1, l2, l3]);
                check_length(item_type, length).map_err(|kind| self.error_at(start, tag, kind))?;
                let len = length as usize;
                let value_start = self.pos;
                let padded_len = padded(len);
                let available = end.saturating_sub(value_start);
                if padded_len > available {
                    return Err(self.error_at(
                        start,
                        tag,
                        DecodeErrorKind::Truncated { needed: padded_len, available },
                    ));
                }
                let value_end = value_start.saturating_add(len);
                let item_end = value_start.saturating_add(padded_len);

                let value = match item_type {
                    ItemType::Structure => {
                        if self.depth >= self.limits.max_depth {
                            return Err(self.error_at(start, tag, DecodeErrorKind::TooDeep(self.limits.max_depth)));
                        }
                        self.depth = self.depth.saturating_add(1);
                        let children = self.children(value_end).map_err(|mut e| {
                            e.path.insert(0, tag);
                            e
                        })?;
                        self.depth = self.depth.saturating_sub(1);
                        Value::Structure(children)
                    }
                    // Four-byte values: value and padding are read as one word.
                    ItemType::Integer | ItemType::Enumeration | ItemType::Interval => {
                        let [v0, v1, v2, v3, p0, p1, p2, p3] = self.take_array(item_end)?;
                        if u32::from_be_bytes([p0, p1, p2, p3]) != 0 {
                            return Err(self.error_at(value_end, tag, DecodeErrorKind::NonZeroPadding));
                        }
                        let word = [v0, v1, v2, v3];
                        let value = match item_type {
                            ItemType::Integer => Value::Integer(i32::from_be_bytes(word)),
                            ItemType::Enumeration => Value::Enumeration(u32::from_be_bytes(word)),
                            _ => Value::Interval(u32::from_be_bytes(word)),
                        };
                        return Ok(Ttlv { tag, value });
                    }
                    // Eight-byte values have no padding.
                    ItemType::LongInteger => {
                        return Ok(Ttlv { tag, value: Value::LongInteger(self.take_i64(item_end)?) })
                    }
                    ItemType::DateTime => return Ok(Ttlv { tag, value: Value::DateTime(self.take_i64(item_end)?) }),
                    ItemType::DateTimeExtended => {
                        return Ok(Ttlv { tag, value: Value::DateTimeExtended(self.take_i64(item_end)?) })
                    }
                    ItemType::Boolean => match u64::from_be_bytes(self.take_array(item_end)?) {
                        0 => return Ok(Ttlv { tag, value: Value::Boolean(false) }),
                        1 => return Ok(Ttlv { tag, value: Value::Boolean(true) }),
                        other => return Err(self.error_at(start, tag, DecodeErrorKind::InvalidBoolean(other))),
                    },
                    ItemType::TextString | ItemType::ByteString | ItemType::BigInteger => {
                        if len > self.limits.max_field_length {
                            return Err(self.error_at(
                                start,
                                tag,
                                DecodeErrorKind::FieldTooLong { length: len, max: self.limits.max_field_length },
                            ));
                        }
                        self.pos = value_end;
                        match item_type {
                            // Validated in place, then copied once into the String.
                            ItemType::TextString => {
                                match self.input.get(value_start..value_end).map(std::str::from_utf8) {
                                    Some(Ok(text)) => Value::TextString(text.to_owned()),
                                    _ => return Err(self.error_at(value_start, tag, DecodeErrorKind::InvalidUtf8)),
                                }
                            }
                            ItemType::ByteString => Value::ByteString(self.input.slice(value_start..value_end)),
                            _ => Value::BigInteger(self.input.slice(value_start..value_end)),
                        }
                    }
                };

                // Padding: whatever lies between the value and the next boundary must be zero.
                let padding_at = self.pos;
                if padding_at < item_end {
                    let padding = self.take(item_end.saturating_sub(padding_at), item_end)?;
                    if padding.iter().any(|&b| b != 0) {
                        return Err(self.error_at(padding_at, tag, DecodeErrorKind::NonZeroPadding));
                    }
                }
                Ok(Ttlv { tag, value })
            }
        }
    }

    use crate::test_rng::Rng;

    fn s(tag: u32, children: Vec<Ttlv>) -> Ttlv {
        Ttlv::structure(Tag::new(tag), children)
    }
    fn v(tag: u32, value: Value) -> Ttlv {
        Ttlv::new(Tag::new(tag), value)
    }

    /// Messages using every item type, odd lengths, nesting and empty structures.
    fn seeds() -> Vec<Bytes> {
        let every_type = s(
            0x420078,
            vec![
                s(0x420077, vec![s(0x420069, vec![v(0x42006A, Value::Integer(1)), v(0x42006B, Value::Integer(-4))])]),
                v(0x420001, Value::LongInteger(-5)),
                v(0x420002, Value::BigInteger(Bytes::from_static(&[0xFF, 1, 2, 3, 4, 5, 6, 7]))),
                v(0x420003, Value::Enumeration(0x1F)),
                v(0x420004, Value::Boolean(true)),
                v(0x420005, Value::Boolean(false)),
                v(0x420006, Value::TextString("h\u{e9}llo w\u{f6}rld \u{1F511}".into())),
                v(0x420007, Value::TextString(String::new())),
                v(0x420008, Value::ByteString(Bytes::from_static(&[0xA5; 13]))),
                v(0x420009, Value::DateTime(1_700_000_000)),
                v(0x42000A, Value::Interval(86_400)),
                v(0x42000B, Value::DateTimeExtended(1_700_000_000_000_000)),
                s(0x42000C, vec![]),
                s(0x42000D, vec![s(0x42000E, vec![s(0x42000F, vec![v(0x420010, Value::ByteString(Bytes::new()))])])]),
            ],
        );
        let encrypt = s(
            0x420078,
            vec![
                s(0x420077, vec![v(0x42000D, Value::Integer(1))]),
                s(
                    0x42000F,
                    vec![
                        v(0x42005C, Value::Enumeration(0x1F)),
                        s(
                            0x420079,
                            vec![
                                v(0x420094, Value::TextString("5c9b81ef-4ee5-42cd-ba2d-c002fdd0c7b3".into())),
                                s(0x42002B, vec![v(0x420011, Value::Enumeration(1))]),
                                v(0x4200C2, Value::ByteString(Bytes::from_static(&[0x5A; 64]))),
                            ],
                        ),
                    ],
                ),
            ],
        );
        [every_type, encrypt].iter().map(|t| Bytes::from(crate::ttlv::encode_to_vec(t).unwrap())).collect()
    }

    /// Random damage: overwritten bytes (often in a header's type or length
    /// field), truncation, extra bytes. Compared under the default limits
    /// and under tight ones, so every check is reached.
    #[test]
    fn decodes_exactly_like_the_reference_reader() {
        let limits = [
            Limits::DEFAULT,
            Limits { max_depth: 3, max_items_per_structure: 3, max_field_length: 40, max_message_size: 4096 },
            Limits { max_depth: 5, max_items_per_structure: 13, max_field_length: 36, max_message_size: 300 },
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut errors = 0;
        for seed in seeds() {
            for limits in &limits {
                assert_eq!(decode(&seed, limits), reference::decode(&seed, limits));
            }
            for _ in 0..40_000 {
                let mut bytes = seed.to_vec();
                for _ in 0..=rng.below(3) {
                    let at = rng.below(bytes.len());
                    let at = match rng.below(3) {
                        // The type byte or the low length byte of an eight-aligned header.
                        0 => (at & !7) + 3 + 4 * rng.below(2),
                        _ => at,
                    };
                    if let Some(b) = bytes.get_mut(at) {
                        *b = match rng.below(4) {
                            0 => 0,
                            1 => *b ^ (1 << rng.below(8)),
                            _ => rng.next() as u8,
                        };
                    }
                }
                match rng.below(4) {
                    0 => bytes.truncate(rng.below(bytes.len() + 1)),
                    1 => bytes.extend(std::iter::repeat_n(0, rng.below(20))),
                    _ => {}
                }
                let input = Bytes::from(bytes);
                let limits = limits.get(rng.below(limits.len())).unwrap();
                let got = decode(&input, limits);
                errors += usize::from(got.is_err());
                assert_eq!(got, reference::decode(&input, limits), "input {}", hex::encode(&input));
            }
        }
        // The damage must reach the error paths most of the time, not only the happy one.
        assert!(errors > 40_000, "only {errors} of 80 000 inputs were refused");
    }

    #[test]
    fn decodes_the_spec_integer_example() {
        // KMIP 1.4 §9.1.2 example: an Integer containing the decimal value 8.
        let item = decode(&hex("42 00 20 02 00 00 00 04 00 00 00 08 00 00 00 00"), &Limits::DEFAULT).unwrap();
        assert_eq!(item.tag, Tag::new(0x420020));
        assert_eq!(item.value, Value::Integer(8));
    }

    #[test]
    fn decodes_the_spec_text_string_example() {
        // KMIP 1.4 §9.1.2: a Text String with the value "Hello World".
        let item =
            decode(&hex("42 00 20 07 00 00 00 0B 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00"), &Limits::DEFAULT)
                .unwrap();
        assert_eq!(item.value, Value::TextString("Hello World".into()));
    }

    #[test]
    fn refuses_nonzero_padding() {
        let err = decode(&hex("42 00 20 02 00 00 00 04 00 00 00 08 00 00 00 01"), &Limits::DEFAULT).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::NonZeroPadding);
        assert_eq!(err.offset, 12);
    }

    #[test]
    fn refuses_a_wrong_fixed_length() {
        let err = decode(&hex("42 00 20 02 00 00 00 08 00 00 00 08 00 00 00 00"), &Limits::DEFAULT).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::BadLength { item_type: ItemType::Integer, length: 8 });
    }

    #[test]
    fn refuses_trailing_bytes() {
        let err = decode(&hex("42 00 20 02 00 00 00 04 00 00 00 08 00 00 00 00 00"), &Limits::DEFAULT).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::TrailingBytes(1));
    }

    #[test]
    fn refuses_a_child_that_overruns_its_structure() {
        // The structure says 8 bytes, its only child needs 16.
        let err =
            decode(&hex("42 00 78 01 00 00 00 08 42 00 20 02 00 00 00 04 00 00 00 08 00 00 00 00"), &Limits::DEFAULT)
                .unwrap_err();
        assert!(matches!(err.kind, DecodeErrorKind::Truncated { .. }), "{err}");
        assert_eq!(err.path.first(), Some(&Tag::new(0x420078)));
    }

    #[test]
    fn header_size_is_checked_before_reading_the_body() {
        let limits = Limits { max_message_size: 64, ..Limits::DEFAULT };
        let err = decode_header(&[0x42, 0x00, 0x78, 0x01, 0x7F, 0xFF, 0xFF, 0xF8], &limits).unwrap_err();
        assert!(matches!(err.kind, DecodeErrorKind::MessageTooLarge { .. }));
    }

    #[test]
    fn depth_is_bounded() {
        let limits = Limits { max_depth: 1, ..Limits::DEFAULT };
        let err = decode(&hex("42 00 78 01 00 00 00 08 42 00 79 01 00 00 00 00"), &limits).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::TooDeep(1));
    }
}
