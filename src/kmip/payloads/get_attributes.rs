//! Get Attributes (KMIP 1.4 §4.12, 2.1 §6.1.25).

use crate::kmip::attributes::{AttributeReference, Attributes, ATTRIBUTE_REFERENCE};
use crate::kmip::codec::{kmip_struct, tree_decoded, Fields, Inline, ModelError, Out, ToTtlv};
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Get Attributes request payload.
    pub struct GetAttributesRequest {
        /// Unique Identifier (or the ID Placeholder).
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// The attributes asked for (1.x Attribute Name, 2.x Attribute Reference); none: all.
        rep attribute_references: AttributeReference = ATTRIBUTE_REFERENCE,
    }
}

/// Get Attributes response payload: 1.x lists Attribute structures inline;
/// 2.x always carries an Attributes structure, empty when nothing matched
/// (KMIP 2.1 §6.1.25 marks it required; PyKMIP refuses a response without it).
#[derive(Clone, Debug, PartialEq)]
pub struct GetAttributesResponse {
    /// Unique Identifier.
    pub unique_identifier: String,
    /// The attributes found.
    pub attributes: Attributes,
}

impl GetAttributesResponse {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        let mut f = Fields::new(item, v)?;
        let unique_identifier = f.req(Tag::UniqueIdentifier)?;
        let attributes = Attributes::read_inline(&mut f)?;
        f.finish()?;
        Ok(GetAttributesResponse { unique_identifier, attributes })
    }
}

tree_decoded!(GetAttributesResponse);

impl ToTtlv for GetAttributesResponse {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            out.req(Tag::UniqueIdentifier, &self.unique_identifier);
            if out.version().is_2x() {
                out.req(Tag::Attributes, &self.attributes);
            } else {
                self.attributes.write_inline(out);
            }
        });
    }
}
