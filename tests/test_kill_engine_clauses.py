"""A condition that compares facts the application does not hold itself (a registry's, a derived one):
what the full mutation run (docs/mutation.md) found unchecked in server/engine/clauses.py."""
import copy

import pytest

from server.contract import request as schemas
from server.engine import runner as engine
from server.judging import rulings
from server.rules import rulebook

from tests import demo

# The demo rules, with a derived fact whose `when` adds the quota's room to another derived fact's count.
RULES = demo.RULES.replace("""    set:
      applies: true
requirements:""", """    set:
      applies: true
      count: application.workers_requested
  - id: room-for-the-excess
    fact: excess_room
    when: quota.remaining + seasonal_excess.count >= application.headcount
    set:
      applies: true
requirements:""").replace("condition: not seasonal_excess.applies",
                          "condition: not seasonal_excess.applies or excess_room.applies")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    policies = demo.demo(tmp_path_factory.mktemp("clauses"))
    (policies / "demo" / "2025-01-01.yaml").write_text(RULES, encoding="utf-8")
    loaded = rulebook.load(policies)
    engine.register_all(loaded)
    return loaded


@pytest.mark.parametrize("headcount, room, status", [(9, True, "met"), (10, False, "unmet")])
def test_a_derivation_comparing_a_registry_fact_with_a_derived_one(book, headcount, room, status):
    request = copy.deepcopy(demo.DEFAULTS)
    application = request["application"]
    application.update(route="seasonal", workers_requested=4)
    del application["category"], application["employer"]["staff"]
    application["employer"]["headcount"] = headcount
    request["registry"]["quota"]["category"] = "seasonal"
    ruling = rulings.judge(book, schemas.load(schemas.RulingRequestSchema(), request))
    # 5 places left + 4 over the cap, against the headcount
    assert ("excess_room" in {s["asserted"].get("fact") for s in ruling["trace"]}) is room
    assert {f["requirement"]: f["status"] for f in ruling["findings"]} == {"quota-available": "met",
                                                                         "seasonal-cap": status}
