//! Locate (KMIP 1.4 §4.9, 2.1 §6.1.33).

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::kmip_struct;
use crate::kmip::table::{ObjectGroupMember, StorageStatusMask};
use crate::ttlv::Tag;

kmip_struct! {
    /// Locate request payload (KMIP 1.4 §4.9, 2.1 §6.1.33).
    pub struct LocateRequest {
        /// Maximum Items.
        opt maximum_items: i32 = Tag::MaximumItems,
        /// Offset Items.
        opt offset_items: i32 = Tag::OffsetItems,
        /// Storage Status Mask.
        opt storage_status_mask: StorageStatusMask = Tag::StorageStatusMask,
        /// Object Group Member.
        opt object_group_member: ObjectGroupMember = Tag::ObjectGroupMember,
        /// Attribute.
        inl attributes: Attributes = Tag::Attribute,
    }
}

kmip_struct! {
    /// Locate response payload (KMIP 1.4 §4.9, 2.1 §6.1.33).
    pub struct LocateResponse {
        /// Located Items.
        opt located_items: i32 = Tag::LocatedItems,
        /// Unique Identifier.
        rep unique_identifiers: String = Tag::UniqueIdentifier,
    }
}
