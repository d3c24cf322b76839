//! The three-byte TTLV tag.

use std::fmt;

/// A TTLV tag: a 24-bit value, `0x42xxxx` for KMIP's own tags and `0x54xxxx`
/// for vendor extensions.
///
/// Named constants for every KMIP tag (`Tag::RequestMessage`, ...) come from
/// the table in `kmip::table`; any other value is kept as it is, so unknown
/// and vendor tags survive a round trip.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

impl Tag {
    /// A tag from its wire value; bits above the low 24 are dropped.
    pub const fn new(value: u32) -> Tag {
        Tag(value & 0x00FF_FFFF)
    }

    /// The wire value.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The three wire bytes.
    pub const fn to_bytes(self) -> [u8; 3] {
        let b = self.0.to_be_bytes();
        [b[1], b[2], b[3]]
    }

    /// The tag for three wire bytes.
    pub const fn from_bytes(b: [u8; 3]) -> Tag {
        Tag(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// True for the vendor-extension range `0x54xxxx`.
    pub const fn is_extension(self) -> bool {
        self.0 >> 16 == 0x54
    }

    /// The spec's name for this tag (`"RequestMessage"`), if the table has it.
    pub fn name(self) -> Option<&'static str> {
        crate::kmip::table::tag_info(self).map(|info| info.name)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The tag's name, or `0x54AB01` where the table does not know it.
impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:06X}", self.0),
        }
    }
}
