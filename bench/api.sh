#!/usr/bin/env bash
# REST API benchmark: message writes (POST) and reads (GET) through Warden's HTTP API, once with
# --sqlite-synchronous full and once with normal, on loopback. See bench/README.md, "REST API
# benchmark". Runs as root on Debian 12; idempotent; leaves no process behind.
#
# Env:
#   DURATION=10         seconds per measured wrk run
#   WARMUP=2            seconds of unmeasured read-only wrk (GET) before the POST run (0 = none)
#   CONNS=64            wrk connections (wrk -t2 -cCONNS)
#   SESSIONS=64         sessions the POST run spreads its writes over (round-robin per request)
#   SEED_MESSAGES=50    messages posted (with curl) to the GET run's session beforehand
#   MODES="full normal" --sqlite-synchronous values to run, in this order; a mode may repeat
#                       ("full normal full"): each round gets a fresh database, and the report
#                       judges each mode by the median of its rounds
#   ANCHOR=1            before each round, the same wrk against nginx (one worker, `return 200`)
#                       for ANCHOR_DURATION seconds: how fast this machine is right now, so that
#                       figures from different days can be compared (0 = skip)
#   ANCHOR_DURATION=5   seconds of each anchor run
#   ANCHOR_PORT=18084   loopback port for the anchor nginx
#   API_PORT=18083      loopback port; the script refuses a port that is already in use
#   API_DATA_PARENT=/var/tmp  where the temp dir with the databases goes (must be a real disk:
#                       on tmpfs fsync is free and "full" means nothing; the script warns)
#   FSYNC_PROBE=200     appends+fdatasync timed on that disk before the runs (0 = skip)
#   GOAL_WPS=10000      the goal for durable (full) acknowledged writes per second
#   WARDEN_WORKERS=     passed to `warden serve --workers N` when set
#   WITH_DOCKER=0       0: warden gets a Docker socket path where nothing listens, so no agent
#                       container starts whether or not dockerd runs (the figures then do not
#                       depend on it); 1: the default socket, and agents run the queued runs
#   SKIP_BUILD=1        do not run `swift build` (use the binary already built)
#   WARDEN_BIN=path     benchmark this warden binary instead of building .build/release/warden
#   KEEP_DATA=1         keep the temp dir (databases, logs) and print its path
#
# Exit status: 0 when every run completed and every acknowledged write was found in the
# database; 1 otherwise. Missing the goal is reported, not an error.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="$BENCH_DIR/results"

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
CONNS="${CONNS:-64}"
SESSIONS="${SESSIONS:-64}"
SEED_MESSAGES="${SEED_MESSAGES:-50}"
MODES="${MODES:-full normal}"
ANCHOR="${ANCHOR:-1}"
ANCHOR_DURATION="${ANCHOR_DURATION:-5}"
ANCHOR_PORT="${ANCHOR_PORT:-18084}"
API_PORT="${API_PORT:-18083}"
API_DATA_PARENT="${API_DATA_PARENT:-/var/tmp}"
FSYNC_PROBE="${FSYNC_PROBE:-200}"
GOAL_WPS="${GOAL_WPS:-10000}"
WARDEN_WORKERS="${WARDEN_WORKERS:-}"
WITH_DOCKER="${WITH_DOCKER:-0}"
SKIP_BUILD="${SKIP_BUILD:-0}"
KEEP_DATA="${KEEP_DATA:-0}"
BUILD_WARDEN=1
if [[ -n "${WARDEN_BIN:-}" ]]; then BUILD_WARDEN=0; else WARDEN_BIN="$ROOT/.build/release/warden"; fi
THREADS=2

log()  { printf '[api-bench] %s\n' "$*" >&2; }
warn() { printf '[api-bench] WARNING: %s\n' "$*" >&2; }
die()  { printf '[api-bench] ERROR: %s\n' "$*" >&2; exit 1; }

for v in DURATION WARMUP CONNS SESSIONS SEED_MESSAGES API_PORT FSYNC_PROBE GOAL_WPS ANCHOR_DURATION ANCHOR_PORT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
[[ -z "$WARDEN_WORKERS" || "$WARDEN_WORKERS" =~ ^[0-9]+$ ]] || die "WARDEN_WORKERS must be an integer"
(( DURATION > 0 )) || die "DURATION must be > 0"
(( SESSIONS > 0 )) || die "SESSIONS must be > 0"
[[ "$ANCHOR" == 0 || "$ANCHOR" == 1 ]] || die "ANCHOR must be 0 or 1 (got '$ANCHOR')"
[[ "$WITH_DOCKER" == 0 || "$WITH_DOCKER" == 1 ]] || die "WITH_DOCKER must be 0 or 1 (got '$WITH_DOCKER')"
(( ANCHOR == 0 || ANCHOR_DURATION > 0 )) || die "ANCHOR_DURATION must be > 0"
(( ANCHOR == 0 || ANCHOR_PORT != API_PORT )) || die "ANCHOR_PORT and API_PORT must differ"
(( CONNS >= THREADS )) || die "CONNS must be at least $THREADS (wrk -t$THREADS)"
read -r -a MODE_LIST <<<"$MODES"
(( ${#MODE_LIST[@]} )) || die "MODES is empty"
for m in "${MODE_LIST[@]}"; do
    [[ "$m" == full || "$m" == normal ]] || die "MODES may contain only 'full' and 'normal' (got '$m')"
done
[[ -d "$API_DATA_PARENT" ]] || die "API_DATA_PARENT=$API_DATA_PARENT is not a directory"

# ---------------------------------------------------------------- process bookkeeping
source "$BENCH_DIR/lib.sh"
TMP="$(mktemp -d "$API_DATA_PARENT/warden-api-bench.XXXXXX")"
WPID=""                # the running warden (also its process-group id: started under setsid)
NPID=""                # the anchor nginx, likewise

stop_warden() {        # $1 = TERM (graceful) or KILL (a crash, for the durability check)
    local sig="${1:-TERM}" pid="$WPID"
    [[ -n "$pid" ]] || return 0
    WPID=""
    kill_group "$pid" "$sig" 100
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_client
    stop_warden TERM
    if [[ -n "$NPID" ]]; then kill_group "$NPID" TERM 30; NPID=""; fi
    if [[ "$KEEP_DATA" == 1 ]]; then
        log "KEEP_DATA=1: databases and logs kept in $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


BASE="http://127.0.0.1:$API_PORT"

# Wait until BASE/healthz answers 200 "ok": at most 150 tries and ~30 s.
wait_healthy() {      # wait_healthy PID BASE
    local pid="$1" base="$2" tries=150 deadline=$(( SECONDS + 30 )) i body
    for (( i = 0; i < tries && SECONDS < deadline; i++ )); do
        kill -0 "$pid" 2>/dev/null || return 1      # exited
        if body="$(curl -fsS --max-time 1 "$base/healthz" 2>/dev/null)" && [[ "$body" == "ok" ]]; then
            return 0
        fi
        sleep 0.2
    done
    return 2                                        # still running, but not answering
}

# ---------------------------------------------------------------- dependencies, build
install_deps() {
    local missing=()
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
    (( ANCHOR == 0 )) || command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
    if (( ${#missing[@]} )); then
        [[ $EUID -eq 0 ]] || die "missing ${missing[*]}; run as root or install them"
        log "installing ${missing[*]}"
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; then
            apt-get update
            DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
        fi
    fi
    command -v swift >/dev/null 2>&1 || [[ "$SKIP_BUILD" == 1 || "$BUILD_WARDEN" == 0 ]] || die "swift not found in PATH"
}

build_warden() {
    if [[ "$SKIP_BUILD" == 1 ]]; then
        log "SKIP_BUILD=1: using $WARDEN_BIN as built"
    elif [[ "$BUILD_WARDEN" == 0 ]]; then
        log "WARDEN_BIN=$WARDEN_BIN given: not building warden"
    else
        log "building warden (release) in $ROOT"
        (cd "$ROOT" && swift build -c release --product warden) >&2 || die "release build failed (see output above)"
    fi
    [[ -x "$WARDEN_BIN" ]] || die "$WARDEN_BIN does not exist or is not executable"
}

# ---------------------------------------------------------------- measurements of the machine
CLK_TCK="$(getconf CLK_TCK)"

# "busy iowait" jiffies of the whole machine (busy = user nice system irq softirq steal).
machine_jiffies() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $6; exit }' /proc/stat; }
# utime + stime of a process (all its threads), in jiffies.
proc_jiffies() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# "path jiffies" for each thread of a process (utime + stime), into file $2.
thread_jiffies() { awk '{ sub(/^.*\) /, ""); print FILENAME, $12 + $13 }' /proc/"$1"/task/*/stat >"$2" 2>/dev/null || : >"$2"; }
# Largest per-thread jiffies increase between two thread_jiffies files.
busiest_thread() { awk 'NR == FNR { a[$1] = $2; next } { d = $2 - a[$1]; if (d > m) m = d } END { print m + 0 }' "$1" "$2"; }
# CPU seconds used by this shell's waited-for children so far (bash `times`, second line), into
# CHILDREN_CPU. Must run in the main shell (no pipe, no $(...)): a subshell's counters start at zero.
CHILDREN_CPU=0
children_cpu() {
    times >"$TMP/times"
    CHILDREN_CPU="$(awk 'NR == 2 {
        s = 0
        for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); s += p[1] * 60 + p[2] }
        printf "%.3f", s
    }' "$TMP/times")"
}

# Times FSYNC_PROBE 4 KiB appends + fdatasync in the data dir: what one commit's sync costs here.
fsync_probe() {
    (( FSYNC_PROBE > 0 )) || { echo '{}'; return 0; }
    python3 - "$TMP" "$FSYNC_PROBE" <<'PY'
import json, os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
path = os.path.join(d, "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
buf = b"\0" * 4096
ts = []
try:
    for _ in range(n):
        t = time.perf_counter()
        os.write(fd, buf)
        os.fdatasync(fd)
        ts.append((time.perf_counter() - t) * 1000)
finally:
    os.close(fd)
    os.unlink(path)
ts.sort()
print(json.dumps({"n": n, "median_ms": round(ts[len(ts) // 2], 3), "p99_ms": round(ts[min(len(ts) - 1, int(len(ts) * 0.99))], 3)}))
PY
}

# ---------------------------------------------------------------- the anchor
ANCHOR_BASE="http://127.0.0.1:$ANCHOR_PORT"

start_anchor() {
    (( ANCHOR == 1 )) || return 0
    port_busy "$ANCHOR_PORT" && die "port 127.0.0.1:$ANCHOR_PORT is already in use by another process (set ANCHOR_PORT)"
    local bin
    bin="$(command -v nginx || echo /usr/sbin/nginx)"
    write_nginx_conf "$TMP/nginx" "$ANCHOR_PORT" 1 $(( CONNS + 64 )) "$(ulimit -n)"
    ( exec setsid "$bin" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" ) \
        >"$TMP/nginx.log" 2>&1 </dev/null &
    NPID=$!
    local hrc=0
    wait_healthy "$NPID" "$ANCHOR_BASE" || hrc=$?
    if (( hrc != 0 )); then
        tail -n 15 "$TMP/nginx/error.log" >&2 2>/dev/null || true
        die "the anchor nginx did not answer GET $ANCHOR_BASE/healthz (rc $hrc); ANCHOR=0 skips it"
    fi
    log "anchor: nginx (1 worker, return 200) on 127.0.0.1:$ANCHOR_PORT (pid $NPID)"
}

# anchor_run LABEL: wrk with the POST run's threads and connections against nginx; prints its
# req/s ("" when skipped). nginx idles in epoll_wait the rest of the time, so it costs the
# measured runs nothing.
anchor_run() {
    (( ANCHOR == 1 )) || return 0
    local out="$RESULTS_DIR/raw/$STAMP-anchor-$1.txt" st=0
    run_client wrk "-t$THREADS" "-c$CONNS" "-d${ANCHOR_DURATION}s" "$ANCHOR_BASE/healthz" >"$out" 2>&1 || st=$?
    if (( st != 0 )) || grep -q '^  Non-2xx' "$out"; then
        warn "anchor run $1 failed or got errors; output in $out"
        return 0
    fi
    awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out"
}

# ---------------------------------------------------------------- one round
RES="$TMP/results.jsonl"     # one JSON object per mode
: >"$RES"
STATUS=0

# curl with the bearer header read from a file (keeps the secret out of `ps`).
api() { curl -fsS --max-time 10 -H @"$TMP/auth.header" "$@"; }

create_session() {
    local out id
    out="$(api -X POST -H 'Content-Type: application/json' --data '{}' "$BASE/v1/sessions")" \
        || die "POST /v1/sessions failed"
    id="$(printf '%s' "$out" | sed -n 's/.*"id":"\(ses_[A-Za-z0-9]*\)".*/\1/p')"
    [[ -n "$id" ]] || die "POST /v1/sessions answered without a session id: $out"
    printf '%s\n' "$id"
}

# Parses the API_BENCH line (from the lua script) and wrk's Requests/sec out of a raw output file
# into "key=value ..." on one line.
parse_wrk() {
    local out="$1" line rps statuses
    line="$(grep '^API_BENCH ' "$out" | tail -n 1 | cut -d' ' -f2-)" || true
    [[ -n "$line" ]] || return 1
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    statuses="$(awk '/^API_BENCH_STATUS / { sub(/status=/, "", $2); sub(/count=/, "", $3); printf "%s%s:%s", sep, $2, $3; sep = "," }' "$out")"
    printf '%s wrk_rps=%s statuses=%s\n' "$line" "${rps:-0}" "${statuses:-}"
}

# run_wrk NAME SCRIPT ARGS...: raw output in $RESULTS_DIR/raw; the parsed figures and the CPU use
# as "key=value ..." in $TMP/NAME.parsed. Runs in the main shell (not in $(...)), so that the
# EXIT trap knows wrk's pid and `times` sees wrk as a waited-for child.
run_wrk() {
    local name="$1" script="$2"; shift 2
    local out="$RESULTS_DIR/raw/$STAMP-$name.txt" parsed_file="$TMP/$name.parsed"
    local args=("-t$THREADS" "-c$CONNS" "-d${DURATION}s" --latency -s "$BENCH_DIR/$script" "$BASE" -- "$@")
    : >"$parsed_file"
    log "$name: wrk ${args[*]}"
    local m0 io0 w0 c0 t0 m1 io1 w1 c1 t1 st=0
    thread_jiffies "$WPID" "$TMP/threads0"
    read -r m0 io0 < <(machine_jiffies); w0="$(proc_jiffies "$WPID")"; children_cpu; c0="$CHILDREN_CPU"; t0="$(date +%s.%N)"
    run_client wrk "${args[@]}" >"$out" 2>&1 || st=$?
    read -r m1 io1 < <(machine_jiffies); w1="$(proc_jiffies "$WPID")"; children_cpu; c1="$CHILDREN_CPU"; t1="$(date +%s.%N)"
    thread_jiffies "$WPID" "$TMP/threads1"
    local hot
    hot="$(busiest_thread "$TMP/threads0" "$TMP/threads1")"
    if (( st != 0 )); then
        warn "wrk exited with status $st; output in $out"
        sed 's/^/    /' "$out" >&2
        return 1
    fi
    local parsed
    parsed="$(parse_wrk "$out")" || { warn "no API_BENCH line in $out"; sed 's/^/    /' "$out" >&2; return 1; }
    # Cores used during the run: the server, wrk, and everything else on the machine.
    local cpu
    cpu="$(awk -v m0="$m0" -v m1="$m1" -v i0="$io0" -v i1="$io1" -v w0="$w0" -v w1="$w1" -v c0="$c0" -v c1="$c1" \
               -v t0="$t0" -v t1="$t1" -v hot="$hot" -v hz="$CLK_TCK" 'BEGIN {
        wall = t1 - t0; if (wall <= 0) wall = 1
        total = (m1 - m0) / hz; server = (w1 - w0) / hz; client = c1 - c0
        other = total - server - client; if (other < 0) other = 0
        printf "cpu_server=%.2f cpu_server_busiest_thread=%.2f cpu_wrk=%.2f cpu_other=%.2f iowait=%.2f", \
            server / wall, hot / hz / wall, client / wall, other / wall, (i1 - i0) / hz / wall
    }')"
    printf '%s %s\n' "$parsed" "$cpu" >"$parsed_file"
    log "$name: $(grep -o 'ok=[0-9]* non2xx=[0-9]*' "$parsed_file") p99 $(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' "$parsed_file") us"
}

run_mode() {          # run_mode MODE LABEL (the label names this round's files: full, full-2, …)
    local mode="$1" label="$2"
    local data="$TMP/data-$label" logf="$TMP/warden-$label.log"
    port_busy "$API_PORT" && die "port 127.0.0.1:$API_PORT is already in use by another process (set API_PORT)"
    mkdir -p "$data"
    local key
    key="bench_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    printf 'Authorization: Bearer %s\n' "$key" >"$TMP/auth.header"
    export API_BENCH_KEY="$key"        # read by the lua scripts (os.getenv), not put on wrk's command line

    local args=(serve --listen "127.0.0.1:$API_PORT" --data-dir "$data" --sqlite-synchronous "$mode")
    [[ -z "$WARDEN_WORKERS" ]] || args+=(--workers "$WARDEN_WORKERS")
    (( WITH_DOCKER == 1 )) || args+=(--docker-socket "$TMP/no-docker.sock")
    local anchor=""
    if (( ANCHOR == 1 )); then
        anchor="$(anchor_run "$label")"
        log "[$label] anchor: nginx ${anchor:-n/a} req/s"
    fi
    log "[$label] starting warden ${args[*]}"
    ( export WARDEN_ADMIN_KEY="$key"; exec setsid "$WARDEN_BIN" "${args[@]}" ) >"$logf" 2>&1 </dev/null &
    WPID=$!
    local hrc=0
    wait_healthy "$WPID" "$BASE" || hrc=$?
    if (( hrc != 0 )); then
        warn "[$label] warden did not answer GET $BASE/healthz (rc $hrc); last lines of its log:"
        tail -n 15 "$logf" >&2 || true
        die "warden did not start"
    fi
    log "[$label] warden is up on 127.0.0.1:$API_PORT (pid $WPID)"

    # Sessions for the writes, and one more for the reads, seeded with SEED_MESSAGES messages.
    local sessions="$TMP/sessions-$label" i
    : >"$sessions"
    for (( i = 0; i < SESSIONS; i++ )); do create_session >>"$sessions"; done
    local get_session
    get_session="$(create_session)"
    for (( i = 0; i < SEED_MESSAGES; i++ )); do
        api -o /dev/null -X POST -H 'Content-Type: application/json' --data '{"content":"hello"}' \
            "$BASE/v1/sessions/$get_session/messages" || die "seeding message $i failed"
    done
    local first
    first="$(api "$BASE/v1/sessions/$get_session/messages?limit=20")" || die "GET messages failed"
    [[ "$first" == *'"object":"list"'* ]] || die "GET messages did not answer a list: $first"
    log "[$label] $SESSIONS sessions for POST, 1 session with $SEED_MESSAGES messages for GET"

    if (( WARMUP > 0 )); then
        log "[$label] warm-up: ${WARMUP}s of GET (read-only, so the message count stays exact)"
        run_client wrk "-t$THREADS" "-c$CONNS" "-d${WARMUP}s" -s "$BENCH_DIR/api_get.lua" "$BASE" -- "$get_session" >/dev/null 2>&1 || true
    fi

    local load post get ok=1
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    run_wrk "post-$label" api_post.lua "$sessions" || ok=0
    run_wrk "get-$label" api_get.lua "$get_session" 20 || ok=0
    post="$(cat "$TMP/post-$label.parsed")"
    get="$(cat "$TMP/get-$label.parsed")"

    # Durability sanity: kill warden hard (as a crash would), then count what the database holds.
    log "[$label] SIGKILL warden, then count messages with sqlite3"
    stop_warden KILL
    local stored check
    stored="$(sqlite3 "$data/warden.db" "SELECT count(*) FROM messages WHERE session_id <> '$get_session';")" \
        || { warn "sqlite3 could not read $data/warden.db"; stored=""; }
    check="$(sqlite3 "$data/warden.db" 'PRAGMA quick_check;' 2>&1 | head -n 3 | tr '\n' ' ')" || true
    local seeded
    seeded="$(sqlite3 "$data/warden.db" "SELECT count(*) FROM messages WHERE session_id = '$get_session';")" || seeded=""
    (( ok )) || STATUS=1

    python3 - "$mode" "$label" "$post" "$get" "$stored" "$seeded" "${check% }" "$load" "$anchor" >>"$RES" <<'PY'
import json, sys
mode, label, post, get, stored, seeded, check, load, anchor = sys.argv[1:10]
def kv(s):
    if not s.strip():
        return None
    d = {}
    for tok in s.split():
        k, _, v = tok.partition("=")
        if k == "statuses":
            d[k] = {a: int(b) for a, b in (x.split(":") for x in v.split(",") if x)}
        else:
            try:
                d[k] = int(v)
            except ValueError:
                d[k] = float(v)
    d["acked_per_s"] = d["ok"] / (d["duration_us"] / 1e6) if d.get("duration_us") else None
    return d
print(json.dumps({"mode": mode, "label": label, "anchor_rps": int(anchor) if anchor else None,
                  "post": kv(post), "get": kv(get),
                  "stored": int(stored) if stored else None, "seeded": int(seeded) if seeded else None,
                  "quick_check": check, "loadavg_before": load}))
PY
}

# ---------------------------------------------------------------- main
install_deps
build_warden
mkdir -p "$RESULTS_DIR/raw"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"

FSTYPE="$(findmnt -n -o FSTYPE -T "$TMP" 2>/dev/null || stat -f -c %T "$TMP")"
case "$FSTYPE" in
    tmpfs|ramfs) warn "$TMP is on $FSTYPE: fsync costs nothing there, so 'full' measures nothing. Set API_DATA_PARENT to a disk." ;;
esac
log "data dir $TMP on $FSTYPE; load average $(cut -d' ' -f1-3 /proc/loadavg)"
FSYNC="$(fsync_probe)"
[[ "$FSYNC" == '{}' ]] || log "fsync probe (4 KiB append + fdatasync): $FSYNC"

start_anchor
declare -A ROUNDS_OF=()
for m in "${MODE_LIST[@]}"; do
    ROUNDS_OF[$m]=$(( ${ROUNDS_OF[$m]:-0} + 1 ))
    if (( ROUNDS_OF[$m] == 1 )); then run_mode "$m" "$m"; else run_mode "$m" "$m-${ROUNDS_OF[$m]}"; fi
done

# ---------------------------------------------------------------- report
META="$(printf '{"duration_s": %s, "warmup_s": %s, "threads": %s, "conns": %s, "sessions": %s, "seed_messages": %s, "nproc": %s, "fstype": "%s", "stamp": "%s", "goal_wps": %s, "warden_workers": "%s", "with_docker": %s}' \
    "$DURATION" "$WARMUP" "$THREADS" "$CONNS" "$SESSIONS" "$SEED_MESSAGES" "$(nproc)" "$FSTYPE" "$STAMP" "$GOAL_WPS" "$WARDEN_WORKERS" "$WITH_DOCKER")"

report_rc=0
python3 - "$RES" "$RESULTS_DIR" "$STAMP" "$META" "$FSYNC" <<'PY' || report_rc=$?
import json, os, sys
res_path, results_dir, stamp, meta, fsync = sys.argv[1:6]
meta = json.loads(meta)
fsync = json.loads(fsync)
modes = [json.loads(l) for l in open(res_path) if l.strip()]

def median_round(mode):
    """The round of `mode` with the median POST figure (the lower middle of an even count)."""
    done = sorted((m for m in modes if m["mode"] == mode and m["post"]), key=lambda m: m["post"]["acked_per_s"])
    return done[(len(done) - 1) // 2] if done else None

def rounds(mode):
    return sum(1 for m in modes if m["mode"] == mode)

def f(v, fmt):
    return format(v, fmt) if v is not None else "n/a"

def ms(us):
    return us / 1000 if us is not None else None

lines = []
lines.append(f"REST API benchmark {stamp}: warden on 127.0.0.1, wrk -t{meta['threads']} -c{meta['conns']} keep-alive, "
             f"{meta['duration_s']}s per run, {meta['nproc']} cores, data dir on {meta['fstype']}")
lines.append(f"  POST /v1/sessions/{{id}}/messages {{\"content\":\"hello\"}}, round-robin over {meta['sessions']} sessions; "
             f"GET /v1/sessions/{{id}}/messages?limit=20 on one session holding {meta['seed_messages']} messages")
lines.append("  agents: " + ("Docker's default socket (containers run the queued runs)" if meta["with_docker"]
                              else "none (warden is given a Docker socket where nothing listens; runs stay queued)"))
if fsync:
    lines.append(f"  disk: 4 KiB append + fdatasync median {fsync['median_ms']} ms, p99 {fsync['p99_ms']} ms "
                 f"(one commit at a time would top out near {1000 / fsync['median_ms']:,.0f}/s if fsync is the limit)"
                 if fsync.get("median_ms") else "  disk: fsync probe gave no figure")
def per_anchor(m):
    """Acknowledged writes per 1,000 nginx req/s measured just before the round."""
    p = m["post"] or {}
    return 1000 * p["acked_per_s"] / m["anchor_rps"] if p.get("acked_per_s") and m.get("anchor_rps") else None

anchored = any(m.get("anchor_rps") for m in modes)
hdr = ["synchronous", "POST 2xx/s", "POST p99 ms", "POST non-2xx", "GET req/s", "GET p99 ms", "GET non-2xx"]
if anchored:
    hdr += ["nginx req/s", "POST per 1k nginx"]
rows = []
for m in modes:
    p, g = m["post"] or {}, m["get"] or {}
    row = [m["label"], f(p.get("acked_per_s"), ",.0f"), f(ms(p.get("p99_us")), ".2f"), f(p.get("non2xx"), ",d"),
           f(g.get("wrk_rps"), ",.0f"), f(ms(g.get("p99_us")), ".2f"), f(g.get("non2xx"), ",d")]
    if anchored:
        row += [f(m.get("anchor_rps"), ",d"), f(per_anchor(m), ".1f")]
    rows.append(row)
widths = [max(len(str(x)) for x in col) for col in zip(hdr, *rows)]
fmt_row = lambda row: "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
lines.append("")
lines.append(fmt_row(hdr))
lines.append(fmt_row(["-" * w for w in widths]))
lines += [fmt_row(r) for r in rows]

# Notes: errors, status codes, CPU.
for m in modes:
    for kind in ("post", "get"):
        d = m[kind]
        if d is None:
            lines.append(f"  note: {m['label']} {kind.upper()}: the run failed (see the raw output)")
            continue
        errs = {k: d[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts") if d.get(k)}
        if errs or d.get("statuses"):
            lines.append(f"  note: {m['label']} {kind.upper()}: statuses {d.get('statuses') or {}}, socket errors {errs or 'none'}")

ratio = None
full, normal = median_round("full"), median_round("normal")
if full and normal and normal["post"]["acked_per_s"]:
    ratio = full["post"]["acked_per_s"] / normal["post"]["acked_per_s"]
lines.append("")
several = rounds("full") > 1 or rounds("normal") > 1
lines.append(f"writes full/normal: {f(ratio, '.2f')}" + ("" if ratio is not None else " (needs both modes)") +
             (" (median rounds)" if several and ratio is not None else ""))
if anchored:
    lines.append("  anchor: nginx (1 worker) answering `return 200` to the same wrk just before each round; it tracks how")
    lines.append("  fast this machine is right now, so compare figures from different days by 'POST per 1k nginx'.")

goal = meta["goal_wps"]
lines.append(f"Goal: {goal:,} durable (synchronous=full) message writes per second on this 2-core machine through group commit.")
verdict = None
if full:
    wps = full["post"]["acked_per_s"]
    verdict = wps >= goal
    extra = f"; {full['post']['non2xx']:,} non-2xx responses" if full["post"]["non2xx"] else ""
    which = f" (median of {rounds('full')} rounds: {full['label']})" if rounds("full") > 1 else ""
    lines.append(f"  full: {wps:,.0f} acknowledged writes/s{which} = {wps / goal:.0%} of the goal -> "
                 f"{'MET' if verdict else 'NOT MET'}{extra}")
else:
    lines.append("  full: no figure (the mode did not run or its POST run failed) -> NOT MEASURED")

lines.append("")
lines.append("Durability sanity (after SIGKILL of warden, messages in the POST sessions counted with sqlite3):")
lost = False
for m in modes:
    p = m["post"]
    if p is None or m["stored"] is None:
        lines.append(f"  {m['label']:<8}  n/a")
        continue
    acked, stored = p["ok"], m["stored"]
    diff = stored - acked
    if diff >= 0:
        verdict_d = f"OK: all acknowledged writes stored, {diff} more stored than wrk counted (in flight when wrk stopped)"
    else:
        verdict_d = f"LOST {-diff} acknowledged writes"
        lost = True
    lines.append(f"  {m['label']:<8}  wrk saw {acked:,} 2xx POSTs; database holds {stored:,} -> {verdict_d}")
    if m["quick_check"] != "ok":
        lines.append(f"          PRAGMA quick_check: {m['quick_check']}")
        lost = True
    if m["seeded"] is not None and m["seeded"] != meta["seed_messages"]:
        lines.append(f"          the GET session holds {m['seeded']} messages, expected {meta['seed_messages']}")

lines.append("")
lines.append("CPU during each run, in cores (of 2): warden (its busiest thread) / wrk / everything else; load average before the")
lines.append("round; for POST also warden's CPU per acknowledged write (and its busiest thread's), in microseconds:")
noisy = False
for m in modes:
    for kind in ("post", "get"):
        d = m[kind]
        if d is None:
            continue
        per_write = ""
        if kind == "post" and d.get("acked_per_s"):
            per_write = (f"  {1e6 * d['cpu_server'] / d['acked_per_s']:.0f} us/write "
                         f"({1e6 * d['cpu_server_busiest_thread'] / d['acked_per_s']:.0f})")
        lines.append(f"  {m['label']:<8} {kind.upper():<4}  warden {d['cpu_server']:.2f} ({d['cpu_server_busiest_thread']:.2f})  wrk {d['cpu_wrk']:.2f}  "
                     f"other {d['cpu_other']:.2f}  iowait {d['iowait']:.2f}{per_write}   (load {m['loadavg_before']})")
        noisy = noisy or d["cpu_other"] > 0.15
hot = [(m["label"], kind) for m in modes for kind in ("post",) if m[kind] and m[kind]["cpu_server_busiest_thread"] >= 0.85]
if hot:
    lines.append("  One warden thread was near a full core during " + ", ".join(f"{a} {b.upper()}" for a, b in hot) +
                 ": the writes are bound by one\n"
                 "  thread's CPU (a serial section, e.g. the single store writer), not by the 2 cores.")
if noisy:
    lines.append("  WARNING: other processes used more than 0.15 cores during a run: the figures are noisy; rerun on a quiet machine.")

text = "\n".join(lines) + "\n"
print(text, end="")
out = {"meta": meta, "fsync_probe": fsync, "modes": modes, "ratio_full_normal_writes": ratio,
       "goal_met": verdict, "durability_ok": not lost}
os.makedirs(results_dir, exist_ok=True)
for name, content in ((f"api-{stamp}.txt", text), ("api-latest.txt", text),
                      (f"api-{stamp}.json", json.dumps(out, indent=2) + "\n"),
                      ("api-latest.json", json.dumps(out, indent=2) + "\n")):
    with open(os.path.join(results_dir, name), "w") as fh:
        fh.write(content)
print(f"results: {results_dir}/api-{stamp}.txt and .json (raw wrk output in {results_dir}/raw/)")
sys.exit(1 if lost else 0)
PY
(( report_rc == 0 )) || STATUS=1
exit "$STATUS"
