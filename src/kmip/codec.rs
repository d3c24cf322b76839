//! Typed values <-> [`Ttlv`]: the [`FromTtlv`] / [`ToTtlv`] traits, the
//! [`Fields`] cursor that reads a structure's children in order, and
//! [`ModelError`], which names the tag path of whatever was wrong.
//!
//! Every typed item (payloads, objects, attributes, plain values) reads and
//! writes itself through the same two signatures, with the message's
//! protocol version as context, so one model serves KMIP 1.0-2.1.

use std::fmt;

use bytes::Bytes;

use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{ItemType, Tag, Ttlv, Value};

/// Reads a typed value from a TTLV item.
pub trait FromTtlv: Sized {
    /// The typed value of `item` in a message of version `v`. The item's own
    /// tag has already been matched by the caller.
    fn from_ttlv(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError>;
}

/// Writes a typed value as a TTLV item.
pub trait ToTtlv {
    /// The item for this value under `tag` in a message of version `v`.
    fn to_ttlv(&self, tag: Tag, v: ProtocolVersion) -> Ttlv;
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
    fn tag_for(&self, _v: ProtocolVersion) -> Tag {
        *self
    }
}

/// A field whose tag is the first one in KMIP 1.x and the second in 2.x.
#[derive(Clone, Copy, Debug)]
pub struct ByVersion(pub Tag, pub Tag);

impl TagFor for ByVersion {
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
/// wrongly typed with the tag path.
pub struct Fields<'a> {
    parent: Tag,
    items: &'a [Ttlv],
    v: ProtocolVersion,
}

impl<'a> Fields<'a> {
    /// A cursor over `item`'s children; an error if it is not a structure.
    pub fn new(item: &'a Ttlv, v: ProtocolVersion) -> Result<Fields<'a>, ModelError> {
        match &item.value {
            Value::Structure(items) => Ok(Fields { parent: item.tag, items, v }),
            _ => Err(ModelError::new(item.tag, ModelErrorKind::NotAStructure)),
        }
    }

    /// The protocol version the fields are read in.
    pub fn version(&self) -> ProtocolVersion {
        self.v
    }

    /// The tag of the next unread field.
    pub fn peek_tag(&self) -> Option<Tag> {
        self.items.first().map(|i| i.tag)
    }

    /// The next field, raw, if it has this tag.
    pub fn raw_opt(&mut self, tag: impl TagFor) -> Option<&'a Ttlv> {
        let tag = tag.tag_for(self.v);
        match self.items.split_first() {
            Some((first, rest)) if first.tag == tag => {
                self.items = rest;
                Some(first)
            }
            _ => None,
        }
    }

    /// The next field, raw; it must have this tag.
    pub fn raw_req(&mut self, tag: impl TagFor) -> Result<&'a Ttlv, ModelError> {
        let tag = tag.tag_for(self.v);
        self.raw_opt(tag).ok_or_else(|| ModelError::new(self.parent, ModelErrorKind::Missing(tag)))
    }

    /// Every next field with this tag, raw.
    pub fn raw_rep(&mut self, tag: impl TagFor) -> &'a [Ttlv] {
        let tag = tag.tag_for(self.v);
        let n = self.items.iter().take_while(|i| i.tag == tag).count();
        let (taken, rest) = self.items.split_at(n);
        self.items = rest;
        taken
    }

    /// A required field.
    pub fn req<T: FromTtlv>(&mut self, tag: impl TagFor) -> Result<T, ModelError> {
        let item = self.raw_req(tag)?;
        T::from_ttlv(item, self.v).map_err(|e| e.within(item.tag).within(self.parent))
    }

    /// An optional field.
    pub fn opt<T: FromTtlv>(&mut self, tag: impl TagFor) -> Result<Option<T>, ModelError> {
        match self.raw_opt(tag) {
            Some(item) => T::from_ttlv(item, self.v).map(Some).map_err(|e| e.within(item.tag).within(self.parent)),
            None => Ok(None),
        }
    }

    /// A field that may repeat (zero or more times).
    pub fn rep<T: FromTtlv>(&mut self, tag: impl TagFor) -> Result<Vec<T>, ModelError> {
        let parent = self.parent;
        let v = self.v;
        self.raw_rep(tag)
            .iter()
            .map(|item| T::from_ttlv(item, v).map_err(|e| e.within(item.tag).within(parent)))
            .collect()
    }

    /// A list that sits inline in the structure (see [`Inline`]).
    pub fn inl<T: Inline>(&mut self, _tag: impl TagFor) -> Result<T, ModelError> {
        let parent = self.parent;
        T::read_inline(self).map_err(|e| e.within(parent))
    }

    /// Every field left, raw (for structures kept as they are).
    pub fn rest(&mut self) -> &'a [Ttlv] {
        std::mem::take(&mut self.items)
    }

    /// Ends the read: any field left over is unexpected.
    pub fn finish(self) -> Result<(), ModelError> {
        match self.items.first() {
            None => Ok(()),
            Some(extra) => Err(ModelError::new(self.parent, ModelErrorKind::Unexpected(extra.tag))),
        }
    }
}

/// A list whose shape depends on the version: several fields directly in
/// the enclosing structure in 1.x, one structure in 2.x (attribute lists).
pub trait Inline: Sized {
    /// Reads the list at the cursor.
    fn read_inline(f: &mut Fields<'_>) -> Result<Self, ModelError>;
    /// Writes the list.
    fn write_inline(&self, out: &mut Out);
}

/// Collects a structure's children in order when writing.
pub struct Out {
    v: ProtocolVersion,
    items: Vec<Ttlv>,
}

impl Out {
    /// An empty list of children for a message of version `v`.
    pub fn new(v: ProtocolVersion) -> Out {
        Out { v, items: Vec::new() }
    }

    /// The protocol version being written.
    pub fn version(&self) -> ProtocolVersion {
        self.v
    }

    /// Writes a required field.
    pub fn req<T: ToTtlv>(&mut self, tag: impl TagFor, value: &T) {
        let tag = tag.tag_for(self.v);
        self.items.push(value.to_ttlv(tag, self.v));
    }

    /// Writes an optional field if it is present.
    pub fn opt<T: ToTtlv>(&mut self, tag: impl TagFor, value: &Option<T>) {
        if let Some(value) = value {
            self.req(tag, value);
        }
    }

    /// Writes each value of a repeated field.
    pub fn rep<T: ToTtlv>(&mut self, tag: impl TagFor, values: &[T]) {
        for value in values {
            self.req(tag.tag_for(self.v), value);
        }
    }

    /// Writes a list that sits inline in the structure (see [`Inline`]).
    pub fn inl<T: Inline>(&mut self, _tag: impl TagFor, value: &T) {
        value.write_inline(self);
    }

    /// Appends items as they are.
    pub fn raw(&mut self, items: impl IntoIterator<Item = Ttlv>) {
        self.items.extend(items);
    }

    /// The structure `tag` holding the children written.
    pub fn into_structure(self, tag: Tag) -> Ttlv {
        Ttlv::structure(tag, self.items)
    }

    /// The children written.
    pub fn into_items(self) -> Vec<Ttlv> {
        self.items
    }
}

fn wrong_type(item: &Ttlv, expected: ItemType) -> ModelError {
    ModelError::new(item.tag, ModelErrorKind::WrongType { expected, found: item.item_type() })
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

macro_rules! primitive_field {
    ($ty:ty, $variant:ident, $item:ident, |$x:ident| $read:expr, |$y:ident| $write:expr) => {
        impl FromTtlv for $ty {
            fn from_ttlv(item: &Ttlv, _v: ProtocolVersion) -> Result<Self, ModelError> {
                match &item.value {
                    Value::$variant($x) => Ok($read),
                    _ => Err(wrong_type(item, ItemType::$item)),
                }
            }
        }
        impl ToTtlv for $ty {
            fn to_ttlv(&self, tag: Tag, _v: ProtocolVersion) -> Ttlv {
                let $y = self;
                Ttlv::new(tag, Value::$variant($write))
            }
        }
    };
}

primitive_field!(i32, Integer, Integer, |x| *x, |y| *y);
primitive_field!(i64, LongInteger, LongInteger, |x| *x, |y| *y);
primitive_field!(bool, Boolean, Boolean, |x| *x, |y| *y);
primitive_field!(String, TextString, TextString, |x| x.clone(), |y| y.clone());
primitive_field!(Bytes, ByteString, ByteString, |x| x.clone(), |y| y.clone());
primitive_field!(DateTime, DateTime, DateTime, |x| DateTime(*x), |y| y.0);
primitive_field!(Interval, Interval, Interval, |x| Interval(*x), |y| y.0);
primitive_field!(DateTimeExtended, DateTimeExtended, DateTimeExtended, |x| DateTimeExtended(*x), |y| y.0);
primitive_field!(BigInteger, BigInteger, BigInteger, |x| BigInteger(x.clone()), |y| y.0.clone());

/// A raw item is read and written as it is (tag replaced on write).
impl FromTtlv for Ttlv {
    fn from_ttlv(item: &Ttlv, _v: ProtocolVersion) -> Result<Self, ModelError> {
        Ok(item.clone())
    }
}

impl ToTtlv for Ttlv {
    fn to_ttlv(&self, tag: Tag, _v: ProtocolVersion) -> Ttlv {
        Ttlv::new(tag, self.value.clone())
    }
}

/// Implements [`FromTtlv`] / [`ToTtlv`] for enumerations from the table.
macro_rules! enum_fields {
    ($($ty:ty),* $(,)?) => {$(
        impl FromTtlv for $ty {
            fn from_ttlv(item: &Ttlv, _v: ProtocolVersion) -> Result<Self, ModelError> {
                match &item.value {
                    Value::Enumeration(x) => Ok(<$ty>::from_value(*x)),
                    _ => Err(wrong_type(item, ItemType::Enumeration)),
                }
            }
        }
        impl ToTtlv for $ty {
            fn to_ttlv(&self, tag: Tag, _v: ProtocolVersion) -> Ttlv {
                Ttlv::new(tag, Value::Enumeration(self.value()))
            }
        }
    )*};
}

/// Implements [`FromTtlv`] / [`ToTtlv`] for bit masks from the table.
macro_rules! mask_fields {
    ($($ty:ident),* $(,)?) => {$(
        impl FromTtlv for $ty {
            fn from_ttlv(item: &Ttlv, _v: ProtocolVersion) -> Result<Self, ModelError> {
                match &item.value {
                    Value::Integer(x) => Ok($ty(*x)),
                    _ => Err(wrong_type(item, ItemType::Integer)),
                }
            }
        }
        impl ToTtlv for $ty {
            fn to_ttlv(&self, tag: Tag, _v: ProtocolVersion) -> Ttlv {
                Ttlv::new(tag, Value::Integer(self.0))
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
            fn from_ttlv(
                item: &$crate::ttlv::Ttlv,
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
            fn to_ttlv(
                &self,
                tag: $crate::ttlv::Tag,
                v: $crate::kmip::version::ProtocolVersion,
            ) -> $crate::ttlv::Ttlv {
                #[allow(unused_mut)]
                let mut out = $crate::kmip::codec::Out::new(v);
                $( out.$kind($tag, &self.$field); )*
                out.into_structure(tag)
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
        let t = p.to_ttlv(Tag::RequestPayload, v);
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
