#!/usr/bin/env python3
"""The arithmetic and the report of bench/proxy.sh (standard library only).

    proxy_report.py cpu PGID...                  one CPU snapshot: machine busy ticks, then the
                                                 ticks of each process group (0 = none)
    proxy_report.py annotate RUN.json BEFORE AFTER BODY SCHEME LOAD TARGET
                                                 one proxy-load result + the CPU it saw, as one
                                                 JSON line on stdout and a progress line on stderr
    proxy_report.py report RUNS.jsonl RESULTS_DIR META_JSON
                                                 the tables, ratios and goals; writes
                                                 RESULTS_DIR/proxy-<stamp>.{txt,json} and proxy-latest.*
"""
from __future__ import annotations

import json
import os
import sys

# The process groups proxy.sh passes to `cpu`, in this order (the first is its own: the load
# tool runs in it, but has exited by the second snapshot, so it reports its own CPU time).
GROUPS = ["script", "nginx", "warden", "relay", "mitmproxy", "mitmtunnel"]
# Whose CPU counts as the proxy's, per target (an idle process adds nothing).
PROXY_GROUPS = {"direct": [], "warden": ["warden"], "relay": ["warden", "relay"],
                "mitmproxy": ["mitmproxy", "mitmtunnel"]}
SCHEMES = {
    "http": "plain HTTP (absolute-form GET through the proxy)",
    "https": "HTTPS, intercepted (CONNECT, TLS to the proxy, TLS from the proxy to nginx)",
    "tunnel": "HTTPS, tunnelled (CONNECT to an address, TLS end to end, the proxy sees bytes only)",
}
GOAL_RATIO = 5.0
GOAL_ADDED_P50_US = 1000.0


def pgid_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[2])


def cpu_snapshot(args: list[str]) -> None:
    groups = [pgid_of(int(args[0]))] + [int(x) for x in args[1:]]
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
            ticks[pgid] += int(fields[11]) + int(fields[12])  # utime + stime
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    busy = sum(cpu) - cpu[3] - cpu[4]  # all but idle and iowait
    print(busy, *(ticks.get(g, 0) for g in groups))


def annotate(args: list[str]) -> None:
    path, before, after, body, scheme, load, target = args
    with open(path) as f:
        run = json.load(f)
    delta = [a - b for a, b in zip((int(x) for x in after.split()), (int(x) for x in before.split()))]
    hz = os.sysconf("SC_CLK_TCK")
    wall = max(run["elapsed_s"], 0.001)  # the snapshots bracket the whole tool run, warm-up included
    cpu = {name: round(t / hz / wall, 2) for name, t in zip(GROUPS, delta[1:])}
    cpu["client"] = round(run["cpu_s"] / wall, 2)
    cpu["other"] = round(max(0.0, delta[0] / hz / wall - sum(cpu.values())), 2)
    cpu["proxy"] = round(sum(cpu[g] for g in PROXY_GROUPS[target]), 2)
    run.update(body=int(body), scheme=scheme, load=load, target=target, cpu=cpu)
    print(json.dumps(run, sort_keys=True))
    error = f"  ({run['first_error'][:110]})" if run.get("first_error") else ""
    print(f"[proxy-bench]   {run['label']:<34} {run['rps']:>8.0f} req/s  p50 {run['p50_us']:>7.0f} us  "
          f"p99 {run['p99_us']:>7.0f} us  errors {run['errors']}{error}", file=sys.stderr)


def unavailable(run: dict | None) -> bool:
    return run is None or run.get("connect_status") not in (None, 200) or run["requests"] == 0


def why(run: dict | None) -> str:
    if run is None:
        return "not run"
    if run.get("connect_status") not in (None, 200):
        code = ": interception_not_available" if "interception_not_available" in run.get("first_error", "") else ""
        return f"not available ({run['connect_status']}{code})"
    return "no successful request: " + run.get("first_error", "?")[:100]


def report(args: list[str]) -> None:
    raw, results_dir, meta = args[0], args[1], json.loads(args[2])
    with open(raw) as f:
        runs = [json.loads(line) for line in f if line.strip()]

    def find(body: int, scheme: str, load: str, target: str) -> dict | None:
        # The tunnelled case has no direct run of its own: direct HTTPS is the same exchange.
        if scheme == "tunnel" and target == "direct":
            scheme = "https"
        matching = [r for r in runs if (r["body"], r["scheme"], r["load"], r["target"]) == (body, scheme, load, target)]
        if not matching:
            return None
        # With REPEAT > 1: the median run, by req/s for throughput and by p50 for latency (a run
        # that could not run sorts first, so a single failure does not hide behind good runs).
        good = [r for r in matching if not unavailable(r)]
        if len(good) < len(matching):
            return next(r for r in matching if unavailable(r))
        good.sort(key=lambda r: r["rps"] if load == "throughput" else r["p50_us"])
        return good[(len(good) - 1) // 2]

    names = {"direct": "direct (no proxy)", "warden": "warden (unix socket)", "relay": "warden via agent relay (TCP)",
             "mitmproxy": f"mitmproxy {meta['mitmproxy']} (TCP)"}
    bodies = list(dict.fromkeys(r["body"] for r in runs))
    schemes = [s for s in SCHEMES if any(r["scheme"] == s for r in runs)]
    targets = [t for t in names if any(r["target"] == t for r in runs)]
    conns = meta["conns"]
    out = [
        f"Proxy benchmark {meta['stamp']} (warden {meta['commit']}), {meta['nproc']} cores, load average at the end "
        f"{meta['loadavg']}; {meta['warmup_s']} s warm-up + {meta['duration_s']} s measured per run"
        + (f" (each figure the median of {meta['repeat']} runs)" if int(meta.get("repeat", 1)) > 1 else "") + ", keep-alive,",
        "closed loop (bench/ProxyLoad). Upstream: " + f"{meta['nginx']} on 127.0.0.1 serving a fixed body; plain HTTP "
        f"as {meta['plain_host']}, HTTPS as {meta['tls_host']} (a test CA).",
        "Warden is reached over its session's unix socket (proxy.sock), the way the agent's relay reaches it;",
        "'via agent relay' puts the agent's real TCP->unix relay (warden-agent) in front; mitmproxy is reached over",
        "TCP loopback. Warden intercepts the HTTPS host because a credential names it (its header is injected on",
        "every request); mitmproxy intercepts every CONNECT. The tunnelled case CONNECTs to 127.0.0.1, which has",
        "no credential (warden tunnels it), and a second mitmdump started with --ignore-hosts '.' (it tunnels too).",
        f"Warden's interception and injection (one request to an nginx location that wants the header): {meta['injection']}.",
        "Added latency = (through the proxy) - (direct), both at 1 connection. CPU: cores (of the machine's "
        f"{meta['nproc']}) used during the run by the proxy, the load tool, nginx, and everything else.",
        "",
    ]
    noisy = False
    for body in bodies:
        for scheme in schemes:
            out.append(f"== {SCHEMES[scheme]}: GET of a {body}-byte body ==")
            out.append(f"{'throughput, ' + str(conns) + ' connections':<32} {'req/s':>8} {'p50 us':>8} {'p99 us':>8} "
                       f"{'errors':>6}   {'CPU: proxy':>10} {'client':>6} {'nginx':>6} {'other':>6}")
            for t in targets:
                r = find(body, scheme, "throughput", t)
                if scheme == "tunnel" and t == "direct":
                    label = names[t] + " (= HTTPS)"
                else:
                    label = names[t]
                if r is None and scheme == "tunnel" and t == "direct":
                    continue
                if unavailable(r):
                    out.append(f"{label:<32} {why(r)}")
                    continue
                c = r["cpu"]
                noisy |= c["other"] > 0.15
                proxy = "-" if t == "direct" else f"{c['proxy']:.2f}"
                out.append(f"{label:<32} {r['rps']:>8.0f} {r['p50_us']:>8.0f} {r['p99_us']:>8.0f} {r['errors']:>6}   "
                           f"{proxy:>10} {c['client']:>6.2f} {c['nginx']:>6.2f} {c['other']:>6.2f}")
                if r.get("first_error"):
                    out.append(f"    {r['errors']} errors; the first: {r['first_error'][:150]}")
            out.append(f"{'latency, 1 connection':<32} {'req/s':>8} {'p50 us':>8} {'p99 us':>8} {'errors':>6}   "
                       f"{'added p50 us':>12} {'added p99 us':>12}")
            base = find(body, scheme, "latency", "direct")
            for t in targets:
                r = find(body, scheme, "latency", t)
                label = names[t] + (" (= HTTPS)" if scheme == "tunnel" and t == "direct" else "")
                if unavailable(r):
                    out.append(f"{label:<32} {why(r)}")
                    continue
                line = f"{label:<32} {r['rps']:>8.0f} {r['p50_us']:>8.0f} {r['p99_us']:>8.0f} {r['errors']:>6}"
                if t != "direct" and not unavailable(base):
                    line += f"   {r['p50_us'] - base['p50_us']:>12.0f} {r['p99_us'] - base['p99_us']:>12.0f}"
                out.append(line)
                if r.get("first_error"):
                    out.append(f"    {r['errors']} errors; the first: {r['first_error'][:150]}")
            out.append("")

    body = bodies[0]
    out.append(f"== Ratios and goals ({body}-byte body; goals: warden >= {GOAL_RATIO:.0f}x mitmproxy's throughput, "
               f"< {GOAL_ADDED_P50_US / 1000:.0f} ms added p50 for plain HTTP) ==")
    verdicts: dict[str, object] = {}
    for scheme in schemes:
        title = SCHEMES[scheme].split(" (")[0]
        w, m = find(body, scheme, "throughput", "warden"), find(body, scheme, "throughput", "mitmproxy")
        if unavailable(w) or unavailable(m):
            out.append(f"{title}: warden/mitmproxy throughput n/a (warden: {why(w) if unavailable(w) else 'ok'}; "
                       f"mitmproxy: {why(m) if unavailable(m) else 'ok'})")
            verdicts[f"{scheme}_throughput_ratio"] = None
        else:
            ratio = w["rps"] / m["rps"] if m["rps"] else float("inf")
            verdicts[f"{scheme}_throughput_ratio"] = round(ratio, 2)
            line = f"{title}: warden/mitmproxy throughput = {w['rps']:.0f} / {m['rps']:.0f} = {ratio:.1f}x"
            if scheme == "tunnel":  # the issue sets its goals for plain HTTP and intercepted HTTPS
                line += " (for reference: no goal)"
            else:
                verdicts[f"{scheme}_throughput_goal_met"] = ratio >= GOAL_RATIO
                line += f" -> {'MET' if ratio >= GOAL_RATIO else 'NOT MET'} (goal >= {GOAL_RATIO:.0f}x)"
            out.append(line)
        d, wl, ml = (find(body, scheme, "latency", t) for t in ("direct", "warden", "mitmproxy"))
        if not unavailable(d) and not unavailable(wl):
            added50, added99 = wl["p50_us"] - d["p50_us"], wl["p99_us"] - d["p99_us"]
            verdicts[f"{scheme}_added_p50_us"], verdicts[f"{scheme}_added_p99_us"] = added50, added99
            text = f"    warden adds p50 {added50:.0f} us, p99 {added99:.0f} us"
            if not unavailable(ml):
                text += f"; mitmproxy adds p50 {ml['p50_us'] - d['p50_us']:.0f} us, p99 {ml['p99_us'] - d['p99_us']:.0f} us"
            if scheme == "http":
                met = added50 < GOAL_ADDED_P50_US
                verdicts["http_added_p50_goal_met"] = met
                text += f" -> {'MET' if met else 'NOT MET'} (goal: added p50 < {GOAL_ADDED_P50_US:.0f} us)"
            out.append(text)
    if noisy:
        out += ["", "WARNING: in some runs processes other than the proxy, the load tool and nginx used more than",
                "         0.15 cores (column 'other'): something else was competing for the cores; the figures are noisy."]
    text = "\n".join(out) + "\n"
    print(text, end="")
    document = {"meta": meta, "verdicts": verdicts, "noisy": noisy, "runs": runs}
    os.makedirs(results_dir, exist_ok=True)
    stamp = meta["stamp"]
    for name, content in ((f"proxy-{stamp}.txt", text), ("proxy-latest.txt", text),
                          (f"proxy-{stamp}.json", json.dumps(document, indent=2) + "\n"),
                          ("proxy-latest.json", json.dumps(document, indent=2) + "\n")):
        with open(os.path.join(results_dir, name), "w") as f:
            f.write(content)
    print(f"results: {results_dir}/proxy-{stamp}.txt and .json")


if __name__ == "__main__":
    commands = {"cpu": cpu_snapshot, "annotate": annotate, "report": report}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])
