//! The real clients of SPEC §2, one test per client flow, each done the way
//! that client does it (its KMIP version, its operations in its order), with
//! PyKMIP 0.11 as the client: `tests/pykmip/clients.py --only FLOW`.

use crate::pykmip_support::script_passes_with;

/// MongoDB at KMIP 1.0: Register Secret Data, Activate, Get, the state poll.
#[test]
fn pykmip_client_mongodb_kmip_1_0() {
    script_passes_with("clients.py", &["--only", "mongodb-1.0"]);
}

/// MongoDB at KMIP 1.2: Create, Activate, Get, Encrypt / Decrypt AES-CBC with
/// a server-generated IV.
#[test]
fn pykmip_client_mongodb_kmip_1_2() {
    script_passes_with("clients.py", &["--only", "mongodb-1.2"]);
}

/// pg_tde: Register by Name, Locate by Name expecting exactly one, Get.
#[test]
fn pykmip_client_pg_tde() {
    script_passes_with("clients.py", &["--only", "pg_tde"]);
}

/// Ceph RGW at KMIP 1.0: Create, Locate by Name, Get in Raw format.
#[test]
fn pykmip_client_ceph_rgw() {
    script_passes_with("clients.py", &["--only", "ceph-rgw"]);
}

/// VMware vSphere at KMIP 1.1: custom x- attributes set, read, modified and
/// located by.
#[test]
fn pykmip_client_vmware() {
    script_passes_with("clients.py", &["--only", "vmware"]);
}

/// Synology at KMIP 1.2: Register Secret Data, Modify Attribute, Locate, Get,
/// each on a new TLS connection.
#[test]
fn pykmip_client_synology() {
    script_passes_with("clients.py", &["--only", "synology"]);
}
