"""Conditions with arithmetic on the side of the fact a rule matches (server/engine/clauses.py moves
it to the other side for the engine): each judged as written (the mutation run found them unchecked)."""
import json

import pytest

from server.contract import request as schemas
from server.engine import runner as engine
from server.judging import rulings
from server.rules import rulebook

from .conftest import ROOT
from .test_rule_limits import PROBE, _with_requirement

# The fixtures answer 12 places left in the quota; the application requests 1 worker.
PROBES = {
    "minus-on-the-left": ("quota.remaining - 11 >= application.workers_requested", "met"),      # 1 >= 1
    "minus-on-the-left-unmet": ("quota.remaining - 12 >= application.workers_requested", "unmet"),  # 0 >= 1
    "plus-on-the-left": ("quota.remaining + 1 > application.workers_requested + 11", "met"),        # 13 > 12
    "plus-on-the-left-unmet": ("quota.remaining + 1 > application.workers_requested + 12", "unmet"),  # 13 > 13
    "plus-on-the-right": ("11 + quota.remaining > application.workers_requested + 21", "met"),   # 23 > 22
    "plus-on-the-right-unmet": ("10 + quota.remaining > application.workers_requested + 21", "unmet"),  # 22 > 22
    "minus-of-it": ("13 - quota.remaining >= application.workers_requested", "met"),             # 1 >= 1
    "minus-of-it-unmet": ("12 - quota.remaining >= application.workers_requested", "unmet"),     # 0 >= 1
}


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    first, *rest = PROBES
    extra = "".join(PROBE.format(key="condition", expression=PROBES[name][0]).replace("id: probe", f"id: {name}")
                    for name in rest)
    directory, _ = _with_requirement(tmp_path_factory.mktemp("arith"), PROBES[first][0], extra=extra)
    book = rulebook.load(directory)
    engine.register_all(book)
    return book, first


def test_arithmetic_beside_the_matched_fact_is_judged_as_written(probed):
    book, first = probed
    doc = json.loads((ROOT / "fixtures/applications/approve.json").read_text(encoding="utf-8"))
    ruling = rulings.judge(book, schemas.load(schemas.RulingRequestSchema, doc))
    statuses = {("minus-on-the-left" if f["requirement"] == "probe" else f["requirement"]): f["status"]
                for f in ruling["findings"]}
    assert {name: statuses[name] for name in PROBES} == {name: want for name, (_, want) in PROBES.items()}
