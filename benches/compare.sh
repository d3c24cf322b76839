#!/usr/bin/env bash
# The comparison matrix of issue 3: `coffer bench` runs Encrypt, Get and
# Create at 1, 16 and 64 connections against coffer and against PyKMIP's own
# pykmip-server, interleaved (each cell runs against both servers back to
# back, so both see the same machine), and prints a Markdown table. Issue 4
# adds Sign and Create Key Pair: an op written OP:KEY-TYPE (sign:ec-p256,
# sign:rsa-2048, create-key-pair:ec-p256, create-key-pair:rsa-2048) runs
# `--op OP --key-type KEY-TYPE`; pykmip-server 0.11 has no EC keys, so its
# EC cells are recorded as not run.
#
#   benches/compare.sh [--coffer-data DIR] [--coffer-pid PID] [--no-pykmip]
#                      [--pykmip-dir DIR] [--pykmip-port PORT]
#                      [--duration SECS] [--warmup SECS] [--ops "encrypt get create sign:rsa-2048 ..."]
#                      [--connections "1 16 64"] [--pin SERVER_CPUS:TOOL_CPUS] [--out FILE.jsonl]
#
# coffer: a running server whose data directory holds listening.json
# ({"kmip": "127.0.0.1:PORT", ...}) and clients/default/{client.pem,
# client.key,ca.pem}; its pid (for CPU per operation) is --coffer-pid, or
# found with `ss` as the process listening on that port. Without
# --coffer-data only pykmip-server is measured.
# pykmip-server: started (or reused) with benches/pykmip-server/run.sh, and left
# running at the end (benches/pykmip-server/stop.sh DIR stops it).
#
# --pin SERVER_CPUS:TOOL_CPUS (taskset CPU lists, e.g. 0:1 or 0-1:2-3): the
# pinned layout. Before each server's cells every thread of that server (and
# of its child processes) is confined to SERVER_CPUS (`taskset -a -p -c`),
# and each run is `taskset -c TOOL_CPUS coffer bench ... --threads K
# --per-thread-runtimes --busy-poll`, K the number of CPUs in TOOL_CPUS: the
# tool then never shares a core with the server, and its runtimes poll
# without sleeping. It needs coffer's pid (--coffer-pid or found with ss);
# each server gets back the CPU list it had when the script ends. The layout
# heads the table and every JSONL line carries it ("pin"). Meant for an
# otherwise quiet machine: pinned, neither side can move away from other
# work on its CPUs (see BENCHMARKS.md); give coffer as many connection
# runtimes as SERVER_CPUS (COFFER_KMIP_THREADS). Without --pin, tool and server
# share the machine's cores as the scheduler likes.
#
# Each cell runs with the other server stopped (SIGSTOP, with its child
# processes), resumed after the cell and when the script exits: an idle
# server still wakes up, on the measured server's CPUs when pinned.
#
# Every raw report is kept, one JSON object per line, in --out (default
# target/compare-<UTC time>.jsonl). Exit status: non-zero if any run had a
# failed response or a broken connection; the matrix still runs to the end.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
COFFER_DATA= COFFER_PID= PYKMIP=1 PYKMIP_DIR=/tmp/pykmip-server PYKMIP_PORT=5696
DURATION=10 WARMUP=2 CONNS="1 16 64" PIN=
OPS="encrypt get create sign:ec-p256 sign:rsa-2048 create-key-pair:ec-p256 create-key-pair:rsa-2048"
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
        --pin) PIN=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

# --pin: where the servers and the tool run, and the tool's layout there.
declare -a TOOL=() LAYOUT=()
SERVER_CPUS= TOOL_CPUS=
if [[ -n $PIN ]]; then
    CPULIST='[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*'
    if [[ ! $PIN =~ ^$CPULIST:$CPULIST$ ]]; then
        echo "compare.sh: --pin takes SERVER_CPUS:TOOL_CPUS, CPU lists such as 0:1 or 0-1:2,3" >&2; exit 2
    fi
    SERVER_CPUS=${PIN%%:*} TOOL_CPUS=${PIN#*:} K=0
    IFS=, read -ra RANGES <<< "$TOOL_CPUS"
    for r in "${RANGES[@]}"; do K=$((K + ${r#*-} - ${r%-*} + 1)); done
    if ((K < 1)); then
        echo "compare.sh: --pin: no CPU in $TOOL_CPUS" >&2; exit 2
    fi
    TOOL=(taskset -c "$TOOL_CPUS") LAYOUT=(--threads "$K" --per-thread-runtimes --busy-poll)
fi

COFFER=${COFFER_BIN:-$REPO/target/release/coffer}
if [[ -z ${COFFER_BIN:-} ]]; then
    (cd "$REPO" && cargo build --release -q) || exit 1
fi

# Each server: a name, then the bench arguments that reach it.
declare -a NAMES=() TARGETS=() PIDS=()
if [[ -n $COFFER_DATA ]]; then
    ADDR=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kmip"])' "$COFFER_DATA/listening.json") || {
        echo "compare.sh: no kmip address in $COFFER_DATA/listening.json" >&2; exit 1; }
    if [[ -z $COFFER_PID ]]; then
        COFFER_PID=$(ss -Hltnp "sport = :${ADDR##*:}" | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
    fi
    C=$COFFER_DATA/clients/default
    ARGS="--addr $ADDR --server-name localhost --ca $C/ca.pem --cert $C/client.pem --key $C/client.key"
    [[ -n $COFFER_PID ]] && ARGS+=" --server-pid $COFFER_PID"
    if [[ -n $PIN && -z $COFFER_PID ]]; then
        echo "compare.sh: --pin needs coffer's pid (give --coffer-pid)" >&2; exit 2
    fi
    NAMES+=(coffer); TARGETS+=("$ARGS"); PIDS+=("$COFFER_PID")
fi
if ((PYKMIP)); then
    PID=$("$REPO/benches/pykmip-server/run.sh" "$PYKMIP_DIR" "$PYKMIP_PORT") || exit 1
    NAMES+=(pykmip-server); TARGETS+=("--pykmip-conf $PYKMIP_DIR/client.conf --server-pid $PID"); PIDS+=("$PID")
fi
if ((${#NAMES[@]} == 0)); then
    echo "compare.sh: nothing to measure (give --coffer-data, or drop --no-pykmip)" >&2
    exit 2
fi

# Confines every thread of PID and of its descendants (pykmip-server forks a
# multiprocessing Manager and a policy monitor) to a CPU list. A child that
# exits meanwhile does not matter; the server itself must be there.
pin_tree() { # PID CPUS
    local child
    taskset -a -p -c "$2" "$1" > /dev/null || return 1
    for child in $(pgrep -P "$1"); do pin_tree "$child" "$2" || true; done
}
# Sends a signal to PID and its descendants.
signal_tree() { # SIGNAL PID
    local child
    kill "-$1" "$2" 2> /dev/null || return 1
    for child in $(pgrep -P "$2"); do signal_tree "$1" "$child" || true; done
}
# The servers not being measured are stopped (SIGSTOP) for the length of each
# cell and resumed after: idle, pykmip-server's policy monitor and process
# manager still wake up every few milliseconds, on the measured server's
# CPUs when pinned (an idle pykmip-server beside it took coffer's pinned
# Encrypt p99 at 64 connections from 0.73-0.75 ms to 0.93-1.2 ms).
resume_all() {
    for pid in "${PIDS[@]}"; do [[ -n $pid ]] && signal_tree CONT "$pid"; done
}
trap resume_all EXIT
if [[ -n $PIN ]]; then
    declare -a ORIGINAL=()
    for i in "${!NAMES[@]}"; do
        AFFINITY=$(taskset -p -c "${PIDS[$i]}") || {
            echo "compare.sh: --pin: cannot read the CPU list of ${NAMES[$i]} (pid ${PIDS[$i]})" >&2; exit 1; }
        ORIGINAL+=("${AFFINITY##*: }")
    done
    # The servers outlive the script: give them back the CPUs they had.
    trap 'resume_all; for i in "${!NAMES[@]}"; do pin_tree "${PIDS[$i]}" "${ORIGINAL[$i]}" 2> /dev/null; done' EXIT
fi

mkdir -p "$(dirname "$OUT")"
: > "$OUT"
STATUS=0
for spec in $OPS; do
    op=${spec%%:*} KEY_ARGS=()
    [[ $spec == *:* ]] && KEY_ARGS=(--key-type "${spec#*:}")
    for n in $CONNS; do
        for i in "${!NAMES[@]}"; do
            echo "compare.sh: ${NAMES[$i]} $spec x$n" >&2
            if [[ -n $PIN ]] && ! pin_tree "${PIDS[$i]}" "$SERVER_CPUS"; then
                echo "compare.sh: cannot confine ${NAMES[$i]} (pid ${PIDS[$i]}) to CPUs $SERVER_CPUS" >&2
                exit 1
            fi
            for j in "${!NAMES[@]}"; do
                [[ $j != "$i" && -n ${PIDS[$j]} ]] && signal_tree STOP "${PIDS[$j]}"
            done
            if [[ ${NAMES[$i]} == pykmip* && $spec == *:ec-* ]]; then
                REPORT= ; echo "pykmip-server 0.11 has no EC keys" > "$OUT.stderr"
            else
                # shellcheck disable=SC2086 # TARGETS holds words on purpose
                REPORT=$("${TOOL[@]}" "$COFFER" bench ${TARGETS[$i]} --op "$op" "${KEY_ARGS[@]}" --connections "$n" \
                    "${LAYOUT[@]}" --duration "$DURATION" --warmup "$WARMUP" --json 2> "$OUT.stderr") || STATUS=1
            fi
            resume_all
            # No report means the run never started (setup refused, unreachable): keep why.
            python3 -c '
import json, sys
report, server, op, n, err, server_cpus, tool_cpus = sys.argv[1:]
r = json.loads(report) if report else {"op": op, "connections": int(n), "error": err.strip().splitlines()[-1:]}
r["server"] = server
r["op"] = op
if server_cpus:
    r["pin"] = {"server_cpus": server_cpus, "tool_cpus": tool_cpus}
print(json.dumps(r))' "$REPORT" "${NAMES[$i]}" "$spec" "$n" "$(cat "$OUT.stderr")" "$SERVER_CPUS" "$TOOL_CPUS" >> "$OUT"
            cat "$OUT.stderr" >&2
        done
    done
done

python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def f(v, fmt="{:,.0f}"):
    return "n/a" if v is None else fmt.format(v)
pin = next((r["pin"] for r in rows if "pin" in r), None)
if pin:
    threads = max((r.get("threads", 0) for r in rows), default=0)
    busy = " --busy-poll" if any(r.get("busy_poll") for r in rows) else ""
    print(f"Layout: every server thread on CPUs {pin['server_cpus']} (taskset -a -p), the tool on CPUs "
          f"{pin['tool_cpus']} (taskset -c) with --threads {threads} --per-thread-runtimes{busy}")
    print()
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
