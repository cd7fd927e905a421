"""The load generator of bench/ratios.py when wrk is not installed: keep-alive POSTs from threads.

    python bench/ratios_load.py URL BODY_FILE CONCURRENCY SECONDS

Each of CONCURRENCY threads holds one keep-alive connection (http.client) and posts
BODY_FILE for SECONDS; prints the same line as bench/ratios_post.lua under wrk.
Run in a process of its own, so it never shares an interpreter with what it measures.
It is slower than wrk (one interpreter, one GIL): a floor on the servers' rates.
"""
import http.client
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


def client(url, body, stop_at, latencies, failures, lock):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    mine, bad, errors = [], 0, 0
    headers = {"Content-Type": "application/json"}
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            conn.request("POST", parts.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            continue
        mine.append(time.perf_counter() - started)
        bad += response.status >= 400
    conn.close()
    with lock:
        latencies.extend(mine)
        failures[0] += errors
        failures[1] += bad


def main():
    url, body_file, concurrency, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    with open(body_file, "rb") as f:
        body = f.read()
    latencies, failures, lock = [], [0, 0], threading.Lock()
    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(url, body, began + seconds, latencies, failures, lock))
               for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else (latencies or [0.0]) * 99
    print(f"RATIOS count={len(latencies)} elapsed_s={elapsed:.6f} p50_ms={q[49] * 1000:.4f} "
          f"p99_ms={q[98] * 1000:.4f} errors={failures[0]} bad_status={failures[1]}")


if __name__ == "__main__":
    main()
