"""What the compiled rules give a user: the trace of a ruling, and `value:` derivations.

A `value:` derivation asserts one fact per element of its list, with `value` true where its
condition holds and false where it does not; no shipped rule file has one, so the test adds one
to a copy of the rule files.
"""
import json
import random
import re

import pytest

from server.engine import runner as engine
from server.judging import facts
from tests.conftest import APPLICATIONS
from tests.helpers import edited_book
from tests.test_engine_golden import random_case

VALUE_DERIVATION = """\
    - id: worker-iin-known
      fact: worker_iin_known
      for_each: w in workers
      value: w.has_iin
      set:
        passport: w.passport
"""
IIN_CONDITION = "condition: all(w.has_iin for w in workers)"


def test_the_trace_of_a_ruling_names_each_rule_fired_and_what_it_asserted(client):
    body = json.loads((APPLICATIONS / "approve.json").read_text(encoding="utf-8"))
    answer = client.post("/v1/rulings", json=body)
    assert answer.status_code == 201
    ruling = answer.get_json()
    trace = ruling["trace"]
    assert [s["step"] for s in trace] == list(range(1, len(trace) + 1))
    assert trace[:3] == [
        {"step": 1, "rule": "derive.staff-after-hiring.when.0", "asserted": {
            "fact": "staff", "id": "staff", "managers_total": 10, "managers_citizens_x100": 900,
            "specialists_total": 101, "specialists_citizens_x100": 9500}},
        {"step": 2, "rule": "derive.matched-vacancy.when.0", "asserted": {
            "fact": "matched_vacancy", "id": "matched_vacancy", "applies": True, "code": "4012345",
            "published_on": "2025-09-01", "earliest_filing": "2025-09-17"}},
        {"step": 3, "rule": "derive.local-content-gap.when.0", "asserted": {
            "fact": "local_content_gap", "id": "local_content_gap", "managers_short": False,
            "managers_requested": 0, "managers_to_hire": 0, "managers_fewer": 0, "specialists_short": False,
            "specialists_requested": 1, "specialists_to_hire": 0, "specialists_fewer": 0}},
    ]
    concluded = trace[3:]
    assert sorted(s["asserted"]["finding"] for s in concluded) == sorted(f["requirement"] for f in ruling["findings"])
    for step in concluded:
        finding, status = step["asserted"]["finding"], step["asserted"]["status"]
        assert step["asserted"] == {"finding": finding, "status": status}
        assert re.fullmatch(rf"req\.{re.escape(finding)}\.{status}\.\d+", step["rule"]), step


@pytest.fixture(scope="module")
def value_book(tmp_path_factory):
    def edit(text):
        anchor = "      when: not any(p.passport == worker.passport and p.status == \"lawful\" for p in persons)\n" \
                 "      set:\n        passport: worker.passport\n"
        assert anchor in text
        text = text.replace(anchor, anchor + VALUE_DERIVATION, 1)
        assert IIN_CONDITION in text    # workers-have-iin reads the derived facts instead of the workers
        return text.replace(IIN_CONDITION, "condition: all(k.value for k in worker_iin_knowns)", 1)

    return edited_book(tmp_path_factory.mktemp("policies"), edit)


def test_a_value_derivation_asserts_true_and_false_per_element(value_book, book):
    version = value_book.version("kz-foreign-labour", "2025-09-01")
    rng = random.Random(5)
    seen, statuses = set(), set()
    for _ in range(12):
        request, data, available = random_case(rng)
        input_facts = facts.build(request, data, available=available, shifts=version.shifts)
        workers = [f for f in input_facts if f["t"] == "worker"]
        shipped = engine.run(book.version("kz-foreign-labour", "2025-09-01"), input_facts)
        expected = {f"worker_iin_known:{w['id']}": {"t": "worker_iin_known", "id": f"worker_iin_known:{w['id']}",
                                                    "of": w["id"], "value": w["has_iin"], "passport": w["passport"]}
                    for w in workers}
        iin_status = "met" if all(w["has_iin"] for w in workers) else "unmet"
        for run in (engine.run(version, input_facts), *engine.run_many(version, [input_facts, input_facts])):
            assert run.derived.get("worker_iin_known", {}) == expected
            assert run.findings["workers-have-iin"] == shipped.findings["workers-have-iin"]
        statuses.add((shipped.findings["workers-have-iin"], iin_status))
        seen |= {w["has_iin"] for w in workers}
    assert seen == {True, False}
    assert {("met", "met"), ("unmet", "unmet")} <= statuses
