//! Managed-object attributes: ONE internal model ([`Attribute`]) read and
//! written in the KMIP 1.x shape (Template-Attribute / Attribute with
//! Attribute Name + Index + Value, KMIP 1.4 §2.1.1, §2.1.8) or the KMIP 2.x
//! shape (Attributes holding each attribute under its own tag, KMIP 2.1
//! §2.1.1, §4), chosen by the message's protocol version.
//!
//! Version gating on write: an attribute whose tag a version does not
//! define ([`TagInfo::since`](crate::kmip::table::TagInfo)) is **dropped**
//! from what is written for that version, silently, because the server must
//! never send it to such a client (SPEC §2) and a response must still be
//! answered. [`Attribute::defined_in`] lets a caller that prefers to refuse
//! check first.

use bytes::Bytes;

use crate::kmip::codec::{
    kmip_struct, tree_decoded, ByVersion, DateTime, Fields, FromTtlv, Inline, Interval, ModelError, ModelErrorKind,
    Out, ToTtlv,
};
use crate::kmip::table::{
    tag_by_name, tag_info, BlockCipherMode, CertificateType, CryptographicAlgorithm, CryptographicUsageMask,
    DigitalSignatureAlgorithm, HashingAlgorithm, KeyRoleType, LinkType, MaskGenerator, NameType, ObjectType,
    PaddingMethod, RecommendedCurve, RevocationReasonCode, State,
};
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{Tag, Ttlv, Value};

kmip_struct! {
    /// Name (KMIP 1.4 §3.2).
    pub struct Name {
        /// Name Value.
        req value: String = Tag::NameValue,
        /// Name Type.
        req name_type: NameType = Tag::NameType,
    }
}

kmip_struct! {
    /// Cryptographic Parameters (KMIP 1.4 §3.6).
    pub struct CryptographicParameters {
        /// Block Cipher Mode.
        opt block_cipher_mode: BlockCipherMode = Tag::BlockCipherMode,
        /// Padding Method.
        opt padding_method: PaddingMethod = Tag::PaddingMethod,
        /// Hashing Algorithm.
        opt hashing_algorithm: HashingAlgorithm = Tag::HashingAlgorithm,
        /// Key Role Type.
        opt key_role_type: KeyRoleType = Tag::KeyRoleType,
        /// Digital Signature Algorithm (1.2).
        opt digital_signature_algorithm: DigitalSignatureAlgorithm = Tag::DigitalSignatureAlgorithm,
        /// Cryptographic Algorithm (1.2).
        opt cryptographic_algorithm: CryptographicAlgorithm = Tag::CryptographicAlgorithm,
        /// Random IV (1.2).
        opt random_iv: bool = Tag::RandomIV,
        /// IV Length (1.2).
        opt iv_length: i32 = Tag::IVLength,
        /// Tag Length (1.2).
        opt tag_length: i32 = Tag::TagLength,
        /// Fixed Field Length (1.2).
        opt fixed_field_length: i32 = Tag::FixedFieldLength,
        /// Invocation Field Length (1.2).
        opt invocation_field_length: i32 = Tag::InvocationFieldLength,
        /// Counter Length (1.2).
        opt counter_length: i32 = Tag::CounterLength,
        /// Initial Counter Value (1.2).
        opt initial_counter_value: i32 = Tag::InitialCounterValue,
        /// Salt Length (1.4).
        opt salt_length: i32 = Tag::SaltLength,
        /// Mask Generator (1.4).
        opt mask_generator: MaskGenerator = Tag::MaskGenerator,
        /// Mask Generator Hashing Algorithm (1.4).
        opt mask_generator_hashing_algorithm: HashingAlgorithm = Tag::MaskGeneratorHashingAlgorithm,
        /// P Source (1.4).
        opt p_source: Bytes = Tag::PSource,
        /// Trailer Field (1.4).
        opt trailer_field: i32 = Tag::TrailerField,
    }
}

impl CryptographicParameters {
    /// Cryptographic Parameters with no field set: the base a request's or
    /// a wrapped key's parameters are built on (`..CryptographicParameters::none()`).
    pub fn none() -> CryptographicParameters {
        CryptographicParameters {
            block_cipher_mode: None,
            padding_method: None,
            hashing_algorithm: None,
            key_role_type: None,
            digital_signature_algorithm: None,
            cryptographic_algorithm: None,
            random_iv: None,
            iv_length: None,
            tag_length: None,
            fixed_field_length: None,
            invocation_field_length: None,
            counter_length: None,
            initial_counter_value: None,
            salt_length: None,
            mask_generator: None,
            mask_generator_hashing_algorithm: None,
            p_source: None,
            trailer_field: None,
        }
    }
}

kmip_struct! {
    /// Cryptographic Domain Parameters (KMIP 1.4 §3.7).
    pub struct CryptographicDomainParameters {
        /// Qlength.
        opt qlength: i32 = Tag::Qlength,
        /// Recommended Curve.
        opt recommended_curve: RecommendedCurve = Tag::RecommendedCurve,
    }
}

kmip_struct! {
    /// Digest (KMIP 1.4 §3.17).
    pub struct Digest {
        /// Hashing Algorithm.
        req hashing_algorithm: HashingAlgorithm = Tag::HashingAlgorithm,
        /// Digest Value.
        opt digest_value: Bytes = Tag::DigestValue,
        /// Key Format Type (1.1).
        opt key_format_type: Ttlv = Tag::KeyFormatType,
    }
}

kmip_struct! {
    /// Usage Limits (KMIP 1.4 §3.21).
    pub struct UsageLimits {
        /// Usage Limits Total.
        opt total: i64 = Tag::UsageLimitsTotal,
        /// Usage Limits Count.
        opt count: i64 = Tag::UsageLimitsCount,
        /// Usage Limits Unit.
        opt unit: Ttlv = Tag::UsageLimitsUnit,
    }
}

kmip_struct! {
    /// Revocation Reason (KMIP 1.4 §3.31).
    pub struct RevocationReason {
        /// Revocation Reason Code.
        req code: RevocationReasonCode = Tag::RevocationReasonCode,
        /// Revocation Message.
        opt message: String = Tag::RevocationMessage,
    }
}

kmip_struct! {
    /// Link (KMIP 1.4 §3.35).
    pub struct Link {
        /// Link Type.
        req link_type: LinkType = Tag::LinkType,
        /// Linked Object Identifier.
        req linked_object_identifier: String = Tag::LinkedObjectIdentifier,
    }
}

kmip_struct! {
    /// Application Specific Information (KMIP 1.4 §3.36).
    pub struct ApplicationSpecificInformation {
        /// Application Namespace.
        req namespace: String = Tag::ApplicationNamespace,
        /// Application Data.
        opt data: String = Tag::ApplicationData,
    }
}

kmip_struct! {
    /// Alternative Name (KMIP 1.4 §3.40).
    pub struct AlternativeName {
        /// Alternative Name Value.
        req value: String = Tag::AlternativeNameValue,
        /// Alternative Name Type.
        req name_type: Ttlv = Tag::AlternativeNameType,
    }
}

kmip_struct! {
    /// Key Value Location (KMIP 1.4 §3.41).
    pub struct KeyValueLocation {
        /// Key Value Location Value.
        req value: String = Tag::KeyValueLocationValue,
        /// Key Value Location Type.
        req location_type: Ttlv = Tag::KeyValueLocationType,
    }
}

/// Defines [`Attribute`]: `Variant(Type) = Tag::X,` per attribute, plus
/// the custom and fallback variants.
macro_rules! attributes {
    ($( $(#[$meta:meta])* $variant:ident($ty:ty) = $tag:ident, )*) => {
        /// One attribute of a managed object, whatever the version it came in.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Attribute {
            $( $(#[$meta])* $variant($ty), )*
            /// A custom attribute: 1.x `x-name` / `y-name` text name, or 2.x
            /// Attribute with Vendor Identification (KMIP 2.1 §4.55).
            Custom {
                /// Vendor Identification (2.x); `None` for a 1.x name.
                vendor: Option<String>,
                /// Attribute Name, as received (`x-...` in 1.x).
                name: String,
                /// Attribute Value (its tag is ignored).
                value: Ttlv,
            },
            /// Any other attribute, kept as its own tag and value.
            Other(Ttlv),
        }

        impl Attribute {
            /// The attribute's own tag (the 2.x encoding), `Attribute` for
            /// a custom one.
            pub fn tag(&self) -> Tag {
                match self {
                    $( Attribute::$variant(_) => Tag::$tag, )*
                    Attribute::Custom { .. } => Tag::Attribute,
                    Attribute::Other(t) => t.tag,
                }
            }

            /// The attribute whose value is `item` (under its own tag).
            fn from_tagged(item: &Ttlv, v: ProtocolVersion) -> Result<Attribute, ModelError> {
                Ok(match item.tag {
                    $( t if t == Tag::$tag => Attribute::$variant(<$ty>::from_ttlv(item, v)?), )*
                    _ => Attribute::Other(item.clone()),
                })
            }

            /// Writes the value under `tag`, or under the attribute's own
            /// tag (Attribute Value for a custom one) when `tag` is `None`.
            fn write_value(&self, tag: Option<Tag>, out: &mut Out<'_>) {
                match self {
                    $( Attribute::$variant(x) => x.write_ttlv(tag.unwrap_or(Tag::$tag), out), )*
                    Attribute::Custom { value, .. } => value.write_ttlv(tag.unwrap_or(Tag::AttributeValue), out),
                    Attribute::Other(t) => t.write_ttlv(tag.unwrap_or(t.tag), out),
                }
            }
        }
    };
}

attributes! {
    /// Unique Identifier (§3.1).
    UniqueIdentifier(String) = UniqueIdentifier,
    /// Name (§3.2).
    Name(Name) = Name,
    /// Object Type (§3.3).
    ObjectType(ObjectType) = ObjectType,
    /// Cryptographic Algorithm (§3.4).
    CryptographicAlgorithm(CryptographicAlgorithm) = CryptographicAlgorithm,
    /// Cryptographic Length (§3.5).
    CryptographicLength(i32) = CryptographicLength,
    /// Cryptographic Parameters (§3.6).
    CryptographicParameters(CryptographicParameters) = CryptographicParameters,
    /// Cryptographic Domain Parameters (§3.7).
    CryptographicDomainParameters(CryptographicDomainParameters) = CryptographicDomainParameters,
    /// Certificate Type (§3.8).
    CertificateType(CertificateType) = CertificateType,
    /// Certificate Length (§3.9, 1.1).
    CertificateLength(i32) = CertificateLength,
    /// Digital Signature Algorithm (§3.16, 1.1).
    DigitalSignatureAlgorithm(DigitalSignatureAlgorithm) = DigitalSignatureAlgorithm,
    /// Digest (§3.17).
    Digest(Digest) = Digest,
    /// Operation Policy Name (§3.18).
    OperationPolicyName(String) = OperationPolicyName,
    /// Cryptographic Usage Mask (§3.19).
    CryptographicUsageMask(CryptographicUsageMask) = CryptographicUsageMask,
    /// Lease Time (§3.20).
    LeaseTime(Interval) = LeaseTime,
    /// Usage Limits (§3.21).
    UsageLimits(UsageLimits) = UsageLimits,
    /// State (§3.22).
    State(State) = State,
    /// Initial Date (§3.23).
    InitialDate(DateTime) = InitialDate,
    /// Activation Date (§3.24).
    ActivationDate(DateTime) = ActivationDate,
    /// Process Start Date (§3.25).
    ProcessStartDate(DateTime) = ProcessStartDate,
    /// Protect Stop Date (§3.26).
    ProtectStopDate(DateTime) = ProtectStopDate,
    /// Deactivation Date (§3.27).
    DeactivationDate(DateTime) = DeactivationDate,
    /// Destroy Date (§3.28).
    DestroyDate(DateTime) = DestroyDate,
    /// Compromise Occurrence Date (§3.29).
    CompromiseOccurrenceDate(DateTime) = CompromiseOccurrenceDate,
    /// Compromise Date (§3.30).
    CompromiseDate(DateTime) = CompromiseDate,
    /// Revocation Reason (§3.31).
    RevocationReason(RevocationReason) = RevocationReason,
    /// Archive Date (§3.32).
    ArchiveDate(DateTime) = ArchiveDate,
    /// Object Group (§3.33).
    ObjectGroup(String) = ObjectGroup,
    /// Fresh (§3.34, 1.1).
    Fresh(bool) = Fresh,
    /// Link (§3.35).
    Link(Link) = Link,
    /// Application Specific Information (§3.36).
    ApplicationSpecificInformation(ApplicationSpecificInformation) = ApplicationSpecificInformation,
    /// Contact Information (§3.37).
    ContactInformation(String) = ContactInformation,
    /// Last Change Date (§3.38).
    LastChangeDate(DateTime) = LastChangeDate,
    /// Alternative Name (§3.40, 1.2).
    AlternativeName(AlternativeName) = AlternativeName,
    /// Key Value Present (§3.41, 1.2).
    KeyValuePresent(bool) = KeyValuePresent,
    /// Key Value Location (§3.42, 1.2).
    KeyValueLocation(KeyValueLocation) = KeyValueLocation,
    /// Original Creation Date (§3.43, 1.2).
    OriginalCreationDate(DateTime) = OriginalCreationDate,
    /// Random Number Generator (§3.44, 1.3), kept raw.
    RandomNumberGenerator(Ttlv) = RandomNumberGenerator,
    /// Description (§3.46, 1.4).
    Description(String) = Description,
    /// Comment (§3.47, 1.4).
    Comment(String) = Comment,
    /// Sensitive (§3.48, 1.4).
    Sensitive(bool) = Sensitive,
    /// Always Sensitive (§3.49, 1.4).
    AlwaysSensitive(bool) = AlwaysSensitive,
    /// Extractable (§3.50, 1.4).
    Extractable(bool) = Extractable,
    /// Never Extractable (§3.51, 1.4).
    NeverExtractable(bool) = NeverExtractable,
    /// Rotate Interval (2.1 §4.40).
    RotateInterval(Interval) = RotateInterval,
    /// Rotate Automatic (2.1).
    RotateAutomatic(bool) = RotateAutomatic,
    /// Rotate Offset (2.1).
    RotateOffset(Interval) = RotateOffset,
    /// Rotate Date (2.1).
    RotateDate(DateTime) = RotateDate,
    /// Rotate Generation (2.1).
    RotateGeneration(i32) = RotateGeneration,
    /// Rotate Latest (2.1).
    RotateLatest(bool) = RotateLatest,
}

impl Attribute {
    /// The 1.x Attribute Name: the spec name of its tag, or the custom name.
    pub fn name(&self) -> String {
        match self {
            Attribute::Custom { name, .. } => name.clone(),
            other => match tag_info(other.tag()) {
                Some(info) => info.spec_name.to_owned(),
                None => other.tag().to_string(),
            },
        }
    }

    /// True when version `v` defines this attribute (custom ones always).
    pub fn defined_in(&self, v: ProtocolVersion) -> bool {
        match self {
            Attribute::Custom { .. } => true,
            // A 1.x field that became an attribute in 2.0 (KMIP 2.1 §4.26).
            Attribute::Other(t) if t.tag == Tag::KeyFormatType => v >= ProtocolVersion::V2_0,
            other => tag_info(other.tag()).is_none_or(|info| info.since <= v),
        }
    }

    /// Reads a 1.x Attribute structure (Name, Index, Value): the attribute
    /// and its index.
    pub fn from_v1(item: &Ttlv, v: ProtocolVersion) -> Result<(Attribute, Option<i32>), ModelError> {
        let mut f = Fields::new(item, v)?;
        let name: String = f.req(Tag::AttributeName)?;
        let index = f.opt(Tag::AttributeIndex)?;
        let value = f.raw_opt(Tag::AttributeValue);
        f.finish()?;
        let value = match value {
            Some(value) => value,
            // Absent only in requests that name an attribute (Get Attributes, Delete).
            None => return Err(ModelError::new(item.tag, ModelErrorKind::Missing(Tag::AttributeValue))),
        };
        let attribute = match tag_by_name(&name) {
            Some(tag) if !name.starts_with("x-") && !name.starts_with("y-") => {
                let own = Ttlv::new(tag, value.value.clone());
                Attribute::from_tagged(&own, v).map_err(|e| e.within(item.tag))?
            }
            _ => Attribute::Custom { vendor: None, name, value: value.clone() },
        };
        Ok((attribute, index))
    }

    /// Writes a 1.x Attribute structure under `tag`.
    pub fn write_v1(&self, tag: Tag, index: Option<i32>, out: &mut Out<'_>) {
        let name = match self {
            Attribute::Custom { name, .. } if !name.starts_with("x-") && !name.starts_with("y-") => {
                format!("x-{name}")
            }
            other => other.name(),
        };
        out.structure(tag, |out| {
            out.req(Tag::AttributeName, &name);
            out.opt(Tag::AttributeIndex, &index);
            self.write_value(Some(Tag::AttributeValue), out);
        });
    }

    /// Reads one attribute of a 2.x Attributes structure (its own tag, or a
    /// vendor Attribute).
    pub fn from_v2(item: &Ttlv, v: ProtocolVersion) -> Result<Attribute, ModelError> {
        if item.tag == Tag::Attribute {
            let mut f = Fields::new(item, v)?;
            let vendor = f.req(Tag::VendorIdentification)?;
            let name = f.req(Tag::AttributeName)?;
            let value: &Ttlv = f.raw_req(Tag::AttributeValue)?;
            f.finish()?;
            return Ok(Attribute::Custom { vendor: Some(vendor), name, value: value.clone() });
        }
        Attribute::from_tagged(item, v)
    }

    /// Writes the 2.x form: the value under its own tag, or a vendor
    /// Attribute (a 1.x custom name gets Vendor Identification `x`).
    pub fn write_v2(&self, out: &mut Out<'_>) {
        match self {
            Attribute::Custom { vendor, name, value } => out.structure(Tag::Attribute, |out| {
                out.req(Tag::VendorIdentification, vendor.as_deref().unwrap_or("x"));
                out.req(Tag::AttributeName, name);
                out.req(Tag::AttributeValue, value);
            }),
            other => other.write_value(None, out),
        }
    }
}

/// One attribute in a 1.x list, with its Attribute Index when one was sent.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexedAttribute {
    /// The attribute.
    pub attribute: Attribute,
    /// Attribute Index (1.x only; absent means 0).
    pub index: Option<i32>,
}

impl From<Attribute> for IndexedAttribute {
    fn from(attribute: Attribute) -> IndexedAttribute {
        IndexedAttribute { attribute, index: None }
    }
}

/// A single attribute field (Add / Modify / Set Attribute): a 1.x Attribute
/// structure, or in 2.x the attribute under its own tag.
impl IndexedAttribute {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        if v.is_2x() && is_wrapper(item.tag) {
            // 2.x Add / Modify Attribute: New Attribute holds the attribute (BL-M-5-21).
            Ok(IndexedAttribute { attribute: WrappedAttribute::from_ttlv(item, v)?.0, index: None })
        } else if v.is_2x() {
            Ok(IndexedAttribute { attribute: Attribute::from_v2(item, v)?, index: None })
        } else {
            let (attribute, index) = Attribute::from_v1(item, v)?;
            Ok(IndexedAttribute { attribute, index })
        }
    }
}

tree_decoded!(IndexedAttribute);

/// The 2.x structures that wrap one attribute (KMIP 2.1 §7.7).
fn is_wrapper(tag: Tag) -> bool {
    tag == Tag::NewAttribute || tag == Tag::CurrentAttribute
}

impl ToTtlv for IndexedAttribute {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        let v = out.version();
        if v.is_2x() && is_wrapper(tag) {
            out.structure(tag, |out| self.attribute.write_v2(out));
        } else if v.is_2x() {
            self.attribute.write_v2(out);
        } else {
            self.attribute.write_v1(tag, self.index, out);
        }
    }
}

/// A list of attributes: 1.x Template-Attribute (Name* of templates, then
/// Attribute*) or 2.x Attributes (each attribute under its own tag).
///
/// Written for a version, attributes that version does not define are
/// dropped (see the module doc).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Attributes {
    /// Template names (1.x Template-Attribute only; deprecated in 1.3).
    pub template_names: Vec<Name>,
    /// The attributes, in order.
    pub items: Vec<IndexedAttribute>,
}

impl Attributes {
    /// The tag of the list: Template-Attribute in 1.x, Attributes in 2.x.
    pub const TAG: ByVersion = ByVersion(Tag::TemplateAttribute, Tag::Attributes);

    /// A list from attributes.
    pub fn new(items: impl IntoIterator<Item = Attribute>) -> Attributes {
        Attributes { template_names: Vec::new(), items: items.into_iter().map(IndexedAttribute::from).collect() }
    }

    /// The attributes, without their indices.
    pub fn iter(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().map(|i| &i.attribute)
    }

    /// Reads a 1.x structure whose children are Attribute structures only
    /// (Get Attributes response, Locate request), or the Template-Attribute shape.
    fn read(item: &Ttlv, v: ProtocolVersion) -> Result<Attributes, ModelError> {
        let mut f = Fields::new(item, v)?;
        if v.is_2x() {
            let items = f
                .rest()
                .iter()
                .map(|i| Attribute::from_v2(i, v).map(IndexedAttribute::from).map_err(|e| e.within(item.tag)))
                .collect::<Result<_, _>>()?;
            return Ok(Attributes { template_names: Vec::new(), items });
        }
        let template_names = f.rep(Tag::Name)?;
        let items = f.rep(Tag::Attribute)?;
        f.finish()?;
        Ok(Attributes { template_names, items })
    }

    /// Writes the children, dropping attributes `v` does not define.
    pub fn write_items(&self, out: &mut Out<'_>) {
        let v = out.version();
        if !v.is_2x() {
            out.rep(Tag::Name, &self.template_names);
        }
        for a in self.items.iter().filter(|a| a.attribute.defined_in(v)) {
            out.req(Tag::Attribute, a);
        }
    }
}

impl Attributes {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        Attributes::read(item, v)
    }
}

tree_decoded!(Attributes);

impl ToTtlv for Attributes {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| self.write_items(out));
    }
}

/// 1.x Attribute structures that sit directly in a payload (Get Attributes
/// response, Locate request, Key Value), or in 2.x one `Attributes`
/// structure (absent when empty on read; written when not empty).
impl Inline for Attributes {
    fn read_inline(f: &mut Fields<'_>) -> Result<Attributes, ModelError> {
        let v = f.version();
        if v.is_2x() {
            Ok(f.opt(Tag::Attributes)?.unwrap_or_default())
        } else {
            Ok(Attributes { template_names: Vec::new(), items: f.rep(Tag::Attribute)? })
        }
    }

    fn write_inline(&self, out: &mut Out<'_>) {
        let v = out.version();
        if v.is_2x() {
            if !self.items.is_empty() {
                out.req(Tag::Attributes, self);
            }
        } else {
            for a in self.items.iter().filter(|a| a.attribute.defined_in(v)) {
                out.req(Tag::Attribute, a);
            }
        }
    }
}

/// An attribute inside a 2.x Current Attribute / New Attribute structure
/// (KMIP 2.1 §7.7): the structure holds the attribute under its own tag.
#[derive(Clone, Debug, PartialEq)]
pub struct WrappedAttribute(pub Attribute);

impl WrappedAttribute {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        let mut f = Fields::new(item, v)?;
        match f.rest() {
            [one] => Ok(WrappedAttribute(Attribute::from_v2(one, v).map_err(|e| e.within(item.tag))?)),
            [] => Err(ModelError::invalid(item.tag, "holds no attribute")),
            [_, extra, ..] => Err(ModelError::new(item.tag, ModelErrorKind::Unexpected(extra.tag))),
        }
    }
}

tree_decoded!(WrappedAttribute);

impl ToTtlv for WrappedAttribute {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.structure(tag, |out| self.0.write_v2(out));
    }
}

/// The name an attribute is asked for by: 1.x Attribute Name text, or 2.x
/// Attribute Reference / a bare tag (KMIP 2.1 §7.2).
#[derive(Clone, Debug, PartialEq)]
pub enum AttributeReference {
    /// A 1.x Attribute Name (`"Cryptographic Algorithm"`, `"x-foo"`).
    Name(String),
    /// A 2.x Attribute Reference structure (Vendor Identification, Attribute Name).
    Vendor {
        /// Vendor Identification.
        vendor: String,
        /// Attribute Name.
        name: String,
    },
    /// A 2.x reference by tag (Enumeration-typed Attribute Reference).
    Tag(Tag),
}

impl AttributeReference {
    /// The tag this reference names, where it names a standard attribute.
    pub fn tag(&self) -> Option<Tag> {
        match self {
            AttributeReference::Name(n) => tag_by_name(n),
            AttributeReference::Vendor { .. } => None,
            AttributeReference::Tag(t) => Some(*t),
        }
    }
}

/// Reads a 1.x Attribute Name or 2.x Attribute Reference.
impl AttributeReference {
    /// Reads the tree of one item (see [`FromTtlv`]).
    fn from_tree(item: &Ttlv, v: ProtocolVersion) -> Result<Self, ModelError> {
        match &item.value {
            Value::TextString(s) => Ok(AttributeReference::Name(s.clone())),
            Value::Enumeration(t) => Ok(AttributeReference::Tag(Tag::new(*t))),
            Value::Structure(_) => {
                let mut f = Fields::new(item, v)?;
                let vendor = f.req(Tag::VendorIdentification)?;
                let name = f.req(Tag::AttributeName)?;
                f.finish()?;
                Ok(AttributeReference::Vendor { vendor, name })
            }
            _ => Err(ModelError::invalid(item.tag, "expected an attribute name or reference")),
        }
    }
}

tree_decoded!(AttributeReference);

impl ToTtlv for AttributeReference {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        match self {
            AttributeReference::Name(s) => out.writer().text(tag, s),
            AttributeReference::Tag(t) => out.writer().enumeration(tag, t.value()),
            AttributeReference::Vendor { vendor, name } => out.structure(tag, |out| {
                out.req(Tag::VendorIdentification, vendor);
                out.req(Tag::AttributeName, name);
            }),
        }
    }
}

/// The tag of an attribute-name field: Attribute Name in 1.x, Attribute
/// Reference in 2.x.
pub const ATTRIBUTE_REFERENCE: ByVersion = ByVersion(Tag::AttributeName, Tag::AttributeReference);
