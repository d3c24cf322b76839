//! The macros that turn `table.rs` into types.
//!
//! `kmip_tags!` gives every tag a named constant on [`Tag`](crate::ttlv::Tag)
//! and a row in a sorted table; `kmip_enums!` gives every enumeration a Rust
//! enum that keeps unknown values, plus the table that the JSON and XML
//! encodings read names from; `kmip_masks!` does the same for bit masks.

/// Defines the tag table: `Name = 0x42_0001, ItemType, "Spec Name", V1_0;`.
///
/// Rows must be sorted by value (a unit test checks it) so lookups can
/// binary-search.
macro_rules! kmip_tags {
    ($( $name:ident = $value:literal, $ty:ident, $spec:literal, $since:ident; )*) => {
        #[allow(non_upper_case_globals)]
        impl $crate::ttlv::Tag {
            $(
                #[doc = concat!("`", $spec, "` (", stringify!($value), ", ", stringify!($ty), ")")]
                pub const $name: $crate::ttlv::Tag = $crate::ttlv::Tag::new($value);
            )*
        }

        /// Every tag KMIP 1.0-2.1 defines, sorted by value.
        pub static TAGS: &[TagInfo] = &[
            $(
                TagInfo {
                    tag: $crate::ttlv::Tag::new($value),
                    name: stringify!($name),
                    spec_name: $spec,
                    item_type: $crate::ttlv::ItemType::$ty,
                    since: $crate::kmip::version::ProtocolVersion::$since,
                },
            )*
        ];
    };
}

/// Defines every enumeration:
///
/// ```text
/// /// doc
/// ObjectType [ObjectType] {
///     Certificate = 0x0000_0001, V1_0;
///     ...
/// }
/// ```
///
/// The bracketed list names the tags whose value is this enumeration.
/// `Variant as "Name" = ...` gives a value whose encoding name cannot be the
/// Rust variant (Validity Indicator's `Unknown` would clash with
/// `Unknown(u32)`).
macro_rules! kmip_enums {
    ($(
        $(#[$meta:meta])*
        $enum:ident [$($tag:ident),* $(,)?] {
            $( $variant:ident $(as $xml:literal)? = $value:literal, $since:ident; )*
        }
    )*) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            #[allow(non_camel_case_types)]
            pub enum $enum {
                $(
                    #[doc = concat!("`", kmip_variant_name!($variant $($xml)?), "` = ", stringify!($value))]
                    $variant,
                )*
                /// A value this table does not know (vendor extensions, newer versions).
                Unknown(u32),
            }

            impl $enum {
                /// The wire value.
                pub const fn value(self) -> u32 {
                    match self {
                        $( $enum::$variant => $value, )*
                        $enum::Unknown(v) => v,
                    }
                }

                /// The variant for a wire value; an unknown value is kept.
                pub const fn from_value(value: u32) -> $enum {
                    match value {
                        $( $value => $enum::$variant, )*
                        other => $enum::Unknown(other),
                    }
                }

                /// The name used in the JSON and XML encodings.
                pub const fn name(self) -> Option<&'static str> {
                    match self {
                        $( $enum::$variant => Some(kmip_variant_name!($variant $($xml)?)), )*
                        $enum::Unknown(_) => None,
                    }
                }

                /// The first protocol version that defines this value.
                pub const fn since(self) -> Option<$crate::kmip::version::ProtocolVersion> {
                    match self {
                        $( $enum::$variant => Some($crate::kmip::version::ProtocolVersion::$since), )*
                        $enum::Unknown(_) => None,
                    }
                }
            }

            impl From<u32> for $enum {
                fn from(value: u32) -> $enum {
                    $enum::from_value(value)
                }
            }

            impl From<$enum> for u32 {
                fn from(value: $enum) -> u32 {
                    value.value()
                }
            }
        )*

        /// Every enumeration, with the tags that carry it.
        pub static ENUMS: &[EnumInfo] = &[
            $(
                EnumInfo {
                    name: stringify!($enum),
                    tags: &[$( $crate::ttlv::Tag::$tag, )*],
                    variants: &[
                        $( EnumVariant {
                            name: kmip_variant_name!($variant $($xml)?),
                            value: $value,
                            since: $crate::kmip::version::ProtocolVersion::$since,
                        }, )*
                    ],
                },
            )*
        ];
    };
}

/// The encoding name of an enumeration value: its own `as "Name"` or the
/// variant's identifier.
macro_rules! kmip_variant_name {
    ($variant:ident) => {
        stringify!($variant)
    };
    ($variant:ident $xml:literal) => {
        $xml
    };
}

/// Defines every bit mask, like `kmip_enums!`:
/// `CryptographicUsageMask [CryptographicUsageMask] { Sign = 0x0000_0001, V1_0; ... }`.
/// Each mask becomes a newtype over `i32` with a constant per bit.
macro_rules! kmip_masks {
    ($(
        $(#[$meta:meta])*
        $mask:ident [$($tag:ident),* $(,)?] {
            $( $bit:ident = $value:literal, $since:ident; )*
        }
    )*) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
            pub struct $mask(pub i32);

            #[allow(non_upper_case_globals)]
            impl $mask {
                $(
                    #[doc = concat!("`", stringify!($bit), "` = ", stringify!($value))]
                    pub const $bit: $mask = $mask($value);
                )*

                /// True when every bit of `other` is set here.
                pub const fn contains(self, other: $mask) -> bool {
                    self.0 & other.0 == other.0
                }
            }

            impl std::ops::BitOr for $mask {
                type Output = $mask;
                fn bitor(self, rhs: $mask) -> $mask {
                    $mask(self.0 | rhs.0)
                }
            }
        )*

        /// Every bit mask, with the tags that carry it.
        pub static MASKS: &[MaskInfo] = &[
            $(
                MaskInfo {
                    name: stringify!($mask),
                    tags: &[$( $crate::ttlv::Tag::$tag, )*],
                    bits: &[
                        $( EnumVariant {
                            name: stringify!($bit),
                            value: $value,
                            since: $crate::kmip::version::ProtocolVersion::$since,
                        }, )*
                    ],
                },
            )*
        ];
    };
}
