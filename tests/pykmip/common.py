"""What every end-to-end PyKMIP script shares: the command line, clients,
checks that collect failures instead of stopping at the first one, and a
small TTLV writer/reader for the few operations PyKMIP 0.11 has no API
for (Add Attribute, MAC Verify, RNG Retrieve, unsupported operations).

A script is run by the Rust tests (tests/it/pykmip_*.rs) as

    tests/.venv/bin/python tests/pykmip/SCRIPT.py --conf DATA/clients/default/pykmip.conf \
        [--versions 1.0,1.2,1.4,2.0] [--data DATA]

and exits 0 only if every check passed; otherwise it prints each failed
check (what was expected, what came back) and exits 1.
"""

import argparse
import contextlib
import os
import struct
import sys
import traceback

from kmip.core import enums
from kmip.core import exceptions as core_exceptions
from kmip.pie import exceptions as pie_exceptions
from kmip.pie.client import ProxyKmipClient
from kmip.services.kmip_client import KMIPProxy

E = enums
R = enums.ResultReason
V = enums.KMIPVersion

VERSIONS = {
    "1.0": V.KMIP_1_0,
    "1.1": V.KMIP_1_1,
    "1.2": V.KMIP_1_2,
    "1.3": V.KMIP_1_3,
    "1.4": V.KMIP_1_4,
    "2.0": V.KMIP_2_0,
}
VERSION_NUMBERS = {
    V.KMIP_1_0: (1, 0),
    V.KMIP_1_1: (1, 1),
    V.KMIP_1_2: (1, 2),
    V.KMIP_1_3: (1, 3),
    V.KMIP_1_4: (1, 4),
    V.KMIP_2_0: (2, 0),
}


def is_2x(version):
    """Whether `version` is KMIP 2.0 or later."""
    return VERSION_NUMBERS[version][0] >= 2


def defines(version, since):
    """Whether a client of `version` may ask for an operation KMIP defines
    from `since` (major, minor) on; the server answers Operation Not
    Supported to one it may not (e.g. Encrypt or Sign at 1.0/1.1)."""
    return VERSION_NUMBERS[version] >= since


def reason_for(version, legacy, modern):
    """The Result Reason a client of `version` must get: `legacy` for 1.x,
    `modern` for 2.x (a 2.x-only reason is never sent to a 1.x client)."""
    return modern if is_2x(version) else legacy


def not_found(version):
    """Unknown identifier: Item Not Found at 1.x, Object Not Found at 2.x (BL-M-4-21)."""
    return reason_for(version, R.ITEM_NOT_FOUND, R.OBJECT_NOT_FOUND)


def wrong_state(version):
    """A key whose state forbids the operation: Permission Denied at 1.x
    (CS-BC-M-14-14, SKLC-M-2-14), Wrong Key Lifecycle State at 2.x
    (CS-BC-M-14-21, SKLC-M-2-21)."""
    return reason_for(version, R.PERMISSION_DENIED, R.WRONG_KEY_LIFECYCLE_STATE)


def usage_denied(version):
    """A key whose Cryptographic Usage Mask lacks the bit: Permission Denied
    at 1.x, Incompatible Cryptographic Usage Mask at 2.x (BL-M-2-21, BL-M-3-21)."""
    return reason_for(version, R.PERMISSION_DENIED, R.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK)


# Result Reasons that KMIP 1.x does not define (2.0 added 0x19 and up).
REASONS_1X = {r for r in R if r.value <= 0x18 or r == R.GENERAL_FAILURE}


class Run:
    """One script's run: its arguments, its checks and their outcome."""

    def __init__(self, name):
        parser = argparse.ArgumentParser(prog=name)
        parser.add_argument("--conf", required=True, help="PyKMIP client configuration file")
        parser.add_argument("--versions", default="1.0,1.1,1.2,1.3,1.4,2.0")
        parser.add_argument("--data", help="the server's data directory")
        parser.add_argument("--only", help="run only this part (a script that has parts names them)")
        self.args = parser.parse_args()
        self.name = name
        self.versions = [VERSIONS[v] for v in self.args.versions.split(",") if v]
        self.failures = []
        self.checks = 0
        self.context = ""

    # --- clients -------------------------------------------------------

    def client(self, version=V.KMIP_1_2):
        """An open ProxyKmipClient speaking `version` (close it, or use `with`)."""
        c = ProxyKmipClient(config="client", config_file=self.args.conf, kmip_version=version)
        c.open()
        return c

    def unopened(self, version=V.KMIP_1_2):
        """A ProxyKmipClient not yet connected, for `with` (which opens it)."""
        return ProxyKmipClient(config="client", config_file=self.args.conf, kmip_version=version)

    def proxy(self, version=V.KMIP_1_2):
        """An open KMIPProxy (the lower-level PyKMIP client) speaking `version`."""
        p = KMIPProxy(config="client", config_file=self.args.conf, kmip_version=version)
        p.open()
        return p

    def unique(self, label):
        """A name no other object of this run has: PyKMIP names every object it
        registers ("Symmetric Key" by default) and the server keeps Names unique."""
        self._names = getattr(self, "_names", 0) + 1
        return f"{self.name}-{label}-{os.getpid()}-{self._names}"

    # --- checks --------------------------------------------------------

    def fail(self, what):
        self.failures.append(f"[{self.context}] {what}")

    def check(self, ok, what):
        """Records one check; `what` says what was expected and what came back."""
        self.checks += 1
        if not ok:
            self.fail(what)
        return ok

    def eq(self, got, want, what):
        return self.check(got == want, f"{what}: expected {want!r}, got {got!r}")

    def fails(self, what, fn, reason, status=E.ResultStatus.OPERATION_FAILED, version=None):
        """Calls `fn` and checks that it fails with exactly `status` and
        `reason`; for a 1.x `version`, also that the reason is one 1.x defines."""
        self.checks += 1
        try:
            result = fn()
        except (pie_exceptions.KmipOperationFailure, core_exceptions.KmipError) as e:
            got = (getattr(e, "status", None), getattr(e, "reason", None))
            message = getattr(e, "message", None) or str(e)
            if got != (status, reason):
                self.fail(f"{what}: expected {status.name}/{reason.name}, got {got[0]}/{got[1]} ({message})")
                return None
            if version is not None and not is_2x(version) and reason not in REASONS_1X:
                self.fail(f"{what}: reason {reason.name} does not exist in KMIP 1.x")
            return e
        except Exception as e:  # noqa: BLE001 - any other error is a failed check, with its cause
            self.fail(f"{what}: expected {status.name}/{reason.name}, raised {type(e).__name__}: {e}")
            return None
        self.fail(f"{what}: expected {status.name}/{reason.name}, succeeded with {result!r}")
        return None

    def fails_somehow(self, what, fn, version):
        """Calls `fn` and checks that it fails with Operation Failed; for a 1.x
        `version`, with a reason that KMIP 1.x defines (for errors whose
        exact reason no OASIS case fixes)."""
        self.checks += 1
        try:
            result = fn()
        except (pie_exceptions.KmipOperationFailure, core_exceptions.KmipError) as e:
            status, reason = getattr(e, "status", None), getattr(e, "reason", None)
            if status != E.ResultStatus.OPERATION_FAILED:
                self.fail(f"{what}: expected OPERATION_FAILED, got {status}/{reason}")
            elif not is_2x(version) and reason not in REASONS_1X:
                self.fail(f"{what}: a 1.x client got {reason}, which KMIP 1.x does not define")
            return e
        except Exception as e:  # noqa: BLE001 - any other error is a failed check, with its cause
            self.fail(f"{what}: expected OPERATION_FAILED, raised {type(e).__name__}: {e}")
            return None
        self.fail(f"{what}: expected a failure, succeeded with {result!r}")
        return None

    @contextlib.contextmanager
    def case(self, name):
        """A named group of checks; an unexpected exception fails the group
        (with its traceback) and the script goes on with the next group."""
        outer = self.context
        self.context = f"{outer} {name}".strip()
        try:
            yield
        except Exception:  # noqa: BLE001 - report and continue with the next case
            self.checks += 1
            self.fail("raised:\n" + traceback.format_exc())
        finally:
            self.context = outer

    def finish(self):
        """Prints the outcome and exits: 0 if every check passed."""
        for f in self.failures:
            print("FAILED " + f)
        print(f"{self.name}: {self.checks} checks, {len(self.failures)} failed")
        sys.stdout.flush()
        sys.exit(1 if self.failures else 0)


# --- a small TTLV writer and reader --------------------------------------

STRUCTURE, INTEGER, LONG, BIG, ENUM, BOOL, TEXT, BYTES, DATETIME, INTERVAL = (
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
)


def tag(t):
    """A tag as an int, from a PyKMIP Tags enumeration or an int."""
    return t.value if hasattr(t, "value") else t


def _item(t, typ, body):
    pad = (8 - len(body) % 8) % 8
    return struct.pack(">I", tag(t))[1:] + bytes([typ]) + struct.pack(">I", len(body)) + body + b"\0" * pad


def st(t, *children):
    return _item(t, STRUCTURE, b"".join(children))


def integer(t, v):
    return _item(t, INTEGER, struct.pack(">i", v))


def long_(t, v):
    return _item(t, LONG, struct.pack(">q", v))


def enum(t, v):
    return _item(t, ENUM, struct.pack(">I", v.value if hasattr(v, "value") else v))


def boolean(t, v):
    return _item(t, BOOL, struct.pack(">Q", 1 if v else 0))


def text(t, v):
    return _item(t, TEXT, v.encode())


def byte_string(t, v):
    return _item(t, BYTES, bytes(v))


class Item:
    """One decoded TTLV item: tag (int), type, value (list of Item for a structure)."""

    def __init__(self, tag_, typ, value):
        self.tag, self.type, self.value = tag_, typ, value

    def all(self, t):
        return [c for c in self.value if c.tag == tag(t)] if self.type == STRUCTURE else []

    def get(self, t):
        found = self.all(t)
        return found[0] if found else None

    def find(self, t):
        """The first item with tag `t` anywhere below (depth first)."""
        if self.type != STRUCTURE:
            return None
        for c in self.value:
            if c.tag == tag(t):
                return c
            deeper = c.find(t)
            if deeper is not None:
                return deeper
        return None

    def __repr__(self):
        return f"Item(0x{self.tag:06X}, {self.type}, {self.value!r})"


def decode(data):
    """Decodes one TTLV item (and what it contains) from `data`."""
    data = bytes(data)
    item, end = _decode_at(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} trailing bytes")
    return item


def _decode_at(data, at):
    t = int.from_bytes(data[at:at + 3], "big")
    typ = data[at + 3]
    n = struct.unpack(">I", data[at + 4:at + 8])[0]
    body = data[at + 8:at + 8 + n]
    end = at + 8 + n + ((8 - n % 8) % 8 if typ not in (STRUCTURE,) else 0)
    if typ == STRUCTURE:
        children, pos = [], 0
        while pos < n:
            child, used = _decode_at(body, pos)
            children.append(child)
            pos = used
        value = children
    elif typ in (INTEGER, ENUM):
        value = struct.unpack(">i" if typ == INTEGER else ">I", body[:4])[0]
    elif typ in (LONG, DATETIME):
        value = struct.unpack(">q", body)[0]
    elif typ == BOOL:
        value = struct.unpack(">Q", body)[0] != 0
    elif typ == TEXT:
        value = body.decode()
    elif typ == INTERVAL:
        value = struct.unpack(">I", body[:4])[0]
    else:
        value = body
    return Item(t, typ, value), end


T = enums.Tags


def request(version, *batch_items):
    """A whole Request Message in `version` with the given batch items."""
    major, minor = VERSION_NUMBERS[version]
    header = st(
        T.REQUEST_HEADER,
        st(T.PROTOCOL_VERSION, integer(T.PROTOCOL_VERSION_MAJOR, major), integer(T.PROTOCOL_VERSION_MINOR, minor)),
        integer(T.BATCH_COUNT, len(batch_items)),
    )
    return st(T.REQUEST_MESSAGE, header, *batch_items)


def batch_item(operation, *payload):
    return st(T.BATCH_ITEM, enum(T.OPERATION, operation), st(T.REQUEST_PAYLOAD, *payload))


def exchange(proxy, message):
    """Sends raw message bytes on an open KMIPProxy's TLS connection and
    returns the decoded response message."""
    proxy.protocol.write(message)
    return decode(proxy.protocol.read().buffer)


class RawResult:
    """The first batch item of a raw response: status, reason, message, payload."""

    def __init__(self, response):
        item = response.get(T.BATCH_ITEM)
        self.item = item
        status = item.get(T.RESULT_STATUS) if item else None
        reason = item.get(T.RESULT_REASON) if item else None
        message = item.get(T.RESULT_MESSAGE) if item else None
        self.status = E.ResultStatus(status.value) if status else None
        self.reason = R(reason.value) if reason else None
        self.message = message.value if message else None
        self.payload = item.get(T.RESPONSE_PAYLOAD) if item else None


def raw_call(proxy, version, operation, *payload):
    """One operation, encoded by hand, over PyKMIP's connection; raises
    KmipError on a failed result (so Run.fails works), else returns RawResult."""
    result = RawResult(exchange(proxy, request(version, batch_item(operation, *payload))))
    if result.status != E.ResultStatus.SUCCESS:
        raise core_exceptions.KmipError(result.status, result.reason, result.message)
    return result
