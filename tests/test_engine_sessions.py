"""Reused engine sessions and multi-application sessions judge exactly as one ruling at a time.

`runner.run` keeps one session per version and empties it after each ruling;
`runner.run_many` judges many applications in one session of the version's
multi-application form. Both must give the findings, derived facts and trace that a
ruling alone gives, and a failure must stay with the application that caused it.
"""
import json
import random
import subprocess
import sys

import pytest

from server import errors
from server.batch import run as batch
from server.engine import runner as engine
from server.judging import facts
from server.rules.reference import python_statuses
from tests.conftest import ROOT
from tests.helpers import edited_book
from tests.test_engine_golden import random_case


def generated(version, n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        request, data, available = random_case(rng)
        out.append(facts.build(request, data, available=available, shifts=version.shifts))
    return out


def as_seen(run):
    return run.findings, run.derived, run.trace


@pytest.mark.parametrize("version_name", ["2023-07-01", "2025-09-01"])
def test_a_chunk_judged_in_one_session_equals_each_application_judged_alone(book, version_name):
    version = book.version("kz-foreign-labour", version_name)
    cases = generated(version, 400, version_name)
    alone = [as_seen(engine.run(version, f)) for f in cases]
    chunked = [r for i in range(0, len(cases), 64) for r in engine.run_many(version, cases[i:i + 64])]
    assert [as_seen(r) for r in chunked] == alone
    assert len({str(a[0]) for a in alone}) > 20   # the cases differ in their findings


@pytest.fixture(scope="module")
def broken_book(tmp_path_factory):
    """2025-09-01 with a derived field that divides by zero when the employer's headcount is 7."""
    return edited_book(tmp_path_factory.mktemp("policies"), lambda text: text.replace(
        "        code: vacancy.code\n", "        code: vacancy.code\n        broken: 1 / (application.headcount - 7)\n", 1))


def with_headcount(version, request_data, headcount):
    request, data, available = request_data
    request["application"]["employer"]["headcount"] = headcount
    request["application"]["vacancy_code"] = "4012345"
    data["labour_exchange"] = {"vacancy": {"code": "4012345", "employer_bin": request["application"]["employer"]["bin"],
                                           "published_on": request["application"]["submitted_on"], "status": "active"}}
    return facts.build(request, data, available=set(available) | {"labour_exchange"}, shifts=version.shifts)


def test_an_application_whose_rule_fails_does_not_change_its_neighbours(broken_book):
    version = broken_book.version("kz-foreign-labour", "2025-09-01")
    rng = random.Random(7)
    cases = [with_headcount(version, random_case(rng), 7 if i in (3, 40) else 20 + i) for i in range(64)]
    got = engine.run_many(version, cases)
    for i in (3, 40):
        assert isinstance(got[i], errors.EngineError) and "division by zero" in str(got[i])
        with pytest.raises(errors.EngineError, match="division by zero"):
            engine.run(version, cases[i])
    good = [i for i in range(64) if i not in (3, 40)]
    assert [as_seen(got[i]) for i in good] == [as_seen(engine.run(version, cases[i])) for i in good]
    assert all(got[i].derived.get("matched_vacancy") for i in good)   # the failing rule ran for them


def test_an_application_the_engine_cannot_take_fails_alone(book):
    version = book.version("kz-foreign-labour", "2023-07-01")
    cases = generated(version, 10, "unreadable")
    cases[5] = [{**f, "workers_requested": object()} if f["t"] == "application" else f for f in cases[5]]
    got = engine.run_many(version, cases)
    assert isinstance(got[5], TypeError)
    assert [as_seen(r) for i, r in enumerate(got) if i != 5] == [as_seen(engine.run(version, f))
                                                                 for i, f in enumerate(cases) if i != 5]


def test_after_an_engine_error_the_next_ruling_is_right(broken_book, book):
    broken = broken_book.version("kz-foreign-labour", "2025-09-01")
    version = book.version("kz-foreign-labour", "2025-09-01")
    rng = random.Random(11)
    for i in range(30):
        case = random_case(rng)
        with pytest.raises(errors.EngineError, match="division by zero"):
            engine.run(broken, with_headcount(broken, case, 7))
        ok = with_headcount(broken, case, 12)
        assert engine.run(broken, ok).findings == python_statuses(broken, ok)
        plain = generated(version, 1, i)[0]
        assert engine.run(version, plain).findings == python_statuses(version, plain)


def test_a_chunk_of_the_compare_file_gives_the_rows_of_its_applications_judged_one_by_one(tmp_path):
    lines = [(n, doc, None) for n, doc in enumerate(_requests(120), 1)]
    lines[7] = (8, None, "not JSON (Expecting value)")
    lines[9] = (10, {"application": {}}, None)
    batch.init_worker(str(ROOT / "policies"), "kz-foreign-labour", ["2023-07-01", "2025-09-01"], "en")
    chunked = batch.judge_chunk(lines)
    assert chunked == [batch.judge_chunk([item])[0] for item in lines]
    assert chunked[7] == {"line": 8, "error": "not JSON (Expecting value)"}
    assert chunked[9]["error"].startswith("invalid: application.")
    assert sum(1 for r in chunked if r.get("changed")) > 0


def _requests(n):
    """`n` applications from bench/generate.py (a script, not a module)."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "-n", str(n), "--seed", "3"],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]
