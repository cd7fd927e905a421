"""Time `ereje plan`'s planner on its worst case: a year's horizon and an application no date can save.

    python bench/plan_bench.py [-n 200]

No vacancy code, local content failing, two article 519 decisions and contracts with dates,
planned in June 2025 so the horizon crosses the amendment of 1 September and a new year;
registry facts inline (the next year's quota from fixtures/registries/).
"""
import argparse
import statistics
import time

from server.contract.request import PlanRequestSchema, load
from server.engine import runner as engine
from server.judging import plans, rulings
from server.rules import rulebook

BIN = "150540000106"


def worst_case():
    app = {"reference": "BENCH", "submitted_on": "2025-06-15", "kind": "issue", "route": "general", "category": 3,
           "region": "ALMATY", "workers_requested": 1, "vacancy_code": "V-1", "foreign_workers": [],
           "employer": {"bin": BIN, "headcount": 120, "staff": {"managers": {"citizens": 9, "foreigners": 0},
                                                                 "specialists": {"citizens": 50, "foreigners": 50}}}}
    registry = {"labour_exchange": {"vacancy": {"code": "V-2", "employer_bin": BIN, "published_on": "2025-07-01",
                                                "status": "active"}},
                "ulcrs": {"contracts": [{"employer_bin": BIN, "passport": f"N{i}", "number": f"TD-{i}", "kind": "labour",
                                         "registered_on": f"2025-0{i}-10"} for i in range(1, 4)]},
                "migration_police": {"persons": []}, "quota": {"remaining": 5},
                "offences": {"records": [{"employer_bin": BIN, "article": "519", "decided_on": d}
                                         for d in ("2024-12-01", "2025-03-03")]}}
    doc = load(PlanRequestSchema, {"application": app, "registry": registry})
    return doc, doc.pop("horizon_days")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    book = rulebook.load(rulebook.POLICIES)
    engine.register_all(book)
    request, horizon = worst_case()
    calls = []
    judge_under = rulings.judge_under
    rulings.judge_under = lambda *a, **k: calls.append(1) or judge_under(*a, **k)
    found = plans.plan(book, request, horizon_days=horizon)
    rulings.judge_under = judge_under
    times = []
    for _ in range(args.n):
        t = time.perf_counter()
        plans.plan(book, request, horizon_days=horizon)
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"earliest {found['earliest']}; {len(calls)} rulings judged for a {horizon}-day horizon")
    print(f"p50 {statistics.median(times) * 1000:.1f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms, "
          f"max {times[-1] * 1000:.1f} ms over {args.n} plans")


if __name__ == "__main__":
    main()
