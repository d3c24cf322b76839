//! ReKey driven by PyKMIP 0.11 (ProxyKmipClient.rekey) over mTLS against
//! the real binary at KMIP 1.2-1.4 and 2.0: links, the shared Name, Locate
//! newest first, an old version still decrypting, Offset, and the refusals
//! with their exact Result Reasons. The checks are in the script.

use crate::pykmip_support::script_passes_with;

/// tests/pykmip/rotation.py. The script proves each version with Encrypt and
/// Decrypt, which KMIP defines from 1.2 on (a 1.0/1.1 client is answered
/// Operation Not Supported: tests/pykmip/crypto.py checks that).
#[test]
fn pykmip_rotation() {
    script_passes_with("rotation.py", &["--versions", "1.2,1.3,1.4,2.0"]);
}
