#!/usr/bin/env bash
# Stops the pykmip-server that run.sh started under DIR (default /tmp/pykmip-server).
set -euo pipefail
DIR=${1:-/tmp/pykmip-server}
if [[ -f $DIR/server.pid ]]; then
    PID=$(cat "$DIR/server.pid")
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$PID" 2>/dev/null || true
    rm -f "$DIR/server.pid"
fi
