#!/usr/bin/env bash
# User-space instructions per KMIP request of the whole server path (TLS,
# the connection loop, decode, operation, encode), counted by callgrind.
#
#   benches/instructions.sh [--bin PATH] [--op encrypt|get|...] [--connections N] [--duration SECS]
#
# The server (--bin, default target/release/coffer) runs under
# `valgrind --tool=callgrind` with one KMIP connection thread, collecting
# only inside the connection tasks (`coffer::net::connection::serve`); the
# load tool (the same binary, natively) drives it for --duration seconds.
# The count is divided by the number of `send` (or `writev`) calls, one
# per response (a response is one TLS record, written at once). Kernel time is not
# counted: this measures our code, TLS and the allocator.
#
# Why: on a shared 2-vCPU VM the server's CPU time per request moves by
# 10 % between identical runs; instruction counts do not, so a change to
# the request path can be judged in one run while other work goes on.
# Needs valgrind (apt-get install -y valgrind).
set -euo pipefail

bin=target/release/coffer
op=encrypt
connections=4
duration=6
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) bin=$2; shift 2 ;;
        --op) op=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 1; }
bin=$(realpath "$bin")

work=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    [ -n "${KEEP_CALLGRIND:-}" ] && cp "$work/callgrind.out" "$KEEP_CALLGRIND"; rm -rf "$work"
}
trap cleanup EXIT

COFFER_KMIP_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
    --collect-atstart=no --toggle-collect='coffer::net::connection::serve*' \
    "$bin" serve --data-dir "$work/data" --kmip-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 900); do
    [ -f "$work/data/listening.json" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.2
done
[ -f "$work/data/listening.json" ] || { echo "the server did not start under valgrind" >&2; exit 1; }

"$bin" bench --pykmip-conf "$work/data/clients/default/pykmip.conf" --op "$op" \
    --connections "$connections" --duration "$duration" --warmup 1 --json >"$work/bench.json"
kill "$server"
wait "$server" 2>/dev/null || true
server=""

python3 - "$work/callgrind.out" "$work/bench.json" "$op" <<'PY'
import json, re, sys
total = 0
writes = 0
names = {}
callee = None
for line in open(sys.argv[1]):
    if line.startswith(("summary:", "totals:")):
        total = int(line.split()[1])
        continue
    m = re.match(r"(cfn|fn)=\((\d+)\)(?: (.*))?", line)
    if m:
        kind, key, name = m.groups()
        if name:
            names[key] = name.strip()
        if kind == "cfn":
            callee = names.get(key, "")
        continue
    m = re.match(r"calls=(\d+)", line)
    if m and callee in ("writev", "send"):
        writes += int(m.group(1))
bench = json.load(open(sys.argv[2]))
if writes == 0:
    sys.exit("no response was written: nothing to divide by")
print(f"op {sys.argv[3]}: {total} instructions over {writes} responses = {total // writes} per request"
      f" (tool: {bench['ops_per_sec']:.0f} ops/s under valgrind, {bench['failures']} failures)")
PY
