"""Rulings per second over HTTP against a real `ereje serve`.

Starts `python -m server.serving` (gunicorn, gthread workers) on a free loopback
port with a fresh decision log, then runs a Python load generator: N client
threads, each with its own requests.Session (keep-alive), posting the sample
application for a fixed time. Every response is checked (201 and an outcome).
The client shares the machine with the server, so the figures are a floor.

    python bench/http_bench.py [--seconds 10] [--concurrency 1,8] [--workers 2] [--threads 4]
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# A general-route application approved under 2025-09-01: every requirement and registry is exercised.
SAMPLE = ROOT / "fixtures" / "applications" / "approve.json"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir, workers, threads):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--db", str(workdir / "bench.db"),
         "--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT, env={**os.environ, "HOME": str(workdir)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=5).ok:
                return process, base
        except (requests.ConnectionError, requests.Timeout):  # bound, workers still loading
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start")


def run(base, concurrency, seconds, body):
    """Post for `seconds` from `concurrency` threads; return (count, latencies, errors)."""
    latencies, errors = [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        session = requests.Session()
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = session.post(f"{base}/v1/rulings", data=body,
                                    headers={"Content-Type": "application/json"}, timeout=30)
            mine.append(time.perf_counter() - started)
            if response.status_code != 201 or "outcome" not in response.json():
                with lock:
                    errors.append(response.status_code)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), time.monotonic() - began, latencies, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    body = json.dumps(json.loads(SAMPLE.read_text(encoding="utf-8")))
    with tempfile.TemporaryDirectory() as tmp:
        process, base = start_server(Path(tmp), args.workers, args.threads)
        try:
            run(base, 2, 2, body)  # warm up: imports, rule compilation, SQLite pages
            print(f"server: {args.workers} workers x {args.threads} threads (gthread); "
                  f"client: Python requests Sessions in threads; {os.cpu_count()} CPUs shared")
            for concurrency in (int(c) for c in args.concurrency.split(",")):
                count, elapsed, latencies, errors = run(base, concurrency, args.seconds, body)
                ms = sorted(x * 1000 for x in latencies)
                print(f"concurrency {concurrency}: {count / elapsed:7.1f} rulings/s  "
                      f"p50 {statistics.median(ms):6.2f} ms  p95 {ms[int(len(ms) * 0.95) - 1]:6.2f} ms  "
                      f"({count} rulings, {len(errors)} errors)")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
