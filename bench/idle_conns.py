#!/usr/bin/env python3
"""Open many real keep-alive HTTP/1.1 connections to a server and hold them idle.

Each connection sends one `GET /healthz` (keep-alive) and reads the complete
response, so the server has accepted it, parsed a request on it and kept it
open for the next one. All connections are then held idle for --hold seconds.
If --pid is given (repeatable), the VmHWM / VmRSS of those processes are read
from /proc/PID/status at the start and at the end of the hold, while every
connection is still open.

Python 3 standard library only. Loopback only: the host must be in 127.0.0.0/8.

The last line of output is machine-readable:
    RESULT {"open": ..., "requested": ..., "still_open": ..., "procs": {...}}
Exit status: 0 if every connection got a 200 and stayed open for the whole hold,
1 otherwise, 2 on bad usage.
"""

import argparse
import errno
import ipaddress
import json
import resource
import selectors
import socket
import sys
import time

CONNECTING, READING, IDLE = 1, 2, 3


def mib(kb):
    return round(kb / 1024.0, 1)


def proc_mem(pid):
    """VmHWM and VmRSS of a process in KiB, or None if it is gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(rest.split()[0])
    except OSError:
        return None
    return out


def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft >= needed:
        return soft
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        # Root may also raise the hard limit (needs CAP_SYS_RESOURCE).
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, max(needed, hard)))
        return needed
    except (ValueError, OSError):
        pass
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Conn:
    __slots__ = ("sock", "state", "buf")

    def __init__(self, sock):
        self.sock = sock
        self.state = CONNECTING
        self.buf = b""


def response_complete(buf):
    """None if incomplete, else (status_code, keep_alive)."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = buf[:head_end].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        return (0, False)
    length = 0
    keep_alive = parts[0].upper() == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            # /healthz is expected to have a Content-Length; accept a chunked body
            # once its terminating chunk has arrived.
            if not buf.endswith(b"0\r\n\r\n"):
                return None
            return (status, keep_alive)
        elif name == "connection":
            v = value.lower()
            if "close" in v:
                keep_alive = False
            elif "keep-alive" in v:
                keep_alive = True
    if len(buf) - (head_end + 4) < length:
        return None
    return (status, keep_alive)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/healthz")
    ap.add_argument("-n", "--conns", type=int, default=10000)
    ap.add_argument("--hold", type=float, default=5.0, help="seconds to hold all connections idle")
    ap.add_argument("--in-flight", type=int, default=512,
                    help="at most this many connections being opened / awaiting their response at once "
                         "(keeps the server's listen backlog from overflowing)")
    ap.add_argument("--timeout", type=float, default=60.0, help="give up opening after this many seconds")
    ap.add_argument("--pid", type=int, action="append", default=[],
                    help="process whose VmHWM/VmRSS to report (repeatable)")
    ap.add_argument("--label", action="append", default=[], help="name for the matching --pid")
    args = ap.parse_args()

    if not ipaddress.ip_address(args.host).is_loopback:
        print(f"idle_conns: refusing non-loopback host {args.host}", file=sys.stderr)
        return 2

    limit = raise_nofile(args.conns + 64)
    if limit < args.conns + 16:
        print(f"idle_conns: need {args.conns + 16} file descriptors, limit is {limit} "
              f"(raise `ulimit -n`)", file=sys.stderr)
        return 2

    request = (f"GET {args.path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
               f"Connection: keep-alive\r\n\r\n").encode()
    labels = {pid: (args.label[i] if i < len(args.label) else str(pid)) for i, pid in enumerate(args.pid)}
    before = {pid: proc_mem(pid) for pid in args.pid}

    sel = selectors.DefaultSelector()
    idle = []
    failures = {}
    started = 0
    active = 0
    t0 = time.monotonic()

    def fail(conn, why):
        nonlocal active
        failures[why] = failures.get(why, 0) + 1
        try:
            sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        active -= 1

    while len(idle) + sum(failures.values()) < args.conns:
        if time.monotonic() - t0 > args.timeout:
            failures["timeout"] = failures.get("timeout", 0) + (args.conns - len(idle) - sum(failures.values()))
            break
        while started < args.conns and active < args.in_flight:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            c = Conn(s)
            started += 1
            active += 1
            err = s.connect_ex((args.host, args.port))
            if err not in (0, errno.EINPROGRESS):
                fail(c, f"connect: {errno.errorcode.get(err, err)}")
                continue
            sel.register(s, selectors.EVENT_WRITE, c)
        for key, _ in sel.select(timeout=1.0):
            c = key.data
            if c.state == CONNECTING:
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(c, f"connect: {errno.errorcode.get(err, err)}")
                    continue
                try:
                    # A ~80-byte request always fits in an empty socket buffer.
                    c.sock.send(request)
                except OSError as e:
                    fail(c, f"send: {errno.errorcode.get(e.errno, e.errno)}")
                    continue
                c.state = READING
                sel.modify(c.sock, selectors.EVENT_READ, c)
            elif c.state == READING:
                try:
                    data = c.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError as e:
                    fail(c, f"recv: {errno.errorcode.get(e.errno, e.errno)}")
                    continue
                if not data:
                    fail(c, "closed before response")
                    continue
                c.buf += data
                done = response_complete(c.buf)
                if done is None:
                    continue
                status, keep_alive = done
                if status != 200:
                    fail(c, f"status {status}")
                    continue
                if not keep_alive:
                    fail(c, "server asked to close")
                    continue
                c.state = IDLE
                c.buf = b""
                sel.unregister(c.sock)
                active -= 1
                idle.append(c)

    opened_in = time.monotonic() - t0
    print(f"idle_conns: {len(idle)}/{args.conns} keep-alive connections open to "
          f"{args.host}:{args.port} in {opened_in:.1f}s; holding {args.hold:g}s")
    if failures:
        print(f"idle_conns: failures: {failures}")

    at_start = {pid: proc_mem(pid) for pid in args.pid}
    time.sleep(args.hold)
    at_end = {pid: proc_mem(pid) for pid in args.pid}

    # Which connections did the server close while they were idle?
    for c in idle:
        sel.register(c.sock, selectors.EVENT_READ, c)
    closed = 0
    for key, _ in sel.select(timeout=0):
        try:
            data = key.fileobj.recv(1)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if not data:
            closed += 1
    still_open = len(idle) - closed
    for c in idle:
        sel.unregister(c.sock)
        c.sock.close()
    sel.close()

    procs = {}
    for pid in args.pid:
        samples = [m for m in (at_start[pid], at_end[pid]) if m]
        b = before[pid]
        if not samples:
            print(f"idle_conns: {labels[pid]} (pid {pid}) is gone")
            procs[labels[pid]] = None
            continue
        rss = max(m.get("VmRSS", 0) for m in samples)
        hwm = max(m.get("VmHWM", 0) for m in samples)
        procs[labels[pid]] = {
            "pid": pid,
            "rss_before_mib": mib(b["VmRSS"]) if b else None,
            "vmrss_mib": mib(rss),
            "vmhwm_mib": mib(hwm),
        }
        print(f"idle_conns: {labels[pid]} (pid {pid}): VmRSS {mib(rss):.1f} MiB, VmHWM {mib(hwm):.1f} MiB "
              f"with {still_open} idle connections"
              + (f" (VmRSS before: {mib(b['VmRSS']):.1f} MiB)" if b else ""))
    if closed:
        print(f"idle_conns: the server closed {closed} of them during the {args.hold:g}s hold")

    result = {
        "requested": args.conns,
        "open": len(idle),
        "still_open": still_open,
        "failures": failures,
        "open_seconds": round(opened_in, 2),
        "hold_seconds": args.hold,
        "procs": procs,
    }
    print("RESULT " + json.dumps(result))
    return 0 if (len(idle) == args.conns and still_open == args.conns) else 1


if __name__ == "__main__":
    sys.exit(main())
