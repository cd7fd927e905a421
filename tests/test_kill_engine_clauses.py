"""A condition that compares facts the application does not hold itself (a registry's, a derived one):
what the full mutation run (docs/mutation.md) found unchecked in server/engine/clauses.py."""
import copy

import pytest

from server.contract import request as schemas
from server.judging import rulings
from server.rules.calendar import day_number, iso_date

from tests import demo
from tests.test_kill_plandays import request, rules
from tests.test_plans import judged_on

# The demo rules, with a derived fact whose `when` adds the quota's room to another derived fact's count.
RULES = demo.RULES.replace("""    set:
      applies: true
requirements:""", """    set:
      applies: true
      count: application.workers_requested
      until: application.submitted_on + days(15)
  - id: room-for-the-excess
    fact: excess_room
    when: quota.remaining + seasonal_excess.count >= application.headcount
    set:
      applies: true
requirements:""").replace("condition: not seasonal_excess.applies",
                          "condition: not seasonal_excess.applies or excess_room.applies")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return demo.book_of(tmp_path_factory.mktemp("clauses"), RULES)


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
    # a derived date is shown in the trace as a date
    assert ruling["trace"][0]["asserted"] == {"fact": "seasonal_excess", "id": "seasonal_excess", "applies": True,
                                              "count": 4, "until": "2025-03-16"}
    assert {f["requirement"]: f["status"] for f in ruling["findings"]} == {"quota-available": "met",
                                                                         "seasonal-cap": status}


# A date moved by days compared with a constant date, the constant on either side: the engine is given the
# constant side worked out (it matches nothing against arithmetic of two constants).
DATE_FORMS = [
    ('application.submitted_on - days(15) >= date("2025-10-03")', "2025-10-18"),
    ('date("2025-10-03") <= application.submitted_on - days(15)', "2025-10-18"),
    ('date("2025-10-03") + days(15) <= application.submitted_on', "2025-10-18"),
    ('date("2025-11-20") - application.submitted_on <= 30', "2025-10-21"),
    ('application.submitted_on + days(30) > date("2025-11-20")', "2025-10-22"),
]


@pytest.mark.parametrize("condition, first", DATE_FORMS)
def test_a_date_moved_by_days_against_a_constant_date_turns_on_its_day(tmp_path, condition, first):
    book = rules(tmp_path, ("2025-01-01", condition))
    day_before = iso_date(day_number(first) - 1)
    assert [judged_on(book, request("2025-10-01"), d)["outcome"] for d in (day_before, first)] == ["refuse", "approve"]
