"""Tenant isolation over the wire (issue 5): two key stores, one credential
each, a PyKMIP ProxyKmipClient per credential.

For each protocol version, store A's client makes keys; store B's client
then names them in Get, Get Attributes, Get Attribute List, Encrypt,
Decrypt, Sign, MAC, Activate, Revoke, Destroy, the attribute changes
(Add / Modify / Delete in 1.x, Set / Modify / Delete in 2.0) and ReKey, and
each answer must be exactly the one a fresh random identifier gets (the
same Result Status, Result Reason, and Result Message once the identifier
is swapped): Item Not Found at 1.x, Object Not Found at 2.0. A's keys are
then unchanged (state, attributes, material). Both stores hold a key of the
same Name, and Locate from each finds only its own.

Run as `isolation.py --conf A/pykmip.conf --conf-b B/pykmip.conf`.
"""

import sys
import uuid

from kmip.core import objects as core_objects
from kmip.core import primitives
from kmip.core.factories import attributes as attribute_factory
from kmip.core.utils import BytearrayStream

import common
from common import E, R, T

# --conf-b is this script's own argument; common.Run parses the rest.
CONF_B = None
if "--conf-b" in sys.argv:
    at = sys.argv.index("--conf-b")
    CONF_B = sys.argv[at + 1]
    del sys.argv[at:at + 2]

run = common.Run("isolation.py")
if CONF_B is None:
    print("isolation.py needs --conf-b, the second key store's pykmip.conf")
    sys.exit(2)

ALG = E.CryptographicAlgorithm
MASK = E.CryptographicUsageMask
DATA = b"the quarterly numbers, in 32 B."
CBC = {"cryptographic_algorithm": ALG.AES, "block_cipher_mode": E.BlockCipherMode.CBC,
       "padding_method": E.PaddingMethod.PKCS5}
SIGN = {"digital_signature_algorithm": E.DigitalSignatureAlgorithm.SHA256_WITH_RSA_ENCRYPTION}
FACTORY = attribute_factory.AttributeFactory()


def client_b(version):
    c = common.ProxyKmipClient(config="client", config_file=CONF_B, kmip_version=version)
    c.open()
    return c


def outcome(fn):
    """(status, reason, message) of a failed call, or ("SUCCESS", result)."""
    try:
        return ("SUCCESS", repr(fn()))
    except (common.pie_exceptions.KmipOperationFailure, common.core_exceptions.KmipError) as e:
        return (getattr(e, "status", None), getattr(e, "reason", None), getattr(e, "message", None) or str(e))


def custom(name, value, index=None):
    """A 1.x custom (x-) text attribute."""
    return core_objects.Attribute(
        attribute_name=core_objects.Attribute.AttributeName(name),
        attribute_index=core_objects.Attribute.AttributeIndex(index) if index is not None else None,
        attribute_value=primitives.TextString(value, tag=T.ATTRIBUTE_VALUE),
    )


def add_attribute(proxy, version, uid, attribute):
    """Add Attribute, 1.x form, which PyKMIP 0.11 has no call for."""
    buf = BytearrayStream()
    attribute.write(buf, kmip_version=version)
    return common.raw_call(proxy, version, E.Operation.ADD_ATTRIBUTE,
                           common.text(T.UNIQUE_IDENTIFIER, uid), bytes(buf.buffer))


def same_as_nonexistent(what, version, fn, target):
    """B naming `target` (A's) answers exactly as a fresh identifier does."""
    fresh = str(uuid.uuid4())
    theirs = outcome(lambda: fn(target))
    nobody = outcome(lambda: fn(fresh))
    swapped = tuple(x.replace(target, fresh) if isinstance(x, str) else x for x in theirs)
    run.eq(swapped, nobody, f"{what}: another store's object answers as a nonexistent one")
    run.eq(nobody[:2], (E.ResultStatus.OPERATION_FAILED, common.not_found(version)), f"{what}: not found")


# What a change from B would touch (PyKMIP 0.11 cannot read every attribute
# the server returns to a 1.3+ client asking for all, so they are named).
WATCHED = ["State", "Name", "Cryptographic Algorithm", "Cryptographic Length", "Cryptographic Usage Mask",
           "Activation Date", "Deactivation Date", "Last Change Date", "Contact Information", "Fresh"]


def fingerprint(c, uid):
    """What A can observe of its key: its attributes and its material."""
    _, attrs = c.get_attributes(uid, WATCHED)
    seen = sorted((a.attribute_name.value, repr(a.attribute_value)) for a in attrs)
    return seen, c.get(uid).value


for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    v2 = common.is_2x(version)
    crypto = common.defines(version, (1, 2))
    with run.case(f"KMIP {vname}"):
        a = run.client(version)
        b = client_b(version)

        # A's keys: an active AES key (with a custom attribute in 1.x), a
        # Pre-Active one, an HMAC key and an RSA pair.
        shared = run.unique("shared")
        key = a.create(ALG.AES, 256, name=shared, cryptographic_usage_mask=[MASK.ENCRYPT, MASK.DECRYPT])
        a.activate(key)
        pre = a.create(ALG.AES, 128, name=run.unique("pre"))
        hmac = a.create(ALG.HMAC_SHA256, 256, name=run.unique("hmac"),
                        cryptographic_usage_mask=[MASK.MAC_GENERATE, MASK.MAC_VERIFY])
        a.activate(hmac)
        public, private = a.create_key_pair(ALG.RSA, 2048, public_name=run.unique("pub"),
                                            public_usage_mask=[MASK.VERIFY], private_name=run.unique("priv"),
                                            private_usage_mask=[MASK.SIGN])
        a.activate(private)
        ct, iv = a.encrypt(DATA, key, CBC) if crypto else (b"\0" * 32, b"\0" * 16)
        for uid in (key, pre, hmac):
            a.get(uid)  # A's own first Get clears Fresh; B's requests must change nothing after it
        before = {uid: fingerprint(a, uid) for uid in (key, pre, hmac)}

        # B's key of the same Name: a Name is unique within a store only.
        own = b.create(ALG.AES, 256, name=shared)
        run.check(own not in (key, pre, hmac, public, private), "B's key is its own object")

        same_as_nonexistent("Get", version, lambda uid: b.get(uid), key)
        same_as_nonexistent("Get Attributes", version, lambda uid: b.get_attributes(uid, ["State"]), key)
        same_as_nonexistent("Get Attribute List", version, lambda uid: b.get_attribute_list(uid), key)
        same_as_nonexistent("Activate", version, lambda uid: b.activate(uid), pre)
        same_as_nonexistent("Revoke", version, lambda uid: b.revoke(E.RevocationReasonCode.KEY_COMPROMISE, uid), key)
        same_as_nonexistent("Destroy", version, lambda uid: b.destroy(uid), pre)
        same_as_nonexistent("ReKey", version, lambda uid: b.rekey(uid=uid), key)
        if crypto:
            same_as_nonexistent("Encrypt", version, lambda uid: b.encrypt(DATA, uid, CBC), key)
            same_as_nonexistent("Decrypt", version, lambda uid: b.decrypt(ct, uid, CBC, iv_counter_nonce=iv), key)
            same_as_nonexistent("Sign", version, lambda uid: b.sign(DATA, uid=uid, cryptographic_parameters=SIGN),
                                private)
            same_as_nonexistent("MAC", version, lambda uid: b.mac(DATA, uid, ALG.HMAC_SHA256), hmac)
        if v2:
            same_as_nonexistent("Set Attribute", version, lambda uid: b.set_attribute(
                uid, attribute_name="Contact Information", attribute_value="intruder"), key)
            same_as_nonexistent("Delete Attribute", version, lambda uid: b.delete_attribute(
                uid, attribute_reference=core_objects.AttributeReference(
                    vendor_identification="", attribute_name="Contact Information")), key)
        else:
            same_as_nonexistent("Add Attribute", version, lambda uid: add_attribute(
                b.proxy, version, uid, custom("x-note", "intruder")), key)
            same_as_nonexistent("Modify Attribute", version, lambda uid: b.modify_attribute(
                uid, attribute=custom("x-note", "intruder", index=0)), key)
            same_as_nonexistent("Delete Attribute", version, lambda uid: b.delete_attribute(
                uid, attribute_name="x-note", attribute_index=0), key)

        # A's keys are as they were, and A still uses them.
        for uid, seen in before.items():
            run.eq(fingerprint(a, uid), seen, f"A's object {uid} unchanged")
        if crypto:
            run.eq(a.decrypt(ct, key, CBC, iv_counter_nonce=iv), DATA, "A still decrypts")

        # Locate from each store finds only its own.
        name_filter = [FACTORY.create_attribute(E.AttributeType.NAME, shared)]
        run.eq(a.locate(attributes=name_filter), [key], "A locates its own key by the shared Name")
        run.eq(b.locate(attributes=name_filter), [own], "B locates its own key by the shared Name")
        everything_b = b.locate()
        run.check(not {key, pre, hmac, public, private} & set(everything_b),
                  f"Locate with no filter from B finds none of A's objects: {everything_b}")
        paged = b.locate(maximum_items=1, offset_items=len(everything_b) - 1)
        run.check(len(paged) == 1 and paged[0] in everything_b, f"B's last page is one of its own: {paged}")
        everything_a = a.locate()
        run.check(own not in everything_a, "Locate with no filter from A does not find B's key")
        a.close()
        b.close()

run.finish()
