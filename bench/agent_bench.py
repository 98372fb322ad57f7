#!/usr/bin/env python3
"""Agent latency and throughput against a running warden whose model answers at once.

    agent_bench.py BASE_URL ADMIN_KEY [--warm N] [--cold N] [--sessions S --messages M]

(a) warm: one session, N messages one after another (each after the previous run completed);
    time from sending POST …/messages to the first `message.delta` on the session's SSE stream.
(b) cold: a new session per sample (container started on demand); same measure.
(c) throughput: S sessions x M messages posted at once; runs completed per second.

Timing uses raw sockets (no HTTP library buffering between the bytes and the clock).
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import threading
import time
import urllib.parse


class SSE:
    """Reads an SSE stream on a raw socket; records when each run's first delta and end arrive."""

    def __init__(self, base: str, key: str, path: str):
        url = urllib.parse.urlparse(base)
        self.sock = socket.create_connection((url.hostname, url.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {key}\r\n"
                          f"Accept: text/event-stream\r\n\r\n".encode())
        self.first_delta: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        event = None
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            now = time.perf_counter()
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                line = raw.rstrip(b"\r").decode(errors="replace")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event:
                    if event not in ("message.delta", "run.completed", "run.failed"):
                        continue
                    body = json.loads(line[6:])["data"]
                    run = body.get("run_id") or body.get("id")
                    with self.cond:
                        if event == "message.delta":
                            self.first_delta.setdefault(run, now)
                        else:
                            self.finished[run] = now
                        self.cond.notify_all()

    def wait(self, table: str, run: str, timeout: float = 120) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: run in getattr(self, table), timeout):
                raise TimeoutError(f"no {table} for {run} within {timeout}s")
            return getattr(self, table)[run]

    def count_finished(self, runs: set[str]) -> int:
        with self.cond:
            return len(runs.intersection(self.finished))


class API:
    def __init__(self, base: str, key: str):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port)
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict) -> dict:
        self.conn.request("POST", path, json.dumps(body), self.headers)
        response = self.conn.getresponse()
        data = json.loads(response.read())
        if response.status >= 300:
            raise RuntimeError(f"POST {path}: {response.status} {data}")
        return data


def session(api: API) -> str:
    return api.post("/v1/sessions", {"title": "bench"})["id"]


def send(api: API, sid: str, text: str) -> tuple[str, float]:
    start = time.perf_counter()
    run = api.post(f"/v1/sessions/{sid}/messages", {"content": text})["run"]["id"]
    return run, start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("key")
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    api = API(args.base, args.key)

    # (b) cold: each sample is a new session, so a new container.
    cold = []
    for _ in range(args.cold):
        sid = session(api)
        stream = SSE(args.base, args.key, f"/v1/sessions/{sid}/events")
        run, start = send(api, sid, "hello")
        cold.append((stream.wait("first_delta", run) - start) * 1000)
        stream.wait("finished", run)

    # (a) warm: one session, its container kept warm between messages.
    sid = session(api)
    stream = SSE(args.base, args.key, f"/v1/sessions/{sid}/events")
    run, _ = send(api, sid, "warm up")
    stream.wait("finished", run)
    warm = []
    for i in range(args.warm):
        run, start = send(api, sid, f"message {i}")
        warm.append((stream.wait("first_delta", run) - start) * 1000)
        stream.wait("finished", run)

    # (c) throughput: every session's messages queued at once; runs of a session go in order.
    sessions = [session(api) for _ in range(args.sessions)]
    everything = SSE(args.base, args.key, "/v1/events")
    time.sleep(0.2)
    start = time.perf_counter()
    batch: set[str] = set()
    for m in range(args.messages):
        for sid in sessions:
            batch.add(send(api, sid, f"batch {m}")[0])
    deadline = time.monotonic() + 600
    while everything.count_finished(batch) < len(batch) and time.monotonic() < deadline:
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    done = everything.count_finished(batch)

    print(json.dumps({
        "warm_first_delta_ms": {"n": len(warm), "p50": round(statistics.median(warm), 2),
                                "p99": round(percentile(warm, 99), 2), "max": round(max(warm), 2)},
        "cold_first_delta_ms": {"n": len(cold), "p50": round(statistics.median(cold), 1),
                                "min": round(min(cold), 1), "max": round(max(cold), 1)},
        "throughput": {"sessions": args.sessions, "messages_each": args.messages,
                       "runs_completed": done, "seconds": round(elapsed, 2),
                       "runs_per_second": round(done / elapsed, 1)},
    }))


if __name__ == "__main__":
    main()
