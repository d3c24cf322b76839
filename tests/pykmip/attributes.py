"""Get Attributes, Get Attribute List, Add / Modify / Delete Attribute and
(KMIP 2.0) Set Attribute with PyKMIP, once per protocol version, and their
failures.

PyKMIP 0.11 has no Add Attribute call: its request is encoded by hand
(the Attribute itself by PyKMIP's own writer) and sent on PyKMIP's
connection. Its 2.0 Get Attributes cannot read some 2.x attributes (Key
Format Type, Extractable, ...), so at 2.0 the names are always given.
"""

from kmip.core import objects as core_objects
from kmip.core import primitives
from kmip.core.factories import attributes as attribute_factories
from kmip.core.utils import BytearrayStream

import common
from common import E, R, T

run = common.Run("attributes.py")
FACTORY = attribute_factories.AttributeFactory()


def values(client, uid, names):
    """{name: [values]} from Get Attributes."""
    _, attrs = client.get_attributes(uid, names)
    out = {}
    for a in attrs:
        value = a.attribute_value
        out.setdefault(a.attribute_name.value, []).append(getattr(value, "value", value))
    return out


def custom(name, value, index=None):
    """A 1.x custom (x-) text attribute, as PyKMIP builds an Attribute."""
    return core_objects.Attribute(
        attribute_name=core_objects.Attribute.AttributeName(name),
        attribute_index=core_objects.Attribute.AttributeIndex(index) if index is not None else None,
        attribute_value=primitives.TextString(value, tag=T.ATTRIBUTE_VALUE),
    )


def name_attribute(value, index=None):
    a = FACTORY.create_attribute(E.AttributeType.NAME, value)
    if index is not None:
        a.attribute_index = core_objects.Attribute.AttributeIndex(index)
    return a


def encoded(attribute, version):
    buf = BytearrayStream()
    attribute.write(buf, kmip_version=version)
    return bytes(buf.buffer)


def add_attribute(proxy, version, uid, attribute):
    """Add Attribute, 1.x form (Unique Identifier, Attribute)."""
    return common.raw_call(proxy, version, E.Operation.ADD_ATTRIBUTE,
                           common.text(T.UNIQUE_IDENTIFIER, uid), encoded(attribute, version))


def add_attribute_2x(proxy, version, uid, attribute_ttlv):
    """Add Attribute, 2.x form (Unique Identifier, New Attribute)."""
    return common.raw_call(proxy, version, E.Operation.ADD_ATTRIBUTE,
                           common.text(T.UNIQUE_IDENTIFIER, uid), common.st(T.NEW_ATTRIBUTE, attribute_ttlv))


for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    v2 = common.is_2x(version)
    with run.case(f"KMIP {vname}"):
        c = run.client(version)
        proxy = c.proxy
        name = run.unique("attrs")
        uid = c.create(E.CryptographicAlgorithm.AES, 256, name=name)

        with run.case("Get Attribute List"):
            listed = c.get_attribute_list(uid)
            for expected in ("Unique Identifier", "Object Type", "Cryptographic Algorithm", "Cryptographic Length",
                             "Cryptographic Usage Mask", "State", "Name", "Initial Date"):
                run.check(expected in listed, f"Get Attribute List names {expected!r}: {listed}")

        with run.case("Get Attributes"):
            got = values(c, uid, ["Cryptographic Algorithm", "Cryptographic Length", "State", "Object Type",
                                  "Unique Identifier", "Cryptographic Usage Mask"])
            run.eq(got.get("Cryptographic Algorithm"), [E.CryptographicAlgorithm.AES], "algorithm")
            run.eq(got.get("Cryptographic Length"), [256], "length")
            run.eq(got.get("State"), [E.State.PRE_ACTIVE], "state")
            run.eq(got.get("Object Type"), [E.ObjectType.SYMMETRIC_KEY], "object type")
            run.eq(got.get("Unique Identifier"), [uid], "identifier")
            run.eq(got.get("Cryptographic Usage Mask"), [12], "usage mask Encrypt|Decrypt")
            if version <= E.KMIPVersion.KMIP_1_2:
                # Every attribute, with no names given. (From 1.3 on the server
                # also returns attributes PyKMIP 0.11 cannot read, such as
                # Random Number Generator, and PyKMIP fails on its side.)
                everything = values(c, uid, None)
                run.check({"Name", "State", "Cryptographic Length"} <= set(everything),
                          f"Get Attributes with no names returns all: {sorted(everything)}")
            only = values(c, uid, ["Cryptographic Length"])
            run.eq(list(only), ["Cryptographic Length"], "only the names asked for")

        if not v2:
            with run.case("Add, Modify, Delete a custom attribute (1.x)"):
                rs = add_attribute(proxy, version, uid, custom("x-purpose", "backup"))
                run.eq(rs.payload.find(T.UNIQUE_IDENTIFIER).value, uid, "Add Attribute answers the identifier")
                add_attribute(proxy, version, uid, custom("x-purpose", "archive"))
                run.eq(values(c, uid, ["x-purpose"]).get("x-purpose"), ["backup", "archive"],
                       "two instances of x-purpose")
                run.check("x-purpose" in c.get_attribute_list(uid), "Get Attribute List names x-purpose")
                _, modified = c.modify_attribute(uid, attribute=custom("x-purpose", "restore", index=1))
                run.eq(modified.attribute_value.value, "restore", "Modify Attribute answers the new value")
                run.eq(values(c, uid, ["x-purpose"]).get("x-purpose"), ["backup", "restore"], "after Modify index 1")
                c.delete_attribute(uid, attribute_name="x-purpose", attribute_index=0)
                run.eq(values(c, uid, ["x-purpose"]).get("x-purpose"), ["restore"], "after Delete index 0")
                c.delete_attribute(uid, attribute_name="x-purpose", attribute_index=0)
                run.eq(values(c, uid, ["x-purpose"]).get("x-purpose"), None, "after the last Delete")
                run.fails("Delete of an absent attribute",
                          lambda: c.delete_attribute(uid, attribute_name="x-purpose", attribute_index=0),
                          R.ITEM_NOT_FOUND, version=version)
                run.fails("Modify of an absent attribute",
                          lambda: c.modify_attribute(uid, attribute=custom("x-purpose", "x", index=0)),
                          R.ITEM_NOT_FOUND, version=version)

            with run.case("Add and Modify a Name (1.x)"):
                second = run.unique("second")
                add_attribute(proxy, version, uid, name_attribute(second))
                names = [n.name_value.value for n in values(c, uid, ["Name"]).get("Name", [])]
                run.eq(names, [name, second], "two Names")
                renamed = run.unique("renamed")
                c.modify_attribute(uid, attribute=name_attribute(renamed, index=1))
                names = [n.name_value.value for n in values(c, uid, ["Name"]).get("Name", [])]
                run.eq(names, [name, renamed], "the second Name renamed")
                other = c.create(E.CryptographicAlgorithm.AES, 128, name=run.unique("other"))
                run.fails("Add of a Name another object has", lambda: add_attribute(
                    proxy, version, other, name_attribute(name)), R.INVALID_FIELD, version=version)

            with run.case("Read-only and single-valued attributes (1.x)"):
                length = FACTORY.create_attribute(E.AttributeType.CRYPTOGRAPHIC_LENGTH, 128)
                run.fails("Add of Cryptographic Length (set by the server)",
                          lambda: add_attribute(proxy, version, uid, length), R.PERMISSION_DENIED, version=version)
                length.attribute_index = core_objects.Attribute.AttributeIndex(0)
                run.fails("Modify of Cryptographic Length",
                          lambda: c.modify_attribute(uid, attribute=length), R.PERMISSION_DENIED, version=version)
                run.fails("Delete of Unique Identifier",
                          lambda: c.delete_attribute(uid, attribute_name="Unique Identifier", attribute_index=0),
                          R.PERMISSION_DENIED, version=version)
                contact = FACTORY.create_attribute(E.AttributeType.CONTACT_INFORMATION, "ops@example.com")
                add_attribute(proxy, version, uid, contact)
                run.fails("a second Contact Information", lambda: add_attribute(proxy, version, uid, contact),
                          R.INVALID_FIELD, version=version)
                run.fails("Add Attribute to an unknown object", lambda: add_attribute(
                    proxy, version, "no-such-object", custom("x-a", "b")), R.ITEM_NOT_FOUND, version=version)
        else:
            with run.case("Set Attribute (2.0)"):
                c.set_attribute(uid, attribute_name="Contact Information", attribute_value="ops@example.com")
                run.eq(values(c, uid, ["Contact Information"]).get("Contact Information"), ["ops@example.com"],
                       "Contact Information set")
                c.set_attribute(uid, attribute_name="Contact Information", attribute_value="sec@example.com")
                run.eq(values(c, uid, ["Contact Information"]).get("Contact Information"), ["sec@example.com"],
                       "Set replaces the value")
                run.fails("Set of a read-only attribute (Cryptographic Length)", lambda: c.set_attribute(
                    uid, attribute_name="Cryptographic Length", attribute_value=128), R.ATTRIBUTE_READ_ONLY,
                    version=version)
                run.fails("Set of a multi-valued attribute (Object Group)", lambda: c.set_attribute(
                    uid, attribute_name="Object Group", attribute_value="g"), R.MULTI_VALUED_ATTRIBUTE,
                    version=version)
                run.fails("Set Attribute on an unknown object", lambda: c.set_attribute(
                    "no-such-object", attribute_name="Contact Information", attribute_value="x"),
                    R.OBJECT_NOT_FOUND, version=version)

            with run.case("a vendor attribute (2.0), encoded by hand"):
                # PyKMIP 0.11 cannot name a custom attribute at 2.0; the 2.x
                # form is Attribute {Vendor Identification, Attribute Name, Attribute Value}.
                def vendor(value):
                    return common.st(T.ATTRIBUTE, common.text(T.VENDOR_IDENTIFICATION, "x"),
                                     common.text(T.ATTRIBUTE_NAME, "tenant"),
                                     common.text(T.ATTRIBUTE_VALUE, value))

                tenant = run.unique("tenant")
                add_attribute_2x(proxy, version, uid, vendor(tenant))
                rs = common.raw_call(proxy, version, E.Operation.GET_ATTRIBUTES,
                                     common.text(T.UNIQUE_IDENTIFIER, uid),
                                     common.st(T.ATTRIBUTE_REFERENCE, common.text(T.VENDOR_IDENTIFICATION, "x"),
                                               common.text(T.ATTRIBUTE_NAME, "tenant")))
                found = rs.payload.find(T.ATTRIBUTES)
                got = [(a.get(T.VENDOR_IDENTIFICATION).value, a.get(T.ATTRIBUTE_NAME).value,
                        a.get(T.ATTRIBUTE_VALUE).value) for a in (found.all(T.ATTRIBUTE) if found else [])]
                run.eq(got, [("x", "tenant", tenant)], "Get Attributes of the vendor attribute")
                rs = common.raw_call(proxy, version, E.Operation.LOCATE,
                                     common.st(T.ATTRIBUTES, vendor(tenant)))
                run.eq([i.value for i in rs.payload.all(T.UNIQUE_IDENTIFIER)], [uid], "Locate by the vendor attribute")

            with run.case("Add, Modify, Delete (2.0)"):
                group = common.text(T.OBJECT_GROUP, "group-a")
                add_attribute_2x(proxy, version, uid, group)
                add_attribute_2x(proxy, version, uid, common.text(T.OBJECT_GROUP, "group-b"))
                run.eq(values(c, uid, ["Object Group"]).get("Object Group"), ["group-a", "group-b"],
                       "two Object Groups")
                c.modify_attribute(
                    uid,
                    current_attribute=core_objects.CurrentAttribute(
                        attribute=primitives.TextString("group-b", tag=T.OBJECT_GROUP)),
                    new_attribute=core_objects.NewAttribute(
                        attribute=primitives.TextString("group-c", tag=T.OBJECT_GROUP)),
                )
                run.eq(values(c, uid, ["Object Group"]).get("Object Group"), ["group-a", "group-c"],
                       "Modify group-b -> group-c")
                c.delete_attribute(uid, current_attribute=core_objects.CurrentAttribute(
                    attribute=primitives.TextString("group-a", tag=T.OBJECT_GROUP)))
                run.eq(values(c, uid, ["Object Group"]).get("Object Group"), ["group-c"], "Delete group-a")
                run.fails("Delete of an absent value", lambda: c.delete_attribute(
                    uid, current_attribute=core_objects.CurrentAttribute(
                        attribute=primitives.TextString("group-z", tag=T.OBJECT_GROUP))),
                    R.ATTRIBUTE_NOT_FOUND, version=version)
                other = c.create(E.CryptographicAlgorithm.AES, 128, name=run.unique("other"))
                run.fails("Add of a Name another object has (BL-M-8-21)", lambda: add_attribute_2x(
                    proxy, version, other, common.st(
                        T.NAME, common.text(T.NAME_VALUE, name),
                        common.enum(T.NAME_TYPE, E.NameType.UNINTERPRETED_TEXT_STRING))),
                    R.NON_UNIQUE_NAME_ATTRIBUTE, version=version)
                c.delete_attribute(uid, attribute_reference=core_objects.AttributeReference(
                    vendor_identification="", attribute_name="Object Group"))
                # KMIP 2.0 Get Attributes: the Attributes structure is required, even when empty.
                run.eq(values(c, uid, ["Object Group"]).get("Object Group"), None, "Delete by reference")

        c.close()

run.finish()
