#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: the system libraries Warden links against
# and the tools its tests use. Safe to run again; it installs only what is missing.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

need=()
for pkg in "$@" libsqlite3-dev libssl-dev pkg-config ca-certificates; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        [ -x "$candidate/swift" ] && export PATH="$candidate:$PATH" && break
    done
fi
command -v swift >/dev/null 2>&1 || { echo "setup: no Swift 6 toolchain on PATH; install one from swift.org" >&2; exit 1; }

# Python 3 with pip, for the black-box tests (Tests/blackbox); deploy/test.sh calls this, the
# server itself needs no Python. Any python3 on PATH with pip will do (pyenv, a virtualenv),
# otherwise Debian's. Sets WARDEN_PIP_FLAGS, the flags for `python3 -m pip install`.
setup_python() {
    if ! python3 -m pip --version >/dev/null 2>&1; then
        echo "setup: installing python3-pip"
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq --no-install-recommends python3 python3-pip >/dev/null
    fi
    WARDEN_PIP_FLAGS=(-q --disable-pip-version-check)
    # Debian 12's own Python is "externally managed" (PEP 668): pip refuses to install into it
    # unless told to. Other Pythons (pyenv, virtualenvs) need no such flag.
    if python3 - <<'PY'
import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(marker) else 1)
PY
    then
        WARDEN_PIP_FLAGS+=(--break-system-packages)
    fi
    export PIP_ROOT_USER_ACTION=ignore
}
