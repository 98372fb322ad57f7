#!/usr/bin/env bash
# HTTP benchmark: Warden vs nginx vs a Hummingbird 2 hello-world, all on loopback.
# See bench/README.md. Runs as root on Debian 12; idempotent; leaves no process behind.
#
# Env:
#   DURATION=10        seconds per measured wrk run
#   ROUNDS=1           interleaved rounds of all runs; the table shows each figure's median
#   WARMUP=2           seconds of unmeasured wrk warm-up per server (0 = none)
#   WARDEN_WORKERS=    passed to `warden serve --workers N` when set
#   SKIP_BUILD=1       do not run `swift build` (use the binaries already built)
#   IDLE_CONNS=10000   connections for the idle keep-alive memory test (0 = skip the test)
#   IDLE_HOLD=5        seconds to hold them open
#   NGINX_WORKERS=1    nginx worker_processes
#   PIPELINE_DEPTH=16  requests per write in the pipelined run
#   WARDEN_PORT=18080 NGINX_PORT=18081 HB_PORT=18082
#   REQUIRE_WARDEN=1   exit non-zero when warden is skipped (default: skip with a message)
#   WARDEN_BIN=path    benchmark this warden binary instead of building .build/release/warden
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
HB_PKG="$BENCH_DIR/anchors/hummingbird/hb-anchor"
HB_SCRATCH="$BENCH_DIR/anchors/hummingbird/.build"
RESULTS_DIR="$BENCH_DIR/results"

DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-1}"
WARMUP="${WARMUP:-2}"
WARDEN_WORKERS="${WARDEN_WORKERS:-}"
SKIP_BUILD="${SKIP_BUILD:-0}"
IDLE_CONNS="${IDLE_CONNS:-10000}"
IDLE_HOLD="${IDLE_HOLD:-5}"
NGINX_WORKERS="${NGINX_WORKERS:-1}"
PIPELINE_DEPTH="${PIPELINE_DEPTH:-16}"
WARDEN_PORT="${WARDEN_PORT:-18080}"
NGINX_PORT="${NGINX_PORT:-18081}"
HB_PORT="${HB_PORT:-18082}"
WARDEN1_PORT="${WARDEN1_PORT:-18083}"
REQUIRE_WARDEN="${REQUIRE_WARDEN:-0}"
BUILD_WARDEN=1
if [[ -n "${WARDEN_BIN:-}" ]]; then BUILD_WARDEN=0; else WARDEN_BIN="$ROOT/.build/release/warden"; fi
HB_BIN="$HB_SCRATCH/release/hb-anchor"

# warden runs twice: with its default (one event loop per core) and with one loop, the fair
# match for nginx's single worker when wrk's two threads share the same two cores.
SERVERS=(warden warden1 nginx hummingbird)

log()  { printf '[bench] %s\n' "$*" >&2; }
warn() { printf '[bench] WARNING: %s\n' "$*" >&2; }
die()  { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

for v in DURATION ROUNDS WARMUP IDLE_CONNS IDLE_HOLD NGINX_WORKERS PIPELINE_DEPTH WARDEN_PORT NGINX_PORT HB_PORT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
[[ -z "$WARDEN_WORKERS" || "$WARDEN_WORKERS" =~ ^[0-9]+$ ]] || die "WARDEN_WORKERS must be an integer"
(( DURATION > 0 )) || die "DURATION must be > 0"
(( ROUNDS > 0 )) || die "ROUNDS must be > 0"

# ---------------------------------------------------------------- process bookkeeping
source "$BENCH_DIR/lib.sh"
TMP="$(mktemp -d /tmp/warden-bench.XXXXXX)"
declare -A PID=()       # server name -> pid (also its process-group id: started under setsid)
declare -A SKIP=()      # server name -> reason it is skipped

stop_server() {
    local name="$1" pid="${PID[$1]:-}"
    [[ -n "$pid" ]] || return 0
    unset "PID[$name]"
    kill_group "$pid" TERM 50
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_client
    local name
    for name in "${!PID[@]}"; do stop_server "$name"; done
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Start "$@" in its own session/process group so the whole tree can be killed.
spawn() {
    local name="$1" logfile="$2"; shift 2
    setsid "$@" >"$logfile" 2>&1 </dev/null &
    PID[$name]=$!
}


# Wait until http://127.0.0.1:PORT/healthz answers 200 "ok": at most 150 tries and ~30 s.
wait_healthy() {
    local name="$1" port="$2" tries=150 deadline=$(( SECONDS + 30 )) i body
    for (( i = 0; i < tries && SECONDS < deadline; i++ )); do
        if ! kill -0 "${PID[$name]}" 2>/dev/null; then
            return 1    # exited
        fi
        if body="$(curl -fsS --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null)" && [[ "$body" == "ok" ]]; then
            return 0
        fi
        sleep 0.2
    done
    return 2            # still running, but not answering
}

port_of() {
    case "$1" in
        warden) echo "$WARDEN_PORT" ;;
        warden1) echo "$WARDEN1_PORT" ;;
        nginx) echo "$NGINX_PORT" ;;
        hummingbird) echo "$HB_PORT" ;;
    esac
}

# ---------------------------------------------------------------- 1. dependencies, limits
install_deps() {
    local missing=()
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
    command -v pgrep >/dev/null 2>&1 || missing+=(procps)
    if (( ${#missing[@]} )); then
        [[ $EUID -eq 0 ]] || die "missing ${missing[*]}; run as root or install them"
        log "installing ${missing[*]}"
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; then
            apt-get update
            DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
        fi
    fi
    command -v swift >/dev/null 2>&1 || [[ "$SKIP_BUILD" == 1 ]] || die "swift not found in PATH"
}

raise_nofile() {
    local want=65536 hard
    hard="$(ulimit -Hn)"
    if [[ "$hard" != unlimited ]] && (( hard < want )); then
        ulimit -Hn "$want" 2>/dev/null || true      # needs CAP_SYS_RESOURCE
        hard="$(ulimit -Hn)"
    fi
    if [[ "$hard" == unlimited ]] || (( hard >= want )); then
        ulimit -Sn "$want"
    else
        ulimit -Sn "$hard"
        warn "open-files hard limit is $hard (< $want) and cannot be raised here; using $hard"
    fi
    NOFILE="$(ulimit -n)"
    if (( IDLE_CONNS > 0 )) && [[ "$NOFILE" != unlimited ]] && (( NOFILE < IDLE_CONNS + 256 )); then
        warn "ulimit -n $NOFILE is too low for $IDLE_CONNS idle connections; using $(( NOFILE - 256 ))"
        IDLE_CONNS=$(( NOFILE - 256 ))
    fi
    log "ulimit -n = $NOFILE"
}

# ---------------------------------------------------------------- 2-3. builds
build_all() {
    if [[ "$SKIP_BUILD" == 1 ]]; then
        log "SKIP_BUILD=1: using existing binaries"
    else
        if [[ "$BUILD_WARDEN" == 1 ]]; then
            log "building warden (release) in $ROOT"
            if ! (cd "$ROOT" && swift build -c release --product warden) >&2; then
                SKIP[warden]="release build failed (see output above)"
            fi
        else
            log "WARDEN_BIN=$WARDEN_BIN given: not building warden"
        fi
        log "building the Hummingbird anchor (release) in $HB_PKG"
        if ! swift build -c release --package-path "$HB_PKG" --scratch-path "$HB_SCRATCH" >&2; then
            SKIP[hummingbird]="release build failed (see output above)"
        fi
    fi
    [[ -n "${SKIP[warden]:-}" || -x "$WARDEN_BIN" ]] || SKIP[warden]="$WARDEN_BIN does not exist"
    [[ -n "${SKIP[hummingbird]:-}" || -x "$HB_BIN" ]] || SKIP[hummingbird]="$HB_BIN does not exist"
}

# ---------------------------------------------------------------- 4-5. servers

start_server() {
    local name="$1" port
    port="$(port_of "$name")"
    [[ -z "${SKIP[$name]:-}" ]] || return 0
    if port_busy "$port"; then
        SKIP[$name]="port 127.0.0.1:$port is already in use by another process"
        return 0
    fi
    case "$name" in
        warden)
            mkdir -p "$TMP/warden-data"
            local args=(serve --listen "127.0.0.1:$port" --data-dir "$TMP/warden-data")
            [[ -z "$WARDEN_WORKERS" ]] || args+=(--workers "$WARDEN_WORKERS")
            spawn warden "$TMP/warden.log" "$WARDEN_BIN" "${args[@]}"
            ;;
        warden1)
            [[ -z "${SKIP[warden]:-}" ]] || { SKIP[warden1]="${SKIP[warden]}"; return 0; }
            mkdir -p "$TMP/warden1-data"
            spawn warden1 "$TMP/warden1.log" "$WARDEN_BIN" serve --listen "127.0.0.1:$port" \
                --data-dir "$TMP/warden1-data" --workers 1
            ;;
        nginx)
            local bin
            bin="$(command -v nginx || echo /usr/sbin/nginx)"
            write_nginx_conf "$TMP/nginx" "$NGINX_PORT" "$NGINX_WORKERS" $(( IDLE_CONNS + 1024 )) "$NOFILE"
            spawn nginx "$TMP/nginx.log" "$bin" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf"
            ;;
        hummingbird)
            spawn hummingbird "$TMP/hummingbird.log" "$HB_BIN" "$port"
            ;;
    esac
    local hrc=0
    wait_healthy "$name" "$port" || hrc=$?
    if (( hrc != 0 )); then
        local logf="$TMP/$name.log"
        [[ "$name" == nginx ]] && logf="$TMP/nginx/error.log"
        if (( hrc == 1 )); then
            local st=0
            wait "${PID[$name]}" 2>/dev/null || st=$?
            SKIP[$name]="exited (status $st) before answering GET http://127.0.0.1:$port/healthz"
        else
            SKIP[$name]="did not answer GET http://127.0.0.1:$port/healthz with 200 \"ok\" within ~30s"
        fi
        warn "$name: ${SKIP[$name]}; last lines of its log:"
        tail -n 15 "$logf" >&2 2>/dev/null || true
        stop_server "$name"
    else
        log "$name is up on 127.0.0.1:$port (pid ${PID[$name]})"
    fi
}

# The pid whose memory to read: nginx's worker (it holds the connections), else the server itself.
mem_pid() {
    local name="$1" pid="${PID[$1]}"
    if [[ "$name" == nginx ]]; then
        pgrep -P "$pid" | head -n 1
    else
        echo "$pid"
    fi
}

# ---------------------------------------------------------------- 6. wrk
RES="$TMP/results.tsv"   # run  server  rps  p99_ms  notes  round
: >"$RES"

to_ms() {   # wrk latency like 812.00us / 1.23ms / 2.01s -> milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
        printf "%.3f", n
    }'
}

run_wrk() {
    local run="$1" server="$2" conns="$3" pipelined="$4" port out
    port="$(port_of "$server")"
    out="$RESULTS_DIR/raw/$STAMP-$run-$server-r$ROUND.txt"
    local args=(-t2 "-c$conns" "-d${DURATION}s" --latency)
    [[ "$pipelined" == 1 ]] && args+=(-s "$BENCH_DIR/pipeline.lua")
    local url="http://127.0.0.1:$port/healthz"
    local tail_args=()
    [[ "$pipelined" == 1 ]] && tail_args=(-- "$PIPELINE_DEPTH")
    log "$run: $server  (wrk ${args[*]} $url ${tail_args[*]})"
    if ! run_client wrk "${args[@]}" "$url" "${tail_args[@]}" >"$out" 2>&1; then
        warn "wrk failed against $server; output in $out"
        printf '%s\t%s\t\t\twrk failed\t%s\n' "$run" "$server" "$ROUND" >>"$RES"
        return 0
    fi
    local rps p99 errs
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    p99="$(awk '$1 == "99%" {print $2}' "$out")"
    [[ -z "$p99" ]] || p99="$(to_ms "$p99")"
    errs="$(awk '/Socket errors:|Non-2xx or 3xx responses:/ {sub(/^ +/, ""); printf "%s; ", $0}' "$out")"
    [[ -z "$errs" ]] || warn "$server: $errs"
    if [[ "$p99" == 0.000 ]]; then
        # wrk's coordinated-omission correction assumes one request per round trip; with
        # pipelining it can push the 99th percentile out of its own histogram range -> 0.
        p99=""
        errs+="wrk printed p99 0 (its latency correction breaks under pipelining); "
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$server" "${rps:-}" "${p99:-}" "${errs%; }" "$ROUND" >>"$RES"
}

warmup() {
    local server="$1" port
    (( WARMUP > 0 )) || return 0
    port="$(port_of "$server")"
    run_client wrk -t2 -c64 "-d${WARMUP}s" "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- 8. idle connections
IDLE_JSON="$TMP/idle.jsonl"
: >"$IDLE_JSON"

idle_test() {
    local name="$1" port mpid out rc=0
    port="$(port_of "$name")"
    mpid="$(mem_pid "$name")"
    [[ -n "$mpid" ]] || { warn "$name: no pid to read memory from"; return 0; }
    out="$RESULTS_DIR/raw/$STAMP-idle-$name.txt"
    log "idle: $IDLE_CONNS keep-alive connections to $name (memory of pid $mpid)"
    run_client python3 "$BENCH_DIR/idle_conns.py" --port "$port" -n "$IDLE_CONNS" --hold "$IDLE_HOLD" \
        --pid "$mpid" --label "$name" >"$out" 2>&1 || rc=$?
    grep -v '^RESULT ' "$out" | sed 's/^/    /' >&2 || true
    (( rc == 0 )) || warn "$name: not every idle connection was opened and held (exit $rc)"
    local line
    line="$(grep '^RESULT ' "$out" | tail -n 1 | cut -d' ' -f2-)" || true
    [[ -z "$line" ]] || printf '{"server": "%s", "result": %s}\n' "$name" "$line" >>"$IDLE_JSON"
}

# ---------------------------------------------------------------- main
install_deps
raise_nofile
build_all
mkdir -p "$RESULTS_DIR/raw"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"

for s in "${SERVERS[@]}"; do start_server "$s"; done
for s in "${SERVERS[@]}"; do
    [[ -z "${SKIP[$s]:-}" ]] || warn "skipping $s: ${SKIP[$s]}"
done

ACTIVE=()
for s in "${SERVERS[@]}"; do [[ -n "${SKIP[$s]:-}" ]] || ACTIVE+=("$s"); done
(( ${#ACTIVE[@]} )) || die "no server could be started"

for s in "${ACTIVE[@]}"; do warmup "$s"; done
# Interleave servers within each run so slow drift of the machine hits all of them alike; more
# rounds repeat the whole sequence, so a burst of noise lands in one round, not in one server.
for (( ROUND = 1; ROUND <= ROUNDS; ROUND++ )); do
    (( ROUNDS == 1 )) || log "round $ROUND of $ROUNDS"
    for s in "${ACTIVE[@]}"; do run_wrk c64 "$s" 64 0; done
    for s in "${ACTIVE[@]}"; do run_wrk c256 "$s" 256 0; done
    for s in "${ACTIVE[@]}"; do run_wrk pipelined-c64 "$s" 64 1; done
done

# Idle-connection memory: on freshly started processes, so VmHWM is not the wrk runs' peak.
if (( IDLE_CONNS > 0 )); then
    for s in "${ACTIVE[@]}"; do
        stop_server "$s"
        start_server "$s"
        if [[ -n "${SKIP[$s]:-}" ]]; then
            warn "idle test for $s skipped: ${SKIP[$s]}"
            continue
        fi
        idle_test "$s"
        stop_server "$s"
    done
fi
for s in "${!PID[@]}"; do stop_server "$s"; done

# ---------------------------------------------------------------- 7. report
SKIPS="$TMP/skips.tsv"
: >"$SKIPS"
for s in "${SERVERS[@]}"; do
    [[ -z "${SKIP[$s]:-}" ]] || printf '%s\t%s\n' "$s" "${SKIP[$s]}" >>"$SKIPS"
done
META="$(printf '{"duration_s": %s, "rounds": %s, "wrk": "-t2, keep-alive", "pipeline_depth": %s, "warden_workers": "%s", "nginx_workers": %s, "nproc": %s, "idle_conns": %s, "idle_hold_s": %s, "stamp": "%s"}' \
    "$DURATION" "$ROUNDS" "$PIPELINE_DEPTH" "$WARDEN_WORKERS" "$NGINX_WORKERS" "$(nproc)" "$IDLE_CONNS" "$IDLE_HOLD" "$STAMP")"

python3 - "$RES" "$IDLE_JSON" "$SKIPS" "$RESULTS_DIR" "$STAMP" "$META" <<'PY'
import json, os, sys
res_path, idle_path, skips_path, results_dir, stamp, meta = sys.argv[1:7]
meta = json.loads(meta)
runs = ["c64", "c256", "pipelined-c64"]
servers = ["warden", "warden1", "nginx", "hummingbird"]
import statistics
rounds = {r: {} for r in runs}   # run -> server -> [one dict per round]
for line in open(res_path):
    f = line.rstrip("\n").split("\t")
    run, srv, rps, p99, errs, rnd = (f + [""] * 6)[:6]
    rounds[run].setdefault(srv, []).append({
        "round": int(rnd) if rnd else 1,
        "rps": float(rps) if rps else None,
        "p99_ms": float(p99) if p99 else None,
        "notes": errs or None,
    })

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

# With several rounds each figure is the median over them; the rounds stay in the JSON.
data = {r: {} for r in runs}
for r in runs:
    for srv, per_round in rounds[r].items():
        notes = "; ".join(f"round {x['round']}: {x['notes']}" if len(per_round) > 1 else x["notes"]
                          for x in per_round if x["notes"])
        data[r][srv] = {"rps": median([x["rps"] for x in per_round]),
                        "p99_ms": median([x["p99_ms"] for x in per_round]),
                        "notes": notes or None, "rounds": per_round}

def round_ratios(run, a, b):
    xs = {x["round"]: x["rps"] for x in data[run].get(a, {}).get("rounds", [])}
    ys = {x["round"]: x["rps"] for x in data[run].get(b, {}).get("rounds", [])}
    return [xs[k] / ys[k] for k in sorted(xs) if xs[k] and ys.get(k)]
idle = [json.loads(l) for l in open(idle_path) if l.strip()]
skipped = dict(l.rstrip("\n").split("\t", 1) for l in open(skips_path) if l.strip())

def ratio(run, a, b):
    x, y = data[run].get(a, {}).get("rps"), data[run].get(b, {}).get("rps")
    return round(x / y, 3) if x and y else None

def fnum(v, fmt):
    return format(v, fmt) if v is not None else "n/a"

lines = []
per_round = f", median of {meta['rounds']} interleaved rounds" if meta["rounds"] > 1 else ""
lines.append(f"HTTP benchmark {stamp}: GET /healthz on 127.0.0.1, wrk -t2 keep-alive, {meta['duration_s']}s per run{per_round}, "
             f"{meta['nproc']} cores; pipelined = {meta['pipeline_depth']} requests per write (p99 is per batch)")
lines.append("warden = default (one event loop per core); warden1 = --workers 1, like nginx's one worker")
hdr = ["run"]
for s in servers:
    hdr += [f"{s} req/s", f"{s} p99 ms"]
hdr += ["warden/nginx", "warden/hb", "warden1/nginx", "warden1/hb"]
rows = []
out = {"meta": meta, "runs": {}, "idle": idle, "skipped": skipped}
for r in runs:
    row = [r]
    for s in servers:
        d = data[r].get(s, {})
        row += [fnum(d.get("rps"), ",.0f"), fnum(d.get("p99_ms"), ".2f")]
    wn, wh = ratio(r, "warden", "nginx"), ratio(r, "warden", "hummingbird")
    w1n, w1h = ratio(r, "warden1", "nginx"), ratio(r, "warden1", "hummingbird")
    row += [fnum(wn, ".2f"), fnum(wh, ".2f"), fnum(w1n, ".2f"), fnum(w1h, ".2f")]
    rows.append(row)
    out["runs"][r] = {**{s: data[r].get(s) for s in servers},
                      "ratio_warden_nginx_rps": wn, "ratio_warden_hummingbird_rps": wh,
                      "ratio_warden1_nginx_rps": w1n, "ratio_warden1_hummingbird_rps": w1h}
widths = [max(len(str(x)) for x in col) for col in zip(hdr, *rows)]
fmt_row = lambda row: "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
lines.append(fmt_row(hdr))
lines.append(fmt_row(["-" * w for w in widths]))
lines += [fmt_row(r) for r in rows]
if meta["rounds"] > 1:
    lines.append("warden/nginx in each round (its spread is the run-to-run noise):")
    for r in runs:
        rs = round_ratios(r, "warden", "nginx")
        if rs:
            lines.append(f"  {r:<14} " + "  ".join(f"{x:.2f}" for x in rs))
for r in runs:
    for s in servers:
        e = (data[r].get(s) or {}).get("notes")
        if e:
            lines.append(f"  note: {r} {s}: {e}")
if idle:
    lines.append("")
    lines.append(f"Memory with idle keep-alive connections (each sent one GET /healthz, then held {meta['idle_hold_s']}s):")
    for entry in idle:
        s, r = entry["server"], entry["result"]
        p = (r.get("procs") or {}).get(s)
        who = " (worker process)" if s == "nginx" else ""
        if p:
            lines.append(f"  {s:<12} {r['still_open']:>6}/{r['requested']} open  VmHWM {p['vmhwm_mib']:7.1f} MiB  "
                         f"VmRSS {p['vmrss_mib']:7.1f} MiB  (VmRSS before {p['rss_before_mib']} MiB){who}")
        else:
            lines.append(f"  {s:<12} {r['still_open']:>6}/{r['requested']} open  (process gone)")
for s, why in skipped.items():
    lines.append(f"SKIPPED {s}: {why}")
text = "\n".join(lines) + "\n"
print(text, end="")
os.makedirs(results_dir, exist_ok=True)
for name, content in ((f"http-{stamp}.txt", text), ("http-latest.txt", text),
                      (f"http-{stamp}.json", json.dumps(out, indent=2) + "\n"),
                      ("http-latest.json", json.dumps(out, indent=2) + "\n")):
    with open(os.path.join(results_dir, name), "w") as f:
        f.write(content)
print(f"results: {results_dir}/http-{stamp}.txt and .json (raw wrk output in {results_dir}/raw/)")
PY

rc=0
for s in nginx hummingbird; do
    [[ -z "${SKIP[$s]:-}" ]] || { warn "anchor $s was skipped: ratios against it are missing"; rc=1; }
done
if [[ -n "${SKIP[warden]:-}" ]]; then
    warn "warden was skipped: ${SKIP[warden]}"
    [[ "$REQUIRE_WARDEN" != 1 ]] || rc=1
fi
exit "$rc"
