"""What the engine cannot run is reported once, at the line of the expression written wrong, with what to
write instead (`ereje check`)."""
import pytest

from server.cli import main

from tests import demo

ISOLATE = ("cannot be compiled for the engine: write this comparison with a field of the fact alone on one side "
           "(e.g. quota.remaining >= application.workers_requested)")
NESTED = ("cannot be compiled for the engine: any()/all() cannot be nested or name optional facts inside; "
          "derive an intermediate fact first")
CONDITION = "    condition: quota.remaining >= application.workers_requested"
SCOPE = '    scope: application.route in ["general", "seasonal"]\n    condition: quota.remaining'
WHEN = "    when: application.workers_requested > seasonal_cap"


@pytest.mark.parametrize("written, wrong, item, message", [
    (CONDITION, "    condition: quota.remaining * 2 >= application.workers_requested", "quota-available", ISOLATE),
    # the quota on both sides and twice on one: no rearranging leaves one field of it alone
    (CONDITION, "    condition: quota.remaining + quota.remaining >= quota.year", "quota-available", ISOLATE),
    (SCOPE, "    scope: quota.remaining * 2 >= 1\n    condition: quota.remaining", "quota-available", ISOLATE),
    (WHEN, "    when: application.workers_requested * 2 > seasonal_cap", "over-the-cap", ISOLATE),
    (WHEN, "    when: any(c.number == 'x' and any(d.number == c.number for d in contracts) for c in contracts)",
     "over-the-cap", NESTED),
])
def test_an_expression_the_engine_cannot_run_is_one_problem_at_its_own_line(tmp_path, runner, written, wrong, item,
                                                                             message):
    policies = demo.demo(tmp_path, "room")
    path = policies / "demo" / "2025-01-01.yaml"
    rules = demo.RULES.replace(written, wrong)
    assert rules != demo.RULES
    path.write_text(rules, encoding="utf-8")
    line = 1 + rules.splitlines().index(wrong.splitlines()[0])
    result = runner.invoke(main, ["check", str(policies)])
    assert (result.exit_code, result.output) == (1, f"{path}:{line}: '{item}' {message}\n1 problem(s)\n")
