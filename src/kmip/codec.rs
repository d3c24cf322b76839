//! Typed values <-> TTLV: the [`FromTtlv`] / [`ToTtlv`] traits, the
//! [`Fields`] cursor that reads a structure's children in order, [`Out`],
//! which writes them in order straight to bytes, and [`ModelError`], which
//! names the tag path of whatever was wrong.
//!
//! Every typed item (payloads, objects, attributes, plain values) reads and
//! writes itself through the same two signatures, with the message's
//! protocol version as context, so one model serves KMIP 1.0-2.1. Reading
//! is from any [`Item`]: a [`Ttlv`] tree's, or a [`View`](crate::ttlv::View)'s,
//! which the server reads straight from the message's bytes; writing is to
//! bytes through a
//! [`Writer`](crate::ttlv::Writer), with no tree in between (a tree, where
//! one is wanted, is those bytes read back: [`ToTtlv::to_ttlv`]).

use std::fmt;

use bytes::Bytes;

use zeroize::Zeroizing;

use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{self, EncodeError, Item, ItemType, Limits, Tag, Ttlv, ValueRef, Writer};

/// Reads a typed value from a TTLV item.
///
/// [`FromTtlv::read`] reads any [`Item`] (a tree's or a
/// [`View`](crate::ttlv::View)'s, so the server reads straight from the
/// message's bytes). A type whose reader still walks a tree has an inherent
/// `from_tree` and implements this trait with [`tree_decoded!`], which makes
/// a view's item a tree first.
pub trait FromTtlv: Sized {
    /// The typed value of `item` (of a tree or of a view) in a message of
    /// version `v`. The item's own tag has already been matched by the caller.
    fn read<'a, I: Item<'a>>(item: I, v: ProtocolVersion) -> Result<Self, ModelError>;

    /// [`FromTtlv::read`] for an item of a tree.
    fn from_ttlv(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        Self::read(item, v)
    }
}

/// Implements [`FromTtlv`] for a type read from a tree by its inherent
/// `fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError>`.
macro_rules! tree_decoded {
    ($ty:ty) => {
        impl $crate::kmip::codec::FromTtlv for $ty {
            fn read<'a, I: $crate::ttlv::Item<'a>>(
                item: I,
                v: $crate::kmip::version::ProtocolVersion,
            ) -> Result<Self, $crate::kmip::codec::ModelError> {
                Self::from_tree(&item.tree(), v)
            }
        }
    };
}

pub(crate) use tree_decoded;

/// Writes a typed value as a TTLV item.
///
/// Writing bytes is the one encoding ([`ToTtlv::write_ttlv`]); a tree, for
/// tests and the text encodings, is those bytes read back
/// ([`ToTtlv::to_ttlv`]).
pub trait ToTtlv {
    /// Writes this value as the item `tag` (in the version `out` writes).
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>);

    /// The encoding of this value as the item `tag` in a message of
    /// version `v`, in a new vector (which the caller wipes if it holds
    /// key material).
    fn encode_ttlv(&self, tag: Tag, v: ProtocolVersion) -> Result<Vec<u8>, EncodeError> {
        let mut buf = Vec::new();
        let mut out = Out::new(v, &mut buf);
        self.write_ttlv(tag, &mut out);
        out.finish()?;
        Ok(buf)
    }

    /// The item for this value under `tag` in a message of version `v`, as
    /// a tree: the bytes [`ToTtlv::encode_ttlv`] writes, read back. Byte strings
    /// are views of one buffer that is wiped when the last is dropped; a
    /// Big Integer holds its bytes as written (sign-extended to eight).
    fn to_ttlv(&self, tag: Tag, v: ProtocolVersion) -> Result<Ttlv, EncodeError> {
        let bytes = Bytes::from_owner(Zeroizing::new(self.encode_ttlv(tag, v)?));
        // What the writer wrote always reads back (the vector tests check
        // it); an error here is a bug in the writer.
        ttlv::decode(&bytes, &Limits::UNBOUNDED).map_err(|_| EncodeError::Unreadable(tag))
    }
}

/// How the server should answer a [`ModelError`] (KMIP 1.4 §11, 2.1 §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// The message's shape is wrong: Invalid Message.
    InvalidMessage,
    /// A field has a value the spec does not allow: Invalid Field.
    InvalidField,
    /// A required field is absent: Missing Data.
    MissingData,
    /// The operation or feature is not implemented: Operation Not Supported.
    OperationNotSupported,
}

/// What was wrong with a typed item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelErrorKind {
    /// The item is not a structure where one is needed.
    NotAStructure,
    /// A required field is absent.
    Missing(Tag),
    /// A field appears where the structure allows none (or out of order).
    Unexpected(Tag),
    /// A field has the wrong item type.
    WrongType {
        /// The item type the spec gives the field.
        expected: ItemType,
        /// The item type received.
        found: ItemType,
    },
    /// A field has a value the spec does not allow.
    InvalidValue(String),
    /// A field or value this version or this server does not support.
    NotSupported(String),
}

/// A typed-model error: the tags from the outermost structure to the item at
/// fault, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// Tags from the outermost structure read to the field at fault.
    pub path: Vec<Tag>,
    /// What was wrong.
    pub kind: ModelErrorKind,
}

impl ModelError {
    /// An error about the item at `tag`.
    pub fn new(tag: Tag, kind: ModelErrorKind) -> ModelError {
        ModelError { path: vec![tag], kind }
    }

    /// An Invalid Field error about the item at `tag`.
    pub fn invalid(tag: Tag, why: impl Into<String>) -> ModelError {
        ModelError::new(tag, ModelErrorKind::InvalidValue(why.into()))
    }

    /// The same error, seen from the enclosing structure `parent`.
    pub fn within(mut self, parent: Tag) -> ModelError {
        if self.path.first() != Some(&parent) {
            self.path.insert(0, parent);
        }
        self
    }

    /// How the server should answer it.
    pub fn class(&self) -> ErrorClass {
        match self.kind {
            ModelErrorKind::NotAStructure | ModelErrorKind::Unexpected(_) | ModelErrorKind::WrongType { .. } => {
                ErrorClass::InvalidMessage
            }
            ModelErrorKind::Missing(_) => ErrorClass::MissingData,
            ModelErrorKind::InvalidValue(_) => ErrorClass::InvalidField,
            ModelErrorKind::NotSupported(_) => ErrorClass::OperationNotSupported,
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for tag in &self.path {
            if !first {
                f.write_str("/")?;
            }
            first = false;
            write!(f, "{tag}")?;
        }
        f.write_str(": ")?;
        match &self.kind {
            ModelErrorKind::NotAStructure => f.write_str("expected a structure"),
            ModelErrorKind::Missing(tag) => write!(f, "missing required field {tag}"),
            ModelErrorKind::Unexpected(tag) => write!(f, "unexpected field {tag}"),
            ModelErrorKind::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            ModelErrorKind::InvalidValue(why) => write!(f, "invalid value: {why}"),
            ModelErrorKind::NotSupported(what) => write!(f, "not supported: {what}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// A tag that may depend on the protocol version (1.x Template-Attribute vs
/// 2.x Attributes).
pub trait TagFor {
    /// The tag in a message of version `v`.
    fn tag_for(&self, v: ProtocolVersion) -> Tag;
}

impl TagFor for Tag {
    #[inline(always)]
    fn tag_for(&self, _v: ProtocolVersion) -> Tag {
        *self
    }
}

/// A field whose tag is the first one in KMIP 1.x and the second in 2.x.
#[derive(Clone, Copy, Debug)]
pub struct ByVersion(pub Tag, pub Tag);

impl TagFor for ByVersion {
    #[inline]
    fn tag_for(&self, v: ProtocolVersion) -> Tag {
        if v.is_2x() {
            self.1
        } else {
            self.0
        }
    }
}

/// A cursor over a structure's children that takes fields by tag, in the
/// order the spec lists them, and reports what is missing, unexpected or
/// wrongly typed with the tag path. It reads a tree's items (the default)
/// or a [`View`](crate::ttlv::View)'s, with the same checks and errors.
pub struct Fields<'a, I: Item<'a> = &'a Ttlv> {
    parent: Tag,
    items: I::Children,
    v: ProtocolVersion,
}

impl<'a, I: Item<'a>> Fields<'a, I> {
    /// A cursor over `item`'s children; an error if it is not a structure.
    #[inline(always)]
    pub fn new(item: I, v: ProtocolVersion) -> Result<Fields<'a, I>, ModelError> {
        match item.children() {
            Some(items) => Ok(Fields { parent: item.tag(), items, v }),
            None => Err(ModelError::new(item.tag(), ModelErrorKind::NotAStructure)),
        }
    }

    /// The protocol version the fields are read in.
    pub fn version(&self) -> ProtocolVersion {
        self.v
    }

    /// The tag of the next unread field.
    #[inline(always)]
    pub fn peek_tag(&self) -> Option<Tag> {
        I::peek_tag(&self.items)
    }

    /// The next field, raw, if it has this tag. An absent field costs one
    /// look at the next field's tag: nothing is cloned nor taken.
    #[inline(always)]
    pub fn raw_opt(&mut self, tag: impl TagFor) -> Option<I> {
        let tag = tag.tag_for(self.v);
        if self.peek_tag() == Some(tag) {
            self.items.next()
        } else {
            None
        }
    }

    /// The next field, raw; it must have this tag.
    #[inline(always)]
    pub fn raw_req(&mut self, tag: impl TagFor) -> Result<I, ModelError> {
        let tag = tag.tag_for(self.v);
        match self.raw_opt(tag) {
            Some(item) => Ok(item),
            None => Err(missing(self.parent, tag)),
        }
    }

    /// Every next field with this tag, raw, in order.
    pub fn raw_iter(&mut self, tag: impl TagFor) -> std::iter::Take<I::Children> {
        let tag = tag.tag_for(self.v);
        let start = self.items.clone();
        let mut n = 0;
        while self.raw_opt(tag).is_some() {
            n += 1;
        }
        start.take(n)
    }

    /// A required field.
    #[inline(always)]
    pub fn req<T: FromTtlv>(&mut self, tag: impl TagFor) -> Result<T, ModelError> {
        let item = self.raw_req(tag)?;
        T::read(item, self.v).map_err(|e| in_field(e, item.tag(), self.parent))
    }

    /// An optional field.
    #[inline(always)]
    pub fn opt<T: FromTtlv>(&mut self, tag: impl TagFor) -> Result<Option<T>, ModelError> {
        match self.raw_opt(tag) {
            Some(item) => T::read(item, self.v).map(Some).map_err(|e| in_field(e, item.tag(), self.parent)),
            None => Ok(None),
        }
    }

    /// A field that may repeat (zero or more times).
    #[inline]
    pub fn rep<T: FromTtlv>(&mut self, tag: impl TagFor) -> Result<Vec<T>, ModelError> {
        // Most repeated fields are absent: no iterator built for none.
        if self.peek_tag() != Some(tag.tag_for(self.v)) {
            return Ok(Vec::new());
        }
        let parent = self.parent;
        let v = self.v;
        self.raw_iter(tag).map(|item| T::read(item, v).map_err(|e| in_field(e, item.tag(), parent))).collect()
    }

    /// A list that sits inline in the structure (see [`Inline`]). Inline
    /// lists read a tree's fields: a view's are made trees first.
    pub fn inl<T: Inline>(&mut self, _tag: impl TagFor) -> Result<T, ModelError> {
        let parent = self.parent;
        let trees = I::trees(self.items.clone());
        let mut inner = Fields { parent, items: trees.iter(), v: self.v };
        let value = T::read_inline(&mut inner).map_err(|e| e.within(parent))?;
        let taken = trees.len().saturating_sub(inner.items.len());
        for _ in 0..taken {
            self.items.next();
        }
        Ok(value)
    }

    /// Ends the read: any field left over is unexpected.
    #[inline(always)]
    pub fn finish(self) -> Result<(), ModelError> {
        match self.peek_tag() {
            None => Ok(()),
            Some(extra) => Err(unexpected(self.parent, extra)),
        }
    }
}

// The errors a cursor returns, built out of line: the read of a field that
// is there and well typed never calls them.

/// `parent` lacks the required field `tag`.
#[cold]
#[inline(never)]
fn missing(parent: Tag, tag: Tag) -> ModelError {
    ModelError::new(parent, ModelErrorKind::Missing(tag))
}

/// `parent` holds `tag` where it allows no (more) field.
#[cold]
#[inline(never)]
fn unexpected(parent: Tag, tag: Tag) -> ModelError {
    ModelError::new(parent, ModelErrorKind::Unexpected(tag))
}

/// An error read in the field `tag` of `parent`, seen from `parent`.
#[cold]
#[inline(never)]
fn in_field(error: ModelError, tag: Tag, parent: Tag) -> ModelError {
    error.within(tag).within(parent)
}

impl<'a> Fields<'a, &'a Ttlv> {
    /// Every next field with this tag, raw.
    pub fn raw_rep(&mut self, tag: impl TagFor) -> &'a [Ttlv] {
        let tag = tag.tag_for(self.v);
        let items = self.items.as_slice();
        let n = items.iter().take_while(|i| i.tag == tag).count();
        let (taken, rest) = items.split_at(n);
        self.items = rest.iter();
        taken
    }

    /// Every field left, raw (for structures kept as they are).
    pub fn rest(&mut self) -> &'a [Ttlv] {
        let items = self.items.as_slice();
        self.items = [].iter();
        items
    }
}

/// A list whose shape depends on the version: several fields directly in
/// the enclosing structure in 1.x, one structure in 2.x (attribute lists).
pub trait Inline: Sized {
    /// Reads the list at the cursor.
    fn read_inline(f: &mut Fields<'_>) -> Result<Self, ModelError>;
    /// Writes the list.
    fn write_inline(&self, out: &mut Out<'_>);
}

/// Writes a structure's fields in order, in a message's version, straight
/// into a byte buffer (a [`Writer`]).
pub struct Out<'a> {
    v: ProtocolVersion,
    w: Writer<'a>,
}

impl<'a> Out<'a> {
    /// A writer of items for a message of version `v`, appending to `buf`.
    pub fn new(v: ProtocolVersion, buf: &'a mut Vec<u8>) -> Out<'a> {
        Out { v, w: Writer::new(buf) }
    }

    /// The protocol version being written.
    pub fn version(&self) -> ProtocolVersion {
        self.v
    }

    /// The byte writer, for primitive items.
    pub fn writer(&mut self) -> &mut Writer<'a> {
        &mut self.w
    }

    /// Ends the write; on error (an item over 4 GiB) the buffer holds what
    /// it held before.
    pub fn finish(self) -> Result<(), EncodeError> {
        self.w.finish()
    }

    /// Writes `fields` in version `v` (a message is written in its header's).
    pub fn in_version(&mut self, v: ProtocolVersion, fields: impl FnOnce(&mut Out<'a>)) {
        let outer = std::mem::replace(&mut self.v, v);
        fields(self);
        self.v = outer;
    }

    /// A structure `tag` whose fields `fields` writes.
    pub fn structure(&mut self, tag: Tag, fields: impl FnOnce(&mut Out<'a>)) {
        let open = self.w.begin(tag);
        fields(self);
        self.w.end(open);
    }

    /// Writes a required field.
    pub fn req<T: ToTtlv + ?Sized>(&mut self, tag: impl TagFor, value: &T) {
        let tag = tag.tag_for(self.v);
        value.write_ttlv(tag, self);
    }

    /// Writes an optional field if it is present.
    pub fn opt<T: ToTtlv>(&mut self, tag: impl TagFor, value: &Option<T>) {
        if let Some(value) = value {
            self.req(tag, value);
        }
    }

    /// Writes each value of a repeated field.
    pub fn rep<T: ToTtlv>(&mut self, tag: impl TagFor, values: &[T]) {
        let tag = tag.tag_for(self.v);
        for value in values {
            value.write_ttlv(tag, self);
        }
    }

    /// Writes a list that sits inline in the structure (see [`Inline`]).
    pub fn inl<T: Inline>(&mut self, _tag: impl TagFor, value: &T) {
        value.write_inline(self);
    }

    /// Writes an item as it is, its own tag included.
    pub fn raw(&mut self, item: &Ttlv) {
        self.w.item(item);
    }
}

#[cold]
#[inline(never)]
fn wrong_type<'a>(item: impl Item<'a>, expected: ItemType) -> ModelError {
    ModelError::new(item.tag(), ModelErrorKind::WrongType { expected, found: item.item_type() })
}

/// A Date-Time value: seconds since the POSIX epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub i64);

/// An Interval value: a duration in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval(pub u32);

/// A Date-Time Extended value: microseconds since the POSIX epoch (2.x).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTimeExtended(pub i64);

/// A Big Integer value, as its two's-complement big-endian bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BigInteger(pub Bytes);

/// A primitive read through its typed accessor on [`Item`] (`get`) or,
/// for the reference-counted ones, through [`Item::value`].
macro_rules! primitive_field {
    (@write $ty:ty, $method:ident, |$y:ident| $write:expr) => {
        impl ToTtlv for $ty {
            fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
                let $y = self;
                out.writer().$method(tag, $write);
            }
        }
    };
    ($ty:ty, get $get:ident, $item:ident, $method:ident, |$x:ident| $read:expr, |$y:ident| $write:expr) => {
        impl FromTtlv for $ty {
            #[inline(always)]
            fn read<'a, I: Item<'a>>(item: I, _v: ProtocolVersion) -> Result<Self, ModelError> {
                match item.$get() {
                    Some($x) => Ok($read),
                    None => Err(wrong_type(item, ItemType::$item)),
                }
            }
        }
        primitive_field!(@write $ty, $method, |$y| $write);
    };
    ($ty:ty, $variant:ident, $item:ident, $method:ident, |$x:ident| $read:expr, |$y:ident| $write:expr) => {
        impl FromTtlv for $ty {
            #[inline(always)]
            fn read<'a, I: Item<'a>>(item: I, _v: ProtocolVersion) -> Result<Self, ModelError> {
                match item.value() {
                    ValueRef::$variant($x) => Ok($read),
                    _ => Err(wrong_type(item, ItemType::$item)),
                }
            }
        }
        primitive_field!(@write $ty, $method, |$y| $write);
    };
}

primitive_field!(i32, get integer, Integer, integer, |x| x, |y| *y);
primitive_field!(i64, get long_integer, LongInteger, long, |x| x, |y| *y);
primitive_field!(bool, get boolean, Boolean, boolean, |x| x, |y| *y);
primitive_field!(String, get text, TextString, text, |x| x.to_owned(), |y| y);
primitive_field!(Bytes, get shared_bytes, ByteString, bytes, |x| x, |y| y);
primitive_field!(DateTime, get date_time, DateTime, datetime, |x| DateTime(x), |y| y.0);
primitive_field!(Interval, get interval, Interval, interval, |x| Interval(x), |y| y.0);
primitive_field!(DateTimeExtended, get date_time_extended, DateTimeExtended, datetime_ext, |x| DateTimeExtended(x), |y| y.0);
primitive_field!(BigInteger, BigInteger, BigInteger, big_integer, |x| BigInteger(x), |y| &y.0);

/// Text is written from a borrowed string too (no `String` needed).
impl ToTtlv for str {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.writer().text(tag, self);
    }
}

/// A raw item is read and written as it is (tag replaced on write).
impl FromTtlv for Ttlv {
    fn read<'a, I: Item<'a>>(item: I, _v: ProtocolVersion) -> Result<Self, ModelError> {
        Ok(item.tree().into_owned())
    }
}

impl ToTtlv for Ttlv {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.writer().item_as(tag, self);
    }
}

/// Implements [`FromTtlv`] / [`ToTtlv`] for enumerations from the table.
macro_rules! enum_fields {
    ($($ty:ty),* $(,)?) => {$(
        impl FromTtlv for $ty {
            #[inline(always)]
            fn read<'a, I: Item<'a>>(item: I, _v: ProtocolVersion) -> Result<Self, ModelError> {
                match item.enumeration() {
                    Some(x) => Ok(<$ty>::from_value(x)),
                    None => Err(wrong_type(item, ItemType::Enumeration)),
                }
            }
        }
        impl ToTtlv for $ty {
            fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
                out.writer().enumeration(tag, self.value());
            }
        }
    )*};
}

/// Implements [`FromTtlv`] / [`ToTtlv`] for bit masks from the table.
macro_rules! mask_fields {
    ($($ty:ident),* $(,)?) => {$(
        impl FromTtlv for $ty {
            #[inline(always)]
            fn read<'a, I: Item<'a>>(item: I, _v: ProtocolVersion) -> Result<Self, ModelError> {
                match item.integer() {
                    Some(x) => Ok($ty(x)),
                    None => Err(wrong_type(item, ItemType::Integer)),
                }
            }
        }
        impl ToTtlv for $ty {
            fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
                out.writer().integer(tag, self.0);
            }
        }
    )*};
}

use crate::kmip::table::*;

enum_fields!(
    ObjectType,
    ResultStatus,
    Operation,
    ResultReason,
    CredentialType,
    BatchErrorContinuationOption,
    NameType,
    CryptographicAlgorithm,
    KeyFormatType,
    KeyCompressionType,
    State,
    RevocationReasonCode,
    LinkType,
    BlockCipherMode,
    PaddingMethod,
    HashingAlgorithm,
    KeyRoleType,
    DigitalSignatureAlgorithm,
    WrappingMethod,
    EncodingOption,
    QueryFunction,
    SecretDataType,
    CertificateType,
    SplitKeyMethod,
    OpaqueDataType,
    ObjectGroupMember,
    RecommendedCurve,
    ValidityIndicator,
    KeyWrapType,
    MaskGenerator,
    CertificateRequestType,
);
mask_fields!(CryptographicUsageMask, StorageStatusMask);

/// Defines a structure whose fields are read and written in order by tag,
/// with one form:
///
/// ```text
/// kmip_struct! {
///     /// Get request payload (KMIP 1.4 §4.11).
///     pub struct GetRequest {
///         /// doc
///         opt unique_identifier: String = Tag::UniqueIdentifier,
///         req ...: T = tag,        // T
///         rep ...: T = tag,        // Vec<T>
///         inl ...: T = tag,        // T: Inline (tag unused)
///     }
/// }
/// ```
///
/// The tag is any [`TagFor`] expression, so a field may change tag with the
/// protocol version. Fields a version does not define are simply absent.
macro_rules! kmip_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $kind:ident $field:ident : $ty:ty = $tag:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: kmip_struct!(@ty $kind $ty), )*
        }

        impl $crate::kmip::codec::FromTtlv for $name {
            fn read<'a, I: $crate::ttlv::Item<'a>>(
                item: I,
                v: $crate::kmip::version::ProtocolVersion,
            ) -> Result<Self, $crate::kmip::codec::ModelError> {
                #[allow(unused_mut)]
                let mut f = $crate::kmip::codec::Fields::new(item, v)?;
                $( let $field = f.$kind::<$ty>($tag)?; )*
                f.finish()?;
                Ok($name { $( $field, )* })
            }
        }

        impl $crate::kmip::codec::ToTtlv for $name {
            fn write_ttlv(&self, tag: $crate::ttlv::Tag, out: &mut $crate::kmip::codec::Out<'_>) {
                #[allow(unused_variables)]
                out.structure(tag, |out| {
                    $( out.$kind($tag, &self.$field); )*
                });
            }
        }
    };
    (@ty req $ty:ty) => { $ty };
    (@ty opt $ty:ty) => { Option<$ty> };
    (@ty rep $ty:ty) => { Vec<$ty> };
    (@ty inl $ty:ty) => { $ty };
}

pub(crate) use kmip_struct;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ttlv::Value;

    kmip_struct! {
        /// A test structure.
        pub struct Probe {
            /// id
            req id: String = Tag::UniqueIdentifier,
            /// mask
            opt mask: i32 = Tag::CryptographicUsageMask,
            /// names
            rep names: String = Tag::AttributeName,
        }
    }

    #[test]
    fn structure_round_trips_and_reports_paths() {
        let v = ProtocolVersion::V1_4;
        let p = Probe { id: "a".into(), mask: Some(12), names: vec!["x".into(), "y".into()] };
        let t = p.to_ttlv(Tag::RequestPayload, v).unwrap();
        assert_eq!(Probe::from_ttlv(&t, v).unwrap(), p);

        let missing = Ttlv::structure(Tag::RequestPayload, vec![]);
        let err = Probe::from_ttlv(&missing, v).unwrap_err();
        assert_eq!(err.kind, ModelErrorKind::Missing(Tag::UniqueIdentifier));
        assert_eq!(err.class(), ErrorClass::MissingData);

        let wrong = Ttlv::structure(Tag::RequestPayload, vec![Ttlv::new(Tag::UniqueIdentifier, Value::Integer(1))]);
        let err = Probe::from_ttlv(&wrong, v).unwrap_err();
        assert_eq!(err.path, vec![Tag::RequestPayload, Tag::UniqueIdentifier]);
        assert!(matches!(err.kind, ModelErrorKind::WrongType { .. }));

        let extra = Ttlv::structure(
            Tag::RequestPayload,
            vec![
                Ttlv::new(Tag::UniqueIdentifier, Value::TextString("a".into())),
                Ttlv::new(Tag::BatchCount, Value::Integer(1)),
            ],
        );
        let err = Probe::from_ttlv(&extra, v).unwrap_err();
        assert_eq!(err.kind, ModelErrorKind::Unexpected(Tag::BatchCount));
        assert_eq!(err.to_string(), "RequestPayload: unexpected field BatchCount");
    }
}
