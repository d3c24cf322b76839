"""Encrypt, Decrypt, MAC, MAC Verify and RNG Retrieve against the server,
checked against the `cryptography` package computing the same thing with
the same key, once per protocol version; the Cryptographic Usage Mask and
the key's state are enforced with the reason the client's version expects.

PyKMIP 0.11 has no call for MAC Verify and RNG Retrieve, and its Encrypt
call drops the AAD: those go through KMIPProxy.send_request_payload (AAD)
or are encoded by hand over PyKMIP's own connection (common.raw_call).
"""

import hashlib
import hmac

from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from kmip.core import attributes as core_attributes
from kmip.core.messages import payloads
from kmip.pie import objects

import common
from common import E, R, T

run = common.Run("crypto.py")

KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
HMAC_KEY = bytes(range(64, 96))
DATA = b"Attack at dawn; bring the 64-byte payload along with you, please!"
ALG = E.CryptographicAlgorithm.AES
ENCRYPT_DECRYPT = [E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT]


def register_active(client, algorithm, length, value, masks):
    uid = client.register(objects.SymmetricKey(algorithm, length, value, masks=masks, name=run.unique("key")))
    client.activate(uid)
    return uid


def local(mode, iv=None):
    return Cipher(algorithms.AES(KEY), mode(iv) if iv is not None else mode())


for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    with run.case(f"KMIP {vname}"):
        c = run.client(version)
        proxy = c.proxy
        uid = register_active(c, ALG, 256, KEY, ENCRYPT_DECRYPT)
        if not common.defines(version, (1, 2)):
            # Encrypt and Decrypt are KMIP 1.2 operations.
            ecb = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.ECB}
            run.fails("Encrypt before 1.2", lambda: c.encrypt(DATA[:16], uid, ecb), R.OPERATION_NOT_SUPPORTED,
                      version=version)
            run.fails("Decrypt before 1.2", lambda: c.decrypt(DATA[:16], uid, ecb), R.OPERATION_NOT_SUPPORTED,
                      version=version)
            continue

        with run.case("ECB"):
            block = DATA[:64]
            ct, iv = c.encrypt(block, uid, {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.ECB})
            enc = local(modes.ECB).encryptor()
            run.eq(ct, enc.update(block) + enc.finalize(), "ECB ciphertext")
            run.eq(iv, None, "ECB returns no IV")
            pt = c.decrypt(ct, uid, {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.ECB})
            run.eq(pt, block, "ECB round trip")

        with run.case("CBC with PKCS#5 padding, client IV"):
            params = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.CBC,
                      "padding_method": E.PaddingMethod.PKCS5}
            iv = bytes(range(16))
            ct, returned_iv = c.encrypt(DATA, uid, params, iv_counter_nonce=iv)
            padder = sym_padding.PKCS7(128).padder()
            enc = local(modes.CBC, iv).encryptor()
            expected = enc.update(padder.update(DATA) + padder.finalize()) + enc.finalize()
            run.eq(ct, expected, "CBC ciphertext")
            run.eq(returned_iv, None, "no IV is returned when the client sent one")
            run.eq(c.decrypt(ct, uid, params, iv_counter_nonce=iv), DATA, "CBC round trip")

        with run.case("CBC, server-generated IV"):
            params = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.CBC,
                      "padding_method": E.PaddingMethod.PKCS5}
            ct, iv = c.encrypt(DATA, uid, params)
            run.check(iv is not None and len(iv) == 16, f"a 16-byte IV is returned when the client sent none: {iv!r}")
            if iv:
                dec = local(modes.CBC, iv).decryptor()
                unpadder = sym_padding.PKCS7(128).unpadder()
                plain = unpadder.update(dec.update(ct) + dec.finalize()) + unpadder.finalize()
                run.eq(plain, DATA, "the returned IV decrypts the ciphertext locally")
                run.eq(c.decrypt(ct, uid, params, iv_counter_nonce=iv), DATA, "server round trip with the returned IV")
            ct2, iv2 = c.encrypt(DATA, uid, params)
            run.check(iv2 != iv, "a fresh IV for each Encrypt")

        with run.case("CBC, wrong padding"):
            params = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.CBC,
                      "padding_method": E.PaddingMethod.PKCS5}
            garbage = bytes(32)
            run.fails("Decrypt of data whose padding is wrong",
                      lambda: c.decrypt(garbage, uid, params, iv_counter_nonce=bytes(16)),
                      R.CRYPTOGRAPHIC_FAILURE, version=version)

        with run.case("CTR"):
            params = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.CTR}
            nonce = bytes(range(100, 116))
            ct, _ = c.encrypt(DATA, uid, params, iv_counter_nonce=nonce)
            enc = local(modes.CTR, nonce).encryptor()
            run.eq(ct, enc.update(DATA) + enc.finalize(), "CTR ciphertext")
            run.eq(c.decrypt(ct, uid, params, iv_counter_nonce=nonce), DATA, "CTR round trip")
            # No counter block from the client, and Random IV asked for: the server makes one.
            ct, nonce = c.encrypt(DATA, uid, dict(params, random_iv=True))
            run.check(nonce is not None and len(nonce) == 16, f"CTR: a 16-byte counter block is returned: {nonce!r}")
            if nonce:
                dec = local(modes.CTR, nonce).decryptor()
                run.eq(dec.update(ct) + dec.finalize(), DATA, "CTR with the server's counter block decrypts locally")

        with run.case("GCM with tag length and AAD"):
            if version.value < E.KMIPVersion.KMIP_1_4.value:
                # The Authenticated Encryption fields are KMIP 1.4's: older
                # clients cannot send the AAD nor read the tag.
                cp = core_attributes.CryptographicParameters(
                    cryptographic_algorithm=ALG, block_cipher_mode=E.BlockCipherMode.GCM, tag_length=16)
                run.fails(f"GCM at {vname}", lambda: proxy.send_request_payload(
                    E.Operation.ENCRYPT, payloads.EncryptRequestPayload(
                        unique_identifier=uid, cryptographic_parameters=cp, data=DATA, iv_counter_nonce=bytes(12))),
                    R.FEATURE_NOT_SUPPORTED, version=version)
            else:
                aad = b"header that is authenticated, not encrypted"
                iv = bytes(range(12))
                cp = core_attributes.CryptographicParameters(
                    cryptographic_algorithm=ALG, block_cipher_mode=E.BlockCipherMode.GCM, tag_length=16)
                rs = proxy.send_request_payload(E.Operation.ENCRYPT, payloads.EncryptRequestPayload(
                    unique_identifier=uid, cryptographic_parameters=cp, data=DATA, iv_counter_nonce=iv,
                    auth_additional_data=aad))
                expected = AESGCM(KEY).encrypt(iv, DATA, aad)
                run.eq(rs.data, expected[:-16], "GCM ciphertext")
                run.eq(rs.auth_tag, expected[-16:], "GCM tag (16 bytes)")
                rs = proxy.send_request_payload(E.Operation.DECRYPT, payloads.DecryptRequestPayload(
                    unique_identifier=uid, cryptographic_parameters=cp, data=expected[:-16], iv_counter_nonce=iv,
                    auth_additional_data=aad, auth_tag=expected[-16:]))
                run.eq(rs.data, DATA, "GCM round trip")
                run.fails("GCM Decrypt with a wrong tag", lambda: proxy.send_request_payload(
                    E.Operation.DECRYPT, payloads.DecryptRequestPayload(
                        unique_identifier=uid, cryptographic_parameters=cp, data=expected[:-16], iv_counter_nonce=iv,
                        auth_additional_data=aad, auth_tag=bytes(16))), R.CRYPTOGRAPHIC_FAILURE, version=version)
                run.fails("GCM Decrypt with other AAD", lambda: proxy.send_request_payload(
                    E.Operation.DECRYPT, payloads.DecryptRequestPayload(
                        unique_identifier=uid, cryptographic_parameters=cp, data=expected[:-16], iv_counter_nonce=iv,
                        auth_additional_data=b"other", auth_tag=expected[-16:])), R.CRYPTOGRAPHIC_FAILURE, version=version)
                # A shorter tag: 12 bytes.
                cp12 = core_attributes.CryptographicParameters(
                    cryptographic_algorithm=ALG, block_cipher_mode=E.BlockCipherMode.GCM, tag_length=12)
                rs = proxy.send_request_payload(E.Operation.ENCRYPT, payloads.EncryptRequestPayload(
                    unique_identifier=uid, cryptographic_parameters=cp12, data=DATA, iv_counter_nonce=iv,
                    auth_additional_data=aad))
                run.eq(rs.auth_tag, expected[-16:-4], "GCM tag truncated to 12 bytes")
                # No IV from the client: the server makes one and returns it.
                rs = proxy.send_request_payload(E.Operation.ENCRYPT, payloads.EncryptRequestPayload(
                    unique_identifier=uid, cryptographic_parameters=cp, data=DATA, auth_additional_data=aad))
                run.check(rs.iv_counter_nonce is not None, "GCM: the server returns the IV it generated")
                if rs.iv_counter_nonce:
                    run.eq(AESGCM(KEY).decrypt(rs.iv_counter_nonce, rs.data + rs.auth_tag, aad), DATA,
                           "GCM with the server's IV decrypts locally")

        with run.case("Usage mask: a key without Encrypt"):
            dec_only = register_active(c, ALG, 256, KEY, [E.CryptographicUsageMask.DECRYPT])
            params = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.ECB}
            run.fails("Encrypt with a key whose mask lacks Encrypt", lambda: c.encrypt(bytes(16), dec_only, params),
                      common.usage_denied(version), version=version)
            run.eq(c.decrypt(bytes(16), dec_only, params), local(modes.ECB).decryptor().update(bytes(16)),
                   "Decrypt with the same key is allowed")
            enc_only = register_active(c, ALG, 256, KEY, [E.CryptographicUsageMask.ENCRYPT])
            run.fails("Decrypt with a key whose mask lacks Decrypt", lambda: c.decrypt(bytes(16), enc_only, params),
                      common.usage_denied(version), version=version)
            run.fails("MAC with an AES key without MAC Generate",
                      lambda: c.mac(b"data", enc_only, E.CryptographicAlgorithm.HMAC_SHA256),
                      common.usage_denied(version), version=version)

        with run.case("MAC and MAC Verify"):
            mac_masks = [E.CryptographicUsageMask.MAC_GENERATE, E.CryptographicUsageMask.MAC_VERIFY]
            hk = register_active(c, E.CryptographicAlgorithm.HMAC_SHA256, 256, HMAC_KEY, mac_masks)
            message = b"the message to authenticate"
            got_uid, mac = c.mac(message, hk, E.CryptographicAlgorithm.HMAC_SHA256)
            run.eq(got_uid, hk, "MAC names the key")
            expected = hmac.new(HMAC_KEY, message, hashlib.sha256).digest()
            run.eq(mac, expected, "HMAC-SHA256")
            _, mac0 = c.mac(message, hk)
            run.eq(mac0, expected, "MAC with the key's own algorithm (no parameters)")

            def mac_verify(data, mac_data):
                rs = common.raw_call(
                    proxy, version, E.Operation.MAC_VERIFY,
                    common.text(T.UNIQUE_IDENTIFIER, hk),
                    common.st(T.CRYPTOGRAPHIC_PARAMETERS,
                              common.enum(T.CRYPTOGRAPHIC_ALGORITHM, E.CryptographicAlgorithm.HMAC_SHA256)),
                    common.byte_string(T.DATA, data),
                    common.byte_string(T.MAC_DATA, mac_data),
                )
                ind = rs.payload.get(T.VALIDITY_INDICATOR)
                return E.ValidityIndicator(ind.value) if ind else None

            run.eq(mac_verify(message, expected), E.ValidityIndicator.VALID, "MAC Verify of the right MAC")
            run.eq(mac_verify(message, bytes(32)), E.ValidityIndicator.INVALID, "MAC Verify of a wrong MAC")
            run.eq(mac_verify(b"other message", expected), E.ValidityIndicator.INVALID, "MAC Verify of other data")
            gen_only = register_active(c, E.CryptographicAlgorithm.HMAC_SHA256, 256, HMAC_KEY,
                                       [E.CryptographicUsageMask.MAC_GENERATE])
            run.fails("MAC Verify with a key without MAC Verify", lambda: common.raw_call(
                proxy, version, E.Operation.MAC_VERIFY, common.text(T.UNIQUE_IDENTIFIER, gen_only),
                common.byte_string(T.DATA, message), common.byte_string(T.MAC_DATA, expected)),
                common.usage_denied(version), version=version)
            c.revoke(E.RevocationReasonCode.CESSATION_OF_OPERATION, hk)
            run.fails("MAC with a Deactivated key", lambda: c.mac(message, hk),
                      common.wrong_state(version), version=version)

        with run.case("RNG Retrieve"):
            # RNG Retrieve is a KMIP 1.3 operation; the server also answers older clients.
            rs = common.raw_call(proxy, version, E.Operation.RNG_RETRIEVE, common.integer(T.DATA_LENGTH, 32))
            data = rs.payload.get(T.DATA)
            run.eq(len(data.value) if data else None, 32, "RNG Retrieve of 32 bytes")
            rs2 = common.raw_call(proxy, version, E.Operation.RNG_RETRIEVE, common.integer(T.DATA_LENGTH, 32))
            run.check(rs2.payload.get(T.DATA).value != data.value, "two RNG Retrieves differ")
            run.fails("RNG Retrieve of 0 bytes", lambda: common.raw_call(
                proxy, version, E.Operation.RNG_RETRIEVE, common.integer(T.DATA_LENGTH, 0)),
                R.INVALID_FIELD, version=version)

        with run.case("bad parameters: a 1.x client gets only 1.x reasons"):
            ecb = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.ECB}
            run.fails_somehow("ECB of data that is not whole blocks", lambda: c.encrypt(b"short", uid, ecb), version)
            run.fails_somehow("CBC with an 8-byte IV", lambda: c.encrypt(DATA, uid, dict(
                ecb, block_cipher_mode=E.BlockCipherMode.CBC, padding_method=E.PaddingMethod.PKCS5),
                iv_counter_nonce=bytes(8)), version)
            run.fails_somehow("Encrypt asking for HMAC with an AES key", lambda: c.encrypt(DATA, uid, dict(
                ecb, cryptographic_algorithm=E.CryptographicAlgorithm.HMAC_SHA256)), version)
            run.fails_somehow("GCM with a 3-byte tag", lambda: proxy.send_request_payload(
                E.Operation.ENCRYPT, payloads.EncryptRequestPayload(
                    unique_identifier=uid, data=DATA, iv_counter_nonce=bytes(12),
                    cryptographic_parameters=core_attributes.CryptographicParameters(
                        cryptographic_algorithm=ALG, block_cipher_mode=E.BlockCipherMode.GCM, tag_length=3))),
                version)
            run.fails_somehow("Encrypt with a Secret Data object", lambda: c.encrypt(DATA, c.register(
                objects.SecretData(KEY, E.SecretDataType.PASSWORD, name=run.unique("sd"))), ecb), version)
            run.fails_somehow("MAC with an AES key", lambda: c.mac(DATA, uid), version)

        with run.case("Encrypt with a Pre-Active key, then revoked"):
            pre = c.register(objects.SymmetricKey(ALG, 256, KEY, masks=ENCRYPT_DECRYPT, name=run.unique("pre")))
            params = {"cryptographic_algorithm": ALG, "block_cipher_mode": E.BlockCipherMode.ECB}
            run.fails("Encrypt with a Pre-Active key", lambda: c.encrypt(bytes(16), pre, params),
                      common.wrong_state(version), version=version)
            c.activate(pre)
            c.encrypt(bytes(16), pre, params)
            c.revoke(E.RevocationReasonCode.KEY_COMPROMISE, pre, compromise_occurrence_date=1700000000)
            run.fails("Encrypt with a Compromised key", lambda: c.encrypt(bytes(16), pre, params),
                      common.wrong_state(version), version=version)

        c.close()

run.finish()
