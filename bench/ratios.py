"""Everything issue 13 measures, as ratios to a reference measured in the same run.

    python bench/ratios.py [--rounds 5] [--quick] [--parts a,b,c,d,e] [-n 20000]

Interleaved rounds; each round measures every part once, in this order:
  (a) a plain durable_rules ruling of the same shape (bench/ratios_plain.py)
  (b) Ereje's engine only (runner.run on facts built beforehand)
  (c) Ereje's full ruling in process, approve.json's bytes -> ruling dict
  (d) bare Flask `{}` and Ereje's POST /v1/rulings under the same `ereje serve`, c=8 and c=1
  (e) `ereje compare` over N generated applications x 2 versions, --jobs 2, and its reference:
      Ereje's engine only on the same applications
Prints a Markdown table of medians (figure, reference, ratio, the issue's aim) with the
date and the load average at start and end. docs/benchmarks.md says what each row means.
"""
import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import ratios_http as http  # noqa: E402
import ratios_table as table  # noqa: E402
from ratios_inproc import Part  # noqa: E402

SAMPLE = ROOT / "fixtures" / "applications" / "approve.json"
VERSIONS = ("2023-07-01", "2025-09-01")
IN_PROCESS = {"a": "plain", "b": "engine", "c": "full"}


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 5; --quick: 1)")
    ap.add_argument("--quick", action="store_true", help="one short round of every part: a smoke test, not a figure")
    ap.add_argument("--parts", default="a,b,c,d,e", help="comma-separated parts to run (default: all)")
    ap.add_argument("-n", type=int, help="applications for `ereje compare` (default 20000; --quick: 200); "
                                         "its time is also shown scaled to 100,000")
    ap.add_argument("--seconds", type=float, help="seconds per in-process part per round (default 2; --quick: 0.3)")
    ap.add_argument("--http-seconds", type=int, help="seconds per HTTP run (default 5; --quick: 1)")
    ap.add_argument("--jobs", type=int, default=2, help="`ereje compare --jobs` (default 2)")
    ap.add_argument("--seed", type=int, default=1, help="bench/generate.py's seed")
    args = ap.parse_args(argv)
    quick = args.quick
    args.rounds = args.rounds or (1 if quick else 5)
    args.n = args.n or (200 if quick else 20_000)
    args.seconds = args.seconds or (0.3 if quick else 2.0)
    args.http_seconds = args.http_seconds or (1 if quick else 5)
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(args.parts) - set("abcde")
    if unknown or not args.parts:
        ap.error(f"--parts takes letters among a,b,c,d,e, not {','.join(sorted(unknown)) or 'nothing'}")
    return args


def main(argv=None):
    args = options(argv)
    start = {"date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "load": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="ratios-") as tmp:
        setup = Setup(args, Path(tmp))
        try:
            setup.start()
            rounds = []
            for i in range(args.rounds):
                rounds.append(setup.one_round(i))
                _say(f"round {i + 1}/{args.rounds} done")
        finally:
            setup.stop()
    print(table.render(args, start, {"load": os.getloadavg()}, rounds, setup.about()))


class Setup:
    """The processes a run measures: in-process parts, servers, the generated file."""

    def __init__(self, args, workdir):
        self.args, self.workdir = args, workdir
        self.parts, self.servers = {}, {}
        self.apps = workdir / "applications.jsonl"
        self.one = workdir / "one-application.jsonl"
        self.checked = {}

    def start(self):
        args = self.args
        for letter, name in IN_PROCESS.items():
            if letter in args.parts:
                self.parts[letter] = Part(name, {})
        if "e" in args.parts:
            _say(f"generating {args.n} applications")
            subprocess.run([sys.executable, str(BENCH / "generate.py"), "-n", str(args.n), "--seed", str(args.seed),
                            "-o", str(self.apps)], check=True)
            with open(self.apps, encoding="utf-8") as lines:
                self.one.write_text(next(lines), encoding="utf-8")
            self.parts["e"] = Part("generated", {"file": str(self.apps), "versions": VERSIONS,
                                                 "sample": min(args.n, 500)})
        if "d" in args.parts:
            _say(f"starting bare Flask and Ereje under `ereje serve` ({http.generator()} as load generator)")
            for kind in ("bare", "ereje"):
                self.servers[kind] = http.Served(kind, self.workdir)
        for letter, part in self.parts.items():
            self.checked[letter] = part.ready()
        _say("warming up")
        for part in self.parts.values():
            part.measure(min(args.seconds, 0.5))
        for server in self.servers.values():
            http.load(server, SAMPLE, 8, min(args.http_seconds, 2))

    def one_round(self, index):
        args, got = self.args, {}
        for letter in "abc":
            if letter in self.parts:
                got[letter] = self.parts[letter].measure(args.seconds)
        if self.servers:
            # Alternate which server goes first, so a drift in the machine's load favours neither.
            kinds = ("bare", "ereje") if index % 2 == 0 else ("ereje", "bare")
            for concurrency in (8, 1):
                for kind in kinds:
                    got[f"{kind}{concurrency}"] = http.load(self.servers[kind], SAMPLE, concurrency, args.http_seconds)
        if "e" in self.parts:
            got["e_ref"] = self.parts["e"].measure(args.seconds)
            got["e"] = self.compare()
        return got

    def compare(self):
        """`ereje compare` over the generated file and over its first application alone (what
        starting up costs), each timed from process start to exit, in wall and CPU time."""
        startup, startup_cpu = self._compare_once(self.one, 1)
        elapsed, cpu = self._compare_once(self.apps, self.args.n)
        judged = self.args.n * len(VERSIONS)
        return {"elapsed": elapsed, "startup": startup, "cpu": cpu, "startup_cpu": startup_cpu,
                "rate": judged / max(elapsed - startup, elapsed / 1000),
                "cpu_rate": judged / max(cpu - startup_cpu, cpu / 1000)}

    def _compare_once(self, path, expected):
        """(wall seconds, CPU seconds of the command and the pool workers it waited for)."""
        command = [sys.executable, "-m", "server.cli", "compare", str(path), "--versions", ",".join(VERSIONS),
                   "--jobs", str(self.args.jobs), "--format", "json", "--no-progress"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"ereje compare failed ({done.returncode}): {done.stderr[-2000:]}")
        read = json.loads(done.stdout)["read"]
        if read != expected:
            raise SystemExit(f"ereje compare read {read} of {expected} applications in {path.name}")
        return elapsed, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    def about(self):
        return {"generator": http.generator() if self.servers else None, "checked": self.checked,
                "commit": _commit()}

    def stop(self):
        for part in self.parts.values():
            part.close()
        for server in self.servers.values():
            server.stop()


def _commit():
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "?"
    return done.stdout.strip() or "?"


def _say(message):
    print(f"[ratios {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
