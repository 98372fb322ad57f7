#!/usr/bin/env bash
# Webhook benchmark (issue #7): signed Slack deliveries per second acknowledged durably, with p99,
# through POST /webhooks/slack/{channel} on loopback, beside the anchor in the same run: the REST
# API's durable message write (POST /v1/sessions/{id}/messages, as bench/api.sh measures it), each
# on a fresh warden and database. A webhook does more per request (verification, parsing, two dedupe rows, the thread
# lookup) on the same one-transaction write, so the ratio says what the channel path costs.
# See bench/README.md, "Webhook benchmark". Runs as root on Debian 12; leaves no process behind.
#
# Env:
#   DURATION=10       seconds per measured wrk run
#   CONNS=64          wrk connections (wrk -t2 -cCONNS)
#   DELIVERIES=200000 signed deliveries generated ahead (each sent at most once if the rate stays
#                     below DELIVERIES/DURATION)
#   THREADS_IN_SLACK=64  Slack threads the deliveries are replies in (one session each)
#   SYNC=full         --sqlite-synchronous
#   PORT=18084        loopback port; refused if in use
#   DATA_PARENT=/var/tmp  where the temp dir goes (a real disk: on tmpfs fsync is free)
#   GOAL=5000         acknowledged deliveries per second aimed for
#   SKIP_BUILD=1 / WARDEN_BIN=path / KEEP_DATA=1 / WARDEN_WORKERS=N   as in bench/api.sh
#
# Exit status 1 when a run failed or the database holds fewer messages than deliveries were
# acknowledged; missing the goal is reported, not an error.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-64}"
DELIVERIES="${DELIVERIES:-200000}"
THREADS_IN_SLACK="${THREADS_IN_SLACK:-64}"
SYNC="${SYNC:-full}"
PORT="${PORT:-18084}"
DATA_PARENT="${DATA_PARENT:-/var/tmp}"
GOAL="${GOAL:-5000}"
SKIP_BUILD="${SKIP_BUILD:-0}"
KEEP_DATA="${KEEP_DATA:-0}"
WARDEN_WORKERS="${WARDEN_WORKERS:-}"
BUILD_WARDEN=1
if [[ -n "${WARDEN_BIN:-}" ]]; then BUILD_WARDEN=0; else WARDEN_BIN="$ROOT/.build/release/warden"; fi
THREADS=2

log() { printf '[webhooks-bench] %s\n' "$*" >&2; }
die() { printf '[webhooks-bench] ERROR: %s\n' "$*" >&2; exit 1; }

for v in DURATION CONNS DELIVERIES THREADS_IN_SLACK PORT GOAL; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
[[ "$SYNC" == full || "$SYNC" == normal ]] || die "SYNC must be full or normal"
for tool in wrk curl sqlite3 python3 setsid; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (bench/api.sh installs wrk, curl, sqlite3)"
done

source "$BENCH_DIR/lib.sh"
port_busy "$PORT" && die "port $PORT is in use; set PORT"
TMP="$(mktemp -d "$DATA_PARENT/warden-webhooks-bench.XXXXXX")"
WPID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_client
    [[ -n "$WPID" ]] && kill_group "$WPID" TERM 100
    if [[ "$KEEP_DATA" == 1 ]]; then log "KEEP_DATA=1: kept $TMP"; else rm -rf "$TMP"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "$SKIP_BUILD" != 1 && "$BUILD_WARDEN" == 1 ]]; then
    log "building warden (release)"
    (cd "$ROOT" && swift build -c release --product warden) >&2 || die "release build failed"
fi
[[ -x "$WARDEN_BIN" ]] || die "$WARDEN_BIN is not executable"
log "data dir on $(stat -f -c %T "$TMP")"

# Secrets reach curl through files and the generator and wrk through the environment, never argv.
KEY="wk_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export WEBHOOK_BENCH_SECRET="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export API_BENCH_KEY="$KEY"
printf 'Authorization: Bearer %s\n' "$KEY" >"$TMP/auth.header"
BASE="http://127.0.0.1:$PORT"
api() { curl -fsS --max-time 10 -H @"$TMP/auth.header" -H 'Content-Type: application/json' "$@"; }
id_of() { sed -n 's/.*"id":"\([a-z]*_[A-Za-z0-9]*\)".*/\1/p'; }

# Each run gets a fresh warden and database, so neither inherits the other's rows or WAL.
start_warden() {  # start_warden DATA_DIR
    local args=(serve --listen "127.0.0.1:$PORT" --data-dir "$1" --sqlite-synchronous "$SYNC") i
    [[ -n "$WARDEN_WORKERS" ]] && args+=(--workers "$WARDEN_WORKERS")
    ( export WARDEN_ADMIN_KEY="$KEY"; exec setsid "$WARDEN_BIN" "${args[@]}" ) >>"$TMP/warden.log" 2>&1 </dev/null &
    WPID=$!
    for (( i = 0; i < 150; i++ )); do
        [[ "$(curl -fsS --max-time 1 "$BASE/healthz" 2>/dev/null || true)" == ok ]] && return 0
        kill -0 "$WPID" 2>/dev/null || die "warden exited: $(tail -n 5 "$TMP/warden.log")"
        sleep 0.2
    done
    die "warden does not answer /healthz"
}
figures() {  # figures FILE: "ok non2xx p99_ms req_per_s" from an API_BENCH line
    awk '/^API_BENCH / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         printf "%d %d %.2f %.0f\n", v["ok"], v["non2xx"] + v["connect_errors"] + v["read_errors"] + v["write_errors"] + v["timeouts"],
                v["p99_us"] / 1000, v["ok"] / (v["duration_us"] / 1e6) }' "$1"
}

start_warden "$TMP/anchor-data"
: >"$TMP/sessions"
for (( i = 0; i < 64; i++ )); do printf "%s\n" "$(api -X POST --data "{}" "$BASE/v1/sessions" | id_of)" >>"$TMP/sessions"; done
log "anchor: REST POST /v1/sessions/{id}/messages, wrk -t$THREADS -c$CONNS -d${DURATION}s"
run_client wrk "-t$THREADS" "-c$CONNS" "-d${DURATION}s" --latency -s "$BENCH_DIR/api_post.lua" "$BASE" \
    -- "$TMP/sessions" >"$TMP/anchor.txt" 2>&1 || die "wrk failed: $(cat "$TMP/anchor.txt")"
read -r API_OK API_BAD API_P99 API_RPS < <(figures "$TMP/anchor.txt")
kill_group "$WPID" TERM 100; WPID=""

start_warden "$TMP/data"
python3 - "$TMP/credential.json" <<'PY'
import json, os, sys
json.dump({"name": "slack-bench-signing", "hosts": ["slack.com"], "inject": {"header": "X-Unused", "template": "{secret}"},
           "secret": os.environ["WEBHOOK_BENCH_SECRET"]}, open(sys.argv[1], "w"))
PY
CREDENTIAL="$(api -X POST --data @"$TMP/credential.json" "$BASE/v1/credentials" | id_of)"
rm -f "$TMP/credential.json"
CHANNEL="$(api -X POST --data "{\"platform\":\"slack\",\"name\":\"bench\",\"verification_credential_id\":\"$CREDENTIAL\"}" \
    "$BASE/v1/channels" | id_of)"
[[ "$CHANNEL" == chn_* ]] || die "could not create the channel"
log "signing $DELIVERIES deliveries in $THREADS_IN_SLACK threads"
python3 "$BENCH_DIR/webhooks_gen.py" "$TMP/deliveries.tsv" "$DELIVERIES" "$THREADS_IN_SLACK"

log "webhooks: wrk -t$THREADS -c$CONNS -d${DURATION}s"
run_client wrk "-t$THREADS" "-c$CONNS" "-d${DURATION}s" --latency -s "$BENCH_DIR/webhooks_post.lua" "$BASE" \
    -- "$TMP/deliveries.tsv" "$CHANNEL" "$THREADS" >"$TMP/webhooks.txt" 2>&1 || die "wrk failed: $(cat "$TMP/webhooks.txt")"
read -r HOOK_OK HOOK_BAD HOOK_P99 HOOK_RPS < <(figures "$TMP/webhooks.txt")
STORED="$(sqlite3 "$TMP/data/warden.db" "SELECT count(*) FROM messages WHERE source = 'slack'")"

# A crash right after the runs: everything acknowledged must be in the database.
kill_group "$WPID" KILL 10; WPID=""
STORED_AFTER_KILL="$(sqlite3 "$TMP/data/warden.db" "SELECT count(*) FROM messages WHERE source = 'slack'")"

STATUS=0
printf '\n%-34s %10s %10s %10s\n' "run ($SYNC, c$CONNS)" "acked/s" "p99 ms" "errors"
printf '%-34s %10s %10s %10s\n' "signed Slack webhooks" "$HOOK_RPS" "$HOOK_P99" "$HOOK_BAD"
printf '%-34s %10s %10s %10s\n' "anchor: REST POST messages" "$API_RPS" "$API_P99" "$API_BAD"
python3 -c "import sys; h, a = float(sys.argv[1]), float(sys.argv[2]); print(f'webhooks / REST writes: {h / a:.2f}' if a else 'no anchor figure')" "$HOOK_RPS" "$API_RPS"
printf 'acknowledged %s deliveries; %s messages stored (after kill -9: %s)\n' "$HOOK_OK" "$STORED" "$STORED_AFTER_KILL"
if (( HOOK_OK <= DELIVERIES / THREADS )); then   # no wrk thread ran out, so every ack was a new delivery
    (( STORED_AFTER_KILL >= HOOK_OK )) || { log "fewer messages stored than deliveries acknowledged"; STATUS=1; }
else
    log "a wrk thread ran out of deliveries and repeated some (deduplicated, not stored): raise DELIVERIES"
fi
(( HOOK_BAD == 0 && API_BAD == 0 )) || { log "errors in a run (see above)"; STATUS=1; }
if (( HOOK_RPS >= GOAL )); then log "goal of $GOAL/s met"; else log "goal of $GOAL/s not met"; fi
exit "$STATUS"
