//! Managed objects (KMIP 1.4 §2.2, 2.1 §2.2) and the Key Block (§2.1.3)
//! they carry. Key material is held as [`Secret`] bytes.

use std::fmt;

use bytes::Bytes;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::kmip::attributes::{Attributes, CryptographicParameters};
use crate::kmip::codec::{
    kmip_struct, tree_decoded, Fields, FromTtlv, Inline, ModelError, ModelErrorKind, Out, ToTtlv,
};
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
    /// A Transparent* structure (Transparent Symmetric, RSA, EC, DSA, DH
    /// ... Key), its numbers held as secrets.
    Transparent(TransparentKey),
}

impl KeyMaterial {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        match &item.value {
            Value::ByteString(_) => Ok(KeyMaterial::Bytes(Secret::from_ttlv(item, v)?)),
            Value::Structure(_) => Ok(KeyMaterial::Transparent(TransparentKey::from_ttlv(item, v)?)),
            _ => Err(ModelError::new(
                item.tag,
                ModelErrorKind::WrongType { expected: ItemType::ByteString, found: item.item_type() },
            )),
        }
    }
}

tree_decoded!(KeyMaterial);

impl ToTtlv for KeyMaterial {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        match self {
            KeyMaterial::Bytes(s) => s.write_ttlv(tag, out),
            KeyMaterial::Transparent(t) => t.write_ttlv(tag, out),
        }
    }
}

/// One field of a Transparent* Key Material structure (`Debug` shows no bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransparentValue {
    /// A Big Integer (Modulus, Private Exponent, P, Q, D, ...): its bytes as
    /// on the wire, big-endian two's complement.
    BigInteger(Secret),
    /// A Byte String (a symmetric Key, an EC Q String).
    ByteString(Secret),
    /// An Enumeration (Recommended Curve).
    Enumeration(u32),
}

/// A Transparent* Key Material structure (KMIP 1.4 §2.1.7), field by field
/// in the order received. Every number and byte string is copied out of the
/// request into a [`Secret`] when decoded (so the request frame can be
/// wiped) and back into wiped-on-drop memory when written; `Debug` shows the
/// tags only. Public numbers (a modulus, a Q String) are held the same way:
/// one rule, and no way to get a private one wrong.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TransparentKey {
    fields: Vec<(Tag, TransparentValue)>,
}

impl TransparentKey {
    /// An empty structure; add fields with [`TransparentKey::with`].
    pub fn new() -> TransparentKey {
        TransparentKey::default()
    }

    /// Adds a field at the end.
    pub fn with(mut self, tag: Tag, value: TransparentValue) -> TransparentKey {
        self.fields.push((tag, value));
        self
    }

    /// Adds a Big Integer field from an unsigned big-endian magnitude (what
    /// the crypto layer gives), as a non-negative two's complement number:
    /// a 0x00 byte goes first when the top bit is set, so the writer's sign
    /// extension cannot turn it negative.
    pub fn with_unsigned(self, tag: Tag, magnitude: &[u8]) -> TransparentKey {
        let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(magnitude.len().saturating_add(1)));
        if magnitude.first().is_none_or(|b| b & 0x80 != 0) {
            bytes.push(0);
        }
        bytes.extend_from_slice(magnitude);
        self.with(tag, TransparentValue::BigInteger(Secret::from_slice(&bytes)))
    }

    /// The fields, in order.
    pub fn fields(&self) -> &[(Tag, TransparentValue)] {
        &self.fields
    }

    /// The first field with `tag`.
    pub fn get(&self, tag: Tag) -> Option<&TransparentValue> {
        self.fields.iter().find(|(t, _)| *t == tag).map(|(_, v)| v)
    }
}

/// The tags only: never a number.
impl fmt::Debug for TransparentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransparentKey(")?;
        f.debug_list().entries(self.fields.iter().map(|(t, _)| t)).finish()?;
        f.write_str(", <redacted>)")
    }
}

impl Zeroize for TransparentKey {
    fn zeroize(&mut self) {
        for (_, value) in &mut self.fields {
            match value {
                TransparentValue::BigInteger(s) | TransparentValue::ByteString(s) => s.zeroize(),
                TransparentValue::Enumeration(e) => e.zeroize(),
            }
        }
    }
}

// Every byte it holds is in a `Secret`, which wipes on drop.
impl ZeroizeOnDrop for TransparentKey {}

impl TransparentKey {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, _v: ProtocolVersion) -> Result<Self, ModelError> {
        let Value::Structure(children) = &item.value else {
            return Err(ModelError::new(item.tag, ModelErrorKind::NotAStructure));
        };
        let mut fields = Vec::with_capacity(children.len());
        for child in children {
            let value = match &child.value {
                Value::BigInteger(b) => TransparentValue::BigInteger(Secret::from_slice(b)),
                Value::ByteString(b) => TransparentValue::ByteString(Secret::from_slice(b)),
                Value::Enumeration(e) => TransparentValue::Enumeration(*e),
                _ => {
                    // Every Transparent* field in KMIP 1.0-2.1 is one of the three.
                    return Err(ModelError::new(
                        child.tag,
                        ModelErrorKind::WrongType { expected: ItemType::BigInteger, found: child.item_type() },
                    )
                    .within(item.tag));
                }
            };
            fields.push((child.tag, value));
        }
        Ok(TransparentKey { fields })
    }
}

tree_decoded!(TransparentKey);

/// The numbers are written straight from their secrets into the output
/// buffer (which the server wipes): no copy in between.
impl ToTtlv for TransparentKey {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| {
            for (t, value) in &self.fields {
                match value {
                    TransparentValue::BigInteger(s) => out.writer().big_integer(*t, s.expose()),
                    TransparentValue::ByteString(s) => out.writer().bytes(*t, s.expose()),
                    TransparentValue::Enumeration(e) => out.writer().enumeration(*t, *e),
                }
            }
        });
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

impl KeyValue {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
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

tree_decoded!(KeyValue);

impl ToTtlv for KeyValue {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        match self {
            KeyValue::Wrapped(s) => s.write_ttlv(tag, out),
            KeyValue::Plain { key_material, attributes } => out.structure(tag, |out| {
                out.req(Tag::KeyMaterial, key_material);
                attributes.write_inline(out);
            }),
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

impl KeyBlock {
    /// A key block holding `material` in clear: not wrapped, not
    /// compressed, no Key Value attributes. How the server builds every
    /// key it makes or converts.
    pub fn plain(
        format: KeyFormatType,
        material: KeyMaterial,
        algorithm: Option<CryptographicAlgorithm>,
        length: Option<i32>,
    ) -> KeyBlock {
        KeyBlock {
            key_format_type: format,
            key_compression_type: None,
            key_value: Some(KeyValue::Plain { key_material: material, attributes: Attributes::default() }),
            cryptographic_algorithm: algorithm,
            cryptographic_length: length,
            key_wrapping_data: None,
        }
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

    /// The key block, mutable, for the objects that have one.
    pub fn key_block_mut(&mut self) -> Option<&mut KeyBlock> {
        match self {
            Object::SymmetricKey(k) => Some(&mut k.key_block),
            Object::PublicKey(k) => Some(&mut k.key_block),
            Object::PrivateKey(k) => Some(&mut k.key_block),
            Object::SplitKey(k) => Some(&mut k.key_block),
            Object::SecretData(k) => Some(&mut k.key_block),
            Object::PGPKey(k) => Some(&mut k.key_block),
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

impl Object {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
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

tree_decoded!(Object);

impl ToTtlv for Object {
    /// The object is always written under its own tag.
    fn write_ttlv(&self, _tag: Tag, out: &mut Out<'_>) {
        let tag = self.tag();
        match self {
            Object::Certificate(o) => o.write_ttlv(tag, out),
            Object::SymmetricKey(o) => o.write_ttlv(tag, out),
            Object::PublicKey(o) => o.write_ttlv(tag, out),
            Object::PrivateKey(o) => o.write_ttlv(tag, out),
            Object::SplitKey(o) => o.write_ttlv(tag, out),
            Object::Template(o) => o.write_ttlv(tag, out),
            Object::SecretData(o) => o.write_ttlv(tag, out),
            Object::OpaqueObject(o) => o.write_ttlv(tag, out),
            Object::PGPKey(o) => o.write_ttlv(tag, out),
            Object::CertificateRequest(o) => o.write_ttlv(tag, out),
        }
    }
}

// Tests index values they built themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::crypto::asymmetric::{generate, KeyPairSpec, PrivateKey as CryptoKey};
    use crate::crypto::formats;
    use crate::ttlv::{self, Limits};

    const V: ProtocolVersion = ProtocolVersion::V2_1;

    fn big(tag: Tag, n: &[u8]) -> Ttlv {
        Ttlv::new(tag, Value::BigInteger(Bytes::copy_from_slice(n)))
    }

    /// A Private Key object in the Transparent RSA Private Key format, as a
    /// client sends it, and its private numbers.
    fn transparent_rsa_request() -> (Vec<u8>, Vec<Vec<u8>>) {
        let key = CryptoKey::from_der(&generate(KeyPairSpec::Rsa(1024)).unwrap().private_pkcs8_der).unwrap();
        let n = formats::to_rsa_private_numbers(&key).unwrap();
        let secrets: Vec<Vec<u8>> =
            [&n.private_exponent, &n.p, &n.q, &n.dp, &n.dq, &n.qinv].into_iter().map(|x| x.to_vec()).collect();
        let material = Ttlv::structure(
            Tag::KeyMaterial,
            vec![
                big(Tag::Modulus, &n.modulus),
                big(Tag::PrivateExponent, &n.private_exponent),
                big(Tag::PublicExponent, &n.public_exponent),
                big(Tag::P, &n.p),
                big(Tag::Q, &n.q),
                big(Tag::PrimeExponentP, &n.dp),
                big(Tag::PrimeExponentQ, &n.dq),
                big(Tag::CRTCoefficient, &n.qinv),
            ],
        );
        let object = Ttlv::structure(
            Tag::PrivateKey,
            vec![Ttlv::structure(
                Tag::KeyBlock,
                vec![
                    Ttlv::new(Tag::KeyFormatType, Value::Enumeration(KeyFormatType::TransparentRSAPrivateKey.value())),
                    Ttlv::structure(Tag::KeyValue, vec![material]),
                ],
            )],
        );
        (ttlv::encode_to_vec(&object).unwrap(), secrets)
    }

    #[test]
    fn a_decoded_transparent_private_key_keeps_no_view_of_the_request_and_prints_no_number() {
        let (bytes, secrets) = transparent_rsa_request();
        let frame = Bytes::from(bytes);
        let tree = ttlv::decode(&frame, &Limits::UNBOUNDED).unwrap();
        let object = Object::from_ttlv(&tree, V).unwrap();
        drop(tree);
        // The connection layer wipes the frame once nothing else refers to
        // it (net::connection::wipe): the decoded key must hold copies.
        let mut frame = frame.try_into_mut().expect("the decoded object still refers to the request bytes");
        zeroize::Zeroize::zeroize(frame.as_mut());
        assert!(frame.iter().all(|b| *b == 0));
        let Some(KeyValue::Plain { key_material: KeyMaterial::Transparent(t), .. }) =
            object.key_block().and_then(|b| b.key_value.as_ref())
        else {
            panic!("not a transparent key: {object:?}");
        };
        assert_eq!(t.get(Tag::P), Some(&TransparentValue::BigInteger(Secret::from_slice(&secrets[1]))));
        // Debug names the fields and shows none of their bytes.
        let debug = format!("{object:?}");
        assert!(debug.contains("PrivateExponent"), "{debug}");
        for secret in &secrets {
            assert!(!debug.contains(&hex::encode(secret)) && !debug.contains(&hex::encode_upper(secret)), "{debug}");
            assert!(!debug.contains(format!("{:?}", &secret[..4]).trim_end_matches(']')), "{debug}");
        }
    }

    #[test]
    fn a_transparent_key_round_trips_and_zeroize_wipes_every_number() {
        fn wiped_on_drop<T: ZeroizeOnDrop>(_: &T) {}
        let (bytes, _) = transparent_rsa_request();
        let tree = ttlv::decode(&Bytes::from(bytes.clone()), &Limits::UNBOUNDED).unwrap();
        let object = Object::from_ttlv(&tree, V).unwrap();
        // Written back, byte for byte, from its zeroizing copies.
        assert_eq!(object.encode_ttlv(Tag::PrivateKey, V).unwrap(), bytes);
        let Some(KeyValue::Plain { key_material: KeyMaterial::Transparent(t), .. }) =
            object.key_block().and_then(|b| b.key_value.clone())
        else {
            panic!("not a transparent key");
        };
        let mut t = t;
        wiped_on_drop(&t);
        t.zeroize();
        for (tag, value) in t.fields() {
            match value {
                TransparentValue::BigInteger(s) | TransparentValue::ByteString(s) => assert!(s.is_empty(), "{tag:?}"),
                TransparentValue::Enumeration(_) => {}
            }
        }
    }

    #[test]
    fn a_transparent_field_of_another_type_is_refused() {
        let material = Ttlv::structure(Tag::KeyMaterial, vec![Ttlv::new(Tag::Modulus, Value::TextString("1".into()))]);
        let err = KeyMaterial::from_ttlv(&material, V).unwrap_err();
        assert_eq!(err.path, vec![Tag::KeyMaterial, Tag::Modulus]);
    }

    #[test]
    fn unsigned_numbers_are_written_non_negative() {
        let t = TransparentKey::new().with_unsigned(Tag::D, &[0x80, 1]).with_unsigned(Tag::P, &[0x7f]);
        assert_eq!(t.get(Tag::D), Some(&TransparentValue::BigInteger(Secret::from_slice(&[0, 0x80, 1]))));
        assert_eq!(t.get(Tag::P), Some(&TransparentValue::BigInteger(Secret::from_slice(&[0x7f]))));
        assert_eq!(format!("{t:?}"), "TransparentKey([D, P], <redacted>)");
    }
}
