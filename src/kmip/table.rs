//! THE table: every KMIP 1.0-2.1 tag, enumeration and bit mask, with its
//! wire value, item type and the first version that defines it.
//!
//! Everything else in coffer uses the names generated from here: `Tag::Name`
//! constants, one Rust enum per enumeration, one newtype per mask. The JSON
//! and XML encodings read names from [`TAGS`], [`ENUMS`] and [`MASKS`].
//!
//! Sources: KMIP 1.0-1.4 and 2.0-2.1 specifications, §9.1.3 (tags,
//! enumerations, masks). Vendor tags (`0x54xxxx`) and values this table does
//! not know pass through unchanged.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{ItemType, Tag};

/// One row of the tag table.
#[derive(Debug)]
pub struct TagInfo {
    /// The tag.
    pub tag: Tag,
    /// The name in the JSON and XML encodings (`"ActivationDate"`).
    pub name: &'static str,
    /// The spec's name, as KMIP 1.x Attribute Name uses it (`"Activation Date"`).
    pub spec_name: &'static str,
    /// The item type the spec gives it.
    pub item_type: ItemType,
    /// The first version that defines it.
    pub since: ProtocolVersion,
}

/// One named value of an enumeration or one bit of a mask.
#[derive(Debug)]
pub struct EnumVariant {
    /// The name in the JSON and XML encodings.
    pub name: &'static str,
    /// The wire value.
    pub value: u32,
    /// The first version that defines it.
    pub since: ProtocolVersion,
}

/// One enumeration and the tags that carry it.
#[derive(Debug)]
pub struct EnumInfo {
    /// The enumeration's name.
    pub name: &'static str,
    /// The tags whose value is this enumeration.
    pub tags: &'static [Tag],
    /// Its values.
    pub variants: &'static [EnumVariant],
}

/// One bit mask and the tags that carry it.
#[derive(Debug)]
pub struct MaskInfo {
    /// The mask's name.
    pub name: &'static str,
    /// The tags whose value is this mask.
    pub tags: &'static [Tag],
    /// Its bits.
    pub bits: &'static [EnumVariant],
}

impl EnumInfo {
    /// The name of a value.
    pub fn name_of(&self, value: u32) -> Option<&'static str> {
        self.variants.iter().find(|v| v.value == value).map(|v| v.name)
    }

    /// The value of a name.
    pub fn value_of(&self, name: &str) -> Option<u32> {
        self.variants.iter().find(|v| v.name == name).map(|v| v.value)
    }
}

/// The table row for a tag.
pub fn tag_info(tag: Tag) -> Option<&'static TagInfo> {
    TAGS.binary_search_by_key(&tag, |info| info.tag).ok().and_then(|i| TAGS.get(i))
}

/// The tag with this JSON/XML name (`"ActivationDate"`) or spec name
/// (`"Activation Date"`).
pub fn tag_by_name(name: &str) -> Option<Tag> {
    static BY_NAME: OnceLock<HashMap<&'static str, Tag>> = OnceLock::new();
    BY_NAME
        .get_or_init(|| {
            let mut map = HashMap::with_capacity(TAGS.len() * 2);
            for info in TAGS {
                map.insert(info.spec_name, info.tag);
                map.insert(info.name, info.tag);
            }
            map
        })
        .get(name)
        .copied()
}

/// The enumeration carried by a tag.
pub fn enum_for_tag(tag: Tag) -> Option<&'static EnumInfo> {
    static BY_TAG: OnceLock<HashMap<Tag, &'static EnumInfo>> = OnceLock::new();
    BY_TAG.get_or_init(|| ENUMS.iter().flat_map(|e| e.tags.iter().map(move |t| (*t, e))).collect()).get(&tag).copied()
}

/// The bit mask carried by a tag.
pub fn mask_for_tag(tag: Tag) -> Option<&'static MaskInfo> {
    MASKS.iter().find(|m| m.tags.contains(&tag))
}

kmip_tags! {
    ActivationDate = 0x42_0001, DateTime, "Activation Date", V1_0;
    ApplicationData = 0x42_0002, TextString, "Application Data", V1_0;
    ApplicationNamespace = 0x42_0003, TextString, "Application Namespace", V1_0;
    ApplicationSpecificInformation = 0x42_0004, Structure, "Application Specific Information", V1_0;
    ArchiveDate = 0x42_0005, DateTime, "Archive Date", V1_0;
    AsynchronousCorrelationValue = 0x42_0006, ByteString, "Asynchronous Correlation Value", V1_0;
    AsynchronousIndicator = 0x42_0007, Boolean, "Asynchronous Indicator", V1_0;
    Attribute = 0x42_0008, Structure, "Attribute", V1_0;
    AttributeIndex = 0x42_0009, Integer, "Attribute Index", V1_0;
    AttributeName = 0x42_000A, TextString, "Attribute Name", V1_0;
    AttributeValue = 0x42_000B, Structure, "Attribute Value", V1_0;
    Authentication = 0x42_000C, Structure, "Authentication", V1_0;
    BatchCount = 0x42_000D, Integer, "Batch Count", V1_0;
    BatchErrorContinuationOption = 0x42_000E, Enumeration, "Batch Error Continuation Option", V1_0;
    BatchItem = 0x42_000F, Structure, "Batch Item", V1_0;
    BatchOrderOption = 0x42_0010, Boolean, "Batch Order Option", V1_0;
    CryptographicUsageMask = 0x42_002C, Integer, "Cryptographic Usage Mask", V1_0;
    ObjectType = 0x42_0057, Enumeration, "Object Type", V1_0;
    Operation = 0x42_005C, Enumeration, "Operation", V1_0;
    ProtocolVersion = 0x42_0069, Structure, "Protocol Version", V1_0;
    ProtocolVersionMajor = 0x42_006A, Integer, "Protocol Version Major", V1_0;
    ProtocolVersionMinor = 0x42_006B, Integer, "Protocol Version Minor", V1_0;
    RequestHeader = 0x42_0077, Structure, "Request Header", V1_0;
    RequestMessage = 0x42_0078, Structure, "Request Message", V1_0;
    RequestPayload = 0x42_0079, Structure, "Request Payload", V1_0;
    ResponseHeader = 0x42_007A, Structure, "Response Header", V1_0;
    ResponseMessage = 0x42_007B, Structure, "Response Message", V1_0;
    ResponsePayload = 0x42_007C, Structure, "Response Payload", V1_0;
    ResultMessage = 0x42_007D, TextString, "Result Message", V1_0;
    ResultReason = 0x42_007E, Enumeration, "Result Reason", V1_0;
    ResultStatus = 0x42_007F, Enumeration, "Result Status", V1_0;
    UniqueIdentifier = 0x42_0094, TextString, "Unique Identifier", V1_0;
}

kmip_enums! {
    /// Object Type.
    ObjectType [ObjectType] {
        Certificate = 0x0000_0001, V1_0;
        SymmetricKey = 0x0000_0002, V1_0;
        PublicKey = 0x0000_0003, V1_0;
        PrivateKey = 0x0000_0004, V1_0;
        SplitKey = 0x0000_0005, V1_0;
        Template = 0x0000_0006, V1_0;
        SecretData = 0x0000_0007, V1_0;
        OpaqueObject = 0x0000_0008, V1_0;
        PGPKey = 0x0000_0009, V1_2;
        CertificateRequest = 0x0000_000A, V2_0;
    }
    /// Result Status.
    ResultStatus [ResultStatus] {
        Success = 0x0000_0000, V1_0;
        OperationFailed = 0x0000_0001, V1_0;
        OperationPending = 0x0000_0002, V1_0;
        OperationUndone = 0x0000_0003, V1_0;
    }
}

kmip_masks! {
    /// Cryptographic Usage Mask.
    CryptographicUsageMask [CryptographicUsageMask] {
        Sign = 0x0000_0001, V1_0;
        Verify = 0x0000_0002, V1_0;
        Encrypt = 0x0000_0004, V1_0;
        Decrypt = 0x0000_0008, V1_0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_sorted_and_unique() {
        for pair in TAGS.windows(2) {
            if let [a, b] = pair {
                assert!(
                    a.tag < b.tag,
                    "{} (0x{:06X}) must come before {} (0x{:06X})",
                    a.name,
                    a.tag.value(),
                    b.name,
                    b.tag.value()
                );
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for info in TAGS {
            assert!(seen.insert(info.name), "duplicate tag name {}", info.name);
        }
    }

    #[test]
    fn enum_values_are_unique_within_each_enumeration() {
        for e in ENUMS {
            let mut seen = std::collections::HashSet::new();
            for v in e.variants {
                assert!(seen.insert(v.value), "{}: value 0x{:08X} appears twice", e.name, v.value);
            }
        }
    }

    #[test]
    fn every_enumeration_tag_has_the_enumeration_type() {
        for e in ENUMS {
            for tag in e.tags {
                let info = tag_info(*tag).unwrap();
                assert_eq!(info.item_type, ItemType::Enumeration, "{} carries {}", info.name, e.name);
            }
        }
    }

    #[test]
    fn lookups_find_names_both_ways() {
        assert_eq!(tag_by_name("RequestMessage"), Some(Tag::RequestMessage));
        assert_eq!(tag_by_name("Cryptographic Usage Mask"), Some(Tag::CryptographicUsageMask));
        assert_eq!(Tag::new(0x54_0001).name(), None);
        assert_eq!(ObjectType::from_value(2), ObjectType::SymmetricKey);
        assert_eq!(ObjectType::from_value(0x8000_0001), ObjectType::Unknown(0x8000_0001));
        assert_eq!(enum_for_tag(Tag::ObjectType).and_then(|e| e.name_of(2)), Some("SymmetricKey"));
    }
}
