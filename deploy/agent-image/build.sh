#!/usr/bin/env bash
# Builds the agent image of SPEC §4 without any registry: a Debian 12 root filesystem made by
# mmdebstrap from Debian's packages (the host's Debian mirror; list in packages.txt beside this
# script), imported into the local Docker daemon, plus a small layer with the warden-agent binary
# and the image config of docs/agent-protocol.md ("The container's environment").
#
#   bash deploy/agent-image/build.sh [--agent PATH] [--tag NAME[:TAG]] [--refresh]
#
#   --agent PATH   the warden-agent executable (default .build/release/warden-agent, built with
#                  `swift build -c release --product warden-agent --static-swift-stdlib` if missing)
#   --tag NAME     the moving tag (default warden-agent:latest); the image is also tagged
#                  NAME:<hash12>, a hash of this script, the package list, the resolved package
#                  versions and the binary's bytes
#   --refresh      resolve the packages again (picks up Debian's updates); otherwise the root
#                  filesystem cached for this script and package list is reused
#
# Cached under $WARDEN_AGENT_IMAGE_CACHE (default /var/cache/warden-agent-image): the .debs and
# the root filesystem tarball. An image whose hash tag exists already is only re-tagged; a new
# binary is one `docker cp` + `docker commit` on top of the cached base. Logs go to stderr; the
# last line of stdout is the image reference (NAME:<hash12>). Run as root. Idempotent.
set -euo pipefail

self=$(readlink -f "${BASH_SOURCE[0]}")
here=$(dirname "$self")
repo=$(cd "$here/../.." && pwd)
cache=${WARDEN_AGENT_IMAGE_CACHE:-/var/cache/warden-agent-image}

log() { echo "agent-image: $*" >&2; }
die() { echo "agent-image: error: $*" >&2; exit 1; }
usage() { sed -n '7,15p' "$self" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }

agent= tag=warden-agent:latest refresh=0
while [ $# -gt 0 ]; do
    case "$1" in
        --agent) [ $# -ge 2 ] || usage; agent=$2; shift 2 ;;
        --agent=*) agent=${1#*=}; shift ;;
        --tag) [ $# -ge 2 ] || usage; tag=$2; shift 2 ;;
        --tag=*) tag=${1#*=}; shift ;;
        --refresh) refresh=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "agent-image: unknown argument: $1" >&2; usage ;;
    esac
done
# NAME[:TAG] → repository and tag (a registry host:port before the last / is no tag).
case "${tag##*/}" in
    *:*) name=${tag%:*} ;;
    *) name=$tag; tag=$tag:latest ;;
esac
[[ $name =~ ^[a-z0-9]+([._-]+[a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$ && ${tag##*:} =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] ||
    die "bad --tag: $tag (want name[:tag], lower-case name)"

[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap builds the root filesystem in a chroot)"
command -v docker >/dev/null 2>&1 && docker version >/dev/null 2>&1 ||
    die "no Docker daemon answers; start one with: bash deploy/docker.sh"

# --- The warden-agent binary -----------------------------------------------------------------
if [ -z "$agent" ]; then
    agent=$repo/.build/release/warden-agent
    if [ ! -e "$agent" ]; then
        if ! command -v swift >/dev/null 2>&1; then
            for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
                [ -x "$candidate/swift" ] && PATH="$candidate:$PATH" && break
            done
        fi
        command -v swift >/dev/null 2>&1 ||
            die "no $agent and no Swift toolchain to build it; pass --agent PATH"
        log "building warden-agent: swift build -c release --product warden-agent --static-swift-stdlib"
        (cd "$repo" && nice -n 10 swift build -c release --product warden-agent --static-swift-stdlib >&2)
    fi
fi
[ -e "$agent" ] || die "no warden-agent binary at $agent"
agent=$(readlink -f "$agent")
[ -f "$agent" ] && [ -r "$agent" ] || die "$agent is not a readable file"
[ "$(head -c 4 "$agent" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] ||
    die "$agent is not an ELF executable"
arch=$(dpkg --print-architecture)
machine=$(od -An -tu2 -j18 -N2 "$agent" | tr -d ' ')   # e_machine (little-endian hosts)
case "$arch:$machine" in
    amd64:62 | arm64:183 | i386:3 | armhf:40 | ppc64el:21 | riscv64:243) ;;
    amd64:* | arm64:* | i386:* | armhf:* | ppc64el:* | riscv64:*)
        die "$agent is built for another architecture (ELF machine $machine) than the image ($arch)" ;;
esac
agent_sha=$(sha256sum "$agent" | cut -c1-64)

# --- Keys ------------------------------------------------------------------------------------
# The base (root filesystem) depends on the part of this script between the "base" markers and
# on the package list; the image on the whole script, the resolved versions and the binary.
suite=bookworm
packages=$(sed 's/#.*//' "$here/packages.txt" | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u)
[ -n "$packages" ] || die "$here/packages.txt names no package"
base_key=$( { echo "$suite $arch"; echo "$packages"; sed -n '/^# >>> base$/,/^# <<< base$/p' "$self"; } |
    sha256sum | cut -c1-16)
base_dir=$cache/base/$base_key
script_sha=$(sha256sum "$self" | cut -c1-64)

mkdir -p "$cache/base" "$cache/debs"
exec 9>"$cache/lock"
if ! flock -n 9; then
    log "waiting for another build (lock $cache/lock)"
    flock 9
fi

image_hash() {  # the image's hash from the base's resolved versions
    { echo "$script_sha"; echo "$packages"; cat "$base_dir/packages.lock"; echo "$agent_sha"; } |
        sha256sum | cut -c1-12
}
finish() {  # tags and prints the image
    touch "$base_dir"
    docker tag "$name:$hash" "$tag"
    log "$name:$hash is $tag (warden-agent $agent, sha256 ${agent_sha:0:12})"
    echo "$name:$hash"
    exit 0
}

if [ "$refresh" -eq 0 ] && [ -f "$base_dir/packages.lock" ]; then
    hash=$(image_hash)
    if docker image inspect "$name:$hash" >/dev/null 2>&1; then
        log "up to date"
        finish
    fi
fi

remove_tmp() {  # a work directory, and whatever mmdebstrap left mounted in its chroot if killed
    findmnt -rn -o TARGET | awk -v d="$1/" 'index($0, d) == 1' | sort -r | xargs -r umount -l 2>/dev/null || true
    rm -rf --one-file-system "$1" 2>/dev/null || true
}
for old in "$cache"/tmp.*; do  # left by a killed build (this one holds the lock)
    [ ! -e "$old" ] || remove_tmp "$old"
done
tmp=
cid=
cleanup() {
    [ -z "$cid" ] || docker rm -f "$cid" >/dev/null 2>&1 || true
    [ -z "$tmp" ] || remove_tmp "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d "$cache/tmp.XXXXXX")
chmod 0755 "$tmp"  # apt downloads as _apt into the chroot below it

# >>> base
# The Debian suites of the host's apt sources (so its mirror is used), main only; apt honours
# http_proxy from the environment.
debian_sources() {
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg opts=
    [ -f "$keyring" ] && opts="[signed-by=$keyring] "
    { apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
        'Identifier: Packages' 'Target-Of: deb' 2>/dev/null || true; } |
        awk -v s="$suite" '($2 == s || $2 == s "-updates" || $2 == s "-security") && $3 == "main"' |
        sort -u | while read -r uri release _; do echo "deb ${opts}$uri $release main"; done
}

build_base() {
    if ! command -v mmdebstrap >/dev/null 2>&1; then
        log "installing mmdebstrap"
        { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap; } \
            >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log" >&2; die "could not install mmdebstrap"; }
    fi
    local sources
    sources=$(debian_sources)
    if [ -z "$sources" ]; then
        log "no $suite sources in the host's apt configuration; using deb.debian.org"
        sources="deb http://deb.debian.org/debian $suite main
deb http://deb.debian.org/debian $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main"
    fi
    local -a mirrors
    mapfile -t mirrors <<<"$sources"
    log "building the root filesystem: Debian $suite essential + $(echo $packages) (from $(awk '{ print $(NF - 2) }' <<<"$sources" | sort -u | paste -sd ' '))"
    local start=$SECONDS root=$tmp/root
    # Previously downloaded .debs are copied in before apt runs and collected afterwards.
    WARDEN_DEB_CACHE=$cache/debs nice -n 10 mmdebstrap \
        --mode=root --variant=essential --format=directory \
        --include="$(echo $packages | tr ' ' ,)" \
        --dpkgopt=force-unsafe-io \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/info/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-include=/usr/share/locale/locale.alias' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --skip=essential/unlink,cleanup/apt/cache \
        --setup-hook='mkdir -p "$1/var/cache/apt/archives" && cp -a "$WARDEN_DEB_CACHE"/. "$1/var/cache/apt/archives/"' \
        "$suite" "$root" "${mirrors[@]}" >&2 ||
        die "mmdebstrap failed (above); is the Debian mirror reachable?"

    find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec mv -f -t "$cache/debs" {} +
    rm -rf "${root:?}"/var/cache/apt/* "${root:?}"/var/lib/apt/lists/*
    dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Package} ${Version} ${Architecture}\n' |
        sort >"$tmp/packages.lock"

    # Mount points and the user of SPEC §4. Docker gives a tmpfs over /tmp the mode of the
    # image's /tmp, so it must be 1777 for the non-root user to write there.
    install -d -m 0755 "$root/etc/warden" "$root/run/warden" "$root/usr/local/bin"
    install -d -m 0755 -o 65534 -g 65534 "$root/workspace"
    install -d -m 1777 "$root/tmp"
    chmod 1777 "$root/tmp"
    grep -q '^nobody:[^:]*:65534:65534:' "$root/etc/passwd" || die "no nobody (65534) in the root filesystem"
    grep -q '^nogroup:[^:]*:65534:' "$root/etc/group" || die "no nogroup (65534) in the root filesystem"
    # The workspace is a bind mount owned by whoever created it on the host: git must not refuse
    # it as "dubious ownership" (the container has one user).
    printf '[safe]\n\tdirectory = *\n' >"$root/etc/gitconfig"
    # Docker provides these per container; leave nothing of the build host in the image.
    : >"$root/etc/hostname"
    : >"$root/etc/resolv.conf"
    [ -x "$root/usr/bin/python3" ] && [ -f "$root/etc/ssl/certs/ca-certificates.crt" ] && [ -x "$root/usr/bin/awk" ] ||
        die "the root filesystem lacks python3, awk or the CA bundle"

    log "packing the root filesystem"
    (cd "$root" && nice -n 10 tar --numeric-owner --exclude='./dev/?*' -cf "$tmp/rootfs.tar" .)
    rm -rf --one-file-system "$root"

    # Publish atomically; keep only the .debs this root filesystem uses and the two most
    # recently used bases.
    rm -rf "$base_dir.old"
    [ ! -e "$base_dir" ] || mv "$base_dir" "$base_dir.old"
    mkdir -p "$base_dir"
    mv "$tmp/rootfs.tar" "$tmp/packages.lock" "$base_dir/"
    rm -rf "$base_dir.old"
    local keep
    keep=$(awk '{ v = $2; gsub(":", "%3a", v); print $1 "_" v "_" $3 ".deb" }' "$base_dir/packages.lock")
    for deb in "$cache/debs"/*.deb; do
        [ -e "$deb" ] || continue
        grep -qxF "${deb##*/}" <<<"$keep" || rm -f "$deb"
    done
    ls -1dt "$cache/base"/*/ 2>/dev/null | tail -n +3 | xargs -r rm -rf
    log "root filesystem built in $((SECONDS - start))s: $(wc -l <"$base_dir/packages.lock") packages, $(du -m "$base_dir/rootfs.tar" | cut -f1) MB"
}
# <<< base

if [ "$refresh" -eq 1 ] || [ ! -f "$base_dir/packages.lock" ] || [ ! -f "$base_dir/rootfs.tar" ]; then
    build_base
fi
hash=$(image_hash)
if docker image inspect "$name:$hash" >/dev/null 2>&1; then  # --refresh found the same versions
    log "up to date"
    finish
fi

# --- The image -------------------------------------------------------------------------------
# The root filesystem is imported once per resolved package set; each binary is one small layer.
base_ref=warden-agent-base:$(sha256sum "$base_dir/packages.lock" | cut -c1-12)-$base_key
if ! docker image inspect "$base_ref" >/dev/null 2>&1; then
    log "importing the root filesystem as $base_ref"
    nice -n 10 docker import - "$base_ref" <"$base_dir/rootfs.tar" >/dev/null
fi

log "adding warden-agent ($agent)"
mkdir -p "$tmp/stage"
install -m 0755 "$agent" "$tmp/stage/warden-agent"
cid=$(docker create --network none --entrypoint /usr/local/bin/warden-agent "$base_ref")
tar -C "$tmp/stage" --owner=0 --group=0 --numeric-owner -c warden-agent | docker cp - "$cid:/usr/local/bin/"
proxy=http://127.0.0.1:3128
ca=/etc/warden/ca.crt
changes=(
    'USER 65534:65534'
    'WORKDIR /workspace'
    'ENTRYPOINT ["/usr/local/bin/warden-agent"]'
    'CMD []'
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    'ENV LANG=C.UTF-8'
    'ENV HOME=/workspace'
    'ENV WARDEN_AGENT_SOCKET=/run/warden/agent.sock'
    'ENV WARDEN_PROXY_SOCKET=/run/warden/proxy.sock'
    "ENV HTTP_PROXY=$proxy"
    "ENV HTTPS_PROXY=$proxy"
    "ENV http_proxy=$proxy"
    "ENV https_proxy=$proxy"
    'ENV NO_PROXY=localhost,127.0.0.1'
    'ENV no_proxy=localhost,127.0.0.1'
    "ENV SSL_CERT_FILE=$ca"
    "ENV REQUESTS_CA_BUNDLE=$ca"
    "ENV NODE_EXTRA_CA_CERTS=$ca"
    "ENV CURL_CA_BUNDLE=$ca"
    "ENV GIT_SSL_CAINFO=$ca"
    'ENV ANTHROPIC_API_KEY=warden-placeholder'
    'ENV OPENAI_API_KEY=warden-placeholder'
    "LABEL warden.agent.sha256=$agent_sha"
    "LABEL warden.image.base=$base_ref"
)
change_args=()
for c in "${changes[@]}"; do change_args+=(--change "$c"); done
image=$(docker commit "${change_args[@]}" "$cid")
docker rm "$cid" >/dev/null
cid=

# Check the image as warden runs it: the agent's libraries are all there, and the tools work
# as nobody on a read-only root.
log "checking the image"
check=$(docker run --rm --network none --read-only --tmpfs /tmp:rw,noexec,nosuid,nodev \
    --cap-drop ALL --security-opt no-new-privileges --user 65534:65534 \
    --entrypoint /bin/bash "$image" -c '
        out=$(ldd /usr/local/bin/warden-agent 2>&1) || case "$out" in
            *"not a dynamic executable"*) out="static" ;;
            *) echo "ldd failed: $out"; exit 1 ;;
        esac
        if grep -q "not found" <<<"$out"; then echo "missing libraries:"; grep "not found" <<<"$out"; exit 1; fi
        [ "$(id -u):$(id -g)" = 65534:65534 ] || { echo "runs as $(id)"; exit 1; }
        python3 -c "import ssl, json, sqlite3" || exit 1
        git --version >/dev/null && curl --version >/dev/null && echo hi | awk "{ print }" >/dev/null || exit 1
        touch /tmp/x || exit 1
        echo ok' 2>&1) || true
if [ "$(tail -n 1 <<<"$check")" != ok ]; then
    docker rmi "$image" >/dev/null 2>&1 || true
    die "the image fails its check: $check"
fi

hash=$(image_hash)
docker tag "$image" "$name:$hash"
log "built $name:$hash ($(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%d MB", $1 / 1e6 }'))"
finish
