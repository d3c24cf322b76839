"""Encode KMIP request and response messages with PyKMIP's own encoders.

Prints one JSON object per line: {"label", "version", "hex"}, where hex is
the whole message exactly as PyKMIP 0.11 writes it for that protocol version.
The Rust tests (tests/it/cli_ttlv.rs) feed each message through
`coffer ttlv decode | coffer ttlv encode` and expect the same bytes back.

Every message here must encode: an exception is a bug in this script (or a
PyKMIP change) and ends it with a non-zero exit, so the counts the Rust test
expects per version stay honest.

Run: tests/.venv/bin/python tests/pykmip/encode_messages.py
"""

import json
import sys

from kmip.core import attributes, enums, misc, objects, primitives, utils
from kmip.core.factories import attributes as attribute_factories
from kmip.core.messages import contents, messages, payloads
from kmip.pie import factory as pie_factory
from kmip.pie import objects as pie_objects

E = enums
V = E.KMIPVersion
VERSIONS = [V.KMIP_1_0, V.KMIP_1_1, V.KMIP_1_2, V.KMIP_1_3, V.KMIP_1_4, V.KMIP_2_0]
VERSION_NAMES = {
    V.KMIP_1_0: "1.0",
    V.KMIP_1_1: "1.1",
    V.KMIP_1_2: "1.2",
    V.KMIP_1_3: "1.3",
    V.KMIP_1_4: "1.4",
    V.KMIP_2_0: "2.0",
}
# A fixed time, so the output is the same on every run.
TIME_STAMP = 1700000000
UID = "1f165d65-cbbd-4bd6-9867-80e0b390acf9"
UID2 = "7c3a0fd2-6d4b-4d39-a1c4-09d7d8e2f5b1"

ATTRS = attribute_factories.AttributeFactory()
OBJECTS = pie_factory.ObjectFactory()


def version_of(kmip_version):
    major, minor = VERSION_NAMES[kmip_version].split(".")
    return contents.ProtocolVersion(int(major), int(minor))


def attr(kind, value):
    return ATTRS.create_attribute(kind, value)


def template(*attrs):
    return objects.TemplateAttribute(attributes=list(attrs))


def aes_template():
    return template(
        attr(E.AttributeType.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.AES),
        attr(E.AttributeType.CRYPTOGRAPHIC_LENGTH, 256),
        attr(
            E.AttributeType.CRYPTOGRAPHIC_USAGE_MASK,
            [E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT],
        ),
        attr(E.AttributeType.NAME, "coffer-test-key"),
    )


def rsa_common_template():
    return objects.TemplateAttribute(
        attributes=[
            attr(E.AttributeType.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.RSA),
            attr(E.AttributeType.CRYPTOGRAPHIC_LENGTH, 2048),
        ],
        tag=E.Tags.COMMON_TEMPLATE_ATTRIBUTE,
    )


def usage_template(tag, *usages):
    return objects.TemplateAttribute(
        attributes=[attr(E.AttributeType.CRYPTOGRAPHIC_USAGE_MASK, list(usages))],
        tag=tag,
    )


def symmetric_key():
    key = pie_objects.SymmetricKey(E.CryptographicAlgorithm.AES, 128, bytes(range(16)))
    return OBJECTS.convert(key)


def secret_data():
    secret = pie_objects.SecretData(b"correct horse battery staple", E.SecretDataType.PASSWORD)
    return OBJECTS.convert(secret)


def opaque_object():
    return OBJECTS.convert(pie_objects.OpaqueObject(b"\x00\x01opaque\xff", E.OpaqueDataType.NONE))


def aes_cbc():
    return attributes.CryptographicParameters(
        block_cipher_mode=E.BlockCipherMode.CBC,
        padding_method=E.PaddingMethod.PKCS5,
        cryptographic_algorithm=E.CryptographicAlgorithm.AES,
    )


def aes_gcm():
    return attributes.CryptographicParameters(
        block_cipher_mode=E.BlockCipherMode.GCM,
        cryptographic_algorithm=E.CryptographicAlgorithm.AES,
        tag_length=16,
    )


def rsa_pss():
    return attributes.CryptographicParameters(
        padding_method=E.PaddingMethod.PSS,
        hashing_algorithm=E.HashingAlgorithm.SHA_256,
        cryptographic_algorithm=E.CryptographicAlgorithm.RSA,
        digital_signature_algorithm=E.DigitalSignatureAlgorithm.SHA256_WITH_RSA_ENCRYPTION,
    )


def hmac_sha256():
    return attributes.CryptographicParameters(cryptographic_algorithm=E.CryptographicAlgorithm.HMAC_SHA256)


def uid(value=UID):
    return attributes.UniqueIdentifier(value)


# --------------------------------------------------------------- requests
# Each builder takes the KMIP version and returns (operation, payload).


def req_discover_versions(v):
    return E.Operation.DISCOVER_VERSIONS, payloads.DiscoverVersionsRequestPayload(
        protocol_versions=[contents.ProtocolVersion(2, 0), contents.ProtocolVersion(1, 4), contents.ProtocolVersion(1, 0)]
    )


def req_discover_versions_empty(v):
    return E.Operation.DISCOVER_VERSIONS, payloads.DiscoverVersionsRequestPayload()


def req_query(v):
    functions = [E.QueryFunction.QUERY_OPERATIONS, E.QueryFunction.QUERY_OBJECTS, E.QueryFunction.QUERY_SERVER_INFORMATION]
    if v >= V.KMIP_1_3:
        functions.append(E.QueryFunction.QUERY_PROFILES)
    return E.Operation.QUERY, payloads.QueryRequestPayload(query_functions=functions)


def req_create(v):
    return E.Operation.CREATE, payloads.CreateRequestPayload(
        object_type=E.ObjectType.SYMMETRIC_KEY, template_attribute=aes_template()
    )


def req_create_key_pair(v):
    return E.Operation.CREATE_KEY_PAIR, payloads.CreateKeyPairRequestPayload(
        common_template_attribute=rsa_common_template(),
        private_key_template_attribute=usage_template(
            E.Tags.PRIVATE_KEY_TEMPLATE_ATTRIBUTE, E.CryptographicUsageMask.SIGN
        ),
        public_key_template_attribute=usage_template(
            E.Tags.PUBLIC_KEY_TEMPLATE_ATTRIBUTE, E.CryptographicUsageMask.VERIFY
        ),
    )


def req_register_symmetric_key(v):
    return E.Operation.REGISTER, payloads.RegisterRequestPayload(
        object_type=E.ObjectType.SYMMETRIC_KEY, template_attribute=aes_template(), managed_object=symmetric_key()
    )


def req_register_secret_data(v):
    return E.Operation.REGISTER, payloads.RegisterRequestPayload(
        object_type=E.ObjectType.SECRET_DATA,
        template_attribute=template(
            attr(E.AttributeType.CRYPTOGRAPHIC_USAGE_MASK, [E.CryptographicUsageMask.VERIFY])
        ),
        managed_object=secret_data(),
    )


def req_register_opaque(v):
    return E.Operation.REGISTER, payloads.RegisterRequestPayload(
        object_type=E.ObjectType.OPAQUE_DATA, template_attribute=template(), managed_object=opaque_object()
    )


def req_get(v):
    return E.Operation.GET, payloads.GetRequestPayload(unique_identifier=UID)


def req_get_raw(v):
    return E.Operation.GET, payloads.GetRequestPayload(
        unique_identifier=UID, key_format_type=E.KeyFormatType.RAW, key_compression_type=None
    )


def req_get_attributes(v):
    return E.Operation.GET_ATTRIBUTES, payloads.GetAttributesRequestPayload(
        unique_identifier=UID, attribute_names=["State", "Cryptographic Algorithm", "Name"]
    )


def req_get_attribute_list(v):
    return E.Operation.GET_ATTRIBUTE_LIST, payloads.GetAttributeListRequestPayload(unique_identifier=UID)


def req_locate(v):
    return E.Operation.LOCATE, payloads.LocateRequestPayload(
        maximum_items=10,
        offset_items=2 if v >= V.KMIP_1_3 else None,
        storage_status_mask=3 if v >= V.KMIP_1_1 else None,
        attributes=[
            attr(E.AttributeType.NAME, "coffer-test-key"),
            attr(E.AttributeType.OBJECT_TYPE, E.ObjectType.SYMMETRIC_KEY),
        ],
    )


def req_activate(v):
    return E.Operation.ACTIVATE, payloads.ActivateRequestPayload(unique_identifier=uid())


def req_revoke(v):
    return E.Operation.REVOKE, payloads.RevokeRequestPayload(
        unique_identifier=uid(),
        revocation_reason=objects.RevocationReason(code=E.RevocationReasonCode.KEY_COMPROMISE, message="leaked"),
        compromise_occurrence_date=primitives.DateTime(TIME_STAMP, tag=E.Tags.COMPROMISE_OCCURRENCE_DATE),
    )


def req_destroy(v):
    return E.Operation.DESTROY, payloads.DestroyRequestPayload(unique_identifier=uid())


def req_encrypt(v):
    return E.Operation.ENCRYPT, payloads.EncryptRequestPayload(
        unique_identifier=UID, cryptographic_parameters=aes_cbc(), data=b"sixteen byte msg", iv_counter_nonce=bytes(16)
    )


def req_encrypt_gcm(v):
    return E.Operation.ENCRYPT, payloads.EncryptRequestPayload(
        unique_identifier=UID,
        cryptographic_parameters=aes_gcm(),
        data=b"plaintext",
        iv_counter_nonce=bytes(12),
        auth_additional_data=b"aad",
    )


def req_decrypt(v):
    return E.Operation.DECRYPT, payloads.DecryptRequestPayload(
        unique_identifier=UID, cryptographic_parameters=aes_cbc(), data=bytes(range(32)), iv_counter_nonce=bytes(16)
    )


def req_decrypt_gcm(v):
    return E.Operation.DECRYPT, payloads.DecryptRequestPayload(
        unique_identifier=UID,
        cryptographic_parameters=aes_gcm(),
        data=bytes(range(9)),
        iv_counter_nonce=bytes(12),
        auth_additional_data=b"aad",
        auth_tag=bytes(range(16)),
    )


def req_sign(v):
    return E.Operation.SIGN, payloads.SignRequestPayload(
        unique_identifier=UID, cryptographic_parameters=rsa_pss(), data=b"message to sign"
    )


def req_signature_verify(v):
    return E.Operation.SIGNATURE_VERIFY, payloads.SignatureVerifyRequestPayload(
        unique_identifier=UID, cryptographic_parameters=rsa_pss(), data=b"message to sign", signature_data=bytes(256)
    )


def req_mac(v):
    return E.Operation.MAC, payloads.MACRequestPayload(
        unique_identifier=uid(), cryptographic_parameters=hmac_sha256(), data=objects.Data(b"authenticate me")
    )


def req_derive_key_pbkdf2(v):
    return E.Operation.DERIVE_KEY, payloads.DeriveKeyRequestPayload(
        object_type=E.ObjectType.SYMMETRIC_KEY,
        unique_identifiers=[UID],
        derivation_method=E.DerivationMethod.PBKDF2,
        derivation_parameters=attributes.DerivationParameters(
            cryptographic_parameters=attributes.CryptographicParameters(hashing_algorithm=E.HashingAlgorithm.SHA_256),
            salt=b"salt",
            iteration_count=4096,
        ),
        template_attribute=template(
            attr(E.AttributeType.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.AES),
            attr(E.AttributeType.CRYPTOGRAPHIC_LENGTH, 128),
        ),
    )


def req_derive_key_encrypt(v):
    return E.Operation.DERIVE_KEY, payloads.DeriveKeyRequestPayload(
        object_type=E.ObjectType.SECRET_DATA,
        unique_identifiers=[UID, UID2],
        derivation_method=E.DerivationMethod.ENCRYPT,
        derivation_parameters=attributes.DerivationParameters(
            cryptographic_parameters=aes_cbc(), initialization_vector=bytes(16), derivation_data=b"derive from me"
        ),
        template_attribute=template(attr(E.AttributeType.CRYPTOGRAPHIC_LENGTH, 128)),
    )


def req_rekey(v):
    return E.Operation.REKEY, payloads.RekeyRequestPayload(unique_identifier=UID, offset=3600)


def req_rekey_key_pair(v):
    return E.Operation.REKEY_KEY_PAIR, payloads.RekeyKeyPairRequestPayload(
        private_key_uuid=attributes.PrivateKeyUniqueIdentifier(UID)
    )


def req_check(v):
    return E.Operation.CHECK, payloads.CheckRequestPayload(
        unique_identifier=UID, usage_limits_count=500, cryptographic_usage_mask=12, lease_time=10000
    )


def req_get_usage_allocation(v):
    return E.Operation.GET_USAGE_ALLOCATION, payloads.GetUsageAllocationRequestPayload(
        unique_identifier=UID, usage_limits_count=1000
    )


def req_obtain_lease(v):
    return E.Operation.OBTAIN_LEASE, payloads.ObtainLeaseRequestPayload(unique_identifier=UID)


def req_archive(v):
    return E.Operation.ARCHIVE, payloads.ArchiveRequestPayload(unique_identifier=UID)


def req_recover(v):
    return E.Operation.RECOVER, payloads.RecoverRequestPayload(unique_identifier=UID)


def req_cancel(v):
    return E.Operation.CANCEL, payloads.CancelRequestPayload(asynchronous_correlation_value=b"\x01\x02\x03")


def req_poll(v):
    return E.Operation.POLL, payloads.PollRequestPayload(asynchronous_correlation_value=b"\x01\x02\x03")


def req_delete_attribute_1x(v):
    return E.Operation.DELETE_ATTRIBUTE, payloads.DeleteAttributeRequestPayload(
        unique_identifier=UID, attribute_name="Contact Information", attribute_index=0
    )


def req_delete_attribute_2x(v):
    return E.Operation.DELETE_ATTRIBUTE, payloads.DeleteAttributeRequestPayload(
        unique_identifier=UID,
        attribute_reference=objects.AttributeReference(vendor_identification="", attribute_name="Contact Information"),
    )


def req_modify_attribute_1x(v):
    return E.Operation.MODIFY_ATTRIBUTE, payloads.ModifyAttributeRequestPayload(
        unique_identifier=UID, attribute=attr(E.AttributeType.CONTACT_INFORMATION, "ops@example.com")
    )


def req_modify_attribute_2x(v):
    return E.Operation.MODIFY_ATTRIBUTE, payloads.ModifyAttributeRequestPayload(
        unique_identifier=UID,
        current_attribute=objects.CurrentAttribute(
            attribute=primitives.TextString("old@example.com", tag=E.Tags.CONTACT_INFORMATION)
        ),
        new_attribute=objects.NewAttribute(
            attribute=primitives.TextString("ops@example.com", tag=E.Tags.CONTACT_INFORMATION)
        ),
    )


def req_set_attribute(v):
    return E.Operation.SET_ATTRIBUTE, payloads.SetAttributeRequestPayload(
        unique_identifier=UID,
        new_attribute=objects.NewAttribute(
            attribute=primitives.TextString("ops@example.com", tag=E.Tags.CONTACT_INFORMATION)
        ),
    )


ALL = VERSIONS
V1 = [v for v in VERSIONS if v < V.KMIP_2_0]
FROM_1_1 = [v for v in VERSIONS if v >= V.KMIP_1_1]
FROM_1_2 = [v for v in VERSIONS if v >= V.KMIP_1_2]
V2 = [V.KMIP_2_0]

# (label, builder, versions). Versions follow where the operation exists
# (KMIP 1.1 added Discover Versions, 1.2 the cryptographic operations and
# Derive Key's use here) and where PyKMIP 0.11 encodes it for that version.
REQUESTS = [
    ("DiscoverVersions", req_discover_versions, FROM_1_1),
    ("DiscoverVersions-empty", req_discover_versions_empty, FROM_1_1),
    ("Query", req_query, ALL),
    ("Create", req_create, ALL),
    ("CreateKeyPair", req_create_key_pair, ALL),
    ("Register-SymmetricKey", req_register_symmetric_key, ALL),
    ("Register-SecretData", req_register_secret_data, ALL),
    ("Register-OpaqueObject", req_register_opaque, ALL),
    ("Get", req_get, ALL),
    ("Get-Raw", req_get_raw, ALL),
    ("GetAttributes", req_get_attributes, ALL),
    ("GetAttributeList", req_get_attribute_list, ALL),
    ("Locate", req_locate, ALL),
    ("Activate", req_activate, ALL),
    ("Revoke", req_revoke, ALL),
    ("Destroy", req_destroy, ALL),
    ("Encrypt-AES-CBC", req_encrypt, FROM_1_2),
    ("Encrypt-AES-GCM", req_encrypt_gcm, FROM_1_2),
    ("Decrypt-AES-CBC", req_decrypt, FROM_1_2),
    ("Decrypt-AES-GCM", req_decrypt_gcm, FROM_1_2),
    ("Sign", req_sign, FROM_1_2),
    ("SignatureVerify", req_signature_verify, FROM_1_2),
    ("MAC", req_mac, FROM_1_2),
    ("DeriveKey-PBKDF2", req_derive_key_pbkdf2, ALL),
    ("DeriveKey-Encrypt", req_derive_key_encrypt, ALL),
    ("ReKey", req_rekey, ALL),
    ("ReKeyKeyPair", req_rekey_key_pair, FROM_1_1),
    ("Check", req_check, ALL),
    ("GetUsageAllocation", req_get_usage_allocation, ALL),
    ("ObtainLease", req_obtain_lease, ALL),
    ("Archive", req_archive, ALL),
    ("Recover", req_recover, ALL),
    ("Cancel", req_cancel, ALL),
    ("Poll", req_poll, ALL),
    ("DeleteAttribute", req_delete_attribute_1x, V1),
    ("DeleteAttribute", req_delete_attribute_2x, V2),
    ("ModifyAttribute", req_modify_attribute_1x, V1),
    ("ModifyAttribute", req_modify_attribute_2x, V2),
    ("SetAttribute", req_set_attribute, V2),
]


# -------------------------------------------------------------- responses


def resp_discover_versions(v):
    versions = [contents.ProtocolVersion(2, 0), contents.ProtocolVersion(1, 4), contents.ProtocolVersion(1, 2)]
    return E.Operation.DISCOVER_VERSIONS, payloads.DiscoverVersionsResponsePayload(protocol_versions=versions)


def resp_query(v):
    return E.Operation.QUERY, payloads.QueryResponsePayload(
        operations=[E.Operation.CREATE, E.Operation.GET, E.Operation.DESTROY],
        object_types=[E.ObjectType.SYMMETRIC_KEY, E.ObjectType.SECRET_DATA],
        vendor_identification="coffer",
        server_information=misc.ServerInformation(),
    )


def resp_create(v):
    return E.Operation.CREATE, payloads.CreateResponsePayload(
        object_type=E.ObjectType.SYMMETRIC_KEY, unique_identifier=UID
    )


def resp_create_key_pair(v):
    return E.Operation.CREATE_KEY_PAIR, payloads.CreateKeyPairResponsePayload(
        private_key_unique_identifier=UID, public_key_unique_identifier=UID2
    )


def resp_register(v):
    return E.Operation.REGISTER, payloads.RegisterResponsePayload(unique_identifier=UID)


def resp_get(v):
    return E.Operation.GET, payloads.GetResponsePayload(
        object_type=E.ObjectType.SYMMETRIC_KEY, unique_identifier=UID, secret=symmetric_key()
    )


def resp_get_secret_data(v):
    return E.Operation.GET, payloads.GetResponsePayload(
        object_type=E.ObjectType.SECRET_DATA, unique_identifier=UID, secret=secret_data()
    )


def resp_get_attributes(v):
    return E.Operation.GET_ATTRIBUTES, payloads.GetAttributesResponsePayload(
        unique_identifier=UID,
        attributes=[
            attr(E.AttributeType.STATE, E.State.ACTIVE),
            attr(E.AttributeType.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.AES),
            attr(E.AttributeType.CRYPTOGRAPHIC_LENGTH, 256),
            attr(E.AttributeType.NAME, "coffer-test-key"),
        ],
    )


def resp_get_attribute_list(v):
    return E.Operation.GET_ATTRIBUTE_LIST, payloads.GetAttributeListResponsePayload(
        unique_identifier=UID, attribute_names=["State", "Name", "Cryptographic Algorithm"]
    )


def resp_locate(v):
    return E.Operation.LOCATE, payloads.LocateResponsePayload(
        located_items=2 if v >= V.KMIP_1_3 else None, unique_identifiers=[UID, UID2]
    )


def resp_activate(v):
    return E.Operation.ACTIVATE, payloads.ActivateResponsePayload(unique_identifier=uid())


def resp_revoke(v):
    return E.Operation.REVOKE, payloads.RevokeResponsePayload(unique_identifier=uid())


def resp_destroy(v):
    return E.Operation.DESTROY, payloads.DestroyResponsePayload(unique_identifier=uid())


def resp_encrypt(v):
    return E.Operation.ENCRYPT, payloads.EncryptResponsePayload(
        unique_identifier=UID, data=bytes(range(32)), iv_counter_nonce=bytes(16)
    )


def resp_encrypt_gcm(v):
    return E.Operation.ENCRYPT, payloads.EncryptResponsePayload(
        unique_identifier=UID, data=bytes(range(9)), iv_counter_nonce=bytes(12), auth_tag=bytes(range(16))
    )


def resp_decrypt(v):
    return E.Operation.DECRYPT, payloads.DecryptResponsePayload(unique_identifier=UID, data=b"sixteen byte msg")


def resp_sign(v):
    return E.Operation.SIGN, payloads.SignResponsePayload(unique_identifier=UID, signature_data=bytes(range(256)))


def resp_signature_verify(v):
    return E.Operation.SIGNATURE_VERIFY, payloads.SignatureVerifyResponsePayload(
        unique_identifier=UID, validity_indicator=E.ValidityIndicator.VALID
    )


def resp_mac(v):
    return E.Operation.MAC, payloads.MACResponsePayload(
        unique_identifier=uid(), mac_data=objects.MACData(bytes(range(32)))
    )


def resp_derive_key(v):
    return E.Operation.DERIVE_KEY, payloads.DeriveKeyResponsePayload(unique_identifier=UID2)


def resp_rekey(v):
    return E.Operation.REKEY, payloads.RekeyResponsePayload(unique_identifier=UID2)


def resp_check(v):
    return E.Operation.CHECK, payloads.CheckResponsePayload(unique_identifier=UID, lease_time=10000)


def resp_obtain_lease(v):
    return E.Operation.OBTAIN_LEASE, payloads.ObtainLeaseResponsePayload(
        unique_identifier=UID, lease_time=3600, last_change_date=TIME_STAMP
    )


def resp_set_attribute(v):
    return E.Operation.SET_ATTRIBUTE, payloads.SetAttributeResponsePayload(unique_identifier=UID)


RESPONSES = [
    ("DiscoverVersions", resp_discover_versions, FROM_1_1),
    ("Query", resp_query, ALL),
    ("Create", resp_create, ALL),
    ("CreateKeyPair", resp_create_key_pair, ALL),
    ("Register", resp_register, ALL),
    ("Get-SymmetricKey", resp_get, ALL),
    ("Get-SecretData", resp_get_secret_data, ALL),
    ("GetAttributes", resp_get_attributes, ALL),
    ("GetAttributeList", resp_get_attribute_list, ALL),
    ("Locate", resp_locate, ALL),
    ("Activate", resp_activate, ALL),
    ("Revoke", resp_revoke, ALL),
    ("Destroy", resp_destroy, ALL),
    ("Encrypt-AES-CBC", resp_encrypt, FROM_1_2),
    ("Encrypt-AES-GCM", resp_encrypt_gcm, FROM_1_2),
    ("Decrypt", resp_decrypt, FROM_1_2),
    ("Sign", resp_sign, FROM_1_2),
    ("SignatureVerify", resp_signature_verify, FROM_1_2),
    ("MAC", resp_mac, FROM_1_2),
    ("DeriveKey", resp_derive_key, ALL),
    ("ReKey", resp_rekey, ALL),
    ("Check", resp_check, ALL),
    ("ObtainLease", resp_obtain_lease, ALL),
    ("SetAttribute", resp_set_attribute, V2),
]


def operation_enum(op):
    return primitives.Enumeration(E.Operation, op, tag=E.Tags.OPERATION)


def encode(message, kmip_version):
    stream = utils.BytearrayStream()
    message.write(stream, kmip_version=kmip_version)
    return stream.buffer.hex()


def request_message(kmip_version, op, payload):
    header = messages.RequestHeader(
        protocol_version=version_of(kmip_version), batch_count=contents.BatchCount(1)
    )
    item = messages.RequestBatchItem(operation=operation_enum(op), request_payload=payload)
    return messages.RequestMessage(request_header=header, batch_items=[item])


def response_message(kmip_version, op, payload):
    header = messages.ResponseHeader(
        protocol_version=version_of(kmip_version),
        time_stamp=contents.TimeStamp(TIME_STAMP),
        batch_count=contents.BatchCount(1),
    )
    item = messages.ResponseBatchItem(
        operation=operation_enum(op),
        result_status=contents.ResultStatus(E.ResultStatus.SUCCESS),
        response_payload=payload,
    )
    return messages.ResponseMessage(response_header=header, batch_items=[item])


def failure_response(kmip_version):
    header = messages.ResponseHeader(
        protocol_version=version_of(kmip_version),
        time_stamp=contents.TimeStamp(TIME_STAMP),
        batch_count=contents.BatchCount(1),
    )
    item = messages.ResponseBatchItem(
        operation=operation_enum(E.Operation.GET),
        result_status=contents.ResultStatus(E.ResultStatus.OPERATION_FAILED),
        result_reason=contents.ResultReason(E.ResultReason.ITEM_NOT_FOUND),
        result_message=contents.ResultMessage("Could not locate object: " + UID),
    )
    return messages.ResponseMessage(response_header=header, batch_items=[item])


def batch_request(kmip_version):
    """Three batch items in one message, as PyKMIP's client sends them."""
    items = []
    for build in (req_create, req_activate, req_get_attributes):
        op, payload = build(kmip_version)
        items.append(messages.RequestBatchItem(operation=operation_enum(op), request_payload=payload))
    header = messages.RequestHeader(
        protocol_version=version_of(kmip_version),
        batch_order_option=contents.BatchOrderOption(True),
        batch_error_cont_option=contents.BatchErrorContinuationOption(E.BatchErrorContinuationOption.STOP),
        batch_count=contents.BatchCount(len(items)),
    )
    return messages.RequestMessage(request_header=header, batch_items=items)


def main():
    out = []
    for kind, table, wrap in (("request", REQUESTS, request_message), ("response", RESPONSES, response_message)):
        for label, build, versions in table:
            for v in versions:
                op, payload = build(v)
                out.append((kind + " " + label, v, encode(wrap(v, op, payload), v)))
    for v in VERSIONS:
        out.append(("response Get-ItemNotFound", v, encode(failure_response(v), v)))
        out.append(("request Batch-Create-Activate-GetAttributes", v, encode(batch_request(v), v)))
    for label, v, hex_bytes in out:
        print(json.dumps({"label": label, "version": VERSION_NAMES[v], "hex": hex_bytes}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
