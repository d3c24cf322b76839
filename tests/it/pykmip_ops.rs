//! Issue 3's operations, driven by PyKMIP 0.11 (ProxyKmipClient and
//! KMIPProxy) over mTLS against the real binary, at KMIP 1.0, 1.1, 1.2, 1.3,
//! 1.4 and 2.0, with the exact Result Reason of the OASIS cases for the
//! client's version. One server per test; the checks are in the scripts.

use crate::pykmip_support::script_passes;

/// Create (AES-128/192/256, HMAC), Register (key, secret data, opaque), Get
/// (Raw, Transparent), Activate, Revoke, Destroy; SKLC-M-2 and CS-BC-M-14:
/// Permission Denied at 1.x, Wrong Key Lifecycle State at 2.0; unknown
/// identifiers: Item Not Found at 1.x, Object Not Found at 2.0.
#[test]
fn pykmip_lifecycle() {
    script_passes("lifecycle.py");
}

/// Encrypt / Decrypt (ECB, CBC + PKCS#5, CTR, GCM with tag length and AAD,
/// server-generated IVs) checked against `cryptography`; MAC, MAC Verify,
/// RNG Retrieve; the usage mask and the key's state enforced.
#[test]
fn pykmip_crypto() {
    script_passes("crypto.py");
}

/// Get Attributes, Get Attribute List, Add / Modify / Delete Attribute (1.x
/// and 2.0 forms), Set Attribute (2.0), and their failures.
#[test]
fn pykmip_attributes() {
    script_passes("attributes.py");
}

/// Locate by Name, Object Type, algorithm, length, State, Object Group and a
/// custom attribute; Maximum Items and Offset Items.
#[test]
fn pykmip_locate() {
    script_passes("locate.py");
}

/// Discover Versions, Query, every other operation -> Operation Not
/// Supported, malformed messages answered on a connection that then serves
/// the next request.
#[test]
fn pykmip_errors() {
    script_passes("errors.py");
}

/// tests/pykmip/lease.py: Obtain Lease at every version.
#[test]
fn pykmip_obtain_lease() {
    script_passes("lease.py");
}
