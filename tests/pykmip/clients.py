"""The real clients of SPEC section 2, each done the way that client does
it, with PyKMIP playing the client:

- MongoDB, KMIP 1.0: Register Secret Data, Activate, Get (and the state
  poll, Get Attributes State).
- MongoDB, KMIP 1.2: Create AES-256, Activate, Get, Encrypt / Decrypt
  AES-CBC with a server-generated IV, the state poll.
- pg_tde: Register a key by Name, Locate by Name expecting exactly one, Get.
- Ceph RGW, KMIP 1.0: Create, Locate by Name, Get in Raw format.
- VMware vSphere, KMIP 1.1: Create with custom x- attributes, read them
  back, add one, Locate by one, Get.
- Synology, KMIP 1.2: Register Secret Data, Modify Attribute, Get: a new TLS
  connection for each operation.

`--versions` is ignored: each client uses its own version. `--only FLOW`
runs one flow (the keys of FLOWS).
"""

import time

from kmip.core import misc
from kmip.core import objects as core_objects
from kmip.core import primitives
from kmip.core.factories import attributes as attribute_factories
from kmip.pie import objects

import common
from common import E, R, T

run = common.Run("clients.py")
FACTORY = attribute_factories.AttributeFactory()
A = E.AttributeType
V = E.KMIPVersion


def state_of(client, uid):
    _, attrs = client.get_attributes(uid, ["State"])
    return attrs[0].attribute_value.value if attrs else None


def custom(name, value, index=None):
    return core_objects.Attribute(
        attribute_name=core_objects.Attribute.AttributeName(name),
        attribute_index=core_objects.Attribute.AttributeIndex(index) if index is not None else None,
        attribute_value=primitives.TextString(value, tag=T.ATTRIBUTE_VALUE),
    )


def ok(result, what):
    """A KMIPProxy result, checked to be a success; returns it."""
    run.eq(result.result_status.value, E.ResultStatus.SUCCESS,
           f"{what} ({getattr(result.result_message, 'value', None)})")
    return result


def flow_mongodb_1_0():
    """MongoDB, KMIP 1.0."""
    with run.unopened(V.KMIP_1_0) as c:
        master = bytes(range(96))  # a 96-byte customer master key
        uid = c.register(objects.SecretData(master, E.SecretDataType.PASSWORD, name=run.unique("mongodb-cmk")))
        run.eq(state_of(c, uid), E.State.PRE_ACTIVE, "registered Pre-Active")
        c.activate(uid)
        run.eq(state_of(c, uid), E.State.ACTIVE, "the state poll sees Active")
        got = c.get(uid)
        run.eq((type(got).__name__, got.value), ("SecretData", master), "Get returns the secret data")


def flow_mongodb_1_2():
    """MongoDB, KMIP 1.2."""
    with run.unopened(V.KMIP_1_2) as c:
        uid = c.create(E.CryptographicAlgorithm.AES, 256, name=run.unique("mongodb-kek"),
                       cryptographic_usage_mask=[E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT])
        c.activate(uid)
        run.eq(len(c.get(uid).value), 32, "Get of the AES-256 key")
        params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
                  "block_cipher_mode": E.BlockCipherMode.CBC, "padding_method": E.PaddingMethod.PKCS5}
        data_key = bytes(range(96))  # mongod wraps its 96-byte data key
        ct, iv = c.encrypt(data_key, uid, params)
        run.check(iv is not None and len(iv) == 16, f"the server generated and returned a 16-byte IV: {iv!r}")
        run.eq(len(ct), 112, "96 bytes + a whole block of PKCS#5 padding")
        run.eq(c.decrypt(ct, uid, params, iv_counter_nonce=iv), data_key, "Decrypt with that IV")
        run.eq(state_of(c, uid), E.State.ACTIVE, "the state poll")


def flow_pg_tde():
    """pg_tde."""
    with run.unopened(V.KMIP_1_2) as c:
        name = run.unique("pg_tde-principal")
        key = bytes(range(100, 132))
        uid = c.register(objects.SymmetricKey(
            E.CryptographicAlgorithm.AES, 256, key, name=name,
            masks=[E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT]))
        found = c.locate(attributes=[FACTORY.create_attribute(A.NAME, name)])
        run.eq(found, [uid], "Locate by Name finds exactly the one key")
        run.eq(c.get(found[0]).value, key, "Get returns its bytes")
        run.fails("a second key by the same Name", lambda: c.register(objects.SymmetricKey(
            E.CryptographicAlgorithm.AES, 256, bytes(32), name=name)), R.INVALID_FIELD, version=V.KMIP_1_2)
        run.eq(c.locate(attributes=[FACTORY.create_attribute(A.NAME, name)]), [uid], "still exactly one")


def flow_ceph_rgw():
    """Ceph RGW, KMIP 1.0."""
    with run.unopened(V.KMIP_1_0) as c:
        name = run.unique("ceph-bucket-key")
        uid = c.create(E.CryptographicAlgorithm.AES, 256, name=name)
        found = c.locate(attributes=[FACTORY.create_attribute(A.NAME, name)])
        run.eq(found, [uid], "Locate by Name")
        got = ok(c.proxy.get(found[0], key_format_type=misc.KeyFormatType(E.KeyFormatType.RAW)), "Get Raw")
        block = got.secret.key_block
        run.eq(block.key_format_type.value, E.KeyFormatType.RAW, "Raw format")
        run.eq(len(block.key_value.key_material.value), 32, "32 key bytes")
        run.eq(block.key_value.key_material.value, c.get(uid).value, "the same bytes as a plain Get")


def flow_vmware():
    """VMware vSphere, KMIP 1.1."""
    with run.unopened(V.KMIP_1_1) as c:
        tag = run.unique("vm")
        template = core_objects.TemplateAttribute(attributes=[
            FACTORY.create_attribute(A.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.AES),
            FACTORY.create_attribute(A.CRYPTOGRAPHIC_LENGTH, 256),
            FACTORY.create_attribute(A.CRYPTOGRAPHIC_USAGE_MASK,
                                     [E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT]),
            custom("x-Vendor", "VMware, Inc."),
            custom("x-Product", "VMware vSphere"),
            custom("x-Product_Version", "8.0.2"),
            custom("x-VM", tag),
        ])
        created = ok(c.proxy.create(E.ObjectType.SYMMETRIC_KEY, template), "Create with x- attributes")
        uid = created.uuid
        c.activate(uid)
        _, attrs = c.get_attributes(uid, ["x-Vendor", "x-Product", "x-Product_Version", "x-VM"])
        got = {a.attribute_name.value: a.attribute_value.value for a in attrs}
        run.eq(got, {"x-Vendor": "VMware, Inc.", "x-Product": "VMware vSphere", "x-Product_Version": "8.0.2",
                     "x-VM": tag}, "the custom attributes read back")
        run.check("x-Vendor" in c.get_attribute_list(uid), "Get Attribute List names x-Vendor")
        c.modify_attribute(uid, attribute=custom("x-Product_Version", "8.0.3", index=0))
        _, attrs = c.get_attributes(uid, ["x-Product_Version"])
        run.eq([a.attribute_value.value for a in attrs], ["8.0.3"], "x-Product_Version modified")
        run.eq(c.locate(attributes=[custom("x-VM", tag)]), [uid], "Locate by x-VM")
        run.eq(len(c.get(uid).value), 32, "Get")


def flow_synology():
    """Synology, KMIP 1.2, a new connection per operation."""
    started = time.monotonic()
    connections = 0
    secret = b"synology volume passphrase"
    name = run.unique("synology-volume")
    with run.unopened(V.KMIP_1_2) as c:
        uid = c.register(objects.SecretData(secret, E.SecretDataType.PASSWORD, name=name))
    connections += 1
    with run.unopened(V.KMIP_1_2) as c:
        renamed = run.unique("synology-volume-renamed")
        _, modified = c.modify_attribute(
            uid, attribute=FACTORY.create_attribute(A.NAME, renamed, index=0))
        run.eq(modified.attribute_value.name_value.value, renamed, "Modify Attribute answers the new Name")
    connections += 1
    with run.unopened(V.KMIP_1_2) as c:
        run.eq(c.locate(attributes=[FACTORY.create_attribute(A.NAME, renamed)]), [uid], "Locate by the new Name")
    connections += 1
    with run.unopened(V.KMIP_1_2) as c:
        run.eq(c.locate(attributes=[FACTORY.create_attribute(A.NAME, name)]), [], "the old Name is gone")
    connections += 1
    with run.unopened(V.KMIP_1_2) as c:
        run.eq(c.get(uid).value, secret, "Get on a fresh connection")
    connections += 1
    # Handshake cost, as Synology pays it: connect, Discover Versions, close.
    for _ in range(20):
        p = run.proxy(V.KMIP_1_2)
        ok(p.discover_versions(), "Discover Versions on a fresh connection")
        p.close()
        connections += 1
    elapsed = time.monotonic() - started
    print(f"synology: {connections} TLS connections, one operation each, in {elapsed:.2f} s "
          f"({1000 * elapsed / connections:.1f} ms per connection, PyKMIP included)")


FLOWS = {
    "mongodb-1.0": ("MongoDB, KMIP 1.0", flow_mongodb_1_0),
    "mongodb-1.2": ("MongoDB, KMIP 1.2", flow_mongodb_1_2),
    "pg_tde": ("pg_tde", flow_pg_tde),
    "ceph-rgw": ("Ceph RGW, KMIP 1.0", flow_ceph_rgw),
    "vmware": ("VMware vSphere, KMIP 1.1", flow_vmware),
    "synology": ("Synology, KMIP 1.2, a new connection per operation", flow_synology),
}

for key, (title, flow) in FLOWS.items():
    if run.args.only in (None, key):
        with run.case(title):
            flow()
if run.args.only is not None and run.args.only not in FLOWS:
    run.check(False, f"no flow named {run.args.only!r}; flows: {sorted(FLOWS)}")

run.finish()
