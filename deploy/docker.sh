#!/usr/bin/env bash
# Makes sure a Docker daemon answers on /var/run/docker.sock (installing Debian's docker.io and
# starting dockerd if needed) and that the small offline test image exists. Idempotent.
# Agent containers run with network "none", so the daemon needs no bridge or iptables rules;
# that also lets it start inside sandboxes and CI runners that forbid them.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in docker.io busybox-static; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "docker: installing ${need[*]}"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! docker version >/dev/null 2>&1; then
    echo "docker: no daemon answers; starting dockerd (log: /var/log/warden-dockerd.log)"
    # A dockerd that was killed leaves its pid file behind, and a new one refuses to start over
    # it. The pid counts as alive only if it is a process that is not a zombie (not yet reaped).
    if [ -f /var/run/docker.pid ] && ! ps -o stat= -p "$(cat /var/run/docker.pid)" 2>/dev/null | grep -qv Z; then
        rm -f /var/run/docker.pid
    fi
    nohup dockerd --iptables=false --ip-forward=false --bridge=none >/var/log/warden-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker version >/dev/null 2>&1 && break
        sleep 0.5
    done
    docker version >/dev/null 2>&1 || { echo "docker: dockerd did not come up:" >&2; tail -20 /var/log/warden-dockerd.log >&2; exit 1; }
fi

# A minimal image for tests of the Docker client: busybox from Debian's busybox-static, imported
# offline (no registry is reachable).
if ! docker image inspect warden-test/busybox:2 >/dev/null 2>&1; then
    root=$(mktemp -d)
    mkdir -p "$root/bin" "$root/tmp" "$root/workspace" "$root/out"
    # Docker gives a tmpfs mounted over /tmp the mode of the image's /tmp: it must be 1777, as in
    # any real image, or a non-root user cannot write there.
    chmod 1777 "$root/tmp"
    cp /bin/busybox "$root/bin/busybox"
    for tool in sh ls cat echo id sleep true false mkdir touch wc; do ln -s busybox "$root/bin/$tool"; done
    tar -C "$root" -c . | docker import - warden-test/busybox:2 >/dev/null
    rm -rf "$root"
    echo "docker: built warden-test/busybox:2"
fi
