//! Register (KMIP 1.4 §4.3, 2.1 §6.1.43).

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::{kmip_struct, tree_decoded, Fields, ModelError, Out, ToTtlv};
use crate::kmip::objects::Object;
use crate::kmip::table::ObjectType;
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{Tag, Ttlv};

/// Register request payload (KMIP 1.4 §4.3, 2.1 §6.1.43).
#[derive(Clone, Debug, PartialEq)]
pub struct RegisterRequest {
    /// Object Type.
    pub object_type: ObjectType,
    /// Template-Attribute (1.x) / Attributes (2.x).
    pub attributes: Attributes,
    /// The managed object.
    pub object: Object,
    /// Protection Storage Masks.
    pub protection_storage_masks: Option<Ttlv>,
}

impl RegisterRequest {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        let mut f = Fields::new(item, v)?;
        let object_type = f.req(Tag::ObjectType)?;
        let attributes = f.req(Attributes::TAG)?;
        let object = Object::read_req(&mut f, item.tag)?;
        let protection_storage_masks = f.opt(Tag::ProtectionStorageMasks)?;
        f.finish()?;
        Ok(RegisterRequest { object_type, attributes, object, protection_storage_masks })
    }
}

tree_decoded!(RegisterRequest);

impl ToTtlv for RegisterRequest {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            out.req(Tag::ObjectType, &self.object_type);
            out.req(Attributes::TAG, &self.attributes);
            out.req(self.object.tag(), &self.object);
            out.opt(Tag::ProtectionStorageMasks, &self.protection_storage_masks);
        });
    }
}

kmip_struct! {
    /// Register response payload (KMIP 1.4 §4.3, 2.1 §6.1.43).
    pub struct RegisterResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
    }
}
