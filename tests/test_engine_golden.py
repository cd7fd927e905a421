"""The engine's findings agree with a plain-Python reading of the same rules.

Thousands of generated applications are judged twice: by durable_rules (the
compiled rule set) and by evaluating the same intermediate form in Python. That
checks the compiler; tests/test_engine_independent.py checks the rules against an
independent reading of the contract.
"""
import random

import pytest

from server.engine import runner as engine
from server.judging import facts, rulings
from server.rules import calendar, facts as factmodel, interpret as reading
from server.rules.reference import python_statuses


BINS = ["150540000106", "160641000107", "170542000100", "180540000101", "200540000108"]
PEOPLE = [("N1234567", "900101300007"), ("N7654321", "880215400007"), ("P5550001", None),
          ("P9990002", "950707300000"), ("K3332221", "920312400004")]


def random_case(rng):
    day = calendar.iso_date(calendar.day_number("2025-06-01") + rng.randint(0, 250))
    route = rng.choice(["general", "general", "seasonal", "intracompany_transfer"])
    bin_ = rng.choice(BINS)
    workers = rng.sample(PEOPLE, rng.randint(0, 3))
    app = {"submitted_on": day, "kind": rng.choice(["issue", "issue", "extension"]), "route": route,
           "region": "ALMATY", "workers_requested": rng.randint(1, 4),
           "employer": {"bin": bin_, "headcount": rng.choice([5, 10, 11, 20, 21, 120]),
                        "small_business": rng.random() < 0.3},
           "foreign_workers": [{"passport": p, "iin": i if rng.random() < 0.85 else None} for p, i in workers]}
    if rng.random() < 0.8:
        app["vacancy_code"] = "4012345"
    if app["kind"] == "extension":
        expires = calendar.iso_date(calendar.day_number(day) + rng.randint(20, 70))
        app["current_permit"] = {"number": "P-1", "issued_on": calendar.iso_date(calendar.day_number(expires) - 365),
                                 "expires_on": expires, "extensions": rng.randint(0, 4)}
    elif route == "intracompany_transfer":
        app["transfer"] = {"sending_country": rng.choice(["DEU", "TUR", "UZB", "KAZ"]),
                           "employed_since": calendar.iso_date(calendar.day_number(day) - rng.randint(200, 500))}
    if route == "general":
        app["category"] = rng.randint(1, 4)
        app["employer"]["staff"] = {"managers": {"citizens": rng.randint(0, 10), "foreigners": rng.randint(0, 4)},
                                    "specialists": {"citizens": rng.randint(0, 100), "foreigners": rng.randint(0, 12)}}
    pub = calendar.iso_date(calendar.day_number(day) - rng.randint(0, 30))
    data = {
        "labour_exchange": {"vacancy": {"code": "4012345", "employer_bin": rng.choice([bin_, bin_, "210540000103"]),
                                        "published_on": pub, "status": "active"} if rng.random() < 0.85 else None},
        "ulcrs": {"contracts": [{"employer_bin": rng.choice([bin_, bin_, "210540000103"]),
                                 "employee_iin": i if rng.random() < 0.7 else None, "passport": p,
                                 "number": "X", "kind": "labour", "registered_on": "2025-01-01"}
                                for p, i in PEOPLE if rng.random() < 0.7]},
        "migration_police": {"persons": [{"passport": p, "iin": i, "status": rng.choice(["lawful", "lawful", "overstay"])}
                                         for p, i in PEOPLE if rng.random() < 0.8]},
        "quota": {"region": "ALMATY", "year": int(day[:4]), "category": "3", "remaining": rng.randint(0, 5)},
        "offences": {"records": [{"employer_bin": bin_, "article": rng.choice(["519", "517"]),
                                  "decided_on": calendar.iso_date(calendar.day_number(day) - rng.randint(-5, 400))}
                                 for _ in range(rng.randint(0, 2))]},
    }
    available = {name for name in data if rng.random() < 0.9}
    return {"application": app}, {k: v for k, v in data.items() if k in available}, available


@pytest.mark.parametrize("version_name", ["2023-07-01", "2025-09-01"])
def test_engine_agrees_with_plain_python_on_generated_applications(book, version_name):
    version = book.version("kz-foreign-labour", version_name)
    rng = random.Random(version_name)
    statuses_seen = set()
    for _ in range(1500):
        request, data, available = random_case(rng)
        input_facts = facts.build(request, data, available=available, shifts=version.shifts)
        got = engine.run(version, input_facts).findings
        want = python_statuses(version, input_facts)
        assert got == want, (request, data)
        statuses_seen.update(want.items())
    # the generator reaches every status of every requirement that can have it
    for r in version.requirements:
        for status in ("met", "unmet", "unknown"):
            if r.registries or status != "unknown":
                assert (r.id, status) in statuses_seen, (r.id, status)


def test_outcome_follows_the_contract():
    f = lambda status, effect="refuse": {"status": status, "effect": effect}  # noqa: E731
    assert rulings.outcome([f("met"), f("unmet", "warn")]) == "approve"
    assert rulings.outcome([f("met"), f("unknown")]) == "undetermined"
    assert rulings.outcome([f("unknown"), f("unmet")]) == "refuse"
    assert rulings.outcome([f("not_applicable")]) == "approve"


@pytest.mark.parametrize("version_name", ["2023-07-01", "2025-09-01"])
def test_compiled_texts_and_values_read_as_the_reference_evaluator(book, version_name):
    version = book.version("kz-foreign-labour", version_name)
    rng = random.Random("texts" + version_name)
    nodes = [part[1] for r in version.requirements for tpl in (t for ts in r.explain.values() for t in ts.values())
             for part in tpl.parts if not isinstance(part, str)]
    nodes += [n for d in version.derivations for n in d.set.values()]
    compiled = [reading.compile_py(n) for n in nodes]

    def outcome(fn, by_type):
        try:
            return fn(by_type)
        except (reading.Missing, KeyError, ZeroDivisionError, TypeError) as e:
            return type(e).__name__

    for _ in range(300):
        request, data, available = random_case(rng)
        input_facts = facts.build(request, data, available=available, shifts=version.shifts)
        run = engine.run(version, input_facts)
        by_type = {}
        for f in input_facts:
            by_type.setdefault(f["t"], []).append(f)
        for name, bucket in run.derived.items():
            by_type[name] = list(bucket.values())
        for node, fn in zip(nodes, compiled):
            assert outcome(lambda bt: fn({}, bt), by_type) == outcome(lambda bt: reading.evaluate(node, {}, bt), by_type)


def test_every_registry_a_requirement_needs_has_an_availability_field(book):
    # The compiled `unknown` rules read application.ok_<registry> for each registry a requirement needs.
    application = factmodel.INPUT_FACTS["application"].fields
    needed = {g for reg in book.regulations.values() for v in reg.versions for r in v.requirements for g in r.registries}
    needed |= {ft.registry for ft in factmodel.INPUT_FACTS.values() if ft.registry}
    assert needed and all(application.get(f"ok_{g}") == "bool" for g in needed)
