//! Parsing an AES-256 key typed or pasted by an operator, for the REST API
//! and the CLI's import.
//!
//! Three forms are accepted, each giving exactly 32 bytes:
//! - the seed console's list of bytes, `0xXX, 0xXX, ...`, separated by commas
//!   and/or whitespace (a comma-separated list of bare hex bytes is taken too);
//! - raw hex, 64 digits (optionally after one `0x`), whitespace anywhere ignored;
//! - base64, standard or URL-safe alphabet, padded or not.
//!
//! Errors say what was wrong (how many bytes were found, which token is not a
//! byte) and never echo any part of the input: it is key material.

use std::fmt;

use zeroize::Zeroizing;

/// The key length we import: AES-256.
pub const AES256_KEY_LEN: usize = 32;

/// Why a key text was refused. The texts are safe to show: no input is echoed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// Nothing but whitespace and separators.
    Empty,
    /// The text decoded, to the wrong number of bytes.
    WrongLength {
        /// Which form was recognised ("byte list", "hex", "base64").
        format: &'static str,
        /// How many bytes it held.
        found: usize,
    },
    /// In a byte list, the token at this 1-based position is not `0xXX` (one or two hex digits).
    BadByte {
        /// The token's position, counting from 1.
        position: usize,
    },
    /// An odd number of hex digits.
    OddHex {
        /// How many digits there were.
        digits: usize,
    },
    /// Not a byte list, not hex, and not valid base64; `position` is the first
    /// offending character's 1-based position among the non-whitespace characters.
    NotRecognised {
        /// Where the first character that no form allows is, counting from 1.
        position: usize,
    },
    /// Base64 whose padding or length is malformed.
    BadBase64(&'static str),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the key is empty: give 32 bytes as 0xXX, 0xXX, ..., 64 hex digits, or base64"),
            Self::WrongLength { format, found } => {
                write!(f, "the key ({format}) is {found} bytes; an AES-256 key is exactly {AES256_KEY_LEN} bytes")
            }
            Self::BadByte { position } => {
                write!(f, "item {position} of the byte list is not a byte written as 0xXX (one or two hex digits)")
            }
            Self::OddHex { digits } => write!(f, "the hex key has an odd number of digits ({digits}); 64 are needed"),
            Self::NotRecognised { position } => write!(
                f,
                "character {position} is not hex or base64; give the key as 0xXX, 0xXX, ..., 64 hex digits, or base64"
            ),
            Self::BadBase64(why) => write!(f, "the base64 key is malformed: {why}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// Parses an AES-256 key in any of the accepted forms (see the module docs).
pub fn parse_aes256_key(text: &str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let text = text.trim();
    if text.chars().all(|c| c.is_whitespace() || c == ',') {
        return Err(ImportError::Empty);
    }
    // A byte list has commas, or several tokens of which the first is `0x..`;
    // base64 may contain "0x" anywhere, so that alone does not decide.
    let first = text.split_whitespace().next().unwrap_or("");
    let several = text.split_whitespace().nth(1).is_some();
    let key = if text.contains(',') || (several && (first.starts_with("0x") || first.starts_with("0X"))) {
        parse_byte_list(text)?
    } else {
        let compact: Zeroizing<Vec<u8>> = Zeroizing::new(text.bytes().filter(|b| !b.is_ascii_whitespace()).collect());
        // One `0x`-prefixed run of digits is hex too ('x' would otherwise read as base64).
        let compact = match compact.strip_prefix(b"0x").or_else(|| compact.strip_prefix(b"0X")) {
            Some(digits) => Zeroizing::new(digits.to_vec()),
            None => compact,
        };
        let all_hex = compact.iter().all(u8::is_ascii_hexdigit);
        // 43 or 44 characters is base64's length for 32 bytes; a hex string that
        // long is odd or 22 bytes, so base64 is the reading that can succeed.
        if all_hex && compact.len() != 43 && compact.len() != 44 {
            parse_hex(&compact)?
        } else {
            ("base64", decode_base64(&compact)?)
        }
    };
    let (format, bytes) = key;
    if bytes.len() != AES256_KEY_LEN {
        return Err(ImportError::WrongLength { format, found: bytes.len() });
    }
    Ok(bytes)
}

type Parsed = (&'static str, Zeroizing<Vec<u8>>);

fn parse_byte_list(text: &str) -> Result<Parsed, ImportError> {
    let mut out = Zeroizing::new(Vec::with_capacity(AES256_KEY_LEN));
    let tokens = text.split(|c: char| c == ',' || c.is_whitespace()).filter(|t| !t.is_empty());
    for (i, token) in tokens.enumerate() {
        let position = i + 1;
        let digits = token.strip_prefix("0x").or_else(|| token.strip_prefix("0X")).unwrap_or(token);
        let bad = || ImportError::BadByte { position };
        if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        out.push(u8::from_str_radix(digits, 16).map_err(|_| bad())?);
    }
    Ok(("byte list", out))
}

fn parse_hex(digits: &[u8]) -> Result<Parsed, ImportError> {
    if !digits.len().is_multiple_of(2) {
        return Err(ImportError::OddHex { digits: digits.len() });
    }
    let mut out = Zeroizing::new(Vec::with_capacity(digits.len() / 2));
    for pair in digits.chunks_exact(2) {
        let (hi, lo) = match pair {
            [hi, lo] => (hex_value(*hi), hex_value(*lo)),
            _ => (None, None),
        };
        match (hi, lo) {
            (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
            // Unreachable after the all-hex check; refuse rather than guess.
            _ => return Err(ImportError::NotRecognised { position: 1 }),
        }
    }
    Ok(("hex", out))
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The value of a base64 character in either alphabet (`+/` or `-_`).
fn base64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64 (RFC 4648 sections 4 and 5) with or without `=` padding;
/// refuses mixed alphabets, misplaced padding and non-zero trailing bits.
fn decode_base64(chars: &[u8]) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let data_len = chars.iter().position(|&c| c == b'=').unwrap_or(chars.len());
    let (data, padding) = chars.split_at(data_len);
    if padding.iter().any(|&c| c != b'=') || padding.len() > 2 {
        return Err(ImportError::BadBase64("'=' padding may only end the text, at most twice"));
    }
    if !padding.is_empty() && !chars.len().is_multiple_of(4) {
        return Err(ImportError::BadBase64("padded base64 must be a multiple of 4 characters"));
    }
    let standard = data.iter().any(|&c| c == b'+' || c == b'/');
    let url_safe = data.iter().any(|&c| c == b'-' || c == b'_');
    if standard && url_safe {
        return Err(ImportError::BadBase64("it mixes the standard and URL-safe alphabets"));
    }
    if data.len() % 4 == 1 {
        return Err(ImportError::BadBase64("its length is not possible for base64"));
    }
    let mut out = Zeroizing::new(Vec::with_capacity(data.len() * 3 / 4));
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (i, &c) in data.iter().enumerate() {
        let v = base64_value(c).ok_or(ImportError::NotRecognised { position: i + 1 })?;
        acc = (acc << 6 | u32::from(v)) & 0xFFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    // Leftover bits must be zero, so that each key has exactly one encoding.
    if acc & ((1 << bits) - 1) != 0 {
        return Err(ImportError::BadBase64("its last character has bits that are not zero"));
    }
    Ok(out)
}

// Tests index values they built themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn key() -> Vec<u8> {
        (0u8..32).map(|i| i.wrapping_mul(37).wrapping_add(0xa5)).collect()
    }

    fn seed_form(sep: &str) -> String {
        key().iter().map(|b| format!("0x{b:02X}")).collect::<Vec<_>>().join(sep)
    }

    /// Standard base64 of `key()`, computed with OpenSSL's encoder.
    fn b64() -> String {
        openssl::base64::encode_block(&key())
    }

    #[test]
    fn the_seed_format_is_accepted_with_commas_spaces_or_both() {
        for sep in [", ", ",", " ", "\n", " , ", ",\t"] {
            assert_eq!(&parse_aes256_key(&seed_form(sep)).unwrap()[..], &key()[..], "separator {sep:?}");
        }
        // Lower-case, one-digit bytes, a trailing comma and surrounding whitespace.
        let loose = format!("  {} ,\n", key().iter().map(|b| format!("0x{b:x}")).collect::<Vec<_>>().join(","));
        assert_eq!(&parse_aes256_key(&loose).unwrap()[..], &key()[..]);
        let bare = key().iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(", ");
        assert_eq!(&parse_aes256_key(&bare).unwrap()[..], &key()[..]);
    }

    #[test]
    fn raw_hex_is_accepted_in_either_case_and_with_whitespace() {
        let hex = hex::encode(key());
        assert_eq!(&parse_aes256_key(&hex).unwrap()[..], &key()[..]);
        assert_eq!(&parse_aes256_key(&hex.to_uppercase()).unwrap()[..], &key()[..]);
        let grouped: String =
            hex.as_bytes().chunks(8).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ");
        assert_eq!(&parse_aes256_key(&grouped).unwrap()[..], &key()[..]);
        assert_eq!(&parse_aes256_key(&format!("0x{hex}")).unwrap()[..], &key()[..]);
        assert_eq!(&parse_aes256_key(&format!("0X{}", hex.to_uppercase())).unwrap()[..], &key()[..]);
        assert_eq!(
            parse_aes256_key(&format!("0x{}", &hex[..62])).unwrap_err(),
            ImportError::WrongLength { format: "hex", found: 31 }
        );
    }

    #[test]
    fn base64_is_accepted_standard_or_url_safe_padded_or_not() {
        let std = b64();
        assert_eq!(std.len(), 44);
        assert!(std.ends_with('='));
        let url = std.replace('+', "-").replace('/', "_");
        for text in
            [std.clone(), std.trim_end_matches('=').to_owned(), url.clone(), url.trim_end_matches('=').to_owned()]
        {
            assert_eq!(&parse_aes256_key(&text).unwrap()[..], &key()[..], "{text}");
        }
        assert!(std.contains('+') || std.contains('/'), "the fixture exercises the alphabet difference");
    }

    #[test]
    fn wrong_lengths_say_how_many_bytes_were_found() {
        let short = key()[..31].iter().map(|b| format!("0x{b:02X}")).collect::<Vec<_>>().join(", ");
        assert_eq!(parse_aes256_key(&short).unwrap_err(), ImportError::WrongLength { format: "byte list", found: 31 });
        assert_eq!(
            parse_aes256_key(&hex::encode([1u8; 33])).unwrap_err(),
            ImportError::WrongLength { format: "hex", found: 33 }
        );
        assert_eq!(
            parse_aes256_key(&openssl::base64::encode_block(&[7u8; 24])).unwrap_err(),
            ImportError::WrongLength { format: "base64", found: 24 }
        );
        let err = parse_aes256_key(&short).unwrap_err().to_string();
        assert!(err.contains("31 bytes") && err.contains("32"), "{err}");
    }

    #[test]
    fn each_refusal_names_the_problem_and_never_echoes_the_key() {
        let mut tokens: Vec<String> = key().iter().map(|b| format!("0x{b:02X}")).collect();
        tokens[4] = "0xZQ".into();
        assert_eq!(parse_aes256_key(&tokens.join(", ")).unwrap_err(), ImportError::BadByte { position: 5 });
        tokens[4] = "0x123".into();
        assert_eq!(parse_aes256_key(&tokens.join(", ")).unwrap_err(), ImportError::BadByte { position: 5 });
        tokens[4] = "0x".into();
        assert_eq!(parse_aes256_key(&tokens.join(", ")).unwrap_err(), ImportError::BadByte { position: 5 });
        assert_eq!(parse_aes256_key(&hex::encode(key())[..63]).unwrap_err(), ImportError::OddHex { digits: 63 });
        assert_eq!(parse_aes256_key("").unwrap_err(), ImportError::Empty);
        assert_eq!(parse_aes256_key(" , \n").unwrap_err(), ImportError::Empty);
        let mut b = b64().into_bytes();
        b[3] = b'*';
        assert_eq!(
            parse_aes256_key(std::str::from_utf8(&b).unwrap()).unwrap_err(),
            ImportError::NotRecognised { position: 4 }
        );
        assert!(matches!(parse_aes256_key("ab+c-d=="), Err(ImportError::BadBase64(_))));
        assert!(matches!(parse_aes256_key("abc=d"), Err(ImportError::BadBase64(_))));
        assert!(matches!(parse_aes256_key("abcdg"), Err(ImportError::BadBase64(_))));
        // "AB==" has non-zero leftover bits ("AA==" is the one encoding of 0x00).
        assert!(matches!(parse_aes256_key("AB=="), Err(ImportError::BadBase64(_))));

        for text in [tokens.join(", "), hex::encode(key())[..63].to_owned(), seed_form(", ")[..40].to_owned()] {
            let message = parse_aes256_key(&text).map(|_| String::new()).unwrap_or_else(|e| format!("{e} {e:?}"));
            for b in key() {
                let needle = format!("{b:02x}");
                assert!(!message.to_lowercase().contains(&format!("0x{needle}")), "{message}");
            }
            assert!(!message.to_lowercase().contains(&hex::encode(&key()[..4])), "{message}");
        }
    }
}
