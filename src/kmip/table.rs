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
    // 0x420009 and the other 1.x-only tags are "(Reserved)" in 2.0.
    AttributeIndex = 0x42_0009, Integer, "Attribute Index", V1_0;
    AttributeName = 0x42_000A, TextString, "Attribute Name", V1_0;
    // The type varies with the attribute; Structure is the spec's default.
    AttributeValue = 0x42_000B, Structure, "Attribute Value", V1_0;
    Authentication = 0x42_000C, Structure, "Authentication", V1_0;
    BatchCount = 0x42_000D, Integer, "Batch Count", V1_0;
    BatchErrorContinuationOption = 0x42_000E, Enumeration, "Batch Error Continuation Option", V1_0;
    BatchItem = 0x42_000F, Structure, "Batch Item", V1_0;
    BatchOrderOption = 0x42_0010, Boolean, "Batch Order Option", V1_0;
    BlockCipherMode = 0x42_0011, Enumeration, "Block Cipher Mode", V1_0;
    CancellationResult = 0x42_0012, Enumeration, "Cancellation Result", V1_0;
    Certificate = 0x42_0013, Structure, "Certificate", V1_0;
    CertificateIdentifier = 0x42_0014, Structure, "Certificate Identifier", V1_0;
    CertificateIssuer = 0x42_0015, Structure, "Certificate Issuer", V1_0;
    CertificateIssuerAlternativeName = 0x42_0016, TextString, "Certificate Issuer Alternative Name", V1_0;
    CertificateIssuerDistinguishedName = 0x42_0017, TextString, "Certificate Issuer Distinguished Name", V1_0;
    CertificateRequest = 0x42_0018, ByteString, "Certificate Request", V1_0;
    CertificateRequestType = 0x42_0019, Enumeration, "Certificate Request Type", V1_0;
    CertificateSubject = 0x42_001A, Structure, "Certificate Subject", V1_0;
    CertificateSubjectAlternativeName = 0x42_001B, TextString, "Certificate Subject Alternative Name", V1_0;
    CertificateSubjectDistinguishedName = 0x42_001C, TextString, "Certificate Subject Distinguished Name", V1_0;
    CertificateType = 0x42_001D, Enumeration, "Certificate Type", V1_0;
    CertificateValue = 0x42_001E, ByteString, "Certificate Value", V1_0;
    CommonTemplateAttribute = 0x42_001F, Structure, "Common Template-Attribute", V1_0;
    CompromiseDate = 0x42_0020, DateTime, "Compromise Date", V1_0;
    CompromiseOccurrenceDate = 0x42_0021, DateTime, "Compromise Occurrence Date", V1_0;
    ContactInformation = 0x42_0022, TextString, "Contact Information", V1_0;
    Credential = 0x42_0023, Structure, "Credential", V1_0;
    CredentialType = 0x42_0024, Enumeration, "Credential Type", V1_0;
    // Byte String for some credential types, Structure for most.
    CredentialValue = 0x42_0025, Structure, "Credential Value", V1_0;
    CriticalityIndicator = 0x42_0026, Boolean, "Criticality Indicator", V1_0;
    CRTCoefficient = 0x42_0027, BigInteger, "CRT Coefficient", V1_0;
    CryptographicAlgorithm = 0x42_0028, Enumeration, "Cryptographic Algorithm", V1_0;
    CryptographicDomainParameters = 0x42_0029, Structure, "Cryptographic Domain Parameters", V1_0;
    CryptographicLength = 0x42_002A, Integer, "Cryptographic Length", V1_0;
    CryptographicParameters = 0x42_002B, Structure, "Cryptographic Parameters", V1_0;
    CryptographicUsageMask = 0x42_002C, Integer, "Cryptographic Usage Mask", V1_0;
    // Any type; the value carries its own.
    CustomAttribute = 0x42_002D, TextString, "Custom Attribute", V1_0;
    D = 0x42_002E, BigInteger, "D", V1_0;
    DeactivationDate = 0x42_002F, DateTime, "Deactivation Date", V1_0;
    DerivationData = 0x42_0030, ByteString, "Derivation Data", V1_0;
    DerivationMethod = 0x42_0031, Enumeration, "Derivation Method", V1_0;
    DerivationParameters = 0x42_0032, Structure, "Derivation Parameters", V1_0;
    DestroyDate = 0x42_0033, DateTime, "Destroy Date", V1_0;
    Digest = 0x42_0034, Structure, "Digest", V1_0;
    DigestValue = 0x42_0035, ByteString, "Digest Value", V1_0;
    EncryptionKeyInformation = 0x42_0036, Structure, "Encryption Key Information", V1_0;
    G = 0x42_0037, BigInteger, "G", V1_0;
    HashingAlgorithm = 0x42_0038, Enumeration, "Hashing Algorithm", V1_0;
    InitialDate = 0x42_0039, DateTime, "Initial Date", V1_0;
    InitializationVector = 0x42_003A, ByteString, "Initialization Vector", V1_0;
    Issuer = 0x42_003B, TextString, "Issuer", V1_0;
    IterationCount = 0x42_003C, Integer, "Iteration Count", V1_0;
    IVCounterNonce = 0x42_003D, ByteString, "IV/Counter/Nonce", V1_0;
    J = 0x42_003E, BigInteger, "J", V1_0;
    Key = 0x42_003F, ByteString, "Key", V1_0;
    KeyBlock = 0x42_0040, Structure, "Key Block", V1_0;
    KeyCompressionType = 0x42_0041, Enumeration, "Key Compression Type", V1_0;
    KeyFormatType = 0x42_0042, Enumeration, "Key Format Type", V1_0;
    // Byte String for raw formats, Structure for Transparent* formats.
    KeyMaterial = 0x42_0043, ByteString, "Key Material", V1_0;
    KeyPartIdentifier = 0x42_0044, Integer, "Key Part Identifier", V1_0;
    // Structure in plaintext, Byte String when wrapped.
    KeyValue = 0x42_0045, Structure, "Key Value", V1_0;
    KeyWrappingData = 0x42_0046, Structure, "Key Wrapping Data", V1_0;
    KeyWrappingSpecification = 0x42_0047, Structure, "Key Wrapping Specification", V1_0;
    LastChangeDate = 0x42_0048, DateTime, "Last Change Date", V1_0;
    LeaseTime = 0x42_0049, Interval, "Lease Time", V1_0;
    Link = 0x42_004A, Structure, "Link", V1_0;
    LinkType = 0x42_004B, Enumeration, "Link Type", V1_0;
    // 2.x also allows Enumeration (a Unique Identifier value) and Integer.
    LinkedObjectIdentifier = 0x42_004C, TextString, "Linked Object Identifier", V1_0;
    MACSignature = 0x42_004D, ByteString, "MAC/Signature", V1_0;
    MACSignatureKeyInformation = 0x42_004E, Structure, "MAC/Signature Key Information", V1_0;
    MaximumItems = 0x42_004F, Integer, "Maximum Items", V1_0;
    MaximumResponseSize = 0x42_0050, Integer, "Maximum Response Size", V1_0;
    MessageExtension = 0x42_0051, Structure, "Message Extension", V1_0;
    Modulus = 0x42_0052, BigInteger, "Modulus", V1_0;
    Name = 0x42_0053, Structure, "Name", V1_0;
    NameType = 0x42_0054, Enumeration, "Name Type", V1_0;
    NameValue = 0x42_0055, TextString, "Name Value", V1_0;
    ObjectGroup = 0x42_0056, TextString, "Object Group", V1_0;
    ObjectType = 0x42_0057, Enumeration, "Object Type", V1_0;
    Offset = 0x42_0058, Interval, "Offset", V1_0;
    OpaqueDataType = 0x42_0059, Enumeration, "Opaque Data Type", V1_0;
    OpaqueDataValue = 0x42_005A, ByteString, "Opaque Data Value", V1_0;
    OpaqueObject = 0x42_005B, Structure, "Opaque Object", V1_0;
    Operation = 0x42_005C, Enumeration, "Operation", V1_0;
    OperationPolicyName = 0x42_005D, TextString, "Operation Policy Name", V1_0;
    P = 0x42_005E, BigInteger, "P", V1_0;
    PaddingMethod = 0x42_005F, Enumeration, "Padding Method", V1_0;
    PrimeExponentP = 0x42_0060, BigInteger, "Prime Exponent P", V1_0;
    PrimeExponentQ = 0x42_0061, BigInteger, "Prime Exponent Q", V1_0;
    PrimeFieldSize = 0x42_0062, Integer, "Prime Field Size", V1_0;
    PrivateExponent = 0x42_0063, BigInteger, "Private Exponent", V1_0;
    PrivateKey = 0x42_0064, Structure, "Private Key", V1_0;
    PrivateKeyTemplateAttribute = 0x42_0065, Structure, "Private Key Template-Attribute", V1_0;
    PrivateKeyUniqueIdentifier = 0x42_0066, TextString, "Private Key Unique Identifier", V1_0;
    ProcessStartDate = 0x42_0067, DateTime, "Process Start Date", V1_0;
    ProtectStopDate = 0x42_0068, DateTime, "Protect Stop Date", V1_0;
    ProtocolVersion = 0x42_0069, Structure, "Protocol Version", V1_0;
    ProtocolVersionMajor = 0x42_006A, Integer, "Protocol Version Major", V1_0;
    ProtocolVersionMinor = 0x42_006B, Integer, "Protocol Version Minor", V1_0;
    PublicExponent = 0x42_006C, BigInteger, "Public Exponent", V1_0;
    PublicKey = 0x42_006D, Structure, "Public Key", V1_0;
    PublicKeyTemplateAttribute = 0x42_006E, Structure, "Public Key Template-Attribute", V1_0;
    PublicKeyUniqueIdentifier = 0x42_006F, TextString, "Public Key Unique Identifier", V1_0;
    PutFunction = 0x42_0070, Enumeration, "Put Function", V1_0;
    Q = 0x42_0071, BigInteger, "Q", V1_0;
    QString = 0x42_0072, ByteString, "Q String", V1_0;
    Qlength = 0x42_0073, Integer, "Qlength", V1_0;
    QueryFunction = 0x42_0074, Enumeration, "Query Function", V1_0;
    RecommendedCurve = 0x42_0075, Enumeration, "Recommended Curve", V1_0;
    ReplacedUniqueIdentifier = 0x42_0076, TextString, "Replaced Unique Identifier", V1_0;
    RequestHeader = 0x42_0077, Structure, "Request Header", V1_0;
    RequestMessage = 0x42_0078, Structure, "Request Message", V1_0;
    RequestPayload = 0x42_0079, Structure, "Request Payload", V1_0;
    ResponseHeader = 0x42_007A, Structure, "Response Header", V1_0;
    ResponseMessage = 0x42_007B, Structure, "Response Message", V1_0;
    ResponsePayload = 0x42_007C, Structure, "Response Payload", V1_0;
    ResultMessage = 0x42_007D, TextString, "Result Message", V1_0;
    ResultReason = 0x42_007E, Enumeration, "Result Reason", V1_0;
    ResultStatus = 0x42_007F, Enumeration, "Result Status", V1_0;
    RevocationMessage = 0x42_0080, TextString, "Revocation Message", V1_0;
    RevocationReason = 0x42_0081, Structure, "Revocation Reason", V1_0;
    RevocationReasonCode = 0x42_0082, Enumeration, "Revocation Reason Code", V1_0;
    KeyRoleType = 0x42_0083, Enumeration, "Key Role Type", V1_0;
    Salt = 0x42_0084, ByteString, "Salt", V1_0;
    SecretData = 0x42_0085, Structure, "Secret Data", V1_0;
    SecretDataType = 0x42_0086, Enumeration, "Secret Data Type", V1_0;
    SerialNumber = 0x42_0087, TextString, "Serial Number", V1_0;
    ServerInformation = 0x42_0088, Structure, "Server Information", V1_0;
    SplitKey = 0x42_0089, Structure, "Split Key", V1_0;
    SplitKeyMethod = 0x42_008A, Enumeration, "Split Key Method", V1_0;
    SplitKeyParts = 0x42_008B, Integer, "Split Key Parts", V1_0;
    SplitKeyThreshold = 0x42_008C, Integer, "Split Key Threshold", V1_0;
    State = 0x42_008D, Enumeration, "State", V1_0;
    StorageStatusMask = 0x42_008E, Integer, "Storage Status Mask", V1_0;
    SymmetricKey = 0x42_008F, Structure, "Symmetric Key", V1_0;
    Template = 0x42_0090, Structure, "Template", V1_0;
    TemplateAttribute = 0x42_0091, Structure, "Template-Attribute", V1_0;
    TimeStamp = 0x42_0092, DateTime, "Time Stamp", V1_0;
    UniqueBatchItemID = 0x42_0093, ByteString, "Unique Batch Item ID", V1_0;
    // 2.x also allows Enumeration (IDPlaceholder, ...) and Integer.
    UniqueIdentifier = 0x42_0094, TextString, "Unique Identifier", V1_0;
    UsageLimits = 0x42_0095, Structure, "Usage Limits", V1_0;
    UsageLimitsCount = 0x42_0096, LongInteger, "Usage Limits Count", V1_0;
    UsageLimitsTotal = 0x42_0097, LongInteger, "Usage Limits Total", V1_0;
    UsageLimitsUnit = 0x42_0098, Enumeration, "Usage Limits Unit", V1_0;
    Username = 0x42_0099, TextString, "Username", V1_0;
    ValidityDate = 0x42_009A, DateTime, "Validity Date", V1_0;
    ValidityIndicator = 0x42_009B, Enumeration, "Validity Indicator", V1_0;
    VendorExtension = 0x42_009C, Structure, "Vendor Extension", V1_0;
    VendorIdentification = 0x42_009D, TextString, "Vendor Identification", V1_0;
    WrappingMethod = 0x42_009E, Enumeration, "Wrapping Method", V1_0;
    X = 0x42_009F, BigInteger, "X", V1_0;
    Y = 0x42_00A0, BigInteger, "Y", V1_0;
    Password = 0x42_00A1, TextString, "Password", V1_0;
    DeviceIdentifier = 0x42_00A2, TextString, "Device Identifier", V1_1;
    EncodingOption = 0x42_00A3, Enumeration, "Encoding Option", V1_1;
    ExtensionInformation = 0x42_00A4, Structure, "Extension Information", V1_1;
    ExtensionName = 0x42_00A5, TextString, "Extension Name", V1_1;
    ExtensionTag = 0x42_00A6, Integer, "Extension Tag", V1_1;
    ExtensionType = 0x42_00A7, Integer, "Extension Type", V1_1;
    Fresh = 0x42_00A8, Boolean, "Fresh", V1_1;
    MachineIdentifier = 0x42_00A9, TextString, "Machine Identifier", V1_1;
    MediaIdentifier = 0x42_00AA, TextString, "Media Identifier", V1_1;
    NetworkIdentifier = 0x42_00AB, TextString, "Network Identifier", V1_1;
    ObjectGroupMember = 0x42_00AC, Enumeration, "Object Group Member", V1_1;
    CertificateLength = 0x42_00AD, Integer, "Certificate Length", V1_1;
    DigitalSignatureAlgorithm = 0x42_00AE, Enumeration, "Digital Signature Algorithm", V1_1;
    CertificateSerialNumber = 0x42_00AF, ByteString, "Certificate Serial Number", V1_1;
    DeviceSerialNumber = 0x42_00B0, TextString, "Device Serial Number", V1_1;
    IssuerAlternativeName = 0x42_00B1, ByteString, "Issuer Alternative Name", V1_1;
    IssuerDistinguishedName = 0x42_00B2, ByteString, "Issuer Distinguished Name", V1_1;
    SubjectAlternativeName = 0x42_00B3, ByteString, "Subject Alternative Name", V1_1;
    SubjectDistinguishedName = 0x42_00B4, ByteString, "Subject Distinguished Name", V1_1;
    X_509CertificateIdentifier = 0x42_00B5, Structure, "X.509 Certificate Identifier", V1_1;
    X_509CertificateIssuer = 0x42_00B6, Structure, "X.509 Certificate Issuer", V1_1;
    X_509CertificateSubject = 0x42_00B7, Structure, "X.509 Certificate Subject", V1_1;
    KeyValueLocation = 0x42_00B8, Structure, "Key Value Location", V1_2;
    KeyValueLocationValue = 0x42_00B9, TextString, "Key Value Location Value", V1_2;
    KeyValueLocationType = 0x42_00BA, Enumeration, "Key Value Location Type", V1_2;
    KeyValuePresent = 0x42_00BB, Boolean, "Key Value Present", V1_2;
    OriginalCreationDate = 0x42_00BC, DateTime, "Original Creation Date", V1_2;
    PGPKey = 0x42_00BD, Structure, "PGP Key", V1_2;
    PGPKeyVersion = 0x42_00BE, Integer, "PGP Key Version", V1_2;
    AlternativeName = 0x42_00BF, Structure, "Alternative Name", V1_2;
    AlternativeNameValue = 0x42_00C0, TextString, "Alternative Name Value", V1_2;
    AlternativeNameType = 0x42_00C1, Enumeration, "Alternative Name Type", V1_2;
    Data = 0x42_00C2, ByteString, "Data", V1_2;
    SignatureData = 0x42_00C3, ByteString, "Signature Data", V1_2;
    DataLength = 0x42_00C4, Integer, "Data Length", V1_2;
    RandomIV = 0x42_00C5, Boolean, "Random IV", V1_2;
    MACData = 0x42_00C6, ByteString, "MAC Data", V1_2;
    AttestationType = 0x42_00C7, Enumeration, "Attestation Type", V1_2;
    Nonce = 0x42_00C8, Structure, "Nonce", V1_2;
    NonceID = 0x42_00C9, ByteString, "Nonce ID", V1_2;
    NonceValue = 0x42_00CA, ByteString, "Nonce Value", V1_2;
    AttestationMeasurement = 0x42_00CB, ByteString, "Attestation Measurement", V1_2;
    AttestationAssertion = 0x42_00CC, ByteString, "Attestation Assertion", V1_2;
    IVLength = 0x42_00CD, Integer, "IV Length", V1_2;
    TagLength = 0x42_00CE, Integer, "Tag Length", V1_2;
    FixedFieldLength = 0x42_00CF, Integer, "Fixed Field Length", V1_2;
    CounterLength = 0x42_00D0, Integer, "Counter Length", V1_2;
    InitialCounterValue = 0x42_00D1, Integer, "Initial Counter Value", V1_2;
    InvocationFieldLength = 0x42_00D2, Integer, "Invocation Field Length", V1_2;
    AttestationCapableIndicator = 0x42_00D3, Boolean, "Attestation Capable Indicator", V1_2;
    OffsetItems = 0x42_00D4, Integer, "Offset Items", V1_3;
    LocatedItems = 0x42_00D5, Integer, "Located Items", V1_3;
    CorrelationValue = 0x42_00D6, ByteString, "Correlation Value", V1_3;
    InitIndicator = 0x42_00D7, Boolean, "Init Indicator", V1_3;
    FinalIndicator = 0x42_00D8, Boolean, "Final Indicator", V1_3;
    RNGParameters = 0x42_00D9, Structure, "RNG Parameters", V1_3;
    RNGAlgorithm = 0x42_00DA, Enumeration, "RNG Algorithm", V1_3;
    DRBGAlgorithm = 0x42_00DB, Enumeration, "DRBG Algorithm", V1_3;
    FIPS186Variation = 0x42_00DC, Enumeration, "FIPS186 Variation", V1_3;
    PredictionResistance = 0x42_00DD, Boolean, "Prediction Resistance", V1_3;
    RandomNumberGenerator = 0x42_00DE, Structure, "Random Number Generator", V1_3;
    ValidationInformation = 0x42_00DF, Structure, "Validation Information", V1_3;
    ValidationAuthorityType = 0x42_00E0, Enumeration, "Validation Authority Type", V1_3;
    ValidationAuthorityCountry = 0x42_00E1, TextString, "Validation Authority Country", V1_3;
    ValidationAuthorityURI = 0x42_00E2, TextString, "Validation Authority URI", V1_3;
    ValidationVersionMajor = 0x42_00E3, Integer, "Validation Version Major", V1_3;
    ValidationVersionMinor = 0x42_00E4, Integer, "Validation Version Minor", V1_3;
    ValidationType = 0x42_00E5, Enumeration, "Validation Type", V1_3;
    ValidationLevel = 0x42_00E6, Integer, "Validation Level", V1_3;
    ValidationCertificateIdentifier = 0x42_00E7, TextString, "Validation Certificate Identifier", V1_3;
    ValidationCertificateURI = 0x42_00E8, TextString, "Validation Certificate URI", V1_3;
    ValidationVendorURI = 0x42_00E9, TextString, "Validation Vendor URI", V1_3;
    ValidationProfile = 0x42_00EA, TextString, "Validation Profile", V1_3;
    ProfileInformation = 0x42_00EB, Structure, "Profile Information", V1_3;
    ProfileName = 0x42_00EC, Enumeration, "Profile Name", V1_3;
    ServerURI = 0x42_00ED, TextString, "Server URI", V1_3;
    ServerPort = 0x42_00EE, Integer, "Server Port", V1_3;
    StreamingCapability = 0x42_00EF, Boolean, "Streaming Capability", V1_3;
    AsynchronousCapability = 0x42_00F0, Boolean, "Asynchronous Capability", V1_3;
    AttestationCapability = 0x42_00F1, Boolean, "Attestation Capability", V1_3;
    UnwrapMode = 0x42_00F2, Enumeration, "Unwrap Mode", V1_3;
    DestroyAction = 0x42_00F3, Enumeration, "Destroy Action", V1_3;
    ShreddingAlgorithm = 0x42_00F4, Enumeration, "Shredding Algorithm", V1_3;
    RNGMode = 0x42_00F5, Enumeration, "RNG Mode", V1_3;
    ClientRegistrationMethod = 0x42_00F6, Enumeration, "Client Registration Method", V1_3;
    CapabilityInformation = 0x42_00F7, Structure, "Capability Information", V1_3;
    KeyWrapType = 0x42_00F8, Enumeration, "Key Wrap Type", V1_4;
    BatchUndoCapability = 0x42_00F9, Boolean, "Batch Undo Capability", V1_4;
    BatchContinueCapability = 0x42_00FA, Boolean, "Batch Continue Capability", V1_4;
    PKCS_12FriendlyName = 0x42_00FB, TextString, "PKCS#12 Friendly Name", V1_4;
    Description = 0x42_00FC, TextString, "Description", V1_4;
    Comment = 0x42_00FD, TextString, "Comment", V1_4;
    AuthenticatedEncryptionAdditionalData = 0x42_00FE, ByteString, "Authenticated Encryption Additional Data", V1_4;
    AuthenticatedEncryptionTag = 0x42_00FF, ByteString, "Authenticated Encryption Tag", V1_4;
    SaltLength = 0x42_0100, Integer, "Salt Length", V1_4;
    MaskGenerator = 0x42_0101, Enumeration, "Mask Generator", V1_4;
    MaskGeneratorHashingAlgorithm = 0x42_0102, Enumeration, "Mask Generator Hashing Algorithm", V1_4;
    PSource = 0x42_0103, ByteString, "P Source", V1_4;
    TrailerField = 0x42_0104, Integer, "Trailer Field", V1_4;
    ClientCorrelationValue = 0x42_0105, TextString, "Client Correlation Value", V1_4;
    ServerCorrelationValue = 0x42_0106, TextString, "Server Correlation Value", V1_4;
    DigestedData = 0x42_0107, ByteString, "Digested Data", V1_4;
    CertificateSubjectCN = 0x42_0108, TextString, "Certificate Subject CN", V1_4;
    CertificateSubjectO = 0x42_0109, TextString, "Certificate Subject O", V1_4;
    CertificateSubjectOU = 0x42_010A, TextString, "Certificate Subject OU", V1_4;
    CertificateSubjectEmail = 0x42_010B, TextString, "Certificate Subject Email", V1_4;
    CertificateSubjectC = 0x42_010C, TextString, "Certificate Subject C", V1_4;
    CertificateSubjectST = 0x42_010D, TextString, "Certificate Subject ST", V1_4;
    CertificateSubjectL = 0x42_010E, TextString, "Certificate Subject L", V1_4;
    CertificateSubjectUID = 0x42_010F, TextString, "Certificate Subject UID", V1_4;
    CertificateSubjectSerialNumber = 0x42_0110, TextString, "Certificate Subject Serial Number", V1_4;
    CertificateSubjectTitle = 0x42_0111, TextString, "Certificate Subject Title", V1_4;
    CertificateSubjectDC = 0x42_0112, TextString, "Certificate Subject DC", V1_4;
    CertificateSubjectDNQualifier = 0x42_0113, TextString, "Certificate Subject DN Qualifier", V1_4;
    CertificateIssuerCN = 0x42_0114, TextString, "Certificate Issuer CN", V1_4;
    CertificateIssuerO = 0x42_0115, TextString, "Certificate Issuer O", V1_4;
    CertificateIssuerOU = 0x42_0116, TextString, "Certificate Issuer OU", V1_4;
    CertificateIssuerEmail = 0x42_0117, TextString, "Certificate Issuer Email", V1_4;
    CertificateIssuerC = 0x42_0118, TextString, "Certificate Issuer C", V1_4;
    CertificateIssuerST = 0x42_0119, TextString, "Certificate Issuer ST", V1_4;
    CertificateIssuerL = 0x42_011A, TextString, "Certificate Issuer L", V1_4;
    CertificateIssuerUID = 0x42_011B, TextString, "Certificate Issuer UID", V1_4;
    CertificateIssuerSerialNumber = 0x42_011C, TextString, "Certificate Issuer Serial Number", V1_4;
    CertificateIssuerTitle = 0x42_011D, TextString, "Certificate Issuer Title", V1_4;
    CertificateIssuerDC = 0x42_011E, TextString, "Certificate Issuer DC", V1_4;
    CertificateIssuerDNQualifier = 0x42_011F, TextString, "Certificate Issuer DN Qualifier", V1_4;
    Sensitive = 0x42_0120, Boolean, "Sensitive", V1_4;
    AlwaysSensitive = 0x42_0121, Boolean, "Always Sensitive", V1_4;
    Extractable = 0x42_0122, Boolean, "Extractable", V1_4;
    NeverExtractable = 0x42_0123, Boolean, "Never Extractable", V1_4;
    ReplaceExisting = 0x42_0124, Boolean, "Replace Existing", V1_4;
    Attributes = 0x42_0125, Structure, "Attributes", V2_0;
    CommonAttributes = 0x42_0126, Structure, "Common Attributes", V2_0;
    PrivateKeyAttributes = 0x42_0127, Structure, "Private Key Attributes", V2_0;
    PublicKeyAttributes = 0x42_0128, Structure, "Public Key Attributes", V2_0;
    ExtensionEnumeration = 0x42_0129, Integer, "Extension Enumeration", V2_0;
    ExtensionAttribute = 0x42_012A, Boolean, "Extension Attribute", V2_0;
    ExtensionParentStructureTag = 0x42_012B, Integer, "Extension Parent Structure Tag", V2_0;
    ExtensionDescription = 0x42_012C, TextString, "Extension Description", V2_0;
    ServerName = 0x42_012D, TextString, "Server Name", V2_0;
    ServerSerialNumber = 0x42_012E, TextString, "Server Serial Number", V2_0;
    ServerVersion = 0x42_012F, TextString, "Server Version", V2_0;
    ServerLoad = 0x42_0130, TextString, "Server Load", V2_0;
    ProductName = 0x42_0131, TextString, "Product Name", V2_0;
    BuildLevel = 0x42_0132, TextString, "Build Level", V2_0;
    BuildDate = 0x42_0133, TextString, "Build Date", V2_0;
    ClusterInfo = 0x42_0134, TextString, "Cluster Info", V2_0;
    AlternateFailoverEndpoints = 0x42_0135, TextString, "Alternate Failover Endpoints", V2_0;
    ShortUniqueIdentifier = 0x42_0136, ByteString, "Short Unique Identifier", V2_0;
    Tag = 0x42_0138, Enumeration, "Tag", V2_0;
    CertificateRequestUniqueIdentifier = 0x42_0139, TextString, "Certificate Request Unique Identifier", V2_0;
    NISTKeyType = 0x42_013A, Enumeration, "NIST Key Type", V2_0;
    // Structure (vendor attribute) or Enumeration (a tag value) in 2.x.
    AttributeReference = 0x42_013B, Structure, "Attribute Reference", V2_0;
    CurrentAttribute = 0x42_013C, Structure, "Current Attribute", V2_0;
    NewAttribute = 0x42_013D, Structure, "New Attribute", V2_0;
    CertificateRequestValue = 0x42_0140, ByteString, "Certificate Request Value", V2_0;
    LogMessage = 0x42_0141, TextString, "Log Message", V2_0;
    ProfileVersion = 0x42_0142, Structure, "Profile Version", V2_0;
    ProfileVersionMajor = 0x42_0143, Integer, "Profile Version Major", V2_0;
    ProfileVersionMinor = 0x42_0144, Integer, "Profile Version Minor", V2_0;
    ProtectionLevel = 0x42_0145, Enumeration, "Protection Level", V2_0;
    ProtectionPeriod = 0x42_0146, Interval, "Protection Period", V2_0;
    QuantumSafe = 0x42_0147, Boolean, "Quantum Safe", V2_0;
    QuantumSafeCapability = 0x42_0148, Boolean, "Quantum Safe Capability", V2_0;
    Ticket = 0x42_0149, Structure, "Ticket", V2_0;
    TicketType = 0x42_014A, Enumeration, "Ticket Type", V2_0;
    TicketValue = 0x42_014B, ByteString, "Ticket Value", V2_0;
    RequestCount = 0x42_014C, Integer, "Request Count", V2_0;
    Rights = 0x42_014D, Structure, "Rights", V2_0;
    Objects = 0x42_014E, Structure, "Objects", V2_0;
    Operations = 0x42_014F, Structure, "Operations", V2_0;
    Right = 0x42_0150, Structure, "Right", V2_0;
    EndpointRole = 0x42_0151, Enumeration, "Endpoint Role", V2_0;
    DefaultsInformation = 0x42_0152, Structure, "Defaults Information", V2_0;
    ObjectDefaults = 0x42_0153, Structure, "Object Defaults", V2_0;
    Ephemeral = 0x42_0154, Boolean, "Ephemeral", V2_0;
    ServerHashedPassword = 0x42_0155, ByteString, "Server Hashed Password", V2_0;
    OneTimePassword = 0x42_0156, TextString, "One Time Password", V2_0;
    HashedPassword = 0x42_0157, ByteString, "Hashed Password", V2_0;
    AdjustmentType = 0x42_0158, Enumeration, "Adjustment Type", V2_0;
    PKCS_11Interface = 0x42_0159, TextString, "PKCS#11 Interface", V2_0;
    PKCS_11Function = 0x42_015A, Enumeration, "PKCS#11 Function", V2_0;
    PKCS_11InputParameters = 0x42_015B, ByteString, "PKCS#11 Input Parameters", V2_0;
    PKCS_11OutputParameters = 0x42_015C, ByteString, "PKCS#11 Output Parameters", V2_0;
    PKCS_11ReturnCode = 0x42_015D, Enumeration, "PKCS#11 Return Code", V2_0;
    ProtectionStorageMask = 0x42_015E, Integer, "Protection Storage Mask", V2_0;
    ProtectionStorageMasks = 0x42_015F, Structure, "Protection Storage Masks", V2_0;
    InteropFunction = 0x42_0160, Enumeration, "Interop Function", V2_0;
    InteropIdentifier = 0x42_0161, TextString, "Interop Identifier", V2_0;
    // The type varies with the attribute being adjusted.
    AdjustmentValue = 0x42_0162, Integer, "Adjustment Value", V2_0;
    CommonProtectionStorageMasks = 0x42_0163, Structure, "Common Protection Storage Masks", V2_0;
    PrivateProtectionStorageMasks = 0x42_0164, Structure, "Private Protection Storage Masks", V2_0;
    PublicProtectionStorageMasks = 0x42_0165, Structure, "Public Protection Storage Masks", V2_0;
    ObjectGroups = 0x42_0166, Structure, "Object Groups", V2_1;
    ObjectTypes = 0x42_0167, Structure, "Object Types", V2_1;
    Constraints = 0x42_0168, Structure, "Constraints", V2_1;
    Constraint = 0x42_0169, Structure, "Constraint", V2_1;
    RotateInterval = 0x42_016A, Interval, "Rotate Interval", V2_1;
    RotateAutomatic = 0x42_016B, Boolean, "Rotate Automatic", V2_1;
    RotateOffset = 0x42_016C, Interval, "Rotate Offset", V2_1;
    RotateDate = 0x42_016D, DateTime, "Rotate Date", V2_1;
    RotateGeneration = 0x42_016E, Integer, "Rotate Generation", V2_1;
    RotateName = 0x42_016F, Structure, "Rotate Name", V2_1;
    RotateNameValue = 0x42_0170, TextString, "Rotate Name Value", V2_1;
    RotateNameType = 0x42_0171, Enumeration, "Rotate Name Type", V2_1;
    RotateLatest = 0x42_0172, Boolean, "Rotate Latest", V2_1;
    AsynchronousRequest = 0x42_0173, Boolean, "Asynchronous Request", V2_1;
    SubmissionDate = 0x42_0174, DateTime, "Submission Date", V2_1;
    ProcessingStage = 0x42_0175, Enumeration, "Processing Stage", V2_1;
    AsynchronousCorrelationValues = 0x42_0176, Structure, "Asynchronous Correlation Values", V2_1;
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
    /// Operation (minimal stand-in until the full table lands).
    Operation [Operation] {
        Create = 0x0000_0001, V1_0;
        CreateKeyPair = 0x0000_0002, V1_0;
        Register = 0x0000_0003, V1_0;
        ReKey = 0x0000_0004, V1_0;
        DeriveKey = 0x0000_0005, V1_0;
        Certify = 0x0000_0006, V1_0;
        ReCertify = 0x0000_0007, V1_0;
        Locate = 0x0000_0008, V1_0;
        Check = 0x0000_0009, V1_0;
        Get = 0x0000_000A, V1_0;
        GetAttributes = 0x0000_000B, V1_0;
        GetAttributeList = 0x0000_000C, V1_0;
        AddAttribute = 0x0000_000D, V1_0;
        ModifyAttribute = 0x0000_000E, V1_0;
        DeleteAttribute = 0x0000_000F, V1_0;
        ObtainLease = 0x0000_0010, V1_0;
        GetUsageAllocation = 0x0000_0011, V1_0;
        Activate = 0x0000_0012, V1_0;
        Revoke = 0x0000_0013, V1_0;
        Destroy = 0x0000_0014, V1_0;
        Archive = 0x0000_0015, V1_0;
        Recover = 0x0000_0016, V1_0;
        Validate = 0x0000_0017, V1_0;
        Query = 0x0000_0018, V1_0;
        Cancel = 0x0000_0019, V1_0;
        Poll = 0x0000_001A, V1_0;
        Notify = 0x0000_001B, V1_0;
        Put = 0x0000_001C, V1_0;
        ReKeyKeyPair = 0x0000_001D, V1_1;
        DiscoverVersions = 0x0000_001E, V1_1;
        Encrypt = 0x0000_001F, V1_2;
        Decrypt = 0x0000_0020, V1_2;
        Sign = 0x0000_0021, V1_2;
        SignatureVerify = 0x0000_0022, V1_2;
        MAC = 0x0000_0023, V1_2;
        MACVerify = 0x0000_0024, V1_2;
        RNGRetrieve = 0x0000_0025, V1_2;
        RNGSeed = 0x0000_0026, V1_2;
        Hash = 0x0000_0027, V1_2;
        CreateSplitKey = 0x0000_0028, V1_2;
        JoinSplitKey = 0x0000_0029, V1_2;
        Import = 0x0000_002A, V1_4;
        Export = 0x0000_002B, V1_4;
        Log = 0x0000_002C, V2_0;
        Login = 0x0000_002D, V2_0;
        Logout = 0x0000_002E, V2_0;
        DelegatedLogin = 0x0000_002F, V2_0;
        AdjustAttribute = 0x0000_0030, V2_0;
        SetAttribute = 0x0000_0031, V2_0;
        SetEndpointRole = 0x0000_0032, V2_0;
        PKCS_11 = 0x0000_0033, V2_0;
        Interop = 0x0000_0034, V2_0;
        ReProvision = 0x0000_0035, V2_0;
    }
    /// Result Reason (minimal stand-in).
    ResultReason [ResultReason] {
        ItemNotFound = 0x0000_0001, V1_0;
        OperationNotSupported = 0x0000_0005, V1_0;
        InvalidMessage = 0x0000_0004, V1_0;
    }
    /// Credential Type (minimal stand-in).
    CredentialType [CredentialType] {
        UsernameAndPassword = 0x0000_0001, V1_0;
        Device = 0x0000_0002, V1_1;
        Attestation = 0x0000_0003, V1_2;
        OneTimePassword = 0x0000_0004, V2_0;
        HashedPassword = 0x0000_0005, V2_0;
        Ticket = 0x0000_0006, V2_0;
    }
    /// Batch Error Continuation Option (minimal stand-in).
    BatchErrorContinuationOption [BatchErrorContinuationOption] {
        Continue = 0x0000_0001, V1_0;
        Stop = 0x0000_0002, V1_0;
        Undo = 0x0000_0003, V1_0;
    }
    /// Name Type (minimal stand-in).
    NameType [NameType] {
        UninterpretedTextString = 0x0000_0001, V1_0;
        URI = 0x0000_0002, V1_0;
    }
    /// CryptographicAlgorithm (stand-in until the full table lands).
    CryptographicAlgorithm [CryptographicAlgorithm] {
    }
    /// KeyFormatType (stand-in until the full table lands).
    KeyFormatType [KeyFormatType] {
    }
    /// KeyCompressionType (stand-in until the full table lands).
    KeyCompressionType [KeyCompressionType] {
    }
    /// State (stand-in until the full table lands).
    State [State] {
    }
    /// RevocationReasonCode (stand-in until the full table lands).
    RevocationReasonCode [RevocationReasonCode] {
    }
    /// LinkType (stand-in until the full table lands).
    LinkType [LinkType] {
    }
    /// BlockCipherMode (stand-in until the full table lands).
    BlockCipherMode [BlockCipherMode] {
    }
    /// PaddingMethod (stand-in until the full table lands).
    PaddingMethod [PaddingMethod] {
    }
    /// HashingAlgorithm (stand-in until the full table lands).
    HashingAlgorithm [HashingAlgorithm] {
    }
    /// KeyRoleType (stand-in until the full table lands).
    KeyRoleType [KeyRoleType] {
    }
    /// DigitalSignatureAlgorithm (stand-in until the full table lands).
    DigitalSignatureAlgorithm [DigitalSignatureAlgorithm] {
    }
    /// WrappingMethod (stand-in until the full table lands).
    WrappingMethod [WrappingMethod] {
    }
    /// EncodingOption (stand-in until the full table lands).
    EncodingOption [EncodingOption] {
    }
    /// QueryFunction (stand-in until the full table lands).
    QueryFunction [QueryFunction] {
    }
    /// SecretDataType (stand-in until the full table lands).
    SecretDataType [SecretDataType] {
    }
    /// CertificateType (stand-in until the full table lands).
    CertificateType [CertificateType] {
    }
    /// SplitKeyMethod (stand-in until the full table lands).
    SplitKeyMethod [SplitKeyMethod] {
    }
    /// OpaqueDataType (stand-in until the full table lands).
    OpaqueDataType [OpaqueDataType] {
    }
    /// ObjectGroupMember (stand-in until the full table lands).
    ObjectGroupMember [ObjectGroupMember] {
    }
    /// RecommendedCurve (stand-in until the full table lands).
    RecommendedCurve [RecommendedCurve] {
    }
    /// ValidityIndicator (stand-in until the full table lands).
    ValidityIndicator [ValidityIndicator] {
    }
    /// KeyWrapType (stand-in until the full table lands).
    KeyWrapType [KeyWrapType] {
    }
    /// MaskGenerator (stand-in until the full table lands).
    MaskGenerator [MaskGenerator] {
    }
    /// CertificateRequestType (stand-in until the full table lands).
    CertificateRequestType [CertificateRequestType] {
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
    /// Storage Status Mask (stand-in).
    StorageStatusMask [StorageStatusMask] {
        OnlineStorage = 0x0000_0001, V1_0;
        ArchivalStorage = 0x0000_0002, V1_0;
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
