#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, and nothing
# that is already there: Debian packages (only when missing, and only as
# root), then a Python venv in tests/.venv with PyKMIP and schemathesis from PyPI.
# Idempotent: a second run changes nothing and takes about a second.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests use: Python with venv and pip for PyKMIP; the openssl
# command line for the certificates of benches/pykmip-server/run.sh.
APT_PACKAGES=(python3 python3-venv python3-pip openssl)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q "${missing[@]}"
    else
        echo "setup: not root, skipping apt-get for: ${missing[*]}" >&2
    fi
fi

# Debian's own Python when it is there, so the packages above are the ones used.
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=$(command -v python3)

VENV=.venv
STAMP=$VENV/.requirements
# PyKMIP for the client tests, schemathesis for the REST API; one venv, resolved together.
REQUIREMENTS=(pykmip/requirements.txt schemathesis/requirements.txt)
if [[ -x $VENV/bin/python ]] && cmp -s <(cat "${REQUIREMENTS[@]}") "$STAMP" \
    && "$VENV/bin/python" -c 'import kmip, schemathesis' 2>/dev/null; then
    exit 0
fi
echo "setup: creating tests/$VENV with PyKMIP and schemathesis"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-cache-dir "${REQUIREMENTS[@]/#/-r}"
"$VENV/bin/python" -c 'import kmip, kmip.core.messages, kmip.pie.client; print("setup: PyKMIP", kmip.__version__)'
"$VENV/bin/schemathesis" --version
cat "${REQUIREMENTS[@]}" > "$STAMP"
