//! ReKey driven by PyKMIP 0.11 (ProxyKmipClient.rekey) over mTLS against
//! the real binary at KMIP 1.0-1.4 and 2.0: links, the shared Name, Locate
//! newest first, an old version still decrypting, Offset, and the refusals
//! with their exact Result Reasons. The checks are in the script.

use crate::pykmip_support::script_passes;

/// tests/pykmip/rotation.py.
#[test]
fn pykmip_rotation() {
    script_passes("rotation.py");
}
