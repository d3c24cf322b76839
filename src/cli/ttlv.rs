//! `coffer ttlv decode` and `coffer ttlv encode`: TTLV bytes to a readable
//! tree and back.
//!
//! `decode` reads hex (whitespace and `0x` prefixes allowed) or raw binary
//! TTLV and prints the tree in the [`tree`](crate::ttlv::tree) form;
//! `encode` reads that form back and prints hex, or raw bytes with
//! `--binary`. Decoding then encoding gives back the exact bytes of any
//! message the decoder accepts.

use std::fmt;
use std::io::{Read, Write};

use bytes::Bytes;
use clap::Subcommand;

use super::CliError;
use crate::ttlv::tree::{self, TreeError};
use crate::ttlv::{self as codec, json, xml, DecodeError, EncodeError, Limits, TextError, Ttlv};

/// The `ttlv` subcommands.
#[derive(Debug, Subcommand)]
pub enum TtlvCommand {
    /// Read a TTLV message (hex or binary) on stdin and print it as an indented tree.
    ///
    /// Input that is only hex digits and whitespace (each run may start with
    /// 0x) is read as hex, anything else as raw bytes. One line per item: tag
    /// name (or 0x hex for a tag the table lacks), item type, value.
    /// Enumerations and masks show names and the raw value, byte strings hex
    /// and length, dates ISO 8601 and the raw number. `coffer ttlv encode`
    /// reads the tree back, and the KMIP JSON and XML encodings too.
    Decode {
        /// Print the KMIP JSON encoding instead of the tree.
        #[arg(long, conflicts_with = "xml")]
        json: bool,
        /// Print the KMIP XML encoding instead of the tree.
        #[arg(long)]
        xml: bool,
    },
    /// Read a tree (as `decode` prints it), KMIP JSON or KMIP XML on stdin and print the TTLV bytes as hex.
    ///
    /// Input starting with `{` or `[` is read as JSON, with `<` as XML,
    /// anything else as the tree.
    /// The tree may be hand-written: raw values in parentheses may be left
    /// out where a name is given (`Enumeration SymmetricKey`, `Integer
    /// Encrypt|Decrypt`, `DateTime 2024-01-01T00:00:00Z`). Lines starting
    /// with # are comments.
    Encode {
        /// Write the raw bytes instead of hex.
        #[arg(long)]
        binary: bool,
    },
}

/// Limits for decoding on the command line: the input is the user's own, so
/// only the nesting depth is bounded (it bounds the recursion).
pub const CLI_LIMITS: Limits = Limits {
    max_message_size: usize::MAX,
    max_depth: 256,
    max_items_per_structure: usize::MAX,
    max_field_length: usize::MAX,
};

/// Why a `ttlv` subcommand failed.
#[derive(Debug)]
pub enum TtlvError {
    /// Standard input was empty.
    EmptyInput,
    /// The input looked like hex but is not valid hex.
    BadHex(hex::FromHexError),
    /// The bytes are not a valid TTLV message.
    Decode(DecodeError),
    /// The input is not UTF-8 text.
    NotText,
    /// The tree text could not be parsed.
    Tree(TreeError),
    /// The JSON or XML text could not be parsed.
    Encoding(TextError),
    /// The tree cannot be written as TTLV.
    Encode(EncodeError),
}

impl fmt::Display for TtlvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TtlvError::EmptyInput => f.write_str("no input on stdin"),
            TtlvError::BadHex(e) => write!(f, "input is not valid hex: {e}"),
            TtlvError::Decode(e) => write!(f, "invalid TTLV: {e}"),
            TtlvError::NotText => f.write_str("input is not UTF-8 text"),
            TtlvError::Tree(e) => write!(f, "invalid tree: {e}"),
            TtlvError::Encoding(e) => write!(f, "invalid KMIP JSON/XML: {e}"),
            TtlvError::Encode(e) => write!(f, "cannot encode: {e}"),
        }
    }
}

impl std::error::Error for TtlvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TtlvError::EmptyInput | TtlvError::NotText => None,
            TtlvError::BadHex(e) => Some(e),
            TtlvError::Decode(e) => Some(e),
            TtlvError::Tree(e) => Some(e),
            TtlvError::Encoding(e) => Some(e),
            TtlvError::Encode(e) => Some(e),
        }
    }
}

/// Runs a `ttlv` subcommand.
pub fn run(command: TtlvCommand, stdin: &mut dyn Read, stdout: &mut dyn Write) -> Result<(), CliError> {
    let mut input = Vec::new();
    stdin.read_to_end(&mut input)?;
    match command {
        TtlvCommand::Decode { json, xml } => {
            let item = decode_input(&input)?;
            let mut out = if json {
                json::to_json_string(&item)
            } else if xml {
                xml::to_xml(&item)
            } else {
                tree::to_text(&item)
            };
            if !out.ends_with('\n') {
                out.push('\n');
            }
            stdout.write_all(out.as_bytes())?;
        }
        TtlvCommand::Encode { binary } => {
            let bytes = encode_input(&input)?;
            if binary {
                stdout.write_all(&bytes)?;
            } else {
                stdout.write_all(hex::encode(&bytes).as_bytes())?;
                stdout.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

/// Decodes hex or binary TTLV input into a tree.
pub fn decode_input(input: &[u8]) -> Result<Ttlv, TtlvError> {
    let bytes = input_bytes(input)?;
    codec::decode(&Bytes::from(bytes), &CLI_LIMITS).map_err(TtlvError::Decode)
}

/// The TTLV bytes of `input`: hex when every byte is a hex digit or
/// whitespace (each whitespace-separated run may start with `0x`), else the
/// input itself.
fn input_bytes(input: &[u8]) -> Result<Vec<u8>, TtlvError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(TtlvError::EmptyInput);
    }
    let mut digits = Vec::with_capacity(input.len());
    for run in input.split(u8::is_ascii_whitespace) {
        let run = run.strip_prefix(b"0x").or_else(|| run.strip_prefix(b"0X")).unwrap_or(run);
        if !run.iter().all(u8::is_ascii_hexdigit) {
            return Ok(input.to_vec());
        }
        digits.extend_from_slice(run);
    }
    hex::decode(digits).map_err(TtlvError::BadHex)
}

/// Parses a tree, KMIP JSON or KMIP XML, and encodes it.
pub fn encode_input(input: &[u8]) -> Result<Vec<u8>, TtlvError> {
    let text = std::str::from_utf8(input).map_err(|_| TtlvError::NotText)?;
    if text.trim().is_empty() {
        return Err(TtlvError::EmptyInput);
    }
    let item = match text.trim_start().chars().next() {
        Some('{' | '[') => json::from_json_str(text).map_err(TtlvError::Encoding)?,
        Some('<') => xml::from_xml(text).map_err(TtlvError::Encoding)?,
        _ => tree::from_text(text).map_err(TtlvError::Tree)?,
    };
    codec::encode_to_vec(&item).map_err(TtlvError::Encode)
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const INTEGER_8: &str = "540020020000000400000008 00000000";

    #[test]
    fn hex_input_may_be_spaced_and_prefixed() -> TestResult {
        let want = hex::decode(INTEGER_8.replace(' ', ""))?;
        assert_eq!(input_bytes(INTEGER_8.as_bytes())?, want);
        assert_eq!(input_bytes(b"0x540020 02000000\n0X0400000008\r\n00000000\n")?, want);
        Ok(())
    }

    #[test]
    fn binary_input_is_taken_as_it_is() -> TestResult {
        let bytes = hex::decode(INTEGER_8.replace(' ', ""))?;
        assert_eq!(input_bytes(&bytes)?, bytes);
        Ok(())
    }

    #[test]
    fn empty_and_odd_input_are_refused() {
        assert!(matches!(input_bytes(b" \n"), Err(TtlvError::EmptyInput)));
        assert!(matches!(input_bytes(b"420"), Err(TtlvError::BadHex(_))));
    }

    #[test]
    fn decode_then_encode_gives_the_same_bytes() -> TestResult {
        let item = decode_input(INTEGER_8.as_bytes())?;
        let text = tree::to_text(&item);
        assert_eq!(text, "0x540020 Integer 8\n");
        assert_eq!(hex::encode(encode_input(text.as_bytes())?), INTEGER_8.replace(' ', ""));
        Ok(())
    }

    #[test]
    fn decode_errors_name_the_offset() {
        let err = decode_input(b"54002002000000040000000800000001").err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("invalid TTLV: padding bytes are not zero at byte 12 in 0x540020"));
    }
}
