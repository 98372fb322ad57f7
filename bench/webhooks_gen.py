"""Writes N signed Slack Events API deliveries for bench/webhooks.sh, one per line:
`timestamp<TAB>X-Slack-Signature<TAB>body`. Every delivery has its own event_id and message ts,
so nothing is deduplicated; they are replies in THREADS threads, so most land in an existing
session (one session per thread) as a busy workspace's would. The signing secret comes from the
environment (WEBHOOK_BENCH_SECRET), never the command line.

    python3 bench/webhooks_gen.py OUT N THREADS
"""
import hashlib
import hmac
import json
import os
import sys
import time

out, count, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
secret = os.environ["WEBHOOK_BENCH_SECRET"].encode()
now = int(time.time())
timestamp = str(now)
with open(out, "w") as f:
    for i in range(count):
        root = f"{now - 3600}.{i % threads:06d}"
        body = json.dumps({
            "token": "bench", "team_id": "T0BENCH", "api_app_id": "A0BENCH", "type": "event_callback",
            "event_id": f"EvBENCH{i:09d}", "event_time": now,
            "event": {"type": "message", "channel": "C0BENCH", "channel_type": "channel", "user": f"U{i % 97:05d}",
                      "text": "how is the deploy going?", "ts": f"{now}.{i:06d}", "thread_ts": root,
                      "event_ts": f"{now}.{i:06d}"},
        }, separators=(",", ":"))
        signature = "v0=" + hmac.new(secret, f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        f.write(f"{timestamp}\t{signature}\t{body}\n")
