//! Import (KMIP 1.4 §4.38, 2.1 §6.1.29).

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::{kmip_struct, tree_decoded, Fields, ModelError, Out, ToTtlv};
use crate::kmip::objects::Object;
use crate::kmip::table::{KeyWrapType, ObjectType};
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{Tag, Ttlv};

/// Import request payload (KMIP 1.4 §4.38, 2.1 §6.1.29).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRequest {
    /// Unique Identifier.
    pub unique_identifier: String,
    /// Object Type.
    pub object_type: ObjectType,
    /// Replace Existing.
    pub replace_existing: Option<bool>,
    /// Key Wrap Type.
    pub key_wrap_type: Option<KeyWrapType>,
    /// Template-Attribute (1.x) / Attributes (2.x).
    pub attributes: Attributes,
    /// The managed object.
    pub object: Object,
}

impl ImportRequest {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        let mut f = Fields::new(item, v)?;
        let unique_identifier = f.req(Tag::UniqueIdentifier)?;
        let object_type = f.req(Tag::ObjectType)?;
        let replace_existing = f.opt(Tag::ReplaceExisting)?;
        let key_wrap_type = f.opt(Tag::KeyWrapType)?;
        let attributes = f.req(Attributes::TAG)?;
        let object = Object::read_req(&mut f, item.tag)?;
        f.finish()?;
        Ok(ImportRequest { unique_identifier, object_type, replace_existing, key_wrap_type, attributes, object })
    }
}

tree_decoded!(ImportRequest);

impl ToTtlv for ImportRequest {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            out.req(Tag::UniqueIdentifier, &self.unique_identifier);
            out.req(Tag::ObjectType, &self.object_type);
            out.opt(Tag::ReplaceExisting, &self.replace_existing);
            out.opt(Tag::KeyWrapType, &self.key_wrap_type);
            out.req(Attributes::TAG, &self.attributes);
            out.req(self.object.tag(), &self.object);
        });
    }
}

kmip_struct! {
    /// Import response payload (KMIP 1.4 §4.38, 2.1 §6.1.29).
    pub struct ImportResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
