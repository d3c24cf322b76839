#!/usr/bin/env bash
# Stops the pykmip-server that run.sh started under DIR (default /tmp/pykmip-server),
# with its helper processes (a multiprocessing Manager and the policy monitor).
#
# run.sh starts it with setsid, so its pid is also its process group: the
# whole group gets SIGINT, which PyKMIP handles by shutting down (SIGTERM
# only takes effect at the next connection, as accept() is retried), then
# SIGKILL if anything is left after 5 s.
set -euo pipefail
DIR=${1:-/tmp/pykmip-server}
[[ -f $DIR/server.pid ]] || exit 0
PID=$(cat "$DIR/server.pid")
alive() { kill -0 -- "-$PID" 2>/dev/null; }
if alive; then
    kill -INT -- "-$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
        alive || break
        sleep 0.1
    done
    kill -KILL -- "-$PID" 2>/dev/null || true
fi
rm -f "$DIR/server.pid"
