#!/usr/bin/env bash
# The comparison matrix of issue 3: `coffer bench` runs Encrypt, Get and
# Create at 1, 16 and 64 connections against coffer and against PyKMIP's own
# pykmip-server, interleaved (each cell runs against both servers back to
# back, so both see the same machine), and prints a Markdown table.
#
#   benches/compare.sh [--coffer-data DIR] [--coffer-pid PID] [--no-pykmip]
#                      [--pykmip-dir DIR] [--pykmip-port PORT]
#                      [--duration SECS] [--warmup SECS] [--ops "encrypt get create"]
#                      [--connections "1 16 64"] [--out FILE.jsonl]
#
# coffer: a running server whose data directory holds listening.json
# ({"kmip": "127.0.0.1:PORT", ...}) and clients/default/{client.pem,
# client.key,ca.pem}; its pid (for CPU per operation) is --coffer-pid, or
# found with `ss` as the process listening on that port. Without
# --coffer-data only pykmip-server is measured.
# pykmip-server: started (or reused) with benches/pykmip-server/run.sh.
#
# Every raw report is kept, one JSON object per line, in --out (default
# target/compare-<UTC time>.jsonl). Exit status: non-zero if any run had a
# failed response or a broken connection; the matrix still runs to the end.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
COFFER_DATA= COFFER_PID= PYKMIP=1 PYKMIP_DIR=/tmp/pykmip-server PYKMIP_PORT=5696
DURATION=10 WARMUP=2 OPS="encrypt get create" CONNS="1 16 64"
OUT=$REPO/target/compare-$(date -u +%Y%m%dT%H%M%SZ).jsonl
while (($#)); do
    case $1 in
        --coffer-data) COFFER_DATA=$2; shift 2 ;;
        --coffer-pid) COFFER_PID=$2; shift 2 ;;
        --no-pykmip) PYKMIP=0; shift ;;
        --pykmip-dir) PYKMIP_DIR=$2; shift 2 ;;
        --pykmip-port) PYKMIP_PORT=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --ops) OPS=$2; shift 2 ;;
        --connections) CONNS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

COFFER=${COFFER_BIN:-$REPO/target/release/coffer}
if [[ -z ${COFFER_BIN:-} ]]; then
    (cd "$REPO" && cargo build --release -q) || exit 1
fi

# Each server: a name, then the bench arguments that reach it.
declare -a NAMES=() TARGETS=()
if [[ -n $COFFER_DATA ]]; then
    ADDR=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kmip"])' "$COFFER_DATA/listening.json") || {
        echo "compare.sh: no kmip address in $COFFER_DATA/listening.json" >&2; exit 1; }
    if [[ -z $COFFER_PID ]]; then
        COFFER_PID=$(ss -Hltnp "sport = :${ADDR##*:}" | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
    fi
    C=$COFFER_DATA/clients/default
    ARGS="--addr $ADDR --server-name localhost --ca $C/ca.pem --cert $C/client.pem --key $C/client.key"
    [[ -n $COFFER_PID ]] && ARGS+=" --server-pid $COFFER_PID"
    NAMES+=(coffer); TARGETS+=("$ARGS")
fi
if ((PYKMIP)); then
    PID=$("$REPO/benches/pykmip-server/run.sh" "$PYKMIP_DIR" "$PYKMIP_PORT") || exit 1
    NAMES+=(pykmip-server); TARGETS+=("--pykmip-conf $PYKMIP_DIR/client.conf --server-pid $PID")
fi
if ((${#NAMES[@]} == 0)); then
    echo "compare.sh: nothing to measure (give --coffer-data, or drop --no-pykmip)" >&2
    exit 2
fi

mkdir -p "$(dirname "$OUT")"
: > "$OUT"
STATUS=0
for op in $OPS; do
    for n in $CONNS; do
        for i in "${!NAMES[@]}"; do
            echo "compare.sh: ${NAMES[$i]} $op x$n" >&2
            # shellcheck disable=SC2086 # TARGETS holds words on purpose
            REPORT=$("$COFFER" bench ${TARGETS[$i]} --op "$op" --connections "$n" \
                --duration "$DURATION" --warmup "$WARMUP" --json 2> "$OUT.stderr") || STATUS=1
            # No report means the run never started (setup refused, unreachable): keep why.
            python3 -c '
import json, sys
report, server, op, n, err = sys.argv[1:]
r = json.loads(report) if report else {"op": op, "connections": int(n), "error": err.strip().splitlines()[-1:]}
r["server"] = server
print(json.dumps(r))' "$REPORT" "${NAMES[$i]}" "$op" "$n" "$(cat "$OUT.stderr")" >> "$OUT"
            cat "$OUT.stderr" >&2
        done
    done
done

python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def f(v, fmt="{:,.0f}"):
    return "n/a" if v is None else fmt.format(v)
print("| server | op | conns | ops/s | p50 µs | p99 µs | p99.9 µs | max µs | server CPU µs/op | tool CPU µs/op | failures | load 1m |")
print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
for r in rows:
    if "error" in r:
        why = " ".join(r["error"]).replace("|", "/")
        print(f"| {r['server']} | {r['op']} | {r['connections']} | not run: {why} |||||||||")
        continue
    l = r["latency_us"]
    fails = r["failures"] + len(r["connection_errors"])
    print(f"| {r['server']} | {r['op']} | {r['connections']} | {f(r['ops_per_sec'])} | {f(l['p50'])} | {f(l['p99'])} "
          f"| {f(l['p99_9'])} | {f(l['max'])} | {f(r['server_cpu_us_per_op'], '{:,.1f}')} "
          f"| {f(r['tool_cpu_us_per_op'], '{:,.1f}')} | {fails} | {f(r['load_average_1m'], '{:.1f}')} |")
PY
rm -f "$OUT.stderr"
echo "compare.sh: raw reports in $OUT" >&2
exit $STATUS
