"""Discover Versions, Query, operations the server does not implement, and
malformed messages, with PyKMIP's KMIPProxy and ProxyKmipClient, once per
protocol version.

A malformed message is written on the TLS connection PyKMIP opened: the
server must answer it with an error response in the client's version, and
the same connection must then serve a Discover Versions and a Get.
"""

import enum
import struct

from kmip.core.messages import contents, messages

import common
from common import E, R, T

run = common.Run("errors.py")

ALL_VERSIONS = [(2, 1), (2, 0), (1, 4), (1, 3), (1, 2), (1, 1), (1, 0)]
IMPLEMENTED = {
    E.Operation.DISCOVER_VERSIONS, E.Operation.QUERY, E.Operation.CREATE, E.Operation.REGISTER, E.Operation.GET,
    E.Operation.GET_ATTRIBUTES, E.Operation.GET_ATTRIBUTE_LIST, E.Operation.ADD_ATTRIBUTE,
    E.Operation.MODIFY_ATTRIBUTE, E.Operation.DELETE_ATTRIBUTE, E.Operation.LOCATE, E.Operation.ACTIVATE,
    E.Operation.REVOKE, E.Operation.DESTROY, E.Operation.ENCRYPT, E.Operation.DECRYPT, E.Operation.MAC,
    E.Operation.MAC_VERIFY, E.Operation.RNG_RETRIEVE, E.Operation.REKEY,
    E.Operation.REKEY_KEY_PAIR, E.Operation.CREATE_KEY_PAIR, E.Operation.SIGN,
    E.Operation.SIGNATURE_VERIFY, E.Operation.HASH, E.Operation.DERIVE_KEY, E.Operation.OBTAIN_LEASE,
    E.Operation.CHECK, E.Operation.GET_USAGE_ALLOCATION, E.Operation.RNG_SEED,
}
# Import and Export (issue 4), which KMIP 1.4 introduced.
IMPLEMENTED_SINCE_1_4 = {E.Operation.IMPORT, E.Operation.EXPORT}
# Operations outside issue 3's list: each must answer Operation Not Supported.
NOT_IMPLEMENTED = [
    E.Operation.CERTIFY, E.Operation.RECERTIFY,
    E.Operation.ARCHIVE, E.Operation.RECOVER, E.Operation.VALIDATE, E.Operation.CANCEL, E.Operation.POLL,
    E.Operation.CREATE_SPLIT_KEY, E.Operation.JOIN_SPLIT_KEY,
    E.Operation.LOG, E.Operation.LOGIN, E.Operation.LOGOUT, E.Operation.DELEGATED_LOGIN,
    E.Operation.ADJUST_ATTRIBUTE, E.Operation.SET_ENDPOINT_ROLE, E.Operation.PKCS_11, E.Operation.INTEROP,
    E.Operation.REPROVISION,
]

# Well-formed payloads for the unsupported operations whose payload has
# required fields, so that the answer is about the operation, not the payload.
def payloads_for(version):
    """PAYLOADS, with the 1.x Template-Attribute or the 2.x Attributes."""
    template = common.st(T.ATTRIBUTES) if common.is_2x(version) else common.st(T.TEMPLATE_ATTRIBUTE)
    out = dict(PAYLOADS)
    out[E.Operation.DERIVE_KEY] = PAYLOADS[E.Operation.DERIVE_KEY][:-1] + (template,)
    head, obj = PAYLOADS[E.Operation.IMPORT][:2], PAYLOADS[E.Operation.IMPORT][2:]
    out[E.Operation.IMPORT] = head + (template,) + obj
    return out


PAYLOADS = {
    E.Operation.DERIVE_KEY: (
        common.enum(T.OBJECT_TYPE, E.ObjectType.SYMMETRIC_KEY), common.text(T.UNIQUE_IDENTIFIER, "x"),
        common.enum(T.DERIVATION_METHOD, E.DerivationMethod.HASH),
        common.st(T.DERIVATION_PARAMETERS, common.st(
            T.CRYPTOGRAPHIC_PARAMETERS, common.enum(T.HASHING_ALGORITHM, E.HashingAlgorithm.SHA_256))),
        common.st(T.TEMPLATE_ATTRIBUTE)),
    E.Operation.CANCEL: (common.byte_string(T.ASYNCHRONOUS_CORRELATION_VALUE, b"x"),),
    E.Operation.POLL: (common.byte_string(T.ASYNCHRONOUS_CORRELATION_VALUE, b"x"),),
    E.Operation.RNG_SEED: (common.byte_string(T.DATA, bytes(16)),),
    E.Operation.IMPORT: (
        common.text(T.UNIQUE_IDENTIFIER, "x"), common.enum(T.OBJECT_TYPE, E.ObjectType.SECRET_DATA),
        common.st(T.SECRET_DATA, common.enum(T.SECRET_DATA_TYPE, E.SecretDataType.PASSWORD), common.st(
            T.KEY_BLOCK, common.enum(T.KEY_FORMAT_TYPE, E.KeyFormatType.OPAQUE),
            common.st(T.KEY_VALUE, common.byte_string(T.KEY_MATERIAL, b"pw"))))),
    E.Operation.ADJUST_ATTRIBUTE: (
        common.text(T.UNIQUE_IDENTIFIER, "x"),
        common.st(T.ATTRIBUTE_REFERENCE, common.text(T.VENDOR_IDENTIFICATION, ""),
                  common.text(T.ATTRIBUTE_NAME, "Cryptographic Length")),
        common.enum(T.ADJUSTMENT_TYPE, 1), common.long_(T.ADJUSTMENT_VALUE, 1)),
}


def unwrap(value):
    """An enumeration from a PyKMIP result: a plain enum, or a primitive holding one."""
    return value if isinstance(value, enum.Enum) else value.value


def pv(version_tuple):
    return contents.ProtocolVersion(*version_tuple)


def versions_of(result):
    return [(p.major, p.minor) for p in (result.protocol_versions or [])]


def header(version):
    return common.st(
        T.REQUEST_HEADER,
        common.st(T.PROTOCOL_VERSION, common.integer(T.PROTOCOL_VERSION_MAJOR, version[0]),
                  common.integer(T.PROTOCOL_VERSION_MINOR, version[1])),
        common.integer(T.BATCH_COUNT, 1),
    )


def read_response(proxy, version):
    """The next response on PyKMIP's connection, read by PyKMIP itself."""
    response = messages.ResponseMessage()
    response.read(proxy.protocol.read(), version)
    return response


for version in run.versions:
    vnum = common.VERSION_NUMBERS[version]
    vname = ".".join(map(str, vnum))
    with run.case(f"KMIP {vname}"):
        proxy = run.proxy(version)

        with run.case("Discover Versions"):
            if version >= E.KMIPVersion.KMIP_1_1:
                result = proxy.discover_versions()
                run.eq(result.result_status.value, E.ResultStatus.SUCCESS, "status")
                run.eq(versions_of(result), ALL_VERSIONS, "every version, newest first")
                result = proxy.discover_versions(protocol_versions=[pv((1, 2)), pv((9, 9)), pv((1, 0))])
                run.eq(versions_of(result), [(1, 2), (1, 0)], "the client's versions the server speaks, in its order")
                result = proxy.discover_versions(protocol_versions=[pv((3, 0))])
                run.eq(versions_of(result), [], "no version in common")

        with run.case("Query"):
            result = proxy.query(query_functions=[E.QueryFunction.QUERY_OPERATIONS, E.QueryFunction.QUERY_OBJECTS])
            run.eq(result.result_status.value, E.ResultStatus.SUCCESS, f"status ({result.result_message})")
            ops = {unwrap(o) for o in (result.operations or [])}
            expected = set(IMPLEMENTED) | (IMPLEMENTED_SINCE_1_4 if version >= E.KMIPVersion.KMIP_1_4 else set())
            # Query lists the operations the client's version defines.
            if version < E.KMIPVersion.KMIP_1_2:
                expected -= {E.Operation.ENCRYPT, E.Operation.DECRYPT, E.Operation.MAC, E.Operation.MAC_VERIFY,
                             E.Operation.RNG_RETRIEVE, E.Operation.SIGN, E.Operation.SIGNATURE_VERIFY,
                             E.Operation.HASH, E.Operation.RNG_SEED}
            if version < E.KMIPVersion.KMIP_1_1:
                expected -= {E.Operation.DISCOVER_VERSIONS, E.Operation.REKEY_KEY_PAIR}
            missing = expected - ops
            run.check(not missing, f"Query lists every implemented operation; missing {sorted(o.name for o in missing)}")
            extra = ops & set(NOT_IMPLEMENTED)
            run.check(not extra, f"Query lists no unimplemented operation; lists {sorted(o.name for o in extra)}")
            types = {unwrap(t) for t in (result.object_types or [])}
            for t in (E.ObjectType.SYMMETRIC_KEY, E.ObjectType.SECRET_DATA, E.ObjectType.OPAQUE_DATA,
                      E.ObjectType.PUBLIC_KEY, E.ObjectType.PRIVATE_KEY):
                run.check(t in types, f"Query lists object type {t.name}: {types}")

        with run.case("a batch of three, the last one failing"):
            # PyKMIP builds the batch (its own batch items, one message); the
            # failing item must not spoil the others.
            items = [
                proxy._build_query_batch_item([E.QueryFunction.QUERY_OBJECTS]),
                proxy._build_get_attribute_list_batch_item("no-such-object"),
            ]
            if version >= E.KMIPVersion.KMIP_1_1:
                items.insert(0, proxy._build_discover_versions_batch_item())
            response = proxy._send_and_receive_message(proxy._build_request_message(None, items))
            got = [(b.operation.value, b.result_status.value, b.result_reason.value if b.result_reason else None)
                   for b in response.batch_items]
            expected = [(E.Operation.DISCOVER_VERSIONS, E.ResultStatus.SUCCESS, None)] if len(items) == 3 else []
            expected += [(E.Operation.QUERY, E.ResultStatus.SUCCESS, None),
                         (E.Operation.GET_ATTRIBUTE_LIST, E.ResultStatus.OPERATION_FAILED, common.not_found(version))]
            run.eq(got, expected, "one result per batch item, in order")

        with run.case("operations not supported"):
            payloads_here = payloads_for(version)
            older = list(IMPLEMENTED_SINCE_1_4) if version < E.KMIPVersion.KMIP_1_4 else []
            for op in NOT_IMPLEMENTED + older:
                payload = payloads_here.get(op, ())
                run.fails(f"{op.name}", lambda: common.raw_call(proxy, version, op, *payload),
                          R.OPERATION_NOT_SUPPORTED, version=version)
            if version < E.KMIPVersion.KMIP_2_0:
                run.fails("SET_ATTRIBUTE (a 2.0 operation) from a 1.x client", lambda: common.raw_call(
                    proxy, version, E.Operation.SET_ATTRIBUTE, common.text(T.UNIQUE_IDENTIFIER, "x"),
                    common.st(T.NEW_ATTRIBUTE, common.text(T.CONTACT_INFORMATION, "x"))),
                    R.OPERATION_NOT_SUPPORTED, version=version)
            # The connection is still good.
            run.eq(proxy.discover_versions().result_status.value, E.ResultStatus.SUCCESS, "after the failures")

        with run.case("malformed payload, same connection"):
            # A Get whose Unique Identifier is an Integer, not a Text String.
            bad_get = common.request(version, common.st(
                T.BATCH_ITEM, common.enum(T.OPERATION, E.Operation.GET),
                common.st(T.REQUEST_PAYLOAD, common.integer(T.UNIQUE_IDENTIFIER, 7))))
            proxy.protocol.write(bad_get)
            response = read_response(proxy, version)
            pvh = response.response_header.protocol_version
            run.eq((pvh.major, pvh.minor), vnum, "the error response is in the client's version")
            item = response.batch_items[0]
            run.eq(item.result_status.value, E.ResultStatus.OPERATION_FAILED, "status of the malformed item")
            run.check(item.result_reason.value in (R.INVALID_MESSAGE, R.INVALID_FIELD),
                      f"reason of the malformed item: {item.result_reason.value} ({item.result_message.value})")
            run.eq(proxy.discover_versions().result_status.value, E.ResultStatus.SUCCESS,
                   "Discover Versions on the same connection")

        with run.case("malformed message body, same connection"):
            # A well-formed Request Header followed by a batch item whose
            # inner length disagrees with its contents (the outer length is
            # right, so the stream stays in sync).
            item = bytearray(common.st(T.BATCH_ITEM, common.enum(T.OPERATION, E.Operation.QUERY),
                                       common.st(T.REQUEST_PAYLOAD)))
            item[4:8] = struct.pack(">I", len(item) - 8 + 8)  # claims 8 bytes more than it has
            body = header(vnum) + bytes(item)
            message = common.st(T.REQUEST_MESSAGE)[:4] + struct.pack(">I", len(body)) + body
            proxy.protocol.write(message)
            response = common.decode(proxy.protocol.read().buffer)
            rh = response.get(T.RESPONSE_HEADER)
            got_pv = rh.find(T.PROTOCOL_VERSION) if rh else None
            run.eq((got_pv.get(T.PROTOCOL_VERSION_MAJOR).value, got_pv.get(T.PROTOCOL_VERSION_MINOR).value)
                   if got_pv else None, vnum, "answered in the client's version")
            raw = common.RawResult(response)
            run.eq((raw.status, raw.reason), (E.ResultStatus.OPERATION_FAILED, R.INVALID_MESSAGE),
                   f"Invalid Message ({raw.message})")
            result = proxy.discover_versions()
            run.eq(result.result_status.value, E.ResultStatus.SUCCESS, "Discover Versions on the same connection")
            c = run.client(version)
            uid = c.create(E.CryptographicAlgorithm.AES, 128, name=run.unique("after"))
            c.close()
            got = proxy.get(uid)
            run.eq(got.result_status.value, E.ResultStatus.SUCCESS, "Get on the same connection")

        with run.case("unsupported protocol version"):
            # A 3.0 header: the server answers in a version it speaks.
            message = common.st(T.REQUEST_MESSAGE, header((3, 0)), common.st(
                T.BATCH_ITEM, common.enum(T.OPERATION, E.Operation.DISCOVER_VERSIONS), common.st(T.REQUEST_PAYLOAD)))
            proxy.protocol.write(message)
            raw = common.RawResult(common.decode(proxy.protocol.read().buffer))
            run.eq(raw.status, E.ResultStatus.OPERATION_FAILED, f"3.0 request refused ({raw.message})")
            run.eq(proxy.discover_versions().result_status.value, E.ResultStatus.SUCCESS, "the connection still serves")

        proxy.close()

run.finish()
