"""Ids durable_rules could confuse: it keys a session's facts by a 32-bit FNV hash of their id.

The session fact the engine asserts for session 82548875 (`sid-82548875`) shares a hash
with `application`; two facts whose ids share a hash must both reach the engine; and an
assert the engine refuses must raise instead of being ignored.
"""
import subprocess
import sys
import textwrap

import pytest

from server import errors
from server.engine import ids
from server.engine import runner as engine
from server.judging import facts
from server.rules.reference import python_statuses
from tests.conftest import ROOT

# Found by brute force over ids of the shapes the runner asserts (about 10 s each, so
# precomputed; each test checks the pair still collides).
WORKER, PERSON = "worker:1159012", "person:895099"
DERIVED_WORKER, OTHER_PERSON = "worker:584110", "person:800495"   # worker_without_lawful_status:worker:584110


def case(*, statuses):
    """One application with one worker per status, each with the migration police record given."""
    passports = [f"N{1000000 + i}" for i in range(len(statuses))]
    request = {"application": {
        "submitted_on": "2025-09-20", "kind": "issue", "route": "seasonal", "region": "ALMATY",
        "workers_requested": len(statuses), "vacancy_code": "4012345",
        "employer": {"bin": "150540000106", "headcount": 120, "small_business": False},
        "foreign_workers": [{"passport": p, "iin": None} for p in passports]}}
    data = {
        "labour_exchange": {"vacancy": {"code": "4012345", "employer_bin": "150540000106",
                                        "published_on": "2025-09-01", "status": "active"}},
        "ulcrs": {"contracts": [{"employer_bin": "150540000106", "employee_iin": None, "passport": p,
                                 "number": "TD-1", "kind": "labour", "registered_on": "2025-03-04"} for p in passports]},
        "migration_police": {"persons": [{"passport": p, "iin": None, "status": s} for p, s in zip(passports, statuses)]},
        "quota": {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 12},
        "offences": {"records": []},
    }
    return request, data


def input_facts(version, statuses, renamed):
    request, data = case(statuses=statuses)
    built = facts.build(request, data, available=set(data), shifts=version.shifts)
    return [{**f, "id": renamed.get(f["id"], f["id"])} for f in built]


def test_the_hash_is_the_one_durable_rules_uses():
    # HASH_ID and HASH_SID in durable_rules' src/rules/state.h are the hashes of "id" and "sid".
    assert ids.fnv1a32("id") == 926444256
    assert ids.fnv1a32("sid") == 3593476751
    assert ids.fnv1a32("sid-82548875") == ids.fnv1a32("application")
    assert ids.fnv1a32(WORKER) == ids.fnv1a32(PERSON)
    assert ids.fnv1a32(f"worker_without_lawful_status:{DERIVED_WORKER}") == ids.fnv1a32(OTHER_PERSON)


def test_an_id_whose_hash_is_taken_gets_a_distinct_engine_id_that_maps_back():
    stages, reserved = ids.reserve(["$stage1", "$stage2"])
    assert stages == ["$stage1", "$stage2"]
    session = ids.SessionIds(reserved)
    assert [session.claim(x) for x in ("application", WORKER, PERSON)] == ["application", WORKER, f"{PERSON}~1"]
    assert len({ids.fnv1a32(x) for x in ("$stage1", "$stage2", "application", WORKER, f"{PERSON}~1")}) == 5
    assert session.logical(f"{PERSON}~1") == PERSON
    assert session.logical(WORKER) == WORKER
    assert not session.admit_session("82548875")   # its session fact sid-82548875 would drop `application`
    assert session.admit_session("82548876")
    assert session.claim("sid-82548876") == "sid-82548876~1"


SESSION_SCRIPT = textwrap.dedent("""
    import itertools, json, sys
    from pathlib import Path
    from server.contract import request as schemas
    from server.engine import runner as engine
    from server.judging import rulings
    from server.rules import rulebook
    root = Path(sys.argv[1])
    book = rulebook.load(root / "policies")
    engine.register_all(book)
    requests = [schemas.load(schemas.RulingRequestSchema, json.loads((root / "fixtures/applications" / name).read_text()))
                for name in ("approve.json", "refuse-migration-data.json")]

    def judged(request):   # all but the registry answers' fetched_at
        return {k: v for k, v in rulings.judge(book, request).items() if k != "registry"}

    expected = [judged(r) for r in requests]
    engine.drop_sessions()                              # the next ruling opens a fresh session
    engine._session_ids = itertools.count(82548875)   # as if 82,548,874 sessions had been opened
    assert [judged(r) for r in requests] == expected
    print(*[e["outcome"] for e in expected], "next session", next(engine._session_ids))
""")


def test_the_82548875th_ruling_of_a_process_is_judged_like_the_first():
    # In a subprocess: before the fix this ruling crashed the interpreter (SIGSEGV).
    proc = subprocess.run([sys.executable, "-c", SESSION_SCRIPT, str(ROOT)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    # Session 82548875 is opened and reused: its session fact holds `application`'s hash,
    # so every ruling in it asserts the application as `application~1`, judged the same.
    assert proc.stdout.split() == ["approve", "refuse", "next", "session", "82548876"]


def test_two_input_facts_whose_ids_collide_both_reach_the_engine(book):
    version = book.version("kz-foreign-labour", "2025-09-01")
    plain = input_facts(version, ["lawful"], {})
    colliding = input_facts(version, ["lawful"], {"worker:0": WORKER, "person:0": PERSON})
    run = engine.run(version, colliding)
    # Were the person dropped, the worker would have no lawful status and the ruling would refuse.
    assert run.findings == engine.run(version, plain).findings == python_statuses(version, colliding)
    assert "worker_without_lawful_status" not in run.derived


def test_a_derived_fact_whose_id_collides_with_an_input_fact_reaches_the_engine(book):
    version = book.version("kz-foreign-labour", "2025-09-01")
    facts_ = input_facts(version, ["overstay", "lawful"], {"worker:0": DERIVED_WORKER, "person:1": OTHER_PERSON})
    run = engine.run(version, facts_)
    assert run.findings == python_statuses(version, facts_)
    assert run.findings["migration-data"] == "unmet"
    derived = f"worker_without_lawful_status:{DERIVED_WORKER}"
    assert run.derived["worker_without_lawful_status"] == {derived: {
        "t": "worker_without_lawful_status", "id": derived, "of": DERIVED_WORKER, "passport": "N1000000"}}
    assert [s["asserted"]["id"] for s in run.trace if s["asserted"].get("fact") == "worker_without_lawful_status"] == [derived]


def test_a_fact_the_engine_refuses_raises_and_the_engine_keeps_judging(book, monkeypatch):
    version = book.version("kz-foreign-labour", "2025-09-01")
    facts_ = input_facts(version, ["lawful"], {"quota": "$stage1"})   # the runner's own id for stage 1
    expected = python_statuses(version, facts_)
    assert engine.run(version, facts_).findings == expected
    # Without distinct ids the stage fact is a duplicate: the engine answers ERR_EVENT_OBSERVED.
    monkeypatch.setattr(ids.SessionIds, "claim", lambda self, logical: logical)
    with pytest.raises(errors.EngineError, match=r"refused the input facts or stage 1: result code 2 \(ERR_EVENT_OBSERVED\)"):
        engine.run(version, facts_)
    monkeypatch.undo()
    assert engine.run(version, facts_).findings == expected
