//! Issue 4's asymmetric operations driven by PyKMIP 0.11 over mTLS against
//! the real binary, at KMIP 1.0 to 2.0, with the openssl command line on
//! the other side of every signature and of RSA-OAEP. The checks are in
//! `tests/pykmip/asymmetric.py`.

use crate::pykmip_support::script_passes;

/// Create Key Pair (RSA 2048/3072/4096, P-256/384/521, Ed25519 at 2.0),
/// Sign and Signature Verify (PKCS#1 v1.5, PSS, ECDSA, Ed25519): the
/// server's signatures verify with `openssl dgst` / `pkeyutl`, openssl's
/// verify in the server; OAEP ciphertexts cross both ways; refusals by version.
#[test]
fn pykmip_asymmetric() {
    script_passes("asymmetric.py");
}
