#!/usr/bin/env bash
# Agent benchmark (issue #5): a real warden, real Docker, the real agent image, and the scripted
# model answering at once (so what is measured is Warden, not a model). Prints:
#   (a) warm latency, POST …/messages → first message.delta on SSE, p50/p99 over WARM messages
#   (b) cold start latency to the first delta (a new session: its container starts on demand)
#   (c) throughput: SESSIONS sessions x MESSAGES messages posted at once
# and the same measures for the anchor run in this script: NanoClaw's delivery path (a 1 s host
# poll and a 0.5 s container poll, bench/polling_anchor.py) and, for cold start, `docker run` of
# the same image doing nothing (NanoClaw starts a container per conversation).
# Goals: warm p50 under 25 ms, cold under 1.5 s. Runs as root on Debian 12; leaves nothing behind.
#
# Env: WARM=200 COLD=5 SESSIONS=20 MESSAGES=10 ANCHOR_SAMPLES=20 PORT=18085 SKIP_BUILD=1
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
source "$BENCH_DIR/lib.sh"
WARM="${WARM:-200}" COLD="${COLD:-5}" SESSIONS="${SESSIONS:-20}" MESSAGES="${MESSAGES:-10}"
ANCHOR_SAMPLES="${ANCHOR_SAMPLES:-20}" PORT="${PORT:-18085}"
log() { printf '[agent-bench] %s\n' "$*" >&2; }

cd "$ROOT"
source deploy/setup.sh
./deploy/docker.sh >&2
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # One product per invocation: given several --product options, swift build builds only the last.
    for product in warden scripted-model; do swift build -c release --product "$product" >&2; done
    swift build -c release --product warden-agent --static-swift-stdlib >&2
fi
IMAGE=$(bash deploy/agent-image/build.sh --agent .build/release/warden-agent | tail -n 1)
port_busy "$PORT" && { log "port $PORT is in use; set PORT"; exit 1; }

WORK=$(mktemp -d /var/tmp/warden-agent-bench.XXXXXX)
MODEL_PID="" WARDEN_PID=""
cleanup() {
    [[ -n "$WARDEN_PID" ]] && kill_group "$WARDEN_PID" TERM 100
    [[ -n "$MODEL_PID" ]] && kill_group "$MODEL_PID" TERM 20
    rm -rf "$WORK"
}
trap cleanup EXIT

echo '{"turns": [], "when_exhausted": {"reply": "ok"}}' > "$WORK/script.json"
setsid .build/release/scripted-model --listen 127.0.0.1:0 --script "$WORK/script.json" > "$WORK/model.addr" 2>/dev/null &
MODEL_PID=$!
for _ in $(seq 50); do [[ -s "$WORK/model.addr" ]] && break; sleep 0.1; done
MODEL=$(head -n 1 "$WORK/model.addr")
KEY="wk_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WARDEN_ADMIN_KEY="$KEY" ANTHROPIC_API_KEY="sk-bench-not-a-real-key" setsid .build/release/warden serve \
    --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" --agent-image "$IMAGE" --anthropic-base-url "http://$MODEL" \
    --max-containers "$SESSIONS" --log-level warning 2> "$WORK/warden.log" &
WARDEN_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

log "warden: $WARM warm, $COLD cold, $SESSIONS x $MESSAGES throughput (image $IMAGE)"
WARDEN_JSON=$(python3 "$BENCH_DIR/agent_bench.py" "http://127.0.0.1:$PORT" "$KEY" --warm "$WARM" --cold "$COLD" \
    --sessions "$SESSIONS" --messages "$MESSAGES")
log "anchor: NanoClaw's polling path, $ANCHOR_SAMPLES messages"
ANCHOR_JSON=$(python3 "$BENCH_DIR/polling_anchor.py" --samples "$ANCHOR_SAMPLES")
log "anchor: docker run of the agent image, $COLD times"
DOCKER_MS=()
for _ in $(seq "$COLD"); do
    start=$(date +%s%N)
    docker run --rm --network none --entrypoint /bin/true "$IMAGE"
    DOCKER_MS+=($(( ($(date +%s%N) - start) / 1000000 )))
done

python3 - "$WARDEN_JSON" "$ANCHOR_JSON" "${DOCKER_MS[@]}" <<'PY'
import json, statistics, sys
w, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
docker = [int(x) for x in sys.argv[3:]]
warm, cold, tp = w["warm_first_delta_ms"], w["cold_first_delta_ms"], w["throughput"]
docker_p50 = statistics.median(docker)
# NanoClaw's cold path: a container start plus both polls (their averages: 0.5 s + 0.25 s).
nano_cold = docker_p50 + 750
print(f"(a) warm  first delta   p50 {warm['p50']:8.2f} ms  p99 {warm['p99']:8.2f} ms  (n={warm['n']}, goal p50 < 25 ms)")
print(f"    anchor (polling)    p50 {a['p50_ms']:8.1f} ms  p99 {a['p99_ms']:8.1f} ms  (n={a['n']})")
print(f"    ratio warden/anchor p50 {warm['p50'] / a['p50_ms']:.4f}  ({a['p50_ms'] / warm['p50']:.0f}x faster)")
print(f"(b) cold  first delta   p50 {cold['p50']:8.1f} ms  min {cold['min']:.1f}  max {cold['max']:.1f}  (n={cold['n']}, goal < 1500 ms)")
print(f"    anchor docker run   p50 {docker_p50:8.1f} ms; + NanoClaw's mean poll waits = {nano_cold:.0f} ms")
print(f"    ratio warden/anchor     {cold['p50'] / nano_cold:.3f}")
print(f"(c) throughput          {tp['runs_per_second']:8.1f} runs/s  ({tp['runs_completed']} runs, {tp['sessions']} sessions x {tp['messages_each']}, {tp['seconds']} s)")
print(f"    anchor (polling)    {1000 / a['p50_ms']:8.2f} runs/s per session at best (one reply per host poll)")
PY
