#!/usr/bin/env python3
"""The anchor for bench/agent.sh: NanoClaw's delivery path, run for real with its intervals.

NanoClaw's host loop polls its message store every 1 s and hands new messages to the agent's
container, whose loop polls for them every 0.5 s. This runs exactly that relay (a host poller
and a "container" poller, each sleeping its interval, passing messages through a file) and
times message-in to message-seen-by-the-agent, with no model and no container work at all: the
floor that polling puts under every reply.

    polling_anchor.py [--samples N]      prints {"p50_ms": …, "p99_ms": …, "n": N}
"""
import argparse, json, os, statistics, tempfile, threading, time

HOST_POLL, CONTAINER_POLL = 1.0, 0.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    inbox: list[tuple[int, float]] = []
    lock = threading.Lock()
    handoff = os.path.join(tempfile.mkdtemp(), "ipc.json")
    seen: dict[int, float] = {}
    stop = threading.Event()

    def host() -> None:  # the host loop: polls the store, writes new messages for the container
        delivered = 0
        while not stop.is_set():
            with lock:
                batch = inbox[delivered:]
            if batch:
                delivered += len(batch)
                with open(handoff + ".tmp", "w") as f:
                    json.dump([i for i, _ in batch], f)
                os.replace(handoff + ".tmp", handoff)
            time.sleep(HOST_POLL)

    def container() -> None:  # the agent loop in the container: polls the hand-off file
        while not stop.is_set():
            if os.path.exists(handoff):
                with open(handoff) as f:
                    ids = json.load(f)
                os.remove(handoff)
                now = time.perf_counter()
                for i in ids:
                    seen.setdefault(i, now)
            time.sleep(CONTAINER_POLL)

    threading.Thread(target=host, daemon=True).start()
    threading.Thread(target=container, daemon=True).start()
    latencies = []
    for i in range(args.samples):
        time.sleep(0.37)  # arrivals not aligned with either loop
        start = time.perf_counter()
        with lock:
            inbox.append((i, start))
        while i not in seen:
            time.sleep(0.001)
        latencies.append((seen[i] - start) * 1000)
    stop.set()
    ordered = sorted(latencies)
    print(json.dumps({"n": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
                      "p99_ms": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 1)}))


if __name__ == "__main__":
    main()
