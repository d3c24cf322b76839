//! Get (KMIP 1.4 §4.11, 2.1 §6.1.24).

use crate::kmip::codec::{kmip_struct, tree_decoded, Fields, ModelError, Out, ToTtlv};
use crate::kmip::objects::{KeyWrappingSpecification, Object};
use crate::kmip::table::{KeyCompressionType, KeyFormatType, KeyWrapType, ObjectType};
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Get request payload (KMIP 1.4 §4.11, 2.1 §6.1.24); also Export's
    /// ([`ExportRequest`](super::ExportRequest)), whose fields are the same.
    pub struct GetRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Key Format Type.
        opt key_format_type: KeyFormatType = Tag::KeyFormatType,
        /// Key Wrap Type.
        opt key_wrap_type: KeyWrapType = Tag::KeyWrapType,
        /// Key Compression Type.
        opt key_compression_type: KeyCompressionType = Tag::KeyCompressionType,
        /// Key Wrapping Specification.
        opt key_wrapping_specification: KeyWrappingSpecification = Tag::KeyWrappingSpecification,
    }
}

impl GetRequest {
    /// Get of the object `unique_identifier` (the ID Placeholder's when
    /// `None`) in the server's default format, unwrapped.
    pub fn new(unique_identifier: Option<String>) -> GetRequest {
        GetRequest {
            unique_identifier,
            key_format_type: None,
            key_wrap_type: None,
            key_compression_type: None,
            key_wrapping_specification: None,
        }
    }
}

/// Get response payload (KMIP 1.4 §4.11, 2.1 §6.1.24).
#[derive(Clone, Debug, PartialEq)]
pub struct GetResponse {
    /// Object Type.
    pub object_type: ObjectType,
    /// Unique Identifier.
    pub unique_identifier: String,
    /// The managed object.
    pub object: Object,
}

impl GetResponse {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        let mut f = Fields::new(item, v)?;
        let object_type = f.req(Tag::ObjectType)?;
        let unique_identifier = f.req(Tag::UniqueIdentifier)?;
        let object = Object::read_req(&mut f, item.tag)?;
        f.finish()?;
        Ok(GetResponse { object_type, unique_identifier, object })
    }
}

tree_decoded!(GetResponse);

impl ToTtlv for GetResponse {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            out.req(Tag::ObjectType, &self.object_type);
            out.req(Tag::UniqueIdentifier, &self.unique_identifier);
            out.req(self.object.tag(), &self.object);
        });
    }
}
