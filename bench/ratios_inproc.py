"""The in-process parts of bench/ratios.py, each in a process of its own, timed on command.

`Part(name, options)` starts a process that sets its part up once (rules loaded and
registered, facts built, the answer checked) and then, for each `measure(seconds)`,
runs the part's unit of work back to back for that long and answers with the count,
its rate per second of the process's CPU time and per second of wall time, and latency
percentiles. A process per part keeps one part's heap,
caches and durable_rules state out of another's figures.

    plain      (a) a plain durable_rules ruling of the same shape (bench/ratios_plain.py)
    engine     (b) Ereje's engine only: runner.run on facts built beforehand
    full       (c) Ereje's full ruling in process: JSON bytes -> validated request -> judge -> ruling dict
    generated  the reference of (e): Ereje's engine only on generated applications, under both versions
"""
import itertools
import json
import multiprocessing
import statistics
import time
from pathlib import Path

import adapters
from adapters.sources.fixtures import FixtureSource
from ratios_plain import PlainRuling
from server.contract.jsonbody import parse_body
from server.contract.request import RulingRequestSchema, load, load_json
from server.engine import runner
from server.judging import facts, rulings
from server.rules import rulebook

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "applications" / "approve.json"
REGULATION = "kz-foreign-labour"
VERSION = "2025-09-01"


class Part:
    """One part's process: `measure(seconds)` -> {"count", "rate", "wall_rate", "p50_us", "p99_us", ...}."""

    def __init__(self, name, options):
        self.name = name
        ctx = multiprocessing.get_context("spawn")   # nothing inherited: each part starts clean
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child, name, options), daemon=True)
        self._process.start()

    def ready(self):
        """What the part checked at set-up (raises SystemExit with its reason if it failed)."""
        return self._answer()

    def measure(self, seconds):
        self._conn.send(seconds)
        return self._answer()

    def close(self):
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()

    def _answer(self):
        if not self._conn.poll(600):
            raise SystemExit(f"part {self.name}: no answer in 10 minutes")
        kind, value = self._conn.recv()
        if kind == "error":
            raise SystemExit(f"part {self.name} failed: {value}")
        return value


def _serve(conn, name, options):
    try:
        unit, info = SETUPS[name](options)
        conn.send(("ready", info))
    except BaseException as e:  # reported to the parent, which stops the run with it
        conn.send(("error", f"{type(e).__name__}: {e}"))
        return
    while True:
        seconds = conn.recv()
        if seconds is None:
            return
        try:
            conn.send(("result", _timed(unit, seconds, info.get("per_call", 1))))
        except BaseException as e:
            conn.send(("error", f"{type(e).__name__}: {e}"))
            return


def _timed(unit, seconds, per_call):
    """Run `unit` back to back for `seconds` of wall time. The rate is per second of this
    process's CPU time: on a shared machine, time spent preempted by other processes is
    not the part's, and counting it would pull every ratio towards 1."""
    latencies = []
    cpu = time.process_time()
    started = time.perf_counter()
    stop = started + seconds
    now = started
    while now < stop:
        unit()
        after = time.perf_counter()
        latencies.append(after - now)
        now = after
    cpu = time.process_time() - cpu
    elapsed = now - started
    count = len(latencies) * per_call
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"count": count, "elapsed": elapsed, "cpu": cpu, "rate": count / cpu, "wall_rate": count / elapsed,
            "p50_us": q[49] * 1e6, "p99_us": q[98] * 1e6}


# --- set-ups: each returns (unit of work, what it checked) --------------------------------

def _book():
    book = rulebook.load(ROOT / "policies")
    runner.register_all(book)
    return book


def _sample_facts(book, version):
    """approve.json as a validated request and its engine facts, registries from the fixture source."""
    request = load(RulingRequestSchema, json.loads(SAMPLE.read_bytes()))
    gathered = adapters.gather(FixtureSource(), list(adapters.REGISTRIES), rulings.query_for(request["application"]))
    return facts.build(request, gathered.data, available=set(gathered.data), shifts=version.shifts)


def _plain(options):
    book = _book()
    version = book.version(REGULATION, VERSION)
    input_facts = _sample_facts(book, version)
    plain = PlainRuling(version)
    engine_facts = plain.engine_facts(input_facts)
    ours, theirs = runner.run(version, input_facts).findings, plain.judge(engine_facts)
    if ours != theirs:
        raise RuntimeError(f"the plain durable ruling differs from Ereje's engine: {theirs} != {ours}")
    return (lambda: plain.judge(engine_facts)), {"findings": len(theirs), "same_as_engine": True}


def _engine(options):
    book = _book()
    version = book.version(REGULATION, VERSION)
    input_facts = _sample_facts(book, version)
    found = runner.run(version, input_facts)
    return (lambda: runner.run(version, input_facts)), {"findings": len(found.findings)}


def _full(options):
    book = _book()
    raw, source = SAMPLE.read_bytes(), FixtureSource()

    def unit():
        request = load_json(RulingRequestSchema, raw, lambda: parse_body(raw))
        return rulings.judge(book, request, source=source, lang="en")
    ruling = unit()
    if ruling["outcome"] != "approve":
        raise RuntimeError(f"approve.json was judged {ruling['outcome']}")
    return unit, {"outcome": ruling["outcome"]}


def _generated(options):
    """Engine facts of the first `sample` applications of the generated file, under each version."""
    book = _book()
    versions = [book.version(REGULATION, v) for v in options["versions"]]
    built = []
    with open(options["file"], encoding="utf-8") as lines:
        for line in itertools.islice(lines, options["sample"]):
            request = load(RulingRequestSchema, json.loads(line))
            gathered = adapters.gather(None, list(adapters.REGISTRIES), rulings.query_for(request["application"]),
                                       inline=request.get("registry"))
            built.append([(v, facts.build(request, gathered.data, available=set(gathered.data), shifts=v.shifts))
                          for v in versions])
    cycle = itertools.cycle(built)

    def unit():
        for version, input_facts in next(cycle):
            runner.run(version, input_facts)
    return unit, {"applications": len(built), "per_call": len(versions)}


SETUPS = {"plain": _plain, "engine": _engine, "full": _full, "generated": _generated}
