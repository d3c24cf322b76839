//! Export (KMIP 1.4 §4.39, 2.1 §6.1.22).

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::{tree_decoded, Fields, ModelError, Out, ToTtlv};
use crate::kmip::objects::Object;
use crate::kmip::payloads::GetRequest;
use crate::kmip::table::ObjectType;
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{Tag, Ttlv};

/// Export request payload (KMIP 1.4 §4.39, 2.1 §6.1.22): the same fields,
/// in the same order, as Get's, so one type serves both.
pub type ExportRequest = GetRequest;

/// Export response payload (KMIP 1.4 §4.39, 2.1 §6.1.22).
#[derive(Clone, Debug, PartialEq)]
pub struct ExportResponse {
    /// Object Type.
    pub object_type: ObjectType,
    /// Unique Identifier.
    pub unique_identifier: String,
    /// Template-Attribute (1.x) / Attributes (2.x).
    pub attributes: Attributes,
    /// The managed object.
    pub object: Object,
}

impl ExportResponse {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        let mut f = Fields::new(item, v)?;
        let object_type = f.req(Tag::ObjectType)?;
        let unique_identifier = f.req(Tag::UniqueIdentifier)?;
        let attributes = f.req(Attributes::TAG)?;
        let object = Object::read_req(&mut f, item.tag)?;
        f.finish()?;
        Ok(ExportResponse { object_type, unique_identifier, attributes, object })
    }
}

tree_decoded!(ExportResponse);

impl ToTtlv for ExportResponse {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            out.req(Tag::ObjectType, &self.object_type);
            out.req(Tag::UniqueIdentifier, &self.unique_identifier);
            out.req(Attributes::TAG, &self.attributes);
            out.req(self.object.tag(), &self.object);
        });
    }
}
