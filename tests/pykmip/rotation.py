"""ReKey with PyKMIP (ProxyKmipClient.rekey), once per protocol version:
the new version's fresh material, the Name shared by the versions, Locate by Name newest first, an old
version that still decrypts, Offset, and the refusals: a replaced version
rotated again (Permission Denied), an unknown key (Item / Object Not
Found), and a 1.x rotation interval (x-coffer-rotate-interval) below the
30-day minimum (Invalid Field, the message naming the minimum).

PyKMIP 0.11 knows no Rotate Interval (a KMIP 2.1 attribute) and cannot name
a custom attribute at 2.0, so the policy refusal is checked at 1.x here and
at 2.1 by the engine tests (src/operations/rotation_tests.rs).
"""

from kmip.core import objects as core_objects
from kmip.core import primitives
from kmip.core.factories import attributes as attribute_factories

import common
from common import E, R, T

run = common.Run("rotation.py")
FACTORY = attribute_factories.AttributeFactory()
A = E.AttributeType
ALG = E.CryptographicAlgorithm.AES
CBC = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.CBC,
       "padding_method": E.PaddingMethod.PKCS5}
DATA = b"encrypted under the first version of the key"


def custom(name, value):
    return core_objects.Attribute(
        attribute_name=core_objects.Attribute.AttributeName(name),
        attribute_value=primitives.TextString(value, tag=T.ATTRIBUTE_VALUE),
    )


def create(proxy, extra):
    template = core_objects.TemplateAttribute(attributes=[
        FACTORY.create_attribute(A.CRYPTOGRAPHIC_ALGORITHM, ALG),
        FACTORY.create_attribute(A.CRYPTOGRAPHIC_LENGTH, 256),
        FACTORY.create_attribute(A.CRYPTOGRAPHIC_USAGE_MASK,
                                 [E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT]),
    ] + extra)
    result = proxy.create(E.ObjectType.SYMMETRIC_KEY, template)
    if result.result_status.value != E.ResultStatus.SUCCESS:
        raise common.core_exceptions.KmipError(
            result.result_status.value, result.result_reason.value, result.result_message.value)
    return result.uuid


def values(client, uid, names):
    _, attrs = client.get_attributes(uid, names)
    out = {}
    for a in attrs:
        out.setdefault(a.attribute_name.value, []).append(a.attribute_value)
    return out


def locate_name(client, name):
    return client.locate(attributes=[FACTORY.create_attribute(A.NAME, name)])


for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    v2 = common.is_2x(version)
    with run.case(f"KMIP {vname}"):
        c = run.client(version)
        name = run.unique("disk")
        old = c.create(ALG, 256, name=name,
                       cryptographic_usage_mask=[E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT])
        c.activate(old)
        sealed, iv = c.encrypt(DATA, old, CBC)

        with run.case("ReKey makes a new version under the same Name"):
            new = c.rekey(old)
            run.check(isinstance(new, str) and new != old, f"a new identifier: {new!r}")
            run.check(c.get(old).value != c.get(new).value, "fresh key material")
            run.eq(locate_name(c, name), [new, old], "Locate by Name: newest first")
            names = [v.name_value.value for v in values(c, new, ["Name"]).get("Name", [])]
            run.eq(names, [name], "the new version's Name")
            run.eq(values(c, new, ["State"]).get("State", [None])[0].value, E.State.ACTIVE,
                   "the new version is Active (the old Activation Date is copied)")
            # PyKMIP 0.11 cannot read a Link attribute (its value factory has
            # none): the links are checked by the engine tests.

        with run.case("the old version still decrypts, the new one encrypts"):
            run.eq(c.decrypt(sealed, old, CBC, iv_counter_nonce=iv), DATA, "old ciphertext, old version")
            ct2, iv2 = c.encrypt(DATA, new, CBC)
            run.eq(c.decrypt(ct2, new, CBC, iv_counter_nonce=iv2), DATA, "new version round trip")

        with run.case("Offset"):
            later = c.rekey(new, offset=3600)
            run.eq(values(c, later, ["State"]).get("State", [None])[0].value, E.State.PRE_ACTIVE,
                   "active only an Offset after its creation")
            run.eq(locate_name(c, name), [later, new, old], "three versions, newest first")

        with run.case("refusals"):
            run.fails("a replaced version rotated again", lambda: c.rekey(old), R.PERMISSION_DENIED, version=version)
            run.fails("an unknown key", lambda: c.rekey("no-such-key"), common.not_found(version), version=version)
            if not v2:
                short = custom("x-coffer-rotate-interval", "86400")
                e = run.fails("a 1-day rotation interval", lambda: create(c.proxy, [short]), R.INVALID_FIELD,
                              version=version)
                message = getattr(e, "message", None) or str(e)
                run.check("minimum is 30 days" in message, f"the message names the minimum: {message!r}")
                ok = custom("x-coffer-rotate-interval", "2592000")
                uid = create(c.proxy, [ok])
                got = values(c, uid, ["x-coffer-rotate-interval"]).get("x-coffer-rotate-interval", [None])
                run.eq(getattr(got[0], "value", got[0]), "2592000", "a 30-day interval is kept as given")
        c.close()

run.finish()
