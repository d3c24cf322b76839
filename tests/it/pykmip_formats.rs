//! Issue 4 deliverable 3, driven by PyKMIP 0.11 against the real binary at
//! KMIP 1.0 to 2.0: Register / Get of certificates and RSA / EC keys in each
//! format (plain and converted), AES key wrap (RFC 3394 / 5649) and RSA-OAEP
//! wrapping unwrapped locally with `cryptography`, Register of a wrapped
//! key, Derive Key (PBKDF2), split keys, secret data located by Name.

use crate::pykmip_support::script_passes;

/// See tests/pykmip/formats.py; the checks are in the script.
#[test]
fn pykmip_formats() {
    script_passes("formats.py");
}
