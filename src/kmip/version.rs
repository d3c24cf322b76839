//! KMIP protocol versions.

use std::fmt;

/// A KMIP protocol version (Protocol Version Major / Minor).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProtocolVersion {
    /// Protocol Version Major.
    pub major: i32,
    /// Protocol Version Minor.
    pub minor: i32,
}

impl ProtocolVersion {
    /// KMIP 1.0.
    pub const V1_0: ProtocolVersion = ProtocolVersion::new(1, 0);
    /// KMIP 1.1.
    pub const V1_1: ProtocolVersion = ProtocolVersion::new(1, 1);
    /// KMIP 1.2.
    pub const V1_2: ProtocolVersion = ProtocolVersion::new(1, 2);
    /// KMIP 1.3.
    pub const V1_3: ProtocolVersion = ProtocolVersion::new(1, 3);
    /// KMIP 1.4.
    pub const V1_4: ProtocolVersion = ProtocolVersion::new(1, 4);
    /// KMIP 2.0.
    pub const V2_0: ProtocolVersion = ProtocolVersion::new(2, 0);
    /// KMIP 2.1.
    pub const V2_1: ProtocolVersion = ProtocolVersion::new(2, 1);

    /// Every version coffer speaks, newest first (the order Discover Versions answers in).
    pub const SUPPORTED: [ProtocolVersion; 7] = [
        ProtocolVersion::V2_1,
        ProtocolVersion::V2_0,
        ProtocolVersion::V1_4,
        ProtocolVersion::V1_3,
        ProtocolVersion::V1_2,
        ProtocolVersion::V1_1,
        ProtocolVersion::V1_0,
    ];

    /// A version from its major and minor numbers.
    pub const fn new(major: i32, minor: i32) -> ProtocolVersion {
        ProtocolVersion { major, minor }
    }

    /// True for KMIP 2.0 and later, whose attribute and error model differ from 1.x.
    pub const fn is_2x(self) -> bool {
        self.major >= 2
    }

    /// True where coffer speaks this version.
    pub fn is_supported(self) -> bool {
        ProtocolVersion::SUPPORTED.contains(&self)
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl fmt::Debug for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KMIP {self}")
    }
}
