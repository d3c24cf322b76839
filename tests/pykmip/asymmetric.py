"""Create Key Pair, Sign, Signature Verify and RSA Encrypt/Decrypt with
PyKMIP 0.11 against the server, once per protocol version, and the openssl
command line on the other side:

- each RSA size (2048, 3072, 4096) and curve (P-256, P-384, P-521; Ed25519
  at 2.0) is created, signed with, and verified by the server;
- the server's signatures verify with `openssl dgst -verify` (RSA PKCS#1
  v1.5 and PSS, ECDSA) and `openssl pkeyutl -verify -rawin` (Ed25519), the
  public key exported with Get;
- openssl's signatures (made with the private key exported with Get)
  verify in the server, and a changed message does not;
- an `openssl pkeyutl -encrypt` RSA-OAEP ciphertext (SHA-1 and SHA-256)
  decrypts in the server, and the server's OAEP ciphertext decrypts with
  `openssl pkeyutl -decrypt`;
- refusals: the wrong half of a pair, a Pre-Active key, a usage mask
  without Sign, with the reason the client's version expects.
"""

import atexit
import os
import shutil
import subprocess
import tempfile

from cryptography.hazmat.primitives import serialization

import common
from common import E, R

run = common.Run("asymmetric.py")

DATA = b"coffer signs this message for openssl to check"
ALG = E.CryptographicAlgorithm
HASH = E.HashingAlgorithm
DSA = E.DigitalSignatureAlgorithm
PAD = E.PaddingMethod
MASK = E.CryptographicUsageMask
VALID = E.ValidityIndicator.VALID
INVALID = E.ValidityIndicator.INVALID
WORK = tempfile.mkdtemp(prefix="coffer-asym-")
# It holds private keys exported from the server: gone when the test ends.
atexit.register(shutil.rmtree, WORK, ignore_errors=True)


def path(name):
    return os.path.join(WORK, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)
    return path(name)


def openssl(*args, stdin=None):
    """Runs the openssl CLI; (exit code, stdout + stderr)."""
    p = subprocess.run(["openssl", *args], input=stdin, capture_output=True)
    return p.returncode, p.stdout + p.stderr


def public_pem(client, uid, name):
    """The public key exported with Get, as a PEM SubjectPublicKeyInfo file."""
    key = serialization.load_der_public_key(client.get(uid).value)
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return write(name, pem)


def private_pem(client, uid, name):
    """The private key exported with Get, as an unencrypted PKCS#8 PEM file."""
    key = serialization.load_der_private_key(client.get(uid).value, password=None)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return write(name, pem)


def pair(client, algorithm, length, private_mask=(MASK.SIGN,), public_mask=(MASK.VERIFY,), activate=True):
    public, private = client.create_key_pair(
        algorithm,
        length,
        public_name=run.unique("pub"),
        public_usage_mask=list(public_mask),
        private_name=run.unique("priv"),
        private_usage_mask=list(private_mask),
    )
    if activate:
        client.activate(private)
        client.activate(public)
    return public, private


# (label, algorithm, length, Cryptographic Parameters, openssl dgst options)
SCHEMES = [
    ("RSA-2048 PKCS#1 v1.5 SHA-256", ALG.RSA, 2048, {"digital_signature_algorithm": DSA.SHA256_WITH_RSA_ENCRYPTION},
     ["-sha256"]),
    ("RSA-3072 PSS SHA-384", ALG.RSA, 3072,
     {"cryptographic_algorithm": ALG.RSA, "hashing_algorithm": HASH.SHA_384, "padding_method": PAD.PSS},
     ["-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-1"]),
    ("RSA-4096 PKCS#1 v1.5 SHA-512", ALG.RSA, 4096, {"digital_signature_algorithm": DSA.SHA512_WITH_RSA_ENCRYPTION},
     ["-sha512"]),
    ("ECDSA P-256 SHA-256", ALG.EC, 256, {"digital_signature_algorithm": DSA.ECDSA_WITH_SHA256}, ["-sha256"]),
    ("ECDSA P-384 SHA-384", ALG.ECDSA, 384, {"digital_signature_algorithm": DSA.ECDSA_WITH_SHA384}, ["-sha384"]),
    ("ECDSA P-521 SHA-512", ALG.EC, 521, {"digital_signature_algorithm": DSA.ECDSA_WITH_SHA512}, ["-sha512"]),
]


for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    with run.case(f"KMIP {vname}"):
        c = run.client(version)
        if not common.defines(version, (1, 2)):
            # Create Key Pair is a 1.0 operation; Sign and Signature Verify are 1.2 ones.
            public, private = pair(c, ALG.RSA, 2048)
            run.fails("Sign before 1.2", lambda: c.sign(DATA, uid=private), R.OPERATION_NOT_SUPPORTED, version=version)
            continue
        schemes = list(SCHEMES)
        if common.is_2x(version):
            schemes.append(("Ed25519", ALG.ED25519, 256, {"cryptographic_algorithm": ALG.ED25519}, None))
        for label, algorithm, length, params, dgst in schemes:
            with run.case(label):
                public, private = pair(c, algorithm, length)
                run.check(public != private, "two objects")
                sig = c.sign(DATA, uid=private, cryptographic_parameters=params)
                run.eq(c.signature_verify(DATA, sig, uid=public, cryptographic_parameters=params), VALID,
                       "the server verifies its own signature")
                run.eq(c.signature_verify(DATA + b"!", sig, uid=public, cryptographic_parameters=params), INVALID,
                       "a changed message does not verify")
                pub_pem = public_pem(c, public, "pub.pem")
                data = write("data.bin", DATA)
                sig_file = write("sig.bin", sig)
                if dgst is None:
                    code, out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub_pem, "-rawin", "-in", data,
                                        "-sigfile", sig_file)
                else:
                    code, out = openssl("dgst", *dgst, "-verify", pub_pem, "-signature", sig_file, data)
                run.check(code == 0, f"openssl verifies the server's signature: {out!r}")
                # openssl signs with the private key (exported with Get); the server verifies.
                priv_pem = private_pem(c, private, "priv.pem")
                if dgst is None:
                    code, out = openssl("pkeyutl", "-sign", "-inkey", priv_pem, "-rawin", "-in", data,
                                        "-out", path("ossl.sig"))
                else:
                    code, out = openssl("dgst", *dgst, "-sign", priv_pem, "-out", path("ossl.sig"), data)
                run.check(code == 0, f"openssl signs: {out!r}")
                with open(path("ossl.sig"), "rb") as f:
                    theirs = f.read()
                run.eq(c.signature_verify(DATA, theirs, uid=public, cryptographic_parameters=params), VALID,
                       "the server verifies openssl's signature")
                run.eq(c.signature_verify(b"other", theirs, uid=public, cryptographic_parameters=params), INVALID,
                       "openssl's signature over another message does not verify")

        with run.case("RSA-OAEP with openssl"):
            public, private = pair(c, ALG.RSA, 2048, (MASK.DECRYPT,), (MASK.ENCRYPT,))
            pub_pem = public_pem(c, public, "oaep.pem")
            secret = write("secret.bin", b"a 32-byte key for AES-256 wraps.")
            for md, hashing in (("sha1", HASH.SHA_1), ("sha256", HASH.SHA_256)):
                code, out = openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", pub_pem, "-in", secret,
                                    "-out", path("ct.bin"), "-pkeyopt", "rsa_padding_mode:oaep",
                                    "-pkeyopt", f"rsa_oaep_md:{md}", "-pkeyopt", f"rsa_mgf1_md:{md}")
                run.check(code == 0, f"openssl encrypts ({md}): {out!r}")
                with open(path("ct.bin"), "rb") as f:
                    ct = f.read()
                params = {"cryptographic_algorithm": ALG.RSA, "padding_method": PAD.OAEP, "hashing_algorithm": hashing}
                run.eq(c.decrypt(ct, uid=private, cryptographic_parameters=params),
                       b"a 32-byte key for AES-256 wraps.", f"the server decrypts openssl's OAEP-{md}")
            # The server encrypts (OAEP SHA-256), openssl decrypts with the exported private key.
            priv_pem = private_pem(c, private, "oaep-priv.pem")
            params = {"cryptographic_algorithm": ALG.RSA, "padding_method": PAD.OAEP, "hashing_algorithm": HASH.SHA_256}
            ct, _ = c.encrypt(b"from coffer", uid=public, cryptographic_parameters=params)
            code, out = openssl("pkeyutl", "-decrypt", "-inkey", priv_pem, "-in", write("ct2.bin", ct),
                                "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
                                "-pkeyopt", "rsa_mgf1_md:sha256")
            run.check(code == 0 and out == b"from coffer", f"openssl decrypts the server's OAEP: {out!r}")

        with run.case("refusals"):
            public, private = pair(c, ALG.EC, 256, activate=False)
            run.fails("Sign with a Pre-Active key", lambda: c.sign(DATA, uid=private), common.wrong_state(version),
                      version=version)
            c.activate(private)
            c.activate(public)
            wrong_type = common.reason_for(version, R.PERMISSION_DENIED, R.ILLEGAL_OBJECT_TYPE)
            run.fails("Sign with the public key", lambda: c.sign(DATA, uid=public), wrong_type, version=version)
            run.fails("Verify with the private key", lambda: c.signature_verify(DATA, b"x" * 64, uid=private),
                      wrong_type, version=version)
            public, private = pair(c, ALG.RSA, 2048, (MASK.DECRYPT,), (MASK.ENCRYPT,))
            run.fails("Sign with a key whose mask lacks Sign", lambda: c.sign(DATA, uid=private),
                      common.usage_denied(version), version=version)
        c.close()

run.finish()
