"""One Discover Versions request from PyKMIP 0.11, optionally with a KMIP
Device credential, for the allowlist tests (tests/it/net_allowlist.rs),
which run it inside a network namespace:

    ip netns exec NS tests/.venv/bin/python tests/pykmip/allowlist_probe.py \
        --conf DATA/clients/default/pykmip.conf --host 198.18.7.1 --port 5696 \
        [--network-id 02:00:00:00:00:01] [--version 1.2] [--count 1]

Prints one line, `served` or `refused REASON: MESSAGE` (of the last
request, with `--count N`), and exits 0 when
the server answered at all; any other failure (TLS, connection) exits 2
with the error.
"""

import argparse
import sys

from kmip.core import enums
from kmip.core import objects
from kmip.services.kmip_client import KMIPProxy

VERSIONS = {
    "1.1": enums.KMIPVersion.KMIP_1_1,
    "1.2": enums.KMIPVersion.KMIP_1_2,
    "1.4": enums.KMIPVersion.KMIP_1_4,
    "2.0": enums.KMIPVersion.KMIP_2_0,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conf", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--network-id", help="send a Device credential with this Network Identifier")
    parser.add_argument("--version", default="1.2", choices=sorted(VERSIONS))
    parser.add_argument("--count", type=int, default=1, help="send this many requests on the one connection")
    args = parser.parse_args()

    credential = None
    if args.network_id is not None:
        credential = objects.Credential(
            credential_type=enums.CredentialType.DEVICE,
            credential_value=objects.DeviceCredential(
                device_serial_number="coffer-test-device",
                network_identifier=args.network_id,
            ),
        )
    proxy = KMIPProxy(
        host=args.host,
        port=args.port,
        config="client",
        config_file=args.conf,
        kmip_version=VERSIONS[args.version],
    )
    try:
        proxy.open()
        # PyKMIP's discover_versions() cannot read a failed item (it has no
        # payload): send the message and read the batch item directly.
        for _ in range(args.count):
            item = proxy._build_discover_versions_batch_item()
            response = proxy._send_and_receive_message(proxy._build_request_message(credential, [item]))
            result = response.batch_items[0]
    except Exception as e:  # noqa: BLE001: the test prints whatever broke
        print(f"error {type(e).__name__}: {e}")
        return 2
    finally:
        proxy.close()
    if result.result_status.value == enums.ResultStatus.SUCCESS:
        print("served")
    else:
        reason = result.result_reason.value.name if result.result_reason else "?"
        message = result.result_message.value if result.result_message else ""
        print(f"refused {reason}: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
