"""What the runner promises about its engine sessions (docs/engine-sessions.md), seen from outside.

`run_many` falls back to judging each application alone whenever its shared session fails, so a
broken shared path gives the same rulings, only slower: these tests make the fallback unavailable
and check that a chunk of valid applications is judged in one session of the version's
multi-application form. The others watch the calls into durable_rules (which session each ruling
asserts into, which sessions are deleted) for what the docs promise: one reused session per version,
a fresh session after any error, no action of a failed ruling left pending when its session is
deleted, a session whose deletion failed never shadowed by a new one.
"""
import itertools
import re

import pytest

from server import errors
from server.engine import actions
from server.engine import runner as engine
from server.engine import ids
from server.rules import rulebook
from server.rules.reference import python_statuses
from tests.test_engine_sessions import as_seen, generated
from tests.test_rule_limits import _with_requirement

VERSIONS = ["2023-07-01", "2025-09-01"]
STUCK_SID, SAME_HASH_SID = "40189", "797186"   # two session ids the engine hashes alike


def judged_alone_is_unavailable(version, input_facts):
    raise AssertionError("an application of a valid chunk was judged alone")


class EngineCalls:
    """Every assert and session deletion the runner asks of durable_rules, in order."""

    def __init__(self, monkeypatch):
        self.asserts, self.deleted, self.state_handles = [], [], []
        self._assert, self._delete = engine._dre.assert_facts, engine._dre.delete_state
        self.delete_fails = False
        self.before_delete = None
        monkeypatch.setattr(engine._dre, "assert_facts", self.assert_facts)
        monkeypatch.setattr(engine._dre, "delete_state", self.delete_state)

    def assert_facts(self, handle, text):
        self.asserts.append((handle, re.search(r'"sid": ?"(\d+)"', text).group(1)))
        code, state_handle = self._assert(handle, text)
        self.state_handles.append(state_handle)
        return code, state_handle

    def delete_state(self, handle, sid):
        if self.before_delete is not None:
            self.before_delete(handle, sid)
        self.deleted.append((handle, sid))
        if self.delete_fails:
            raise engine._dre.error("delete refused (test)")
        return self._delete(handle, sid)

    def sessions(self):
        """The (handle, sid) of each assert, without repeats, in order."""
        return list(dict.fromkeys(self.asserts))


@pytest.fixture
def calls(monkeypatch, book):
    engine.drop_sessions()
    return EngineCalls(monkeypatch)


def failing_action(monkeypatch):
    """Every rule action fails, as a rule dividing by zero would."""
    def fail(*args, **kwargs):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(actions, "apply", fail)


@pytest.mark.parametrize("version_name", VERSIONS)
def test_a_chunk_of_valid_applications_is_judged_in_one_shared_session(book, version_name, monkeypatch):
    version = book.version("kz-foreign-labour", version_name)
    cases = generated(version, 14, f"shared {version_name}")
    alone = [as_seen(engine.run(version, f)) for f in cases]
    monkeypatch.setattr(engine, "_alone", judged_alone_is_unavailable)
    assert [as_seen(r) for r in engine.run_many(version, cases[:2])] == alone[:2]
    assert [as_seen(r) for r in engine.run_many(version, cases[2:])] == alone[2:]
    assert [r.findings for r in engine.run_many(version, cases)] == [python_statuses(version, f) for f in cases]
    assert len({str(a[0]) for a in alone}) > 3       # the cases differ in their findings
    assert any(a[1] for a in alone)                    # and derive facts


def test_one_session_per_version_is_reused_across_rulings_and_chunks(book, calls):
    version = book.version("kz-foreign-labour", "2025-09-01")
    cases = generated(version, 9, "reused")
    for f in cases[:3]:
        engine.run(version, f)
    engine.run_many(version, cases[3:6])
    engine.run_many(version, cases[6:])
    single, multi = calls.sessions()
    assert single[0] != multi[0]                       # the multi-application form is a ruleset of its own
    assert single[1] != multi[1]
    assert calls.asserts == [single] * 9 + [multi] * 6   # 3 stages a ruling or a chunk
    assert calls.deleted == []


def test_after_a_chunk_fails_the_next_chunk_opens_a_fresh_session(book, calls):
    version = book.version("kz-foreign-labour", "2023-07-01")
    cases = generated(version, 8, "fresh after a failure")
    broken = [{**f, "workers_requested": object()} if f["t"] == "application" else f for f in cases[0]]
    expected = [as_seen(engine.run(version, f)) for f in cases]
    got = engine.run_many(version, [broken, *cases[1:4]])
    assert isinstance(got[0], TypeError)
    assert [as_seen(r) for r in got[1:]] == expected[1:4]
    calls.asserts.clear()
    assert [as_seen(r) for r in engine.run_many(version, cases[4:])] == expected[4:]
    (handle, sid), = calls.sessions()
    drawn_before = {s for _, s in calls.deleted}
    assert sid not in drawn_before and all(int(sid) > int(s) for s in drawn_before)


def test_after_a_rule_action_fails_the_session_is_deleted_and_the_next_ruling_opens_another(book, calls, monkeypatch):
    version = book.version("kz-foreign-labour", "2025-09-01")
    case, = generated(version, 1, "action fails")
    expected = engine.run(version, case)
    with monkeypatch.context() as m:
        failing_action(m)
        with pytest.raises(errors.EngineError, match=r"^rule action failed in kz-foreign-labour@2025-09-01: "
                                                      r"division by zero$"):
            engine.run(version, case)
    failed = calls.sessions()[-1]
    assert calls.deleted == [failed]
    assert as_seen(engine.run(version, case)) == as_seen(expected)
    after = calls.sessions()[-1]
    assert after[0] == failed[0] and int(after[1]) > int(failed[1])


def test_a_failed_ruling_leaves_no_action_pending_or_started_when_its_session_is_deleted(book, calls, monkeypatch):
    version = book.version("kz-foreign-labour", "2025-09-01")
    case, = generated(version, 1, "action fails")   # stage 1 has more than two actions to run
    seen = []

    def probe(handle, sid):
        state_handle = calls.state_handles[-1]
        seen.append(engine._dre.start_action_for_state(handle, state_handle))
        with pytest.raises(engine._dre.error, match="error code: 307"):   # no action in flight
            engine._dre.complete_and_start_action(handle, state_handle)
        seen.append("none in flight")

    calls.before_delete = probe
    with monkeypatch.context() as m:
        failing_action(m)
        with pytest.raises(errors.EngineError, match="division by zero"):
            engine.run(version, case)
    assert seen == [None, "none in flight"]


def test_drop_sessions_deletes_every_live_session_and_the_next_rulings_open_fresh_ones(book, calls):
    versions = [book.version("kz-foreign-labour", name) for name in VERSIONS]
    cases = {v.key: generated(v, 3, "drop") for v in versions}
    expected = {v.key: [as_seen(engine.run(v, f)) for f in cases[v.key]] for v in versions}
    for v in versions:
        engine.run_many(v, cases[v.key])
    live = calls.sessions()
    assert len(live) == 4
    engine.drop_sessions()
    assert sorted(calls.deleted) == sorted(live)
    calls.asserts.clear()
    for v in versions:
        assert [as_seen(engine.run(v, f)) for f in cases[v.key]] == expected[v.key]
        assert [as_seen(r) for r in engine.run_many(v, cases[v.key])] == expected[v.key]
    fresh = calls.sessions()
    assert len(fresh) == 4 and not {sid for _, sid in fresh} & {sid for _, sid in live}


def test_a_session_whose_deletion_failed_keeps_its_hash_out_of_later_sessions(book, calls, monkeypatch):
    assert ids.fnv1a32(STUCK_SID) == ids.fnv1a32(SAME_HASH_SID)
    version = book.version("kz-foreign-labour", "2025-09-01")
    case, = generated(version, 1, "stuck")
    expected = as_seen(engine.run(version, case))
    engine.drop_sessions()
    monkeypatch.setattr(engine, "_stuck", set())
    monkeypatch.setattr(engine, "_session_ids", itertools.count(int(STUCK_SID)))
    calls.delete_fails = True
    with monkeypatch.context() as m:
        failing_action(m)
        with pytest.raises(engine._dre.error, match="delete refused"):
            engine.run(version, case)
    calls.delete_fails = False
    assert calls.sessions()[-1][1] == STUCK_SID
    stuck_handle = calls.sessions()[-1][0]
    try:
        monkeypatch.setattr(engine, "_session_ids", itertools.count(int(SAME_HASH_SID)))
        assert as_seen(engine.run(version, case)) == expected
        assert calls.sessions()[-1] == (stuck_handle, str(int(SAME_HASH_SID) + 1))
    finally:
        engine.drop_sessions()
        engine._dre.delete_state(stuck_handle, STUCK_SID)


def test_an_assert_result_code_the_runner_does_not_know_is_named_unknown(book, calls, monkeypatch):
    version = book.version("kz-foreign-labour", "2023-07-01")
    case, = generated(version, 1, "unknown code")
    expected = as_seen(engine.run(version, case))

    def odd_code(handle, text):
        return 9, calls.assert_facts(handle, text)[1]

    with monkeypatch.context() as m:
        m.setattr(engine._dre, "assert_facts", odd_code)
        with pytest.raises(errors.EngineError) as raised:
            engine.run(version, case)
    assert str(raised.value) == ("durable_rules refused the input facts or stage 1: result code 9 (unknown)")
    assert as_seen(engine.run(version, case)) == expected


def test_a_version_whose_multi_application_form_the_engine_refuses_is_judged_alone(book, monkeypatch):
    version = book.version("kz-foreign-labour", "2023-07-01")
    cases = generated(version, 5, "no multi form")
    expected = [as_seen(engine.run(version, f)) for f in cases]
    created = []

    def refuse(name, text):
        created.append(name)
        raise engine._dre.error("refused (test)")

    monkeypatch.setattr(engine._registered(version), "multi", None)
    monkeypatch.setattr(engine._dre, "create_ruleset", refuse)
    assert [as_seen(r) for r in engine.run_many(version, cases)] == expected
    assert [as_seen(r) for r in engine.run_many(version, cases[1:])] == expected[1:]
    assert len(created) == 1    # refused once: not asked again


def test_a_refused_retraction_is_named_and_the_next_ruling_is_right(book, calls, monkeypatch):
    version = book.version("kz-foreign-labour", "2025-09-01")
    case, = generated(version, 1, "retraction refused")
    expected = as_seen(engine.run(version, case))
    retract = engine._dre.retract_facts
    with monkeypatch.context() as m:
        m.setattr(engine._dre, "retract_facts", lambda handle, text: (2, retract(handle, text)[1]))
        with pytest.raises(errors.EngineError) as raised:
            engine.run(version, case)
    assert str(raised.value) == ("durable_rules refused the retraction of the ruling's facts: "
                                 "result code 2 (ERR_EVENT_OBSERVED)")
    assert calls.deleted == [calls.sessions()[-1]]
    assert as_seen(engine.run(version, case)) == expected


JOINED = """\
    - id: probe-known
      fact: probe_known
      for_each: worker in workers
      when: any(p.passport == worker.passport for p in persons)
      set:
        passport: worker.passport
"""
LOOSE = [
    # Only two lists matched together with no equality between them make a session too costly to empty.
    ("one list beside a negated one",
     'any(w.has_iin for w in workers) and not any(p.status == "expired" for p in persons)', True),
    ("two lists, no equality", 'any(w.has_iin for w in workers) and any(p.status == "lawful" for p in persons)', False),
    ("two lists, one compared with a constant",
     'any(w.has_iin for w in workers) and any(p.status != "expired" for p in persons)', False),
    ("two lists joined by an equality", 'any(k.passport != "" for k in probe_knowns)', True),
    ("a list beside a single fact", 'any(w.has_iin for w in workers) and vacancy.status == "active"', True),
]


@pytest.mark.parametrize("what,condition,reused", LOOSE, ids=[x[0] for x in LOOSE])
def test_a_session_is_emptied_and_reused_unless_two_lists_pair_unjoined(tmp_path, calls, what, condition, reused):
    directory, _ = _with_requirement(tmp_path, condition)
    if "probe_knowns" in condition:   # each worker paired with the persons of its passport
        path = directory / "kz-foreign-labour" / "2025-09-01.yaml"
        text = path.read_text(encoding="utf-8")
        at = text.index("  add:\n", text.index("derive:\n")) + len("  add:\n")
        path.write_text(text[:at] + JOINED + text[at:], encoding="utf-8")
    probe_book = rulebook.load(directory)
    engine.register_all(probe_book)
    version = probe_book.version("kz-foreign-labour", "2025-09-01")
    cases = generated(version, 12, "lists")
    for f in cases:
        assert engine.run(version, f).findings == python_statuses(version, f)
    sessions = calls.sessions()
    if reused:
        assert len(sessions) == 1 and calls.deleted == []
    else:   # deleted after each ruling, the next opening another
        assert len(sessions) == 12 and calls.deleted == sessions
    assert {"met", "unmet"} <= {python_statuses(version, f)["probe"] for f in cases}
