#!/usr/bin/env bash
# Starts PyKMIP's own server (tests/.venv/bin/pykmip-server, PyKMIP 0.11) for
# load comparisons with `coffer bench`, and prints its pid on stdout.
#
#   benches/pykmip-server/run.sh [DIR] [PORT]     defaults: /tmp/pykmip-server 5696
#   benches/pykmip-server/stop.sh [DIR]
#   PKI_ONLY=1 benches/pykmip-server/run.sh DIR    only the certificates and configurations
#
# Idempotent: the first run creates under DIR a CA, a server certificate and
# a client certificate (openssl command line), server.conf, client.conf (a
# PyKMIP client configuration, also read by `coffer bench --pykmip-conf`)
# and an empty policy directory; a later run reuses them. If the server of
# DIR is already running it only prints its pid. A fresh start begins with
# an empty sqlite database.
#
# TLS: PyKMIP's TLS1.2 auth suite offers, among AEAD suites, only
# ECDHE-ECDSA-AES-GCM, and rustls offers no CBC suite, so every key here is
# ECDSA P-256. The client certificate carries extendedKeyUsage clientAuth,
# which the server checks.
#
# Needs tests/.venv: run tests/setup.sh first.
set -euo pipefail

DIR=${1:-/tmp/pykmip-server}
PORT=${2:-5696}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SERVER=$REPO/tests/.venv/bin/pykmip-server
mkdir -p "$DIR/policies"
DIR=$(cd "$DIR" && pwd)
cd "$DIR"

# Already running? Then the pid is all there is to say.
if [[ -f server.pid ]] && kill -0 "$(cat server.pid)" 2>/dev/null; then
    cat server.pid
    exit 0
fi

# The PKI, once. P-256 everywhere (see the TLS note above).
if [[ ! -f ca.pem || ! -f server.pem || ! -f client.pem ]]; then
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=pykmip-bench CA" -out ca.pem \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    issue() { # name CN extendedKeyUsage subjectAltName
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
        openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
        printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n%s\n' \
            "$3" "$4" > "$1.ext"
        openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 3650 \
            -extfile "$1.ext" -out "$1.pem" 2>/dev/null
        rm -f "$1.csr" "$1.ext"
    }
    issue server localhost serverAuth "subjectAltName=DNS:localhost,IP:127.0.0.1"
    issue client coffer-bench clientAuth ""
    chmod 600 ./*.key
fi

# The configurations follow the port, so they are rewritten on every start.
# logging_level WARNING: PyKMIP logs every operation at INFO, to a file; the
# comparison gives it its best case.
cat > server.conf <<CONF
[server]
hostname=127.0.0.1
port=$PORT
certificate_path=$DIR/server.pem
key_path=$DIR/server.key
ca_path=$DIR/ca.pem
auth_suite=TLS1.2
policy_path=$DIR/policies
enable_tls_client_auth=True
logging_level=WARNING
database_path=$DIR/pykmip.db
CONF
cat > client.conf <<CONF
[client]
host=127.0.0.1
port=$PORT
certfile=$DIR/client.pem
keyfile=$DIR/client.key
ca_certs=$DIR/ca.pem
cert_reqs=CERT_REQUIRED
ssl_version=PROTOCOL_TLSv1_2
do_handshake_on_connect=True
suppress_ragged_eofs=True
CONF

[[ ${PKI_ONLY:-} == 1 ]] && exit 0
if [[ ! -x $SERVER ]]; then
    echo "run.sh: $SERVER is missing; run tests/setup.sh first" >&2
    exit 1
fi
rm -f pykmip.db
# setsid: the server outlives this script, and its pid is its process group, which
# stop.sh signals whole (PyKMIP forks a multiprocessing Manager and a policy monitor).
setsid "$SERVER" -f "$DIR/server.conf" -l "$DIR/server.log" >"$DIR/stdout.log" 2>&1 < /dev/null &
PID=$!
echo "$PID" > server.pid

# Ready when the port accepts a connection; Python's imports take a second or two.
for _ in $(seq 1 100); do
    if ! kill -0 "$PID" 2>/dev/null; then
        echo "run.sh: pykmip-server exited; see $DIR/server.log and $DIR/stdout.log" >&2
        tail -n 20 "$DIR/server.log" "$DIR/stdout.log" >&2 || true
        exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        echo "$PID"
        exit 0
    fi
    sleep 0.1
done
echo "run.sh: pykmip-server (pid $PID) is not listening on port $PORT after 10 s" >&2
exit 1
