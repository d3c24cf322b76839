"""Obtain Lease (KMIP 1.4 §4.18, 2.1 §6.1.34), encoded by hand over PyKMIP
0.11's connection (its clients have no Obtain Lease call), once per protocol
version: a new key carries the server's default Lease Time (3600 s, the
value the OASIS reference server gives), Obtain Lease answers it with the
key's Last Change Date; an unknown identifier is refused with the reason
the client's version expects.
"""

import common
from common import E, T

run = common.Run("lease.py")

for version in run.versions:
    vname = ".".join(map(str, common.VERSION_NUMBERS[version]))
    with run.case(f"KMIP {vname}"):
        c = run.client(version)
        proxy = c.proxy
        uid = c.create(E.CryptographicAlgorithm.AES, 256)

        with run.case("Obtain Lease of a key"):
            rs = common.raw_call(proxy, version, E.Operation.OBTAIN_LEASE, common.text(T.UNIQUE_IDENTIFIER, uid))
            run.eq(rs.payload.get(T.UNIQUE_IDENTIFIER).value, uid, "the key's identifier")
            lease = rs.payload.get(T.LEASE_TIME)
            run.eq(lease.value if lease else None, 3600, "the key's Lease Time: the server default, 3600 s")
            changed = rs.payload.get(T.LAST_CHANGE_DATE)
            run.check(changed is not None and changed.value > 0, f"a Last Change Date: {changed}")

        with run.case("Obtain Lease of an unknown identifier"):
            run.fails("Obtain Lease", lambda: common.raw_call(
                proxy, version, E.Operation.OBTAIN_LEASE,
                common.text(T.UNIQUE_IDENTIFIER, "00000000-0000-0000-0000-000000000000")),
                common.not_found(version), version=version)

run.finish()
