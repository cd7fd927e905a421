"""Microseconds to validate a ruling request: marshmallow alone, `schemas.load` (parsed JSON,
generated fast path first) and `schemas.load_json` (body bytes, as the API loads them).

Run: python bench/validation_bench.py [--n 200] [--rounds 15]
Cases: fixtures/applications/approve.json with 0, 3 and 20 foreign workers (each with an
IIN and a contract), without and with an inline `registry` object covering all five
registries (one contract and one person per worker, at least 20 contracts).
"""
import argparse
import copy
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.contract import jsonbody  # noqa: E402
from server.contract import request as schemas  # noqa: E402

BIN = "150540000106"


def kz_id(prefix):
    """A valid 12-digit IIN starting with the 11-digit `prefix`."""
    for tail in range(10):
        candidate = f"{prefix[:10]}{tail}"
        digits = [int(c) for c in candidate]
        for weights in (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)):
            check = sum(d * w for d, w in zip(digits, weights)) % 11
            if check != 10:
                return candidate + str(check)
    raise AssertionError(prefix)


def request_with(n_workers, registry):
    doc = json.loads((ROOT / "fixtures/applications/approve.json").read_text())
    workers, contracts, persons = [], [], []
    for i in range(n_workers):
        passport = f"N{1000000 + i}"
        iin = kz_id(f"9001013{i:04d}")
        workers.append({"passport": passport, "iin": iin, "citizenship": "UZB",
                        "contract": {"number": f"TD-{i}", "signed_on": "2025-03-01", "kind": "labour"}})
    for i in range(max(n_workers, 20)):
        passport = f"N{1000000 + i}"
        iin = kz_id(f"9001013{i:04d}")
        contracts.append({"employer_bin": BIN, "employee_iin": iin, "passport": passport,
                          "number": f"TD-{i}", "kind": "labour", "registered_on": "2025-03-04"})
        persons.append({"passport": passport, "iin": iin, "status": "lawful"})
    doc["application"]["foreign_workers"] = workers
    if registry:
        doc["registry"] = {
            "labour_exchange": {"vacancy": {"code": "4012345", "employer_bin": BIN,
                                            "published_on": "2025-09-01", "status": "active"}},
            "ulcrs": {"contracts": contracts},
            "migration_police": {"persons": persons},
            "quota": {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 12},
            "offences": {"records": [{"employer_bin": BIN, "article": "517", "decided_on": "2024-01-10"}]},
        }
    return doc


_SCHEMA = schemas.RulingRequestSchema()


def marshmallow_only(doc):
    return schemas.load(_SCHEMA, doc)   # an instance: no fast path


def from_object(doc):
    return schemas.load(schemas.RulingRequestSchema, doc)


def from_bytes(raw):
    return schemas.load_json(schemas.RulingRequestSchema, raw, lambda: jsonbody.parse_body(raw))


def per_call_us(how, doc, n, rounds):
    """Best of `rounds` rounds of the mean µs per load over `n` loads (each of its own copy)."""
    docs = [json.dumps(doc).encode() if how is from_bytes else copy.deepcopy(doc) for _ in range(n)]
    expected = marshmallow_only(copy.deepcopy(doc))
    if how(docs[0]) != expected:  # also warms caches
        raise SystemExit(f"{how.__name__} loads differently from marshmallow")
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for d in docs:
            how(d)
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="loads per round")
    parser.add_argument("--rounds", type=int, default=15, help="rounds per case (the best is kept)")
    args = parser.parse_args()
    hows = (marshmallow_only, from_object, from_bytes)
    print(f"{'case':<28}" + "".join(f"{how.__name__ + ' µs':>20}" for how in hows))
    for registry in (False, True):
        for workers in (0, 3, 20):
            label = f"{workers:>2} workers" + (", inline registry" if registry else "")
            doc = request_with(workers, registry)
            print(f"{label:<28}" + "".join(f"{per_call_us(how, doc, args.n, args.rounds):>20.1f}" for how in hows))


if __name__ == "__main__":
    main()
