"""The engine's rulings agree with an independent reading of CONTRACT s.6 (tests/independent.py).

tests/test_engine_golden.py compares the engine with a Python evaluation of the same
parsed rules, which checks the compiler; this compares the rulings of the API path with
a judge written from the contract alone, which checks the rules (docs/testing.md).
"""
import datetime as dt
import json
import random
import re
import shutil

import pytest
from dateutil.relativedelta import relativedelta

import adapters
from server.contract.request import RulingRequestSchema, load
from server.engine import runner as engine
from server.judging import rulings
from server.rules import facts as factmodel, rulebook

from . import independent
from .conftest import APPLICATIONS, POLICIES
from .helpers import sample_request

PEOPLE = [("N1234567", "900101300007"), ("N7654321", "880215400007"), ("P5550001", None),
          ("P9990002", "950707300000"), ("K3332221", "920312400004")]

# Valid BINs: type digit (5th) and unit digit (6th) in every combination the exemption reads.
REFERENCE_BINS = ["150540000106", "150551000007", "150552000002", "150550000001", "150553000008",
                  "150541000002", "150542000008", "150562000007"]
OTHER_BIN = "210540000103"
COUNTRIES = ["DEU", "TUR", "CHN", "UZB", "KAZ", "BLR", "COM", "TLS"]


class Unreachable(adapters.Source):
    """Every registry down: a registry answers only when the request carries it inline."""

    concurrent = False

    def fetch(self, registry, query):
        raise adapters.RegistryUnavailable(registry, "down for the test")


def _near(rng, date, months):
    """A date about `months` months before `date`, often within a day or two of the exact boundary."""
    exact = date - relativedelta(months=months)
    return exact + dt.timedelta(days=rng.choice([-2, -1, 0, 0, 1, 2, rng.randint(-200, 200)]))


def reference_case(rng):  # long: one valid request of every route and kind, with registry answers near each boundary
    filed = rng.choice([dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2024, 2, 29),
                        dt.date(2023, 7, 1) + dt.timedelta(days=rng.randint(0, 1300))])
    route = rng.choice(["general", "general", "seasonal", "intracompany_transfer"])
    kind = rng.choice(["issue", "issue", "extension"])
    bin_ = rng.choice(REFERENCE_BINS)
    people = rng.sample(PEOPLE, rng.randint(0, 3))
    staffed = route == "general" or rng.random() < 0.3
    app = {"submitted_on": filed.isoformat(), "kind": kind, "route": route, "region": "ALMATY",
           "workers_requested": rng.randint(1, 4),
           "employer": {"bin": bin_, "headcount": rng.choice([0, 5, 10, 11, 20, 21, 120]),
                        "small_business": rng.random() < 0.3},
           "foreign_workers": [{"passport": p, "iin": i if rng.random() < 0.85 else None} for p, i in people]}
    if staffed:
        app["employer"]["staff"] = {"managers": {"citizens": rng.randint(0, 10), "foreigners": rng.randint(0, 3)},
                                    "specialists": {"citizens": rng.randint(0, 60), "foreigners": rng.randint(0, 6)}}
        if rng.random() < 0.3:   # as many foreigners declared as listed
            app["employer"]["staff"]["managers"]["foreigners"] = 0
            app["employer"]["staff"]["specialists"]["foreigners"] = len(people)
    if route == "general":
        app["category"] = rng.randint(1, 4)
    if rng.random() < 0.8:
        app["vacancy_code"] = "4012345"
    if kind == "extension":
        expires = filed + dt.timedelta(days=rng.choice([29, 30, 31, 59, 60, 61, rng.randint(10, 90)]))
        app["current_permit"] = {"number": "P-1", "issued_on": (expires - dt.timedelta(days=365)).isoformat(),
                                 "expires_on": expires.isoformat(), "extensions": rng.randint(0, 4)}
    elif route == "intracompany_transfer":
        since = dt.date(2024, 2, 29) if rng.random() < 0.1 else _near(rng, filed, 12)
        app["transfer"] = {"sending_country": rng.choice(COUNTRIES), "employed_since": since.isoformat()}
    published = filed - dt.timedelta(days=rng.choice([14, 15, 16, 17, rng.randint(0, 40)]))
    registry = {
        "labour_exchange": {"vacancy": None if rng.random() < 0.15 else {
            "code": "4012345", "employer_bin": rng.choice([bin_, bin_, OTHER_BIN]),
            "published_on": published.isoformat(), "status": "active"}},
        "ulcrs": {"contracts": [{"employer_bin": rng.choice([bin_, bin_, OTHER_BIN]),
                                 "employee_iin": rng.choice([i, i, None]), "passport": p, "number": "X",
                                 "kind": "labour",
                                 "registered_on": (filed + dt.timedelta(days=rng.choice([-30, -1, 0, 1]))).isoformat()}
                                for p, i in PEOPLE if rng.random() < 0.7]},
        "migration_police": {"persons": [{"passport": p, "iin": i, "status": rng.choice(["lawful", "lawful", "overstay"])}
                                         for p, i in PEOPLE if rng.random() < 0.8]},
        "quota": {"region": "ALMATY", "year": filed.year, "category": factmodel.quota_category(app),
                  "remaining": rng.randint(0, 5)},
        "offences": {"records": [{"employer_bin": rng.choice([bin_, bin_, OTHER_BIN]), "article": rng.choice(["519", "517"]),
                                  "decided_on": (dt.date(2024, 2, 29) if rng.random() < 0.1
                                                 else _near(rng, filed, rng.choice([0, 12]))).isoformat()}
                                 for _ in range(rng.randint(0, 2))]},
    }
    if route == "intracompany_transfer":
        del registry["quota"]   # outside the quota: there is no quota record to ask about
    answered = {name: data for name, data in registry.items() if rng.random() < 0.88}
    return {"application": app, "registry": answered}


@pytest.mark.parametrize("change,rid,want", [
    ({"vacancy_code": None}, "vacancy-published", "unmet"),
    ({"vacancy_code": None}, "vacancy-waiting-period", "unmet"),
    ({"foreign_workers": []}, "contracts-registered", "met"),
    ({"foreign_workers": []}, "migration-data", "met"),
])
def test_a_finding_the_application_decides_needs_no_registry(book, change, rid, want):
    request = sample_request()
    request["application"].update(change)
    ruling = rulings.judge(book, load(RulingRequestSchema, request), source=Unreachable())
    assert {f["requirement"]: f["status"] for f in ruling["findings"]}[rid] == want


@pytest.fixture(scope="module")
def switched_book(tmp_path_factory):
    """The shipped rule files with the waiting period moving past non-working days (the switch on)."""
    directory = tmp_path_factory.mktemp("switched") / "policies"
    shutil.copytree(POLICIES, directory)
    path = directory / "kz-foreign-labour" / "2025-09-01.yaml"
    text, n = re.subn(r"(waiting_period_moves_to_working_day:\n\s+value:) false", r"\1 true", path.read_text(encoding="utf-8"))
    assert n == 1
    path.write_text(text, encoding="utf-8")
    loaded = rulebook.load(directory)
    engine.register_all(loaded)
    return loaded


@pytest.mark.parametrize("version_name,switch", [("2023-07-01", False), ("2025-09-01", False), ("2025-09-01", True)])
def test_rulings_agree_with_an_independent_reading_of_the_contract(request, book, version_name, switch):
    # `request` is pytest's (the switched rule files are built only when asked for)
    judged_by = request.getfixturevalue("switched_book") if switch else book
    rng = random.Random(f"independent {version_name} {switch}")
    seen = set()
    for _ in range(2000):
        asked = reference_case(rng)
        loaded = load(RulingRequestSchema, {**asked, "version": version_name})
        ruling = rulings.judge(judged_by, loaded, source=Unreachable())
        got = {f["requirement"]: f["status"] for f in ruling["findings"]}
        want = independent.statuses(version_name, asked, asked["registry"], waiting_moves_to_working_day=switch)
        assert got == want, asked
        assert ruling["outcome"] == independent.outcome(got), asked
        seen.update(want.items())
    # every requirement reaches every status it can have (those of every route and kind always apply)
    everywhere = {"no-unpermitted-labour", "contracts-registered", "workers-have-iin", "migration-data"}
    for rid in independent.REQUIREMENTS[version_name]:
        for status in ("met", "unmet", "unknown", "not_applicable"):
            if (status != "unknown" or rid in independent.NEEDS) and (status != "not_applicable" or rid not in everywhere):
                assert (rid, status) in seen, (rid, status)


@pytest.mark.parametrize("path", sorted(APPLICATIONS.glob("*.json")), ids=lambda p: p.stem)
def test_each_sample_application_is_judged_as_the_contract_reads_it(client, path):
    request = json.loads(path.read_text(encoding="utf-8"))
    response = client.post("/v1/rulings", json=request)
    assert response.status_code == 201
    ruling = response.get_json()
    fetched = {name: p["data"] for name, p in ruling["registry"].items() if "data" in p}
    want = independent.statuses(ruling["version"], request, fetched)
    assert {f["requirement"]: f["status"] for f in ruling["findings"]} == want
    # the file's name says what it shows: approved, or refused on that one requirement
    if path.stem.startswith("refuse-"):
        unmet = [r for r, s in want.items() if s == "unmet"]
        named = [r for r in unmet if path.stem.removeprefix("refuse-") in r]
        # vacancy-waiting-period is unmet whenever vacancy-published is (CONTRACT s.6)
        follows = {"vacancy-waiting-period"} if named == ["vacancy-published"] else set()
        assert len(named) == 1 and set(unmet) == set(named) | follows and ruling["outcome"] == "refuse"
    else:
        assert "unmet" not in want.values() and "unknown" not in want.values() and ruling["outcome"] == "approve"
