"""Locate with PyKMIP, once per protocol version: by Name, Object Type,
Cryptographic Algorithm and Length, State, Object Group and a custom
attribute, combined, and paged with Maximum Items and Offset Items.

Each version's objects share an Object Group no other run uses, so every
search is narrowed to them and the expected answer is exact.
"""

from kmip.core import objects as core_objects
from kmip.core import primitives
from kmip.core.factories import attributes as attribute_factories
from kmip.pie import objects

import common
from common import E, T

run = common.Run("locate.py")
FACTORY = attribute_factories.AttributeFactory()
A = E.AttributeType


def attr(kind, value):
    return FACTORY.create_attribute(kind, value)


def custom(name, value):
    return core_objects.Attribute(
        attribute_name=core_objects.Attribute.AttributeName(name),
        attribute_value=primitives.TextString(value, tag=T.ATTRIBUTE_VALUE),
    )


def create(proxy, algorithm, length, extra):
    masks = [E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT]
    if algorithm != E.CryptographicAlgorithm.AES:
        masks = [E.CryptographicUsageMask.MAC_GENERATE, E.CryptographicUsageMask.MAC_VERIFY]
    template = core_objects.TemplateAttribute(attributes=[
        attr(A.CRYPTOGRAPHIC_ALGORITHM, algorithm),
        attr(A.CRYPTOGRAPHIC_LENGTH, length),
        attr(A.CRYPTOGRAPHIC_USAGE_MASK, masks),
    ] + extra)
    result = proxy.create(E.ObjectType.SYMMETRIC_KEY, template)
    if result.result_status.value != E.ResultStatus.SUCCESS:
        raise common.core_exceptions.KmipError(
            result.result_status.value, result.result_reason.value, result.result_message.value)
    return result.uuid


for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    v2 = common.is_2x(version)
    with run.case(f"KMIP {vname}"):
        c = run.client(version)
        proxy = c.proxy
        group = run.unique("group")
        in_group = attr(A.OBJECT_GROUP, group)
        n1 = run.unique("k1")
        k1 = create(proxy, E.CryptographicAlgorithm.AES, 128, [in_group, attr(A.NAME, n1)])
        k2 = create(proxy, E.CryptographicAlgorithm.AES, 256, [in_group])
        k3 = create(proxy, E.CryptographicAlgorithm.HMAC_SHA256, 256, [in_group])
        k4 = create(proxy, E.CryptographicAlgorithm.AES, 256, [in_group])
        c.activate(k2)
        custom_ok = not v2
        if custom_ok:
            # Custom attributes in a 1.x template (VMware's way, KMIP 1.1).
            k5 = create(proxy, E.CryptographicAlgorithm.AES, 256, [in_group, custom("x-tenant", "blue")])
        else:
            k5 = create(proxy, E.CryptographicAlgorithm.AES, 256, [in_group])
        secret_name = run.unique("secret")
        s1 = c.register(objects.SecretData(b"secret", E.SecretDataType.PASSWORD, name=secret_name))
        everything = {k1, k2, k3, k4, k5}

        def locate(*filters, **kw):
            return c.locate(attributes=list(filters), **kw)

        with run.case("by Name"):
            run.eq(locate(attr(A.NAME, n1)), [k1], "Locate by Name")
            run.eq(locate(attr(A.NAME, secret_name)), [s1], "Locate secret data by Name")
            run.eq(locate(attr(A.NAME, run.unique("nobody"))), [], "Locate by a Name no object has")

        with run.case("by Object Group"):
            run.eq(set(locate(in_group)), everything, "Locate by Object Group")

        with run.case("by Object Type"):
            run.eq(set(locate(in_group, attr(A.OBJECT_TYPE, E.ObjectType.SYMMETRIC_KEY))), everything,
                   "Symmetric Key in the group")
            run.eq(locate(in_group, attr(A.OBJECT_TYPE, E.ObjectType.SECRET_DATA)), [],
                   "no Secret Data in the group")
            found = locate(attr(A.OBJECT_TYPE, E.ObjectType.SECRET_DATA), attr(A.NAME, secret_name))
            run.eq(found, [s1], "Secret Data by type and name")

        with run.case("by algorithm and length"):
            run.eq(set(locate(in_group, attr(A.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.AES))),
                   {k1, k2, k4, k5}, "AES keys")
            run.eq(set(locate(in_group, attr(A.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.HMAC_SHA256))),
                   {k3}, "HMAC-SHA256 keys")
            run.eq(set(locate(in_group, attr(A.CRYPTOGRAPHIC_LENGTH, 256))), {k2, k3, k4, k5}, "256-bit keys")
            run.eq(set(locate(in_group, attr(A.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.AES),
                              attr(A.CRYPTOGRAPHIC_LENGTH, 128))), {k1}, "AES-128 keys")

        with run.case("by State"):
            run.eq(locate(in_group, attr(A.STATE, E.State.ACTIVE)), [k2], "Active keys")
            run.eq(set(locate(in_group, attr(A.STATE, E.State.PRE_ACTIVE))), {k1, k3, k4, k5}, "Pre-Active keys")

        if custom_ok:
            with run.case("by custom attribute"):
                run.eq(locate(in_group, custom("x-tenant", "blue")), [k5], "x-tenant=blue")
                run.eq(locate(custom("x-tenant", run.unique("red"))), [], "x-tenant of another value")

        with run.case("Maximum Items and Offset Items"):
            run.eq(len(locate(in_group, maximum_items=2)), 2, "Maximum Items 2")
            if version >= E.KMIPVersion.KMIP_1_3:
                # Offset Items is a KMIP 1.3 field.
                pages = [locate(in_group, maximum_items=2, offset_items=o) for o in (0, 2, 4)]
                run.eq([len(p) for p in pages], [2, 2, 1], "pages of 2")
                flat = [u for p in pages for u in p]
                run.eq(set(flat), everything, "the pages hold every object once")
                run.eq(len(flat), len(set(flat)), "no object on two pages")
                run.eq(locate(in_group, offset_items=5), [], "Offset past the end")

        c.close()

run.finish()
