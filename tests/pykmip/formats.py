"""Register and Get of certificates, private and public keys in each format,
plain and wrapped (AES key wrap, RSA-OAEP), Register of a wrapped key,
Derive Key, split keys, and secret data read back by Name, checked against
the `cryptography` package, once per protocol version, with the Result
Reason the client's version expects on failure.
"""

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_unwrap_with_padding, aes_key_wrap
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.x509.oid import NameOID
import datetime

from kmip.core import misc
from kmip.pie import objects

import common
from common import E, R

run = common.Run("formats.py")

M = E.CryptographicUsageMask
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
DER = serialization.Encoding.DER
PKCS8_DER = RSA_KEY.private_bytes(DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
PKCS1_DER = RSA_KEY.private_bytes(DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
SPKI_DER = RSA_KEY.public_key().public_bytes(DER, serialization.PublicFormat.SubjectPublicKeyInfo)
PUB_PKCS1_DER = RSA_KEY.public_key().public_bytes(DER, serialization.PublicFormat.PKCS1)
EC_PKCS8 = EC_KEY.private_bytes(DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
KEK = bytes(range(32))
KEY = bytes(range(100, 132))


def certificate():
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "coffer pykmip")])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(RSA_KEY.public_key())
            .serial_number(7).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(RSA_KEY, hashes.SHA256()).public_bytes(DER))


CERT = certificate()


def get_as(proxy, uid, fmt, wrapping=None):
    """Get through KMIPProxy (ProxyKmipClient.get has no Key Format Type)."""
    result = proxy.get(uid, key_format_type=misc.KeyFormatType(fmt) if fmt else None,
                       key_wrapping_specification=wrapping)
    if result.result_status.value != E.ResultStatus.SUCCESS:
        raise common.pie_exceptions.KmipOperationFailure(
            result.result_status.value, result.result_reason.value, result.result_message.value)
    return result.secret


def material(secret):
    return secret.key_block.key_value.key_material.value


def wrapped_bytes(secret):
    # A wrapped Key Value is the byte string itself; PyKMIP reads it as Key Material.
    kv = secret.key_block.key_value
    return getattr(getattr(kv, "key_material", None), "value", None) or kv.value


def spec(kek_uid, mode=None):
    info = {"unique_identifier": kek_uid}
    if mode is not None:
        info["cryptographic_parameters"] = {"block_cipher_mode": mode}
    return {"wrapping_method": E.WrappingMethod.ENCRYPT, "encryption_key_information": info,
            "encoding_option": E.EncodingOption.NO_ENCODING}


for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    with run.case(f"KMIP {vname}"):
        c = run.client(version)
        proxy = c.proxy

        with run.case("private key PKCS#1 -> as registered, PKCS#8"):
            uid = c.register(objects.PrivateKey(E.CryptographicAlgorithm.RSA, 2048, PKCS1_DER, E.KeyFormatType.PKCS_1,
                                                masks=[M.SIGN], name=run.unique("rsa")))
            got = c.get(uid)
            run.eq(got.value, PKCS1_DER, "PKCS#1 as registered")
            run.eq(got.key_format_type, E.KeyFormatType.PKCS_1, "format as registered")
            run.eq(material(get_as(proxy, uid, E.KeyFormatType.PKCS_8)), PKCS8_DER, "converted to PKCS#8")
            run.fails("an RSA key as Transparent EC", lambda: get_as(proxy, uid, E.KeyFormatType.TRANSPARENT_EC_PRIVATE_KEY
                                                                      if version != common.V.KMIP_1_0 and version != common.V.KMIP_1_1
                                                                      and version != common.V.KMIP_1_2
                                                                      else E.KeyFormatType.X_509),
                      R.KEY_FORMAT_TYPE_NOT_SUPPORTED)

        with run.case("public key SPKI -> PKCS#1"):
            uid = c.register(objects.PublicKey(E.CryptographicAlgorithm.RSA, 2048, SPKI_DER, E.KeyFormatType.X_509,
                                               masks=[M.VERIFY], name=run.unique("rsa-pub")))
            run.eq(c.get(uid).value, SPKI_DER, "SPKI as registered")
            run.eq(material(get_as(proxy, uid, E.KeyFormatType.PKCS_1)), PUB_PKCS1_DER, "converted to PKCS#1")

        with run.case("EC private key PKCS#8"):
            uid = c.register(objects.PrivateKey(E.CryptographicAlgorithm.EC if version != common.V.KMIP_1_0
                                                and version != common.V.KMIP_1_1 else E.CryptographicAlgorithm.ECDSA,
                                                256, EC_PKCS8, E.KeyFormatType.PKCS_8, name=run.unique("ec")))
            run.eq(c.get(uid).value, EC_PKCS8, "EC PKCS#8 as registered")

        with run.case("X.509 certificate"):
            uid = c.register(objects.X509Certificate(CERT, name=run.unique("cert")))
            got = c.get(uid)
            run.eq(got.value, CERT, "certificate DER")
            run.eq(got.certificate_type, E.CertificateType.X_509, "certificate type")
            run.fails("garbage certificate", lambda: c.register(objects.X509Certificate(b"nope", name=run.unique("bad"))),
                      R.INVALID_FIELD)

        with run.case("AES key wrap"):
            kek = c.register(objects.SymmetricKey(E.CryptographicAlgorithm.AES, 256, KEK,
                                                  masks=[M.WRAP_KEY, M.UNWRAP_KEY], name=run.unique("kek")))
            c.activate(kek)
            uid = c.register(objects.SymmetricKey(E.CryptographicAlgorithm.AES, 256, KEY, masks=[M.ENCRYPT],
                                                  name=run.unique("key")))
            wrapped = c.get(uid, key_wrapping_specification=spec(kek, E.BlockCipherMode.NIST_KEY_WRAP))
            run.eq(aes_key_unwrap(KEK, wrapped.value), KEY, "RFC 3394 wrapped key unwraps locally")
            secret = c.register(objects.SecretData(b"0123456789abc", E.SecretDataType.PASSWORD,
                                                   name=run.unique("pw")))
            got = c.get(secret, key_wrapping_specification=spec(kek))
            run.eq(aes_key_unwrap_with_padding(KEK, got.value), b"0123456789abc", "RFC 5649 for 13 bytes")
            pk = c.get(c.register(objects.PrivateKey(E.CryptographicAlgorithm.RSA, 2048, PKCS8_DER,
                                                     E.KeyFormatType.PKCS_8, name=run.unique("rsa-w"))),
                       key_wrapping_specification=spec(kek, E.BlockCipherMode.AES_KEY_WRAP_PADDING))
            # Padding asked for: with no mode named, a DER whose length is a
            # multiple of 8 (about one key in four) is wrapped with RFC 3394.
            run.eq(aes_key_unwrap_with_padding(KEK, pk.value), PKCS8_DER, "a PKCS#8 private key, wrapped")

            noflag = c.register(objects.SymmetricKey(E.CryptographicAlgorithm.AES, 128, bytes(16), masks=[M.ENCRYPT],
                                                     name=run.unique("noflag")))
            c.activate(noflag)
            run.fails("wrapping with a key without Wrap Key",
                      lambda: c.get(uid, key_wrapping_specification=spec(noflag)),
                      common.usage_denied(version))

        with run.case("RSA-OAEP wrap"):
            pub = c.register(objects.PublicKey(E.CryptographicAlgorithm.RSA, 2048, SPKI_DER, E.KeyFormatType.X_509,
                                               masks=[M.WRAP_KEY], name=run.unique("wrap-pub")))
            c.activate(pub)
            got = c.get(uid, key_wrapping_specification=spec(pub))
            plain = RSA_KEY.decrypt(got.value, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(),
                                                            label=None))
            run.eq(plain, KEY, "RSA-OAEP (SHA-1) wrapped key decrypts locally")

        with run.case("Register of an AES-wrapped key"):
            blob = aes_key_wrap(KEK, bytes(range(32)))
            key = objects.SymmetricKey(E.CryptographicAlgorithm.AES, 256, blob, name=run.unique("wrapped"),
                                       key_wrapping_data={
                                           "wrapping_method": E.WrappingMethod.ENCRYPT,
                                           "encryption_key_information": {"unique_identifier": kek},
                                           "encoding_option": E.EncodingOption.NO_ENCODING})
            uid2 = c.register(key)
            run.eq(c.get(uid2).value, bytes(range(32)), "stored unwrapped")

        if version not in (common.V.KMIP_1_0,):
            with run.case("Derive Key (PBKDF2)"):
                base = c.register(objects.SecretData(b"password", E.SecretDataType.PASSWORD, masks=[M.DERIVE_KEY],
                                                     name=run.unique("base")))
                c.activate(base)
                uid = c.derive_key(E.ObjectType.SYMMETRIC_KEY, [base], E.DerivationMethod.PBKDF2,
                                   {"cryptographic_parameters": {"hashing_algorithm": E.HashingAlgorithm.SHA_256},
                                    "salt": b"salt", "iteration_count": 1000},
                                   cryptographic_length=128, cryptographic_algorithm=E.CryptographicAlgorithm.AES)
                want = PBKDF2HMAC(algorithm=hashes.SHA256(), length=16, salt=b"salt", iterations=1000).derive(b"password")
                run.eq(c.get(uid).value, want, "PBKDF2-HMAC-SHA256")

        with run.case("split key"):
            split = objects.SplitKey(cryptographic_algorithm=E.CryptographicAlgorithm.AES, cryptographic_length=128,
                                     key_value=bytes(16), name=run.unique("split"), split_key_parts=3,
                                     key_part_identifier=1, split_key_threshold=2,
                                     split_key_method=E.SplitKeyMethod.XOR)
            uid = c.register(split)
            got = c.get(uid)
            run.eq((got.value, got.split_key_parts, got.key_part_identifier), (bytes(16), 3, 1), "split key back")
            c.destroy(uid)
            run.fails("Get of a destroyed split key", lambda: c.get(uid),
                      common.reason_for(version, R.ITEM_NOT_FOUND, R.OBJECT_DESTROYED))

        with run.case("secret data by Name"):
            label = run.unique("confidential")
            uid = c.register(objects.SecretData(b"confidential data", E.SecretDataType.PASSWORD, name=label))
            found = c.locate(attributes=[c.attribute_factory.create_attribute(E.AttributeType.NAME, label)])
            run.eq(found, [uid], "Locate by Name")
            run.eq(c.get(found[0]).value, b"confidential data", "Get by the located id")
        c.close()

run.finish()
