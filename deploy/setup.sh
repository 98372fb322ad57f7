#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: the system libraries Warden links against
# and the tools its tests use. Safe to run again; it installs only what is missing.
set -euo pipefail

need=()
for pkg in "$@" libsqlite3-dev libssl-dev pkg-config ca-certificates; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
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
