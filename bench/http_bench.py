"""Rulings per second over HTTP, as a ratio to bare Flask under the same server, in one run.

For each checkout named (default: this one) it starts `ereje serve` with a fresh
decision log and `bench/bare_flask.py` (a Flask app whose one route returns `{}`)
under the same gunicorn master, worker class, workers, threads and keep-alive; then
wrk posts `fixtures/applications/approve.json` to each in interleaved rounds, at
concurrency 8 (throughput) and 1 (latency). Medians over the rounds are printed with
Ereje's ratio to the bare app of its own checkout, and the server's CPU time per
request (master and workers, from /proc), whose ratio depends less on what else
the machine runs. wrk shares the machine with the servers, so figures are only
comparable within one run.

    python bench/http_bench.py [--rounds 3] [--seconds 8] [--workers 2] [--threads 4] \
        [--tree before=/path/to/old/checkout --tree after=.]
"""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "bench" / "post.lua"
LINE = re.compile(r"rulings/s (\S+)\s+p50 (\S+) ms\s+p99 (\S+) ms\s+errors (\d+)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command, tree, workdir, ready_path):
    """Start `command` in checkout `tree`; wait until `ready_path` answers (any status)."""
    port = free_port()
    env = {**os.environ, "HOME": str(workdir), "PYTHONPATH": str(tree)}
    for name in ("EREJE_TOKENS", "EREJE_REGISTRY_URL", "EREJE_LOG_KEY"):
        env.pop(name, None)
    process = subprocess.Popen([sys.executable, *command, "--port", str(port)], cwd=tree, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            requests.get(base + ready_path, timeout=5)
            return process, base
        except (requests.ConnectionError, requests.Timeout):  # bound, workers still loading
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{command} in {tree} did not start")


def cpu_seconds(pid):
    """CPU time (user + system) the server `pid` and its workers have used so far."""
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    ticks = 0
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])   # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url, concurrency, seconds, pid):
    """(requests/s, p50 ms, p99 ms, errors, server CPU ms per request) of one wrk run posting the sample body."""
    before = cpu_seconds(pid)
    out = subprocess.run(["wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", f"-d{seconds}s",
                          "-s", str(LUA), url], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = LINE.search(out)
    if not found:
        raise SystemExit(f"wrk said:\n{out}")
    rate, p50, p99, errors = (float(x) for x in found.groups())
    return rate, p50, p99, errors, (cpu_seconds(pid) - before) * 1000 / (rate * seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--tree", action="append", help="NAME=PATH of a checkout (repeatable)")
    args = parser.parse_args()
    trees = dict(t.split("=", 1) for t in args.tree or [f"this={ROOT}"])
    shape = ["--workers", str(args.workers), "--threads", str(args.threads)]
    processes, targets = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for name, tree in trees.items():
                tree, work = Path(tree).resolve(), Path(tmp) / name
                work.mkdir()
                ereje = start(["-m", "server.cli", "serve", "--db", str(work / "bench.db"), "--no-access-log", *shape],
                              tree, work, "/healthz")
                bare = start([str(ROOT / "bench" / "bare_flask.py"), *shape], tree, work, "/")
                processes += [ereje[0], bare[0]]
                targets[f"{name} bare Flask"] = (bare[1] + "/", bare[0].pid)
                targets[f"{name} Ereje"] = (ereje[1] + "/v1/rulings", ereje[0].pid)
            for url, pid in targets.values():
                wrk(url, 2, 2, pid)   # warm up: imports, rule compilation, SQLite pages
            results = {(target, c): [] for target in targets for c in (8, 1)}
            for _ in range(args.rounds):
                for target, (url, pid) in targets.items():
                    for c in (8, 1):
                        results[target, c].append(wrk(url, c, args.seconds, pid))
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=30)
    report(results, trees, args)


def report(results, trees, args):
    def med(target, c, i):
        return statistics.median(r[i] for r in results[target, c])

    print(f"server: {args.workers} workers x {args.threads} threads; wrk, {args.rounds} interleaved rounds of "
          f"{args.seconds} s; medians; {os.cpu_count()} CPUs shared; load {os.getloadavg()[0]:.1f}")
    for (target, c), runs in results.items():
        errors = sum(r[3] for r in runs)
        print(f"{target:24} c={c}: {med(target, c, 0):8.0f}/s  p50 {med(target, c, 1):6.2f} ms  "
              f"p99 {med(target, c, 2):6.2f} ms  server CPU {med(target, c, 4):5.2f} ms/request  errors {errors:.0f}")
    for name in trees:
        ratio = med(f"{name} Ereje", 8, 0) / med(f"{name} bare Flask", 8, 0)
        cpu = med(f"{name} bare Flask", 8, 4) / med(f"{name} Ereje", 8, 4)
        print(f"{name}: Ereje / bare Flask at c=8 = {ratio:.2f}x (by server CPU per request: {cpu:.2f}x); "
              f"Ereje p99 at c=1 = {med(f'{name} Ereje', 1, 2):.2f} ms")


if __name__ == "__main__":
    main()
