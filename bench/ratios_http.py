"""Part (d) of bench/ratios.py: the real server and bare Flask under it, loaded by one generator.

`Served(kind, workdir)` starts `ereje serve` ("ereje") or the same command with a bare
Flask app ("bare", bench/ratios_bare.py) on a free loopback port, 2 workers x 4 threads,
with a fresh decision log, no tokens and the fixture registries. `load(...)` posts
approve.json for a while with wrk (bench/ratios_post.lua) or, without wrk, with
bench/ratios_load.py in a process of its own, and returns what the generator counted.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORKERS, THREADS = 2, 4
_LINE = re.compile(r"RATIOS count=(\d+) elapsed_s=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) errors=(\d+) bad_status=(\d+)")


def generator():
    """The load generator used: "wrk" when installed, else "python"."""
    return "wrk" if shutil.which("wrk") else "python"


class Served:
    """A server process this benchmark started; `stop()` ends it (SIGTERM to its own pid)."""

    def __init__(self, kind, workdir):
        self.kind = kind
        port = _free_port()
        command = ([sys.executable, "-m", "server.cli"] if kind == "ereje" else [sys.executable, str(BENCH / "ratios_bare.py")])
        command += ["serve", "--port", str(port), "--db", str(workdir / f"{kind}.db"),
                    "--workers", str(WORKERS), "--threads", str(THREADS)]
        env = {k: v for k, v in os.environ.items() if k not in ("EREJE_TOKENS", "EREJE_REGISTRY_URL")}
        self._log = open(workdir / f"{kind}.log", "wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env={**env, "HOME": str(workdir)},
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}/v1/rulings"
        self._logfile = workdir / f"{kind}.log"
        self._wait_ready(f"http://127.0.0.1:{port}/healthz")

    def _wait_ready(self, health, timeout=120):
        stop_at = time.monotonic() + timeout
        while time.monotonic() < stop_at:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(health, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):  # bound, workers still loading
                time.sleep(0.2)
        self.stop()
        tail = self._logfile.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{self.kind} server did not start:\n{tail}")

    def cpu_seconds(self):
        """CPU time (user + system) of the server's master and live workers so far, or None
        without Linux's /proc: load-independent where requests per second are not."""
        try:
            master = self.process.pid
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
            return sum(_cpu_of(int(pid)) for pid in [master, *children])
        except (OSError, ValueError):
            return None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def load(server, body_file, concurrency, seconds):
    """Post `body_file` to `server` from `concurrency` keep-alive connections for `seconds`:
    {"count", "elapsed", "rate", "p50_ms", "p99_ms", "errors", "bad_status", "cpu_us"};
    `cpu_us` is the server's CPU time per request (master and workers), None where /proc is not."""
    url = server.url
    cpu = server.cpu_seconds()
    if generator() == "wrk":
        command = ["wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
                   "--timeout", "30s", "-s", str(BENCH / "ratios_post.lua"), url]
    else:
        command = [sys.executable, str(BENCH / "ratios_load.py"), url, str(body_file), str(concurrency), str(seconds)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "RATIOS_BODY": str(body_file)},
                          timeout=seconds + 120)
    found = _LINE.search(done.stdout)
    if done.returncode != 0 or not found:
        raise SystemExit(f"load generator failed ({done.returncode}): {done.stdout[-1000:]} {done.stderr[-1000:]}")
    count, elapsed, p50, p99, errors, bad = found.groups()
    count, elapsed = int(count), float(elapsed)
    after = server.cpu_seconds()
    cpu_us = None if cpu is None or after is None or not count else (after - cpu) * 1e6 / count
    return {"count": count, "elapsed": elapsed, "rate": count / elapsed if elapsed else 0.0,
            "p50_ms": float(p50), "p99_ms": float(p99), "errors": int(errors), "bad_status": int(bad),
            "cpu_us": cpu_us}


def _cpu_of(pid):
    # /proc/<pid>/stat: fields 14 and 15 (utime, stime, in clock ticks) after the name in parentheses.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
