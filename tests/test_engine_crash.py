"""A condition comparing two facts, judged false, neither crashes the process nor is skipped.

durable_rules 2.0.28 tests a pattern's conditions on other facts one by one; when the last one
is false it searches for the end of the list past it, through whatever memory follows, and the
process died (SIGSEGV) or not depending on the heap: here, a rule book judged after another
one's rulings (server/engine/compile.py `_safe`). The crash needs a process of its own: each
run is a subprocess, with three hash seeds since the heap differs with each (without the fix,
each crashed in most runs).
"""
import os
import subprocess
import sys
import textwrap

import pytest

from server.rules.calendar import day_number, iso_date
from tests.conftest import ROOT

from .test_kill_plandays import earliest_both_ways, request, rules
from .test_plans import judged_on

SCRIPT = textwrap.dedent("""
    import sys, tempfile
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from tests.test_kill_plandays import earliest_both_ways, request, rules
    tmp = Path(tempfile.mkdtemp())
    for name, condition, given in [
            ("first", 'application.submitted_on >= date("2025-10-17")', {}),
            ("joined", "vacancy.published_on + days(15) < application.submitted_on", {"published": "2025-10-03"})]:
        (tmp / name).mkdir()
        book = rules(tmp / name, ("2025-01-01", condition))
        print(name, *earliest_both_ways(book, request("2025-10-01", **given), 60), flush=True)
""")


@pytest.mark.slow
@pytest.mark.parametrize("seed", ["10", "11", "12"])
def test_a_rule_book_joining_two_facts_judged_after_another_does_not_crash(seed):
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["first 2025-10-17 2025-10-17", "joined 2025-10-19 2025-10-19"]


def test_a_comparison_with_another_fact_holds_beside_an_in_list_on_the_same_fact(tmp_path):
    # The `in` list became an `$or` before the comparison, and the engine never tested the comparison:
    # every day was approved, from the first.
    condition = 'vacancy.status in ["active", "open"] and vacancy.published_on + days(15) < application.submitted_on'
    book = rules(tmp_path, ("2025-01-01", condition))
    req = request("2025-10-01", published="2025-10-03")
    assert [judged_on(book, req, iso_date(day_number("2025-10-16") + n))["outcome"] for n in range(4)] == [
        "refuse", "refuse", "refuse", "approve"]
    assert earliest_both_ways(book, req, 60) == ("2025-10-19", "2025-10-19")
