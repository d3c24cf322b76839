"""Create, Register, Get, Activate, Revoke, Destroy and the symmetric key
lifecycle, with ProxyKmipClient and KMIPProxy, once per protocol version.

Failures are checked against the OASIS profile cases for the client's
version: SKLC-M-2 (Destroy of an Active key) and CS-BC-M-14 (Encrypt and
Decrypt with a Pre-Active key) give Permission Denied at 1.4 and Wrong Key
Lifecycle State at 2.1; an unknown identifier is Item Not Found at 1.x and
Object Not Found at 2.1 (BL-M-4-21). PyKMIP 0.11 speaks up to 2.0, which
follows the 2.x reasons.
"""

import os

from kmip.core import misc
from kmip.pie import objects

import common
from common import E, R, T

run = common.Run("lifecycle.py")

KEY_256 = bytes(range(32))
KEY_128 = bytes.fromhex("0123456789abcdef0123456789abcdef")


def attribute_values(client, uid, names):
    """{name: [values]} from Get Attributes."""
    _, attrs = client.get_attributes(uid, names)
    out = {}
    for a in attrs:
        value = a.attribute_value
        out.setdefault(a.attribute_name.value, []).append(getattr(value, "value", value))
    return out


def state_of(client, uid):
    states = attribute_values(client, uid, ["State"]).get("State", [])
    return states[0] if states else None


def _raise_get(result):
    """Turns a KMIPProxy GetResult into an exception on failure, like ProxyKmipClient does."""
    if result.result_status.value != E.ResultStatus.SUCCESS:
        raise common.core_exceptions.KmipError(
            result.result_status.value, result.result_reason.value, result.result_message.value)
    return result


for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    with run.case(f"KMIP {vname}"):
        c = run.client(version)
        proxy = c.proxy
        # Encrypt and Decrypt are KMIP 1.2 operations: a 1.0/1.1 client gets Operation Not Supported.
        crypto = common.defines(version, (1, 2))

        def or_undefined(reason):
            return reason if crypto else R.OPERATION_NOT_SUPPORTED

        with run.case("Create AES"):
            for length in (128, 192, 256):
                uid = c.create(E.CryptographicAlgorithm.AES, length)
                run.check(bool(uid), f"Create AES-{length} returns an identifier")
                key = c.get(uid)
                run.eq(type(key).__name__, "SymmetricKey", f"Get of AES-{length}: object type")
                run.eq(key.cryptographic_algorithm, E.CryptographicAlgorithm.AES, f"AES-{length}: algorithm")
                run.eq(key.cryptographic_length, length, f"AES-{length}: length")
                run.eq(len(key.value), length // 8, f"AES-{length}: key bytes")
                run.eq(state_of(c, uid), E.State.PRE_ACTIVE, f"AES-{length}: a new key is Pre-Active")

        with run.case("Create HMAC"):
            for algorithm, length in (
                (E.CryptographicAlgorithm.HMAC_SHA256, 256),
                (E.CryptographicAlgorithm.HMAC_SHA512, 512),
            ):
                uid = c.create(
                    algorithm,
                    length,
                    cryptographic_usage_mask=[
                        E.CryptographicUsageMask.MAC_GENERATE,
                        E.CryptographicUsageMask.MAC_VERIFY,
                    ],
                )
                key = c.get(uid)
                run.eq(key.cryptographic_algorithm, algorithm, f"{algorithm.name}: algorithm")
                run.eq(len(key.value), length // 8, f"{algorithm.name}: key bytes")

        with run.case("Create with a name"):
            name = f"lifecycle-named-{vname}-{os.getpid()}"
            uid = c.create(E.CryptographicAlgorithm.AES, 256, name=name)
            names = attribute_values(c, uid, ["Name"]).get("Name", [])
            run.eq([n.name_value.value for n in names], [name], "Name read back")

        with run.case("Create AES-100 is refused"):
            run.fails(
                "Create AES with length 100",
                lambda: c.create(E.CryptographicAlgorithm.AES, 100),
                R.INVALID_FIELD,
                version=version,
            )

        with run.case("Register symmetric key"):
            key = objects.SymmetricKey(
                E.CryptographicAlgorithm.AES,
                256,
                KEY_256,
                masks=[E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT],
                name=run.unique("key"),
            )
            uid = c.register(key)
            got = c.get(uid)
            run.eq(got.value, KEY_256, "Get returns the registered bytes")
            run.eq(got.cryptographic_length, 256, "registered length")
            run.eq(got.key_format_type, E.KeyFormatType.RAW, "Get's default format for a registered Raw key")

            # Get in an explicit format, with KMIPProxy.
            raw = proxy.get(uid, key_format_type=misc.KeyFormatType(E.KeyFormatType.RAW))
            run.eq(raw.result_status.value, E.ResultStatus.SUCCESS, "Get Raw: status")
            block = raw.secret.key_block
            run.eq(block.key_format_type.value, E.KeyFormatType.RAW, "Get Raw: Key Format Type")
            run.eq(block.key_value.key_material.value, KEY_256, "Get Raw: Key Material")

            # PyKMIP 0.11 cannot read a Transparent key back (its KeyValue
            # accepts a byte string only), so this Get is encoded by hand over
            # the same PyKMIP connection.
            tr = common.raw_call(
                proxy, version, E.Operation.GET,
                common.text(T.UNIQUE_IDENTIFIER, uid),
                common.enum(T.KEY_FORMAT_TYPE, E.KeyFormatType.TRANSPARENT_SYMMETRIC_KEY),
            )
            fmt = tr.payload.find(T.KEY_FORMAT_TYPE)
            run.eq(fmt and fmt.value, E.KeyFormatType.TRANSPARENT_SYMMETRIC_KEY.value, "Get Transparent: Key Format Type")
            material = tr.payload.find(T.KEY_MATERIAL)
            run.eq(material and material.type, common.STRUCTURE, "Transparent Key Material is a structure")
            inner = material.get(T.KEY) if material else None
            run.eq(inner and inner.value, KEY_256, "Transparent Key Material's Key")

            run.fails(
                "Get in PKCS#1 format of a symmetric key",
                lambda: _raise_get(proxy.get(uid, key_format_type=misc.KeyFormatType(E.KeyFormatType.PKCS_1))),
                R.KEY_FORMAT_TYPE_NOT_SUPPORTED,
                version=version,
            )

        with run.case("Register secret data"):
            secret = objects.SecretData(b"a password of sorts", E.SecretDataType.PASSWORD, name=run.unique("secret"))
            uid = c.register(secret)
            got = c.get(uid)
            run.eq(type(got).__name__, "SecretData", "object type")
            run.eq(got.value, b"a password of sorts", "secret bytes")
            run.eq(got.data_type, E.SecretDataType.PASSWORD, "Secret Data Type")

        with run.case("Register opaque object"):
            opaque = objects.OpaqueObject(b"\x00opaque\xffbytes", E.OpaqueDataType.NONE, name=run.unique("opaque"))
            uid = c.register(opaque)
            got = c.get(uid)
            run.eq(type(got).__name__, "OpaqueObject", "object type")
            run.eq(got.value, b"\x00opaque\xffbytes", "opaque bytes")

        with run.case("Unknown identifier"):
            missing = "00000000-0000-0000-0000-000000000000"
            for what, fn in (
                ("Get", lambda: c.get(missing)),
                ("Get Attributes", lambda: c.get_attributes(missing)),
                ("Get Attribute List", lambda: c.get_attribute_list(missing)),
                ("Activate", lambda: c.activate(missing)),
                ("Revoke", lambda: c.revoke(E.RevocationReasonCode.KEY_COMPROMISE, missing)),
                ("Destroy", lambda: c.destroy(missing)),
                ("Encrypt", lambda: c.encrypt(b"0123456789abcdef", missing, {
                    "cryptographic_algorithm": E.CryptographicAlgorithm.AES,
                    "block_cipher_mode": E.BlockCipherMode.ECB,
                })),
            ):
                expected = or_undefined(common.not_found(version)) if what == "Encrypt" else common.not_found(version)
                run.fails(f"{what} of an unknown identifier", fn, expected, version=version)

        with run.case("SKLC-M-2: Destroy of an Active key"):
            uid = c.create(E.CryptographicAlgorithm.AES, 256)
            c.activate(uid)
            run.eq(state_of(c, uid), E.State.ACTIVE, "state after Activate")
            run.fails("Destroy of an Active key", lambda: c.destroy(uid), common.wrong_state(version), version=version)
            run.fails("Activate of an Active key", lambda: c.activate(uid), common.wrong_state(version), version=version)
            c.revoke(E.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
            run.eq(state_of(c, uid), E.State.DEACTIVATED, "Revoke (Cessation of Operation) -> Deactivated")
            c.destroy(uid)
            run.eq(state_of(c, uid), E.State.DESTROYED, "state after Destroy")
            run.fails("Get of a destroyed key", lambda: c.get(uid), common.reason_for(
                version, R.ITEM_NOT_FOUND, R.OBJECT_DESTROYED), version=version)

        with run.case("CS-BC-M-14: Encrypt and Decrypt with a Pre-Active key"):
            key = objects.SymmetricKey(
                E.CryptographicAlgorithm.AES,
                128,
                KEY_128,
                masks=[E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT],
                name=run.unique("key"),
            )
            uid = c.register(key)
            params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
                      "block_cipher_mode": E.BlockCipherMode.ECB}
            data = bytes.fromhex("01020304050607080910111213141516")
            run.fails("Encrypt with a Pre-Active key", lambda: c.encrypt(data, uid, params),
                      or_undefined(common.wrong_state(version)), version=version)
            run.fails("Decrypt with a Pre-Active key", lambda: c.decrypt(data, uid, params),
                      or_undefined(common.wrong_state(version)), version=version)
            c.revoke(E.RevocationReasonCode.UNSPECIFIED, uid)
            c.destroy(uid)

        with run.case("Revoke: Compromised, then refused"):
            uid = c.create(E.CryptographicAlgorithm.AES, 128)
            c.activate(uid)
            params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
                      "block_cipher_mode": E.BlockCipherMode.ECB}
            data = bytes(16)
            if crypto:
                ct, _ = c.encrypt(data, uid, params)
                run.eq(len(ct), 16, "Encrypt with the Active key")
            c.revoke(E.RevocationReasonCode.KEY_COMPROMISE, uid, compromise_occurrence_date=1700000000)
            run.eq(state_of(c, uid), E.State.COMPROMISED, "Revoke (Key Compromise) -> Compromised")
            run.fails("Encrypt with a Compromised key", lambda: c.encrypt(data, uid, params),
                      or_undefined(common.wrong_state(version)), version=version)
            if crypto:
                # A compromised key may still decrypt (KMIP 1.x §3.22 / 2.x §4.57: processing of protected data).
                pt = c.decrypt(ct, uid, params)
                run.eq(pt, data, "Decrypt with a Compromised key")
            c.destroy(uid)
            run.eq(state_of(c, uid), E.State.DESTROYED_COMPROMISED, "Destroy of a Compromised key")

        with run.case("Revoke: Deactivated, then refused"):
            uid = c.create(E.CryptographicAlgorithm.AES, 128)
            c.activate(uid)
            c.revoke(E.RevocationReasonCode.SUPERSEDED, uid)
            run.eq(state_of(c, uid), E.State.DEACTIVATED, "Revoke (Superseded) -> Deactivated")
            params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
                      "block_cipher_mode": E.BlockCipherMode.ECB}
            run.fails("Encrypt with a Deactivated key", lambda: c.encrypt(bytes(16), uid, params),
                      or_undefined(common.wrong_state(version)), version=version)
            run.fails("Activate of a Deactivated key", lambda: c.activate(uid),
                      common.wrong_state(version), version=version)
            c.destroy(uid)

        with run.case("Revoke of a Pre-Active key for compromise"):
            uid = c.create(E.CryptographicAlgorithm.AES, 128)
            c.revoke(E.RevocationReasonCode.KEY_COMPROMISE, uid, compromise_occurrence_date=1700000000)
            run.eq(state_of(c, uid), E.State.COMPROMISED, "Pre-Active -> Compromised")
            run.fails("Activate of a Compromised key", lambda: c.activate(uid),
                      common.wrong_state(version), version=version)
            run.eq(len(c.get(uid).value), 16, "a Compromised key can still be fetched")

        with run.case("Destroy of a Pre-Active key"):
            uid = c.create(E.CryptographicAlgorithm.AES, 128)
            c.destroy(uid)
            run.eq(state_of(c, uid), E.State.DESTROYED, "a Pre-Active key may be destroyed")

        c.close()


run.finish()
