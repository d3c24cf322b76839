//! Managed objects (KMIP 1.4 §2.2, 2.1 §2.2) and the Key Block (§2.1.3)
//! they carry. Key material is held as [`Secret`] bytes.

use bytes::Bytes;

use crate::kmip::attributes::{Attributes, CryptographicParameters};
use crate::kmip::codec::{kmip_struct, Fields, FromTtlv, Inline, ModelError, ModelErrorKind, Out, ToTtlv};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    CertificateRequestType, CertificateType, CryptographicAlgorithm, EncodingOption, KeyCompressionType, KeyFormatType,
    ObjectType, OpaqueDataType, SecretDataType, SplitKeyMethod, WrappingMethod,
};
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{ItemType, Tag, Ttlv, Value};

/// Key Material (KMIP 1.4 §2.1.4): raw bytes, or a Transparent* structure.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyMaterial {
    /// Raw, PKCS#1, PKCS#8, X.509, ... bytes.
    Bytes(Secret),
    /// A Transparent* structure, kept as received. Its Big Integers are not
    /// yet held in zeroizing memory.
    Structure(Ttlv),
}

impl FromTtlv for KeyMaterial {
    fn from_ttlv(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        match &item.value {
            Value::ByteString(_) => Ok(KeyMaterial::Bytes(Secret::from_ttlv(item, v)?)),
            Value::Structure(_) => Ok(KeyMaterial::Structure(item.clone())),
            _ => Err(ModelError::new(
                item.tag,
                ModelErrorKind::WrongType { expected: ItemType::ByteString, found: item.item_type() },
            )),
        }
    }
}

impl ToTtlv for KeyMaterial {
    fn to_ttlv(&self, tag: Tag, v: ProtocolVersion) -> Ttlv {
        match self {
            KeyMaterial::Bytes(s) => s.to_ttlv(tag, v),
            KeyMaterial::Structure(t) => t.to_ttlv(tag, v),
        }
    }
}

/// Key Value (KMIP 1.4 §2.1.4): key material and attributes, or, when the
/// key is wrapped, the wrapped bytes.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyValue {
    /// Plain key material with its attributes.
    Plain {
        /// Key Material.
        key_material: KeyMaterial,
        /// Attributes bound to the key value (1.x Attribute*, 2.x Attributes).
        attributes: Attributes,
    },
    /// A wrapped key value (Byte String).
    Wrapped(Secret),
}

impl FromTtlv for KeyValue {
    fn from_ttlv(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        if let Value::ByteString(_) = item.value {
            return Ok(KeyValue::Wrapped(Secret::from_ttlv(item, v)?));
        }
        let mut f = Fields::new(item, v)?;
        let key_material = f.req(Tag::KeyMaterial)?;
        let attributes = Attributes::read_inline(&mut f)?;
        f.finish()?;
        Ok(KeyValue::Plain { key_material, attributes })
    }
}

impl ToTtlv for KeyValue {
    fn to_ttlv(&self, tag: Tag, v: ProtocolVersion) -> Ttlv {
        match self {
            KeyValue::Wrapped(s) => s.to_ttlv(tag, v),
            KeyValue::Plain { key_material, attributes } => {
                let mut out = Out::new(v);
                out.req(Tag::KeyMaterial, key_material);
                attributes.write_inline(&mut out);
                out.into_structure(tag)
            }
        }
    }
}

kmip_struct! {
    /// Encryption Key Information / MAC/Signature Key Information (KMIP 1.4 §2.1.5).
    pub struct KeyInformation {
        /// Unique Identifier of the wrapping key.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Cryptographic Parameters.
        opt cryptographic_parameters: CryptographicParameters = Tag::CryptographicParameters,
    }
}

kmip_struct! {
    /// Key Wrapping Data (KMIP 1.4 §2.1.5).
    pub struct KeyWrappingData {
        /// Wrapping Method.
        req wrapping_method: WrappingMethod = Tag::WrappingMethod,
        /// Encryption Key Information.
        opt encryption_key_information: KeyInformation = Tag::EncryptionKeyInformation,
        /// MAC/Signature Key Information.
        opt mac_signature_key_information: KeyInformation = Tag::MACSignatureKeyInformation,
        /// MAC/Signature.
        opt mac_signature: Bytes = Tag::MACSignature,
        /// IV/Counter/Nonce.
        opt iv_counter_nonce: Bytes = Tag::IVCounterNonce,
        /// Encoding Option (1.1).
        opt encoding_option: EncodingOption = Tag::EncodingOption,
    }
}

kmip_struct! {
    /// Key Wrapping Specification (KMIP 1.4 §2.1.6), as Get and Export request it.
    pub struct KeyWrappingSpecification {
        /// Wrapping Method.
        req wrapping_method: WrappingMethod = Tag::WrappingMethod,
        /// Encryption Key Information.
        opt encryption_key_information: KeyInformation = Tag::EncryptionKeyInformation,
        /// MAC/Signature Key Information.
        opt mac_signature_key_information: KeyInformation = Tag::MACSignatureKeyInformation,
        /// Attribute Name(s) to wrap with the key.
        rep attribute_names: String = Tag::AttributeName,
        /// Encoding Option (1.1).
        opt encoding_option: EncodingOption = Tag::EncodingOption,
    }
}

kmip_struct! {
    /// Key Block (KMIP 1.4 §2.1.3).
    pub struct KeyBlock {
        /// Key Format Type.
        req key_format_type: KeyFormatType = Tag::KeyFormatType,
        /// Key Compression Type.
        opt key_compression_type: KeyCompressionType = Tag::KeyCompressionType,
        /// Key Value.
        opt key_value: KeyValue = Tag::KeyValue,
        /// Cryptographic Algorithm.
        opt cryptographic_algorithm: CryptographicAlgorithm = Tag::CryptographicAlgorithm,
        /// Cryptographic Length.
        opt cryptographic_length: i32 = Tag::CryptographicLength,
        /// Key Wrapping Data.
        opt key_wrapping_data: KeyWrappingData = Tag::KeyWrappingData,
    }
}

kmip_struct! {
    /// Symmetric Key (KMIP 1.4 §2.2.2).
    pub struct SymmetricKey {
        /// Key Block.
        req key_block: KeyBlock = Tag::KeyBlock,
    }
}

kmip_struct! {
    /// Public Key (KMIP 1.4 §2.2.3).
    pub struct PublicKey {
        /// Key Block.
        req key_block: KeyBlock = Tag::KeyBlock,
    }
}

kmip_struct! {
    /// Private Key (KMIP 1.4 §2.2.4).
    pub struct PrivateKey {
        /// Key Block.
        req key_block: KeyBlock = Tag::KeyBlock,
    }
}

kmip_struct! {
    /// Split Key (KMIP 1.4 §2.2.5).
    pub struct SplitKey {
        /// Split Key Parts.
        req split_key_parts: i32 = Tag::SplitKeyParts,
        /// Key Part Identifier.
        req key_part_identifier: i32 = Tag::KeyPartIdentifier,
        /// Split Key Threshold.
        req split_key_threshold: i32 = Tag::SplitKeyThreshold,
        /// Split Key Method.
        req split_key_method: SplitKeyMethod = Tag::SplitKeyMethod,
        /// Prime Field Size.
        opt prime_field_size: crate::kmip::codec::BigInteger = Tag::PrimeFieldSize,
        /// Key Block.
        req key_block: KeyBlock = Tag::KeyBlock,
    }
}

kmip_struct! {
    /// Template (KMIP 1.4 §2.2.6; removed in 2.0).
    pub struct Template {
        /// Attributes.
        rep attributes: crate::kmip::attributes::IndexedAttribute = Tag::Attribute,
    }
}

kmip_struct! {
    /// Secret Data (KMIP 1.4 §2.2.7).
    pub struct SecretData {
        /// Secret Data Type.
        req secret_data_type: SecretDataType = Tag::SecretDataType,
        /// Key Block.
        req key_block: KeyBlock = Tag::KeyBlock,
    }
}

kmip_struct! {
    /// Opaque Object (KMIP 1.4 §2.2.8).
    pub struct OpaqueObject {
        /// Opaque Data Type.
        req opaque_data_type: OpaqueDataType = Tag::OpaqueDataType,
        /// Opaque Data Value.
        req opaque_data_value: Secret = Tag::OpaqueDataValue,
    }
}

kmip_struct! {
    /// Certificate (KMIP 1.4 §2.2.1).
    pub struct Certificate {
        /// Certificate Type.
        req certificate_type: CertificateType = Tag::CertificateType,
        /// Certificate Value.
        req certificate_value: Bytes = Tag::CertificateValue,
    }
}

kmip_struct! {
    /// PGP Key (KMIP 1.4 §2.2.9, 1.2).
    pub struct PGPKey {
        /// PGP Key Version.
        req pgp_key_version: i32 = Tag::PGPKeyVersion,
        /// Key Block.
        req key_block: KeyBlock = Tag::KeyBlock,
    }
}

kmip_struct! {
    /// Certificate Request (KMIP 2.1 §2.2.10, 2.0).
    pub struct CertificateRequestObject {
        /// Certificate Request Type.
        req certificate_request_type: CertificateRequestType = Tag::CertificateRequestType,
        /// Certificate Request Value.
        req certificate_request_value: Bytes = Tag::CertificateRequestValue,
    }
}

/// Any managed object; its TTLV tag says which.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    /// Certificate.
    Certificate(Certificate),
    /// Symmetric Key.
    SymmetricKey(SymmetricKey),
    /// Public Key.
    PublicKey(PublicKey),
    /// Private Key.
    PrivateKey(PrivateKey),
    /// Split Key.
    SplitKey(SplitKey),
    /// Template (1.x).
    Template(Template),
    /// Secret Data.
    SecretData(SecretData),
    /// Opaque Object.
    OpaqueObject(OpaqueObject),
    /// PGP Key.
    PGPKey(PGPKey),
    /// Certificate Request (2.x).
    CertificateRequest(CertificateRequestObject),
}

impl Object {
    /// The tags an object may appear under.
    pub const TAGS: [Tag; 10] = [
        Tag::Certificate,
        Tag::SymmetricKey,
        Tag::PublicKey,
        Tag::PrivateKey,
        Tag::SplitKey,
        Tag::Template,
        Tag::SecretData,
        Tag::OpaqueObject,
        Tag::PGPKey,
        Tag::CertificateRequest,
    ];

    /// The object's Object Type.
    pub fn object_type(&self) -> ObjectType {
        match self {
            Object::Certificate(_) => ObjectType::Certificate,
            Object::SymmetricKey(_) => ObjectType::SymmetricKey,
            Object::PublicKey(_) => ObjectType::PublicKey,
            Object::PrivateKey(_) => ObjectType::PrivateKey,
            Object::SplitKey(_) => ObjectType::SplitKey,
            Object::Template(_) => ObjectType::Template,
            Object::SecretData(_) => ObjectType::SecretData,
            Object::OpaqueObject(_) => ObjectType::OpaqueObject,
            Object::PGPKey(_) => ObjectType::PGPKey,
            Object::CertificateRequest(_) => ObjectType::CertificateRequest,
        }
    }

    /// The tag the object is written under.
    pub fn tag(&self) -> Tag {
        match self {
            Object::Certificate(_) => Tag::Certificate,
            Object::SymmetricKey(_) => Tag::SymmetricKey,
            Object::PublicKey(_) => Tag::PublicKey,
            Object::PrivateKey(_) => Tag::PrivateKey,
            Object::SplitKey(_) => Tag::SplitKey,
            Object::Template(_) => Tag::Template,
            Object::SecretData(_) => Tag::SecretData,
            Object::OpaqueObject(_) => Tag::OpaqueObject,
            Object::PGPKey(_) => Tag::PGPKey,
            Object::CertificateRequest(_) => Tag::CertificateRequest,
        }
    }

    /// The key block, for the objects that have one.
    pub fn key_block(&self) -> Option<&KeyBlock> {
        match self {
            Object::SymmetricKey(k) => Some(&k.key_block),
            Object::PublicKey(k) => Some(&k.key_block),
            Object::PrivateKey(k) => Some(&k.key_block),
            Object::SplitKey(k) => Some(&k.key_block),
            Object::SecretData(k) => Some(&k.key_block),
            Object::PGPKey(k) => Some(&k.key_block),
            _ => None,
        }
    }

    /// Reads the object at the cursor, if the next field is one.
    pub fn read_opt(f: &mut Fields<'_>) -> Result<Option<Object>, ModelError> {
        match f.peek_tag() {
            Some(tag) if Object::TAGS.contains(&tag) => Ok(Some(f.req(tag)?)),
            _ => Ok(None),
        }
    }

    /// Reads the object at the cursor; it must be there.
    pub fn read_req(f: &mut Fields<'_>, parent: Tag) -> Result<Object, ModelError> {
        Object::read_opt(f)?
            .ok_or_else(|| ModelError::new(parent, ModelErrorKind::InvalidValue("missing the managed object".into())))
    }
}

impl FromTtlv for Object {
    fn from_ttlv(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        Ok(match item.tag {
            t if t == Tag::Certificate => Object::Certificate(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::SymmetricKey => Object::SymmetricKey(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::PublicKey => Object::PublicKey(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::PrivateKey => Object::PrivateKey(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::SplitKey => Object::SplitKey(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::Template => Object::Template(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::SecretData => Object::SecretData(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::OpaqueObject => Object::OpaqueObject(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::PGPKey => Object::PGPKey(FromTtlv::from_ttlv(item, v)?),
            t if t == Tag::CertificateRequest => Object::CertificateRequest(FromTtlv::from_ttlv(item, v)?),
            other => return Err(ModelError::new(other, ModelErrorKind::Unexpected(other))),
        })
    }
}

impl ToTtlv for Object {
    /// The object is always written under its own tag.
    fn to_ttlv(&self, _tag: Tag, v: ProtocolVersion) -> Ttlv {
        let tag = self.tag();
        match self {
            Object::Certificate(o) => o.to_ttlv(tag, v),
            Object::SymmetricKey(o) => o.to_ttlv(tag, v),
            Object::PublicKey(o) => o.to_ttlv(tag, v),
            Object::PrivateKey(o) => o.to_ttlv(tag, v),
            Object::SplitKey(o) => o.to_ttlv(tag, v),
            Object::Template(o) => o.to_ttlv(tag, v),
            Object::SecretData(o) => o.to_ttlv(tag, v),
            Object::OpaqueObject(o) => o.to_ttlv(tag, v),
            Object::PGPKey(o) => o.to_ttlv(tag, v),
            Object::CertificateRequest(o) => o.to_ttlv(tag, v),
        }
    }
}
