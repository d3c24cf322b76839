#!/bin/sh
# Seeds the ttlv_roundtrip corpus with every well-formed message from the
# shared KMIP vectors (Tesco 1.1 test cases, NLnetLabs spec hex, PyKMIP unit
# fragments, PyKMIP client/server captures). Idempotent: files are named by
# content hash. Needs python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vectors="$here/../../../shared/kmip-vectors"
out="$here/corpus/ttlv_roundtrip"
mkdir -p "$out"
python3 - "$vectors" "$out" <<'PY'
import hashlib, json, os, sys
vectors, out = sys.argv[1], sys.argv[2]
hexes = []
tesco = json.load(open(os.path.join(vectors, "ttlv-hex/kmip-1.1-testcases.tesco-hexbytes.json")))
for case in tesco.values():
    hexes += [case["request"], case["response"]]
for name in ("nlnetlabs-kmip-protocol.spec-hex.jsonl", "pykmip-0.11.0-unit-tests.spec-fragments.jsonl"):
    for line in open(os.path.join(vectors, "ttlv-hex", name)):
        if line.strip():
            hexes.append(json.loads(line)["hex"])
for line in open(os.path.join(vectors, "pykmip-captures/pykmip-0.11.0-integration-suite.client-server-pairs.jsonl")):
    if line.strip():
        pair = json.loads(line)
        hexes += [pair["request_hex"], pair["response_hex"]]
n = 0
for h in hexes:
    data = bytes.fromhex(h)
    path = os.path.join(out, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        open(path, "wb").write(data)
        n += 1
print(f"{len(hexes)} vectors, {n} new corpus files in {out}")
PY
