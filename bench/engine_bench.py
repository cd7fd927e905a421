"""In-process rulings per second under 2025-09-01, beside a bare durable_rules post and plain Python.

Run: python bench/engine_bench.py [--n 3000] [--rounds 5]
Prints a table: rulings/s and latency percentiles for 0, 3 and 20 foreign workers. The rows
of one table run in interleaved rounds of n/rounds rulings and the rate is the median of the
rounds' rates, so a burst of load from other processes moves one round, not one row.
"""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

# EREJE_ROOT: judge with another checkout's code (to compare two branches with one script).
ROOT = Path(os.environ.get("EREJE_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))

from server.contract import request as schemas  # noqa: E402
from server.engine import runner as engine  # noqa: E402
from server.judging import facts, rulings  # noqa: E402
from server.rules import rulebook  # noqa: E402
from server.rules.reference import python_statuses  # noqa: E402


def request_with(n_workers):
    doc = json.loads((ROOT / "fixtures/applications/approve.json").read_text())
    workers, contracts, persons = [], [], []
    for i in range(n_workers):
        passport = f"N{1000000 + i}"
        workers.append({"passport": passport, "iin": None})
        contracts.append({"employer_bin": "150540000106", "employee_iin": None, "passport": passport,
                          "number": f"TD-{i}", "kind": "labour", "registered_on": "2025-03-04"})
        persons.append({"passport": passport, "iin": None, "status": "lawful"})
    doc["application"]["foreign_workers"] = workers
    doc["registry"] = {
        "labour_exchange": {"vacancy": {"code": "4012345", "employer_bin": "150540000106", "published_on": "2025-09-01", "status": "active"}},
        "ulcrs": {"contracts": contracts}, "migration_police": {"persons": persons},
        "quota": {"remaining": 12}, "offences": {"records": []}}
    return schemas.load(schemas.RulingRequestSchema(), doc)


def timed(rows, n, rounds):
    """[(name, rulings/s, p50 µs, p99 µs)] of `rows` [(name, fn, rulings per call)], interleaved."""
    rates, lat = {name: [] for name, _, _ in rows}, {name: [] for name, _, _ in rows}
    for _ in range(rounds):
        for name, fn, per_call in rows:
            calls = max(1, n // rounds // per_call)
            start = time.perf_counter()
            for _ in range(calls):
                t = time.perf_counter()
                fn()
                lat[name].append((time.perf_counter() - t) / per_call)
            rates[name].append(calls * per_call / (time.perf_counter() - start))
    out = []
    for name, _, _ in rows:
        q = statistics.quantiles(lat[name], n=100)
        out.append((name, statistics.median(rates[name]), q[49] * 1e6, q[98] * 1e6))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    n, rounds = args.n, args.rounds
    book = rulebook.load(ROOT / "policies")
    engine.register_all(book)
    v = book.version("kz-foreign-labour", "2025-09-01")
    print(f"{'workers':>7} {'what':<28} {'rulings/s':>10} {'p50 µs':>8} {'p99 µs':>8} {'vs python':>9}")
    for w in (0, 3, 20):
        req = request_with(w)
        gathered = rulings.adapters.gather(None, rulings.needed_registries(v, req), rulings.query_for(req["application"]), inline=req["registry"])
        input_facts = facts.build(req, gathered.data, available=set(gathered.data), shifts=v.shifts)
        rows = [
            ("full ruling (judge_under)", lambda: rulings.judge_under(v, req, gathered=gathered), 1),
            ("engine only (engine.run)", lambda: engine.run(v, input_facts), 1),
            ("plain Python, same rules", lambda: python_statuses(v, input_facts), 1),
        ]
        if hasattr(engine, "run_many"):
            rows.insert(2, ("engine, 64 a session", lambda: engine.run_many(v, [input_facts] * 64), 64))
        results = timed(rows, n, rounds)
        py = results[-1][1]
        for name, rate, p50, p99 in results:
            print(f"{w:>7} {name:<28} {rate:>10.0f} {p50:>8.0f} {p99:>8.0f} {py / rate:>8.1f}x")
    # a bare durable_rules post: one fact, one rule, one action
    import durable_rules_engine as dre
    h = dre.create_ruleset("bench_bare", json.dumps({"r": {"all": [{"m": {"t": "x"}}]}}))
    ids = iter(range(10 ** 9))

    def bare():
        sid = str(next(ids))
        sh = dre.assert_fact(h, json.dumps({"sid": sid, "id": 1, "t": "x"}))[1]
        state, msg = dre.start_action_for_state(h, sh)
        dre.update_state(h, state)
        dre.complete_and_start_action(h, sh)
        dre.delete_state(h, sid)
    (_, rate, p50, p99), = timed([("bare", bare, 1)], n, rounds)
    print(f"{'-':>7} {'bare durable post (1 rule)':<28} {rate:>10.0f} {p50:>8.0f} {p99:>8.0f}")


if __name__ == "__main__":
    main()
