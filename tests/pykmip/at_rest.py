"""Registers a known key with PyKMIP (KMIP 1.2) and reads it back, for the
at-rest test (tests/it/pykmip_at_rest.rs), which then stops the server and
scans its redb file for the key's bytes.

Usage: at_rest.py --conf PYKMIP_CONF --key HEX --name NAME
Prints `uid=<Unique Identifier>` on success.
"""

import sys

from kmip.pie import objects

import common
from common import E

NAME = "--name"
KEY = "--key"


def take(flag):
    """Removes `flag VALUE` from the command line and returns VALUE."""
    at = sys.argv.index(flag)
    value = sys.argv[at + 1]
    del sys.argv[at:at + 2]
    return value


name = take(NAME)
key = bytes.fromhex(take(KEY))
run = common.Run("at_rest.py")

with run.case("Register a known key"):
    with run.unopened(E.KMIPVersion.KMIP_1_2) as c:
        uid = c.register(objects.SymmetricKey(
            E.CryptographicAlgorithm.AES, 8 * len(key), key, name=name,
            masks=[E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT]))
        run.eq(c.get(uid).value, key, "Get returns the registered bytes")
        secret = c.register(objects.SecretData(key, E.SecretDataType.SEED, name=name + "-secret"))
        run.eq(c.get(secret).value, key, "the same bytes as Secret Data")
        print(f"uid={uid}")

run.finish()
