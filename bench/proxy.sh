#!/usr/bin/env bash
# Credential-proxy benchmark (issue #6): requests/s and added p50/p99 latency through Warden's
# proxy versus direct, for plain HTTP and for intercepted HTTPS with keep-alive, against
# mitmproxy on the same upstream (nginx on loopback) in the same run; also HTTPS tunnelled
# (CONNECT, not intercepted) by both. See bench/README.md.
#
# A real warden (release), real Docker, the real agent image and the scripted model, as in
# bench/agent.sh: one session is started so that its container runs and its proxy.sock exists;
# the load tool (bench/ProxyLoad, `proxy-load`) talks to that unix socket directly, which is how
# the agent's relay reaches it. mitmproxy is reached over TCP loopback. With RELAY=1 warden is
# also measured through the agent's real TCP->unix relay (warden-agent, run on the host).
# Goals: warden >= 5x mitmproxy's throughput; < 1 ms added p50 for plain HTTP. Until warden
# intercepts CONNECT, its intercepted-HTTPS rows read "not available (501)".
# Runs as root on Debian 12; installs what it needs (nginx-light, mitmproxy from Debian);
# leaves nothing behind.
#
# Env:
#   CONNS=16           connections for the throughput runs (the latency runs use 1)
#   DURATION=5         measured seconds per run
#   WARMUP=1           unmeasured seconds at the start of each run (same connections)
#   REPEAT=1           rounds of every run; the report shows each configuration's median run
#   BODIES="1024 65536" response body sizes, in bytes; the goals are judged on the first
#   RELAY=1            also measure warden through the agent's TCP relay (0 = skip)
#   TUNNEL=1           also measure HTTPS tunnelled, not intercepted, by both proxies (0 = skip)
#   CASES="http https tunnel"  which cases to run (a subset, for a quick look at one)
#   WARDEN_FLAGS=      more `warden serve` flags, e.g. "--sqlite-synchronous normal" or "--workers 1"
#   PLAIN_HOST=127.0.0.1  the upstream's name for plain HTTP (an exact egress rule names it)
#   TLS_HOST=localhost    the upstream's name for HTTPS: a name (SNI and the certificate need one)
#                         that resolves to 127.0.0.1
#   PORT=18086         warden's API; HTTP_PORT=18087 HTTPS_PORT=18088 (nginx) MITM_PORT=18089
#                      RELAY_PORT=18090 MITM_TUNNEL_PORT=18091
#   SKIP_BUILD=1       use the binaries already built
#   KEEP_DATA=1        keep the temp dir (data dir, logs, certificates)
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="$BENCH_DIR/results"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

CONNS="${CONNS:-16}" DURATION="${DURATION:-5}" WARMUP="${WARMUP:-1}" REPEAT="${REPEAT:-1}" BODIES="${BODIES:-1024 65536}"
RELAY="${RELAY:-1}" PLAIN_HOST="${PLAIN_HOST:-127.0.0.1}" TLS_HOST="${TLS_HOST:-localhost}"
PORT="${PORT:-18086}" HTTP_PORT="${HTTP_PORT:-18087}" HTTPS_PORT="${HTTPS_PORT:-18088}"
MITM_PORT="${MITM_PORT:-18089}" RELAY_PORT="${RELAY_PORT:-18090}" MITM_TUNNEL_PORT="${MITM_TUNNEL_PORT:-18091}"
TUNNEL="${TUNNEL:-1}" CASES="${CASES:-http https tunnel}"
read -r -a WARDEN_FLAGS <<< "${WARDEN_FLAGS:-}"
SKIP_BUILD="${SKIP_BUILD:-0}" KEEP_DATA="${KEEP_DATA:-0}"

log()  { printf '[proxy-bench] %s\n' "$*" >&2; }
warn() { printf '[proxy-bench] WARNING: %s\n' "$*" >&2; }
die()  { printf '[proxy-bench] ERROR: %s\n' "$*" >&2; exit 1; }

for v in CONNS DURATION WARMUP REPEAT RELAY TUNNEL PORT HTTP_PORT HTTPS_PORT MITM_PORT RELAY_PORT MITM_TUNNEL_PORT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( CONNS > 0 && DURATION > 0 && REPEAT > 0 )) || die "CONNS, DURATION and REPEAT must be above 0"
for b in $BODIES; do [[ "$b" =~ ^[0-9]+$ ]] || die "BODIES holds byte counts (got '$b')"; done
for c in $CASES; do [[ "$c" =~ ^(http|https|tunnel)$ ]] || die "CASES holds http, https and tunnel (got '$c')"; done
[[ " $CASES " == *" tunnel "* ]] || TUNNEL=0
[[ -n "${BODIES// /}" ]] || die "BODIES is empty"
[[ $EUID -eq 0 ]] || die "run as root (apt, Docker)"
[[ "$TLS_HOST" =~ ^[0-9.]+$|: ]] && die "TLS_HOST must be a name, not an address (got '$TLS_HOST')"

cd "$ROOT"
export PATH="/opt/swift/usr/bin:$PATH"

# ---------------------------------------------------------------- tools
missing=()
for pkg in nginx-light mitmproxy openssl curl python3; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
    log "installing ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
fi
MITMDUMP=/usr/bin/mitmdump
[[ -x "$MITMDUMP" ]] || die "no $MITMDUMP after installing Debian's mitmproxy"
MITM_VERSION="$("$MITMDUMP" --version 2>/dev/null | sed -n 's/^Mitmproxy: *//p' | head -n 1)"
NGINX_VERSION="$(/usr/sbin/nginx -v 2>&1 | sed 's/^nginx version: //')"

# shellcheck source=deploy/setup.sh
source deploy/setup.sh
./deploy/docker.sh >&2
if [[ "$SKIP_BUILD" != 1 ]]; then
    # One product per invocation: given several --product options, swift build builds only the last.
    for product in warden scripted-model proxy-load; do swift build -c release --product "$product" >&2; done
    swift build -c release --product warden-agent --static-swift-stdlib >&2
fi
for bin in warden scripted-model warden-agent proxy-load; do
    [[ -x ".build/release/$bin" ]] || die ".build/release/$bin is missing (build it, or drop SKIP_BUILD)"
done
LOAD="$ROOT/.build/release/proxy-load"
IMAGE=$(bash deploy/agent-image/build.sh --agent .build/release/warden-agent | tail -n 1)

ports=("$PORT" "$HTTP_PORT" "$HTTPS_PORT" "$MITM_PORT")
(( RELAY )) && ports+=("$RELAY_PORT")
(( TUNNEL )) && ports+=("$MITM_TUNNEL_PORT")
for p in "${ports[@]}"; do port_busy "$p" && die "port $p is in use; set the *_PORT variables"; done

# ---------------------------------------------------------------- processes and clean-up
# A short path: the session's proxy.sock lives under it and a unix socket path has 107 bytes.
WORK=$(mktemp -d /var/tmp/wpb.XXXXXX)
declare -A PID=()       # name -> pid, also its process group (started under setsid)
cleanup() {
    stop_client
    local name
    for name in relay mitmtunnel mitmproxy warden model nginx; do
        [[ -n "${PID[$name]:-}" ]] && kill_group "${PID[$name]}" TERM 50
    done
    if [[ "$KEEP_DATA" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() {            # wait_for WHAT TENTHS COMMAND...: polls until COMMAND succeeds
    local what="$1" tenths="$2" i
    shift 2
    for (( i = 0; i < tenths; i++ )); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    die "$what did not come up (logs in $WORK; KEEP_DATA=1 keeps them)"
}

# ---------------------------------------------------------------- upstream: certificates and nginx
mkdir -p "$WORK/tls" "$WORK/www" "$WORK/nginx"
chmod 711 "$WORK"       # nginx's workers (www-data) must reach www/; nothing in it is listed
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=proxy-bench test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$WORK/tls/ca.key" -out "$WORK/tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$TLS_HOST" \
    -keyout "$WORK/tls/server.key" -out "$WORK/tls/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
    "$TLS_HOST" > "$WORK/tls/server.ext"
openssl x509 -req -in "$WORK/tls/server.csr" -CA "$WORK/tls/ca.pem" -CAkey "$WORK/tls/ca.key" -CAcreateserial \
    -days 2 -extfile "$WORK/tls/server.ext" -out "$WORK/tls/server.pem" 2>/dev/null
# The credential's secret: warden injects it; nginx's /injected answers 200 only when it arrives.
BENCH_SECRET="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
for b in $BODIES; do head -c "$b" /dev/zero | tr '\0' 'x' > "$WORK/www/$b"; done

cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    default_type application/octet-stream;
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    sendfile on;
    tcp_nodelay on;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        root $WORK/www;
    }
    server {
        listen 127.0.0.1:$HTTPS_PORT ssl;
        server_name $TLS_HOST;
        ssl_certificate $WORK/tls/server.pem;
        ssl_certificate_key $WORK/tls/server.key;
        root $WORK/www;
        location = /injected {
            if (\$http_x_bench_token != "Bearer $BENCH_SECRET") { return 403 "no credential"; }
            return 200 "ok";
        }
    }
}
EOF
setsid /usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" 2>"$WORK/nginx/stderr.log" &
PID[nginx]=$!
FIRST_BODY="${BODIES%% *}"
FIRST_BODY="${FIRST_BODY## }"
wait_for nginx 50 curl -sf "http://127.0.0.1:$HTTP_PORT/$FIRST_BODY"
wait_for "nginx (TLS)" 50 curl -sf --cacert "$WORK/tls/ca.pem" --resolve "$TLS_HOST:$HTTPS_PORT:127.0.0.1" \
    "https://$TLS_HOST:$HTTPS_PORT/$FIRST_BODY"

# ---------------------------------------------------------------- warden, one session, its proxy.sock
echo '{"turns": [], "when_exhausted": {"reply": "ok"}}' > "$WORK/script.json"
setsid .build/release/scripted-model --listen 127.0.0.1:0 --script "$WORK/script.json" > "$WORK/model.addr" 2>/dev/null &
PID[model]=$!
wait_for "the scripted model" 50 test -s "$WORK/model.addr"
MODEL=$(head -n 1 "$WORK/model.addr")
KEY="wk_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WARDEN_ADMIN_KEY="$KEY" ANTHROPIC_API_KEY="sk-bench-not-a-real-key" setsid .build/release/warden serve \
    --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" --agent-image "$IMAGE" --anthropic-base-url "http://$MODEL" \
    --upstream-ca "$WORK/tls/ca.pem" --idle-timeout 3600 --log-level warning "${WARDEN_FLAGS[@]}" 2> "$WORK/warden.log" &
PID[warden]=$!
wait_for warden 150 curl -sf "http://127.0.0.1:$PORT/healthz"
printf 'Authorization: Bearer %s\n' "$KEY" > "$WORK/auth.header"
api() {                 # api METHOD PATH [JSON]: prints the response body; fails on a non-2xx
    local status data=()
    [[ $# -ge 3 ]] && data=(--data "$3")
    status=$(curl -s -o "$WORK/api.out" -w '%{http_code}' -X "$1" -H @"$WORK/auth.header" \
        -H 'Content-Type: application/json' "${data[@]}" "http://127.0.0.1:$PORT$2") || die "$1 $2: curl failed"
    [[ "$status" == 2* ]] || die "$1 $2 answered $status: $(head -c 400 "$WORK/api.out")"
    cat "$WORK/api.out"
}
json() { python3 -c 'import json,sys; v=json.load(sys.stdin); print(eval(sys.argv[1], {"v": v}))' "$1"; }

# Egress is default-deny, and loopback is dialled only for a host named by an exact rule.
# The tunnelled case CONNECTs to 127.0.0.1, so that address needs its rule too.
declare -A RULES=(["$PLAIN_HOST"]=1 ["$TLS_HOST"]=1 [127.0.0.1]=1)
for host in "${!RULES[@]}"; do api POST /v1/rules "{\"host\": \"$host\", \"action\": \"allow\"}" >/dev/null; done
# A credential for the HTTPS host makes warden intercept its CONNECTs (SPEC §5): the realistic
# reason to intercept, so each request inside the tunnel also gets the header injected.
api POST /v1/credentials "{\"name\": \"proxy-bench\", \"hosts\": [\"$TLS_HOST\"], \"secret\": \"$BENCH_SECRET\",
    \"inject\": {\"header\": \"X-Bench-Token\", \"template\": \"Bearer {secret}\"}}" >/dev/null

SESSION=$(api POST /v1/sessions '{"title": "proxy-bench"}' | json 'v["id"]')
RUN=$(api POST "/v1/sessions/$SESSION/messages" '{"content": "hello"}' | json 'v["run"]["id"]')
log "session $SESSION: waiting for its container (run $RUN)"
run_status=""
for _ in $(seq 600); do
    run_status=$(api GET "/v1/runs/$RUN" | json 'v["status"]')
    [[ "$run_status" == completed || "$run_status" == failed || "$run_status" == cancelled ]] && break
    sleep 0.1
done
[[ "$run_status" == completed ]] || die "the session's first run ended '$run_status' (see $WORK/warden.log)"
SOCK="$WORK/data/sessions/$SESSION/run/proxy.sock"
[[ -S "$SOCK" ]] || SOCK=$(find "$WORK/data" -name proxy.sock -type s | head -n 1)
[[ -S "$SOCK" ]] || die "no proxy.sock under $WORK/data"
log "proxy socket: $SOCK"
WARDEN_CA="$WORK/data/proxy-ca/ca.crt"
[[ -s "$WARDEN_CA" ]] || die "no proxy CA certificate at $WARDEN_CA"

if (( RELAY )); then
    # The agent's relay, on the host: warden-agent with no agent socket to reach (it keeps
    # retrying that, gently) and its relay listening on RELAY_PORT in front of proxy.sock.
    mkdir -p "$WORK/agent-workspace"
    WARDEN_AGENT_SOCKET="$WORK/no-agent.sock" WARDEN_PROXY_SOCKET="$SOCK" WARDEN_RELAY_LISTEN="127.0.0.1:$RELAY_PORT" \
        WARDEN_WORKSPACE="$WORK/agent-workspace" setsid .build/release/warden-agent 2> "$WORK/relay.log" &
    PID[relay]=$!
    wait_for "the relay (warden-agent)" 50 port_busy "$RELAY_PORT"
fi

# Does warden intercept the HTTPS host and inject its credential? One request to /injected.
INJECTION="not checked"
if [[ " $CASES " == *" https "* ]]; then
    "$LOAD" --url "https://$TLS_HOST:$HTTPS_PORT/injected" --proxy "unix:$SOCK" --ca "$WARDEN_CA" -n 1 \
        --expect-bytes 2 > "$WORK/injection.json" || true
    INJECTION=$(python3 - "$WORK/injection.json" <<'PY'
import json, sys
try:
    run = json.load(open(sys.argv[1]))
except (OSError, ValueError) as error:
    print(f"failed: no result from proxy-load ({error})")
    sys.exit()
if run.get("connect_status") not in (None, 200):
    print(f"not available (CONNECT answered {run['connect_status']})")
elif run["requests"] == 1:
    print("ok (nginx saw the injected header)")
else:
    print("FAILED: " + run.get("first_error", "?")[:200])
PY
)
    log "warden interception and injection: $INJECTION"
    [[ "$INJECTION" == FAILED* ]] && warn "warden's intercepted requests do not carry the credential"
fi

# ---------------------------------------------------------------- mitmproxy
# Two instances: one intercepts every CONNECT (the HTTPS comparison); the other, with
# --ignore-hosts '.', tunnels every CONNECT (the comparison for warden's tunnels).
start_mitmdump() {      # start_mitmdump NAME PORT [ARGS...]
    local name="$1" port="$2"
    shift 2
    mkdir -p "$WORK/$name"
    setsid "$MITMDUMP" -q --listen-host 127.0.0.1 --listen-port "$port" --set confdir="$WORK/$name" \
        --set flow_detail=0 --set ssl_verify_upstream_trusted_ca="$WORK/tls/ca.pem" "$@" > "$WORK/$name.log" 2>&1 &
    PID[$name]=$!
    wait_for "$name (mitmdump)" 200 port_busy "$port"
}
start_mitmdump mitmproxy "$MITM_PORT"
MITM_CA="$WORK/mitmproxy/mitmproxy-ca-cert.pem"
wait_for "mitmproxy's CA" 50 test -s "$MITM_CA"
(( TUNNEL )) && start_mitmdump mitmtunnel "$MITM_TUNNEL_PORT" --ignore-hosts '.'

# ---------------------------------------------------------------- the runs
RAW="$WORK/runs.jsonl"
: > "$RAW"
cpu_snapshot() {        # CPU ticks of the machine and of each of our process groups (proxy_report.py)
    python3 "$BENCH_DIR/proxy_report.py" cpu "$$" "${PID[nginx]}" "${PID[warden]}" "${PID[relay]:-0}" \
        "${PID[mitmproxy]}" "${PID[mitmtunnel]:-0}"
}
measure() {             # measure BODY SCHEME LOAD TARGET
    local body="$1" scheme="$2" load="$3" target="$4" conns=$CONNS url args=() before after
    [[ "$load" == latency ]] && conns=1
    case "$scheme" in
        http)   url="http://$PLAIN_HOST:$HTTP_PORT/$body" ;;
        https)  url="https://$TLS_HOST:$HTTPS_PORT/$body" ;;
        # CONNECT to the address (no credential names it: warden tunnels), TLS to the name.
        tunnel) url="https://127.0.0.1:$HTTPS_PORT/$body"; args=(--tls-name "$TLS_HOST") ;;
    esac
    case "$target:$scheme" in
        direct:*)  args+=(--ca "$WORK/tls/ca.pem") ;;
        warden:tunnel) args+=(--proxy "unix:$SOCK" --ca "$WORK/tls/ca.pem") ;;
        warden:*)  args+=(--proxy "unix:$SOCK" --ca "$WARDEN_CA") ;;
        relay:tunnel) args+=(--proxy "tcp:127.0.0.1:$RELAY_PORT" --ca "$WORK/tls/ca.pem") ;;
        relay:*)   args+=(--proxy "tcp:127.0.0.1:$RELAY_PORT" --ca "$WARDEN_CA") ;;
        mitmproxy:tunnel) args+=(--proxy "tcp:127.0.0.1:$MITM_TUNNEL_PORT" --ca "$WORK/tls/ca.pem") ;;
        mitmproxy:*) args+=(--proxy "tcp:127.0.0.1:$MITM_PORT" --ca "$MITM_CA") ;;
    esac
    before=$(cpu_snapshot)
    run_client "$LOAD" --url "$url" "${args[@]}" -c "$conns" -d "$DURATION" --warmup "$WARMUP" \
        --expect-bytes "$body" --label "$body $scheme $load $target" > "$WORK/run.json"
    after=$(cpu_snapshot)
    python3 "$BENCH_DIR/proxy_report.py" annotate "$WORK/run.json" "$before" "$after" "$body" "$scheme" "$load" "$target" >> "$RAW"
}

TARGETS=(direct warden)
(( RELAY )) && TARGETS+=(relay)
TARGETS+=(mitmproxy)
read -r -a SCHEMES <<< "$CASES"
(( TUNNEL )) || SCHEMES=("${SCHEMES[@]/tunnel}")
log "mitmproxy $MITM_VERSION (Debian), nginx $NGINX_VERSION, warden $(git rev-parse --short HEAD)"
log "runs: bodies [$BODIES] x (${SCHEMES[*]}) x (throughput c$CONNS, latency c1) x (${TARGETS[*]}), ${WARMUP}+${DURATION} s each"
STARTED=$(date +%s)
for (( rep = 1; rep <= REPEAT; rep++ )); do
    (( REPEAT > 1 )) && log "round $rep of $REPEAT"
    for body in $BODIES; do
        for scheme in "${SCHEMES[@]}"; do
            [[ -n "$scheme" ]] || continue
            for load in throughput latency; do
                for target in "${TARGETS[@]}"; do
                    # Direct HTTPS is the same exchange whether the proxy would intercept or tunnel it.
                    [[ "$scheme:$target" == tunnel:direct ]] && continue
                    measure "$body" "$scheme" "$load" "$target"
                done
            done
        done
    done
done
ELAPSED=$(( $(date +%s) - STARTED ))

# ---------------------------------------------------------------- report
META=$(python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
    stamp "$(date -u +%Y%m%dT%H%M%SZ)" commit "$(git rev-parse --short HEAD)" mitmproxy "$MITM_VERSION" \
    nginx "$NGINX_VERSION" conns "$CONNS" duration_s "$DURATION" warmup_s "$WARMUP" repeat "$REPEAT" plain_host "$PLAIN_HOST" \
    tls_host "$TLS_HOST" injection "$INJECTION" nproc "$(nproc)" loadavg "$(cut -d ' ' -f 1-3 /proc/loadavg)" elapsed_s "$ELAPSED")
python3 "$BENCH_DIR/proxy_report.py" report "$RAW" "$RESULTS_DIR" "$META"
