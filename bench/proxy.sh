#!/usr/bin/env bash
# Credential-proxy benchmark (issue #6): requests/s and added p50/p99 latency through Warden's
# proxy versus direct, for plain HTTP and for intercepted HTTPS with keep-alive, against
# mitmproxy on the same upstream (nginx on loopback) in the same run. See bench/README.md.
#
# A real warden (release), real Docker, the real agent image and the scripted model, as in
# bench/agent.sh: one session is started so that its container runs and its proxy.sock exists;
# the load tool (bench/ProxyLoad, `proxy-load`) talks to that unix socket directly, which is how
# the agent's relay reaches it. mitmproxy is reached over TCP loopback. With RELAY=1 warden is
# also measured through the agent's real TCP->unix relay (warden-agent, run on the host).
# Goals: warden >= 5x mitmproxy's throughput; < 1 ms added p50 for plain HTTP.
# Runs as root on Debian 12; installs what it needs (nginx-light, mitmproxy from Debian);
# leaves nothing behind.
#
# Env:
#   CONNS=16           connections for the throughput runs (the latency runs use 1)
#   DURATION=5         measured seconds per run
#   WARMUP=1           unmeasured seconds at the start of each run (same connections)
#   BODIES="1024 65536" response body sizes, in bytes; the goals are judged on the first
#   RELAY=1            also measure warden through the agent's TCP relay (0 = skip)
#   PLAIN_HOST=127.0.0.1  the upstream's name for plain HTTP (an exact egress rule names it)
#   TLS_HOST=localhost    the upstream's name for HTTPS (SNI and certificate need a name)
#   PORT=18086         warden's API; HTTP_PORT=18087 HTTPS_PORT=18088 MITM_PORT=18089 RELAY_PORT=18090
#   SKIP_BUILD=1       use the binaries already built
#   KEEP_DATA=1        keep the temp dir (data dir, logs, certificates)
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="$BENCH_DIR/results"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

CONNS="${CONNS:-16}" DURATION="${DURATION:-5}" WARMUP="${WARMUP:-1}" BODIES="${BODIES:-1024 65536}"
RELAY="${RELAY:-1}" PLAIN_HOST="${PLAIN_HOST:-127.0.0.1}" TLS_HOST="${TLS_HOST:-localhost}"
PORT="${PORT:-18086}" HTTP_PORT="${HTTP_PORT:-18087}" HTTPS_PORT="${HTTPS_PORT:-18088}"
MITM_PORT="${MITM_PORT:-18089}" RELAY_PORT="${RELAY_PORT:-18090}"
SKIP_BUILD="${SKIP_BUILD:-0}" KEEP_DATA="${KEEP_DATA:-0}"

log()  { printf '[proxy-bench] %s\n' "$*" >&2; }
warn() { printf '[proxy-bench] WARNING: %s\n' "$*" >&2; }
die()  { printf '[proxy-bench] ERROR: %s\n' "$*" >&2; exit 1; }

for v in CONNS DURATION WARMUP RELAY PORT HTTP_PORT HTTPS_PORT MITM_PORT RELAY_PORT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( CONNS > 0 && DURATION > 0 )) || die "CONNS and DURATION must be above 0"
for b in $BODIES; do [[ "$b" =~ ^[0-9]+$ ]] || die "BODIES holds byte counts (got '$b')"; done
[[ -n "${BODIES// /}" ]] || die "BODIES is empty"
[[ $EUID -eq 0 ]] || die "run as root (apt, Docker)"

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
for p in "${ports[@]}"; do port_busy "$p" && die "port $p is in use; set PORT/HTTP_PORT/HTTPS_PORT/MITM_PORT/RELAY_PORT"; done

# ---------------------------------------------------------------- processes and clean-up
# A short path: the session's proxy.sock lives under it and a unix socket path has 107 bytes.
WORK=$(mktemp -d /var/tmp/wpb.XXXXXX)
declare -A PID=()       # name -> pid, also its process group (started under setsid)
cleanup() {
    stop_client
    local name
    for name in relay mitmproxy warden model nginx; do
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
    --upstream-ca "$WORK/tls/ca.pem" --idle-timeout 3600 --log-level warning 2> "$WORK/warden.log" &
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
api POST /v1/rules "{\"host\": \"$PLAIN_HOST\", \"action\": \"allow\"}" >/dev/null
[[ "$TLS_HOST" != "$PLAIN_HOST" ]] && api POST /v1/rules "{\"host\": \"$TLS_HOST\", \"action\": \"allow\"}" >/dev/null
# A credential for the HTTPS host makes warden intercept its CONNECTs (SPEC §5): the realistic
# reason to intercept, so each request inside the tunnel also gets the header injected.
BENCH_SECRET="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
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

# ---------------------------------------------------------------- mitmproxy
mkdir -p "$WORK/mitm"
setsid "$MITMDUMP" -q --listen-host 127.0.0.1 --listen-port "$MITM_PORT" --set confdir="$WORK/mitm" \
    --set flow_detail=0 --set ssl_verify_upstream_trusted_ca="$WORK/tls/ca.pem" > "$WORK/mitm.log" 2>&1 &
PID[mitmproxy]=$!
wait_for mitmproxy 200 port_busy "$MITM_PORT"
MITM_CA="$WORK/mitm/mitmproxy-ca-cert.pem"
wait_for "mitmproxy's CA" 50 test -s "$MITM_CA"

# ---------------------------------------------------------------- the runs
# CPU used by each of our process groups and by the whole machine, to tell the proxy's cost
# and to see whether something else (a build) was competing for the 2 cores.
cpu_snapshot() {
    python3 - "$$" "${PID[nginx]}" "${PID[warden]}" "${PID[mitmproxy]}" "${PID[relay]:-0}" <<'PY'
import os, sys
def pgid(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[2])
# The first group is this script's own (the load tool runs in it), the others were started by setsid.
groups = [pgid(sys.argv[1])] + [int(x) for x in sys.argv[2:]]
ticks = {g: 0 for g in groups if g}
for entry in os.listdir("/proc"):
    if not entry.isdigit():
        continue
    try:
        with open(f"/proc/{entry}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    pgid = int(fields[2])
    if pgid in ticks:
        ticks[pgid] += int(fields[11]) + int(fields[12])   # utime + stime
with open("/proc/stat") as f:
    cpu = [int(x) for x in f.readline().split()[1:]]
busy = sum(cpu) - cpu[3] - cpu[4]                          # all but idle and iowait
print(busy, *(ticks.get(g, 0) for g in groups))
PY
}

RAW="$WORK/runs.jsonl"
: > "$RAW"
measure() {             # measure BODY SCHEME LOAD TARGET
    local body="$1" scheme="$2" load="$3" target="$4" conns url args=() before after out
    conns=$CONNS; [[ "$load" == latency ]] && conns=1
    if [[ "$scheme" == http ]]; then url="http://$PLAIN_HOST:$HTTP_PORT/$body"; else url="https://$TLS_HOST:$HTTPS_PORT/$body"; fi
    case "$target" in
        direct)  args=(--ca "$WORK/tls/ca.pem") ;;
        warden)  args=(--proxy "unix:$SOCK" --ca "$WARDEN_CA") ;;
        relay)   args=(--proxy "tcp:127.0.0.1:$RELAY_PORT" --ca "$WARDEN_CA") ;;
        mitmproxy) args=(--proxy "tcp:127.0.0.1:$MITM_PORT" --ca "$MITM_CA") ;;
    esac
    # Direct HTTPS must reach nginx at TLS_HOST's loopback address; the tool resolves the name.
    before=$(cpu_snapshot)
    run_client "$LOAD" --url "$url" "${args[@]}" -c "$conns" -d "$DURATION" --warmup "$WARMUP" \
        --expect-bytes "$body" --label "$body $scheme $load $target" > "$WORK/run.json"
    after=$(cpu_snapshot)
    out=$(python3 - "$WORK/run.json" "$before" "$after" "$body" "$scheme" "$load" "$target" "$(getconf CLK_TCK)" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
before, after = ([int(x) for x in s.split()] for s in sys.argv[2:4])
d = [a - b for a, b in zip(after, before)]
hz = int(sys.argv[8])
# The snapshots bracket the whole tool run, warm-up included: divide by its whole wall time.
wall = max(run["elapsed_s"], 0.001)
# Groups: this script's (the load tool ran in it but has exited: it reports its own CPU), nginx,
# warden, mitmproxy, relay.
names = ["script", "nginx", "warden", "mitmproxy", "relay"]
cpu = {n: round(t / hz / wall, 2) for n, t in zip(names, d[1:])}
cpu["client"] = round(run["cpu_s"] / wall, 2)
cpu["other"] = round(max(0.0, d[0] / hz / wall - sum(cpu.values())), 2)
run.update(body=int(sys.argv[4]), scheme=sys.argv[5], load=sys.argv[6], target=sys.argv[7], cpu=cpu)
print(json.dumps(run, sort_keys=True))
error = f"  ({run['first_error'][:120]})" if run.get("first_error") else ""
print(f"[proxy-bench]   {run['label']:<32} {run['rps']:>9.0f} req/s  p50 {run['p50_us']:>7.0f} us  "
      f"p99 {run['p99_us']:>7.0f} us  errors {run['errors']}{error}", file=sys.stderr)
PY
)
    printf '%s\n' "$out" >> "$RAW"
}

TARGETS=(direct warden)
(( RELAY )) && TARGETS+=(relay)
TARGETS+=(mitmproxy)
log "mitmproxy $MITM_VERSION (Debian), nginx $NGINX_VERSION, warden $(git rev-parse --short HEAD)"
log "runs: bodies [$BODIES] x (http, https) x (throughput c$CONNS, latency c1) x (${TARGETS[*]}), ${WARMUP}+${DURATION} s each"
STARTED=$(date +%s)
for body in $BODIES; do
    for scheme in http https; do
        for load in throughput latency; do
            for target in "${TARGETS[@]}"; do measure "$body" "$scheme" "$load" "$target"; done
        done
    done
done
ELAPSED=$(( $(date +%s) - STARTED ))

# ---------------------------------------------------------------- report
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS_DIR"
META=$(python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
    stamp "$STAMP" commit "$(git rev-parse --short HEAD)" mitmproxy "$MITM_VERSION" nginx "$NGINX_VERSION" \
    conns "$CONNS" duration_s "$DURATION" warmup_s "$WARMUP" plain_host "$PLAIN_HOST" tls_host "$TLS_HOST" \
    nproc "$(nproc)" loadavg "$(cut -d ' ' -f 1-3 /proc/loadavg)" elapsed_s "$ELAPSED")
python3 - "$RAW" "$RESULTS_DIR" "$META" <<'PY'
import json, os, sys
raw, results_dir, meta = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
runs = [json.loads(line) for line in open(raw)]
def find(body, scheme, load, target):
    for r in runs:
        if (r["body"], r["scheme"], r["load"], r["target"]) == (body, scheme, load, target):
            return r
    return None
def unavailable(r):
    return r is None or (r.get("connect_status") not in (None, 200)) or r["requests"] == 0
def why(r):
    if r is None:
        return "not run"
    if r.get("connect_status") not in (None, 200):
        status = r["connect_status"]
        code = ""
        err = r.get("first_error", "")
        if "interception_not_available" in err:
            code = ": interception_not_available"
        return f"not available ({status}{code})"
    return "no successful request: " + r.get("first_error", "?")[:100]

names = {"direct": "direct (no proxy)", "warden": "warden (unix socket)",
         "relay": "warden via agent relay (TCP)", "mitmproxy": f"mitmproxy {meta['mitmproxy']} (TCP)"}
scheme_names = {"http": "plain HTTP", "https": "HTTPS, intercepted (CONNECT + TLS both sides)"}
bodies = sorted({r["body"] for r in runs}, key=lambda b: [r["body"] for r in runs].index(b))
targets = [t for t in ("direct", "warden", "relay", "mitmproxy") if any(r["target"] == t for r in runs)]
lines = [f"Proxy benchmark {meta['stamp']} (warden {meta['commit']}), {meta['nproc']} cores; "
         f"load tool bench/ProxyLoad (closed loop, keep-alive), {meta['warmup_s']}+{meta['duration_s']} s per run; "
         f"load average at the end {meta['loadavg']}",
         f"Upstream: nginx {meta['nginx']} on 127.0.0.1 (plain HTTP as {meta['plain_host']}, HTTPS as {meta['tls_host']}, test CA).",
         "warden is reached over its session's unix socket (proxy.sock), as the agent's relay reaches it;",
         "mitmproxy over TCP loopback; 'via agent relay' adds the agent's TCP->unix relay (warden-agent) in front.",
         "Warden intercepts HTTPS because a credential names the host (its header is injected on every request);",
         "mitmproxy intercepts every CONNECT. Added latency = via proxy - direct, at 1 connection.",
         "CPU: cores used during the run (of the machine's 2) by the proxy, the load tool, nginx, and anything else.", ""]
summary = {}
noisy = False
for body in bodies:
    for scheme in ("http", "https"):
        lines.append(f"== {scheme_names[scheme]}, GET of a {body}-byte body ==")
        lines.append(f"{'':<34}{'throughput, ' + str(meta['conns']) + ' connections':^40}  {'latency, 1 connection':^44}")
        lines.append(f"{'target':<34}{'req/s':>9} {'p50 us':>8} {'p99 us':>8} {'errors':>6} {'CPU proxy/client/other':>7}  "
                     f"{'req/s':>8} {'p50 us':>8} {'p99 us':>8} {'+p50 us':>8} {'+p99 us':>8}")
        base = find(body, scheme, "latency", "direct")
        for t in targets:
            tp, lat = find(body, scheme, "throughput", t), find(body, scheme, "latency", t)
            if unavailable(tp) and unavailable(lat):
                lines.append(f"{names[t]:<34}{why(tp if tp else lat)}")
                continue
            cells = f"{names[t]:<34}"
            if unavailable(tp):
                cells += f"{why(tp):<60}"
            else:
                cpu = tp["cpu"]
                proxy = {"direct": 0.0, "warden": cpu["warden"], "relay": cpu["warden"] + cpu["relay"],
                         "mitmproxy": cpu["mitmproxy"]}[t]
                noisy |= cpu["other"] > 0.15
                errors = tp["errors"] + (lat["errors"] if lat else 0)
                cells += (f"{tp['rps']:>9.0f} {tp['p50_us']:>8.0f} {tp['p99_us']:>8.0f} {errors:>6} "
                          f"{proxy:>6.2f}/{cpu['client']:.2f}/{cpu['other']:.2f}  ")
            if unavailable(lat):
                cells += why(lat)
            else:
                cells += f"{lat['rps']:>8.0f} {lat['p50_us']:>8.0f} {lat['p99_us']:>8.0f}"
                if t != "direct" and base and not unavailable(base):
                    cells += f" {lat['p50_us'] - base['p50_us']:>8.0f} {lat['p99_us'] - base['p99_us']:>8.0f}"
            lines.append(cells)
            for r in (tp, lat):
                if r and r.get("first_error") and not unavailable(r):
                    lines.append(f"    note: {r['errors']} errors in {r['load']}, first: {r['first_error'][:160]}")
        lines.append("")

# Ratios and goals.
goal_body = bodies[0]
lines.append(f"== Ratios and goals ({goal_body}-byte body) ==")
verdicts = {}
for scheme in ("http", "https"):
    w, m = find(goal_body, scheme, "throughput", "warden"), find(goal_body, scheme, "throughput", "mitmproxy")
    if unavailable(w) or unavailable(m):
        lines.append(f"{scheme_names[scheme].split(',')[0]}: warden/mitmproxy throughput: n/a "
                     f"(warden {why(w) if unavailable(w) else 'ok'}, mitmproxy {why(m) if unavailable(m) else 'ok'})")
        verdicts[f"{scheme}_throughput_ratio"] = None
        continue
    ratio = w["rps"] / m["rps"] if m["rps"] else float("inf")
    verdicts[f"{scheme}_throughput_ratio"] = round(ratio, 2)
    met = ratio >= 5
    lines.append(f"{scheme_names[scheme].split(',')[0]}: warden/mitmproxy throughput = {w['rps']:.0f} / {m['rps']:.0f} = "
                 f"{ratio:.1f}x  (goal >= 5x: {'MET' if met else 'NOT MET'})")
    verdicts[f"{scheme}_throughput_goal_met"] = met
    d, wl, ml = (find(goal_body, scheme, "latency", t) for t in ("direct", "warden", "mitmproxy"))
    if not unavailable(d) and not unavailable(wl):
        added50, added99 = wl["p50_us"] - d["p50_us"], wl["p99_us"] - d["p99_us"]
        verdicts[f"{scheme}_added_p50_us"], verdicts[f"{scheme}_added_p99_us"] = added50, added99
        text = f"  warden added latency p50 {added50:.0f} us, p99 {added99:.0f} us"
        if not unavailable(ml):
            text += f"; mitmproxy adds p50 {ml['p50_us'] - d['p50_us']:.0f} us, p99 {ml['p99_us'] - d['p99_us']:.0f} us"
        if scheme == "http":
            met = added50 < 1000
            verdicts["http_added_p50_goal_met"] = met
            text += f"  (goal: added p50 < 1000 us: {'MET' if met else 'NOT MET'})"
        lines.append(text)
if noisy:
    lines.append("")
    lines.append("WARNING: other processes used more than 0.15 cores during some runs (see CPU 'other'):")
    lines.append("         something else was competing for the 2 cores; the figures are noisy.")
text = "\n".join(lines) + "\n"
print(text, end="")
out = {"meta": meta, "verdicts": verdicts, "runs": runs, "noisy": noisy}
os.makedirs(results_dir, exist_ok=True)
stamp = meta["stamp"]
for name, content in ((f"proxy-{stamp}.txt", text), ("proxy-latest.txt", text),
                      (f"proxy-{stamp}.json", json.dumps(out, indent=2) + "\n"),
                      ("proxy-latest.json", json.dumps(out, indent=2) + "\n")):
    with open(os.path.join(results_dir, name), "w") as f:
        f.write(content)
print(f"results: {results_dir}/proxy-{stamp}.txt and .json")
PY
