"""Rule files the engine cannot run are refused by `ereje check` at their line, quickly;
what passes the limits runs; dates past the calendar never fail a ruling."""
import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from server.api.app import create_app
from server.cli import main
from server.contract import request as schemas
from server.engine import runner as engine
from server.judging import rulings
from server.rules import rulebook
from server.rules.facts import CLOSED_VALUES

from .conftest import POLICIES, ROOT

AMENDMENT = "2025-09-01.yaml"
PROBE = """    - id: probe
      title: {{en: Probe, ru: Проба, kk: Сынама}}
      citation: {{en: Order No. 93 probe, ru: Приказ № 93 проба, kk: № 93 бұйрық сынамасы}}
      {key}: >-
        {expression}
      effect: warn
      explain:
        met: {{en: m, ru: m, kk: m}}
        unmet: {{en: u, ru: u, kk: u}}
        unknown: {{en: k, ru: k, kk: k}}
"""


def _with_requirement(tmp_path, expression, key="condition", extra=""):
    """A copy of the shipped policies whose amendment adds requirement `probe`; (directory, its text)."""
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    path = dst / "kz-foreign-labour" / AMENDMENT
    text = path.read_text(encoding="utf-8")
    probe = PROBE.format(key=key, expression=expression)
    if key == "scope":
        probe = probe.replace("      effect:", "      condition: application.small_business\n      effect:")
    text = text.replace("requirements:\n  add:\n", "requirements:\n  add:\n" + probe + extra, 1)
    path.write_text(text, encoding="utf-8")
    return dst, text


def _line(text, needle):
    return text.splitlines().index(needle) + 1


def _check(directory):
    return CliRunner().invoke(main, ["check", str(directory)])


def _problems(res):
    return [ln for ln in res.output.splitlines() if ":" in ln and not ln.startswith("ok")]


def _expect_one(tmp_path, directory, text, line_of, message):
    # No timing here (the machine is shared): a limit not enforced before the expansion
    # shows as a hang, or as a problem other than the one expected.
    res = _check(directory)
    assert res.exit_code == 1, res.output
    where = f"{directory / 'kz-foreign-labour' / AMENDMENT}:{_line(text, line_of)}: "
    assert _problems(res) == [where + message], res.output


COMPILE_LIMITS = [
    ("conditions side by side",
     " and ".join(f"application.headcount > {1000 + i}" for i in range(60)),
     "'probe' cannot be compiled for the engine: the version's conditions on 'application' could hold 84 ways "
     "side by side (at most 48), most of them here; join alternatives with 'in [...]' or split the condition "
     "into derived facts"),
    ("16 (a or b) joined by and",
     " and ".join(f"(application.headcount > {i} or application.small_business)" for i in range(16)),
     "'probe' cannot be compiled for the engine: it holds in more than 64 different ways once 'and' is "
     "distributed over 'or' (at most 64); split it into derived facts"),
    ("30 (a or b) joined by and",
     " and ".join(f"(application.headcount > {i} or application.small_business)" for i in range(30)),
     "'probe' cannot be compiled for the engine: it holds in more than 64 different ways once 'and' is "
     "distributed over 'or' (at most 64); split it into derived facts"),
    ("facts matched together",
     " and ".join(f'any(c{i}.number != "X{i}" for c{i} in contracts)' for i in range(7)),
     "'probe' cannot be compiled for the engine: one of its conditions matches 9 facts together; at most 8 "
     "(the stage, the application and the any(...) that must hold at once)"),
    ("comparisons with other facts",
     " and ".join(f"quota.remaining >= application.workers_requested - {i}" for i in range(25)),
     "'probe' cannot be compiled for the engine: one condition compares 'quota' with other facts 25 times "
     "(at most 24)"),
]


# A limit of one expression is reported at its key's line; a limit of the version's rules together, at the entry.
AT_KEY = {"16 (a or b) joined by and", "30 (a or b) joined by and"}


@pytest.mark.parametrize("what,expression,message", COMPILE_LIMITS, ids=[c[0] for c in COMPILE_LIMITS])
def test_a_condition_the_engine_cannot_run_is_refused_at_its_entry_or_key(tmp_path, what, expression, message):
    directory, text = _with_requirement(tmp_path, expression)
    _expect_one(tmp_path, directory, text, "      condition: >-" if what in AT_KEY else "    - id: probe", message)


def test_a_version_of_too_many_rules_is_refused_at_its_largest_entry(tmp_path):
    many = " or ".join(f"application.headcount == {1000 + i}" for i in range(60))
    extra = "".join(PROBE.format(key="condition", expression=many).replace("id: probe", f"id: probe-{i}")
                    for i in range(3))
    directory, text = _with_requirement(tmp_path, many, extra=extra)
    _expect_one(tmp_path, directory, text, "    - id: probe",
                "'probe' cannot be compiled for the engine: the version compiles to 330 engine rules "
                "(at most 200), 61 of them for this entry; simplify its conditions")


EXPRESSION_LIMITS = [
    ("not nested 1,000 times", "not " * 1000 + "application.small_business",
     "'probe' condition: nested more than 40 levels deep; split it into derived facts"),
    ("a sum of 60 terms", "application.headcount > " + " + ".join(["application.headcount"] * 60),
     "'probe' condition: nested more than 40 levels deep; split it into derived facts"),
    ("a very long expression", " and ".join(["application.small_business"] * 500),
     "'probe' condition: an expression may be at most 10000 characters long; split it into derived facts"),
    ("a list of 300 values", "application.region in [" + ", ".join(f'"R{i}"' for i in range(300)) + "]",
     "'probe' condition: a list after 'in' may hold at most 256 values"),
    ("a date past the calendar", 'application.submitted_on < date("9999-12-31") + days(1)',
     "'probe' condition: this date is after 9999-12-31: it leaves the calendar"),
    ("months past the calendar", "application.submitted_on < vacancy.published_on + months(100000000)",
     "'probe' condition: months(100000000) leaves the calendar: a shift may be at most 1200 months (a century)"),
    ("days past the calendar", "application.submitted_on < vacancy.published_on + days(40000)",
     "'probe' condition: days(40000) leaves the calendar: a shift may be at most 36525 days (a century)"),
    ("a misspelled kind", 'application.kind == "isue"',
     "'probe' condition: application.kind is never \"isue\": it is one of \"issue\", \"extension\""),
    ("a misspelled route in a list", 'application.route in ["general", "seasnal"]',
     "'probe' condition: application.route is never \"seasnal\": it is one of \"general\", \"seasonal\", "
     "\"intracompany_transfer\""),
    ("an unknown quota category", 'quota.category != "5"',
     "'probe' condition: quota.category is never \"5\": it is one of \"1\", \"2\", \"3\", \"4\", \"seasonal\""),
]


@pytest.mark.parametrize("what,expression,message", EXPRESSION_LIMITS, ids=[c[0] for c in EXPRESSION_LIMITS])
def test_an_expression_past_a_limit_is_refused_at_its_key(tmp_path, what, expression, message):
    directory, text = _with_requirement(tmp_path, expression)
    _expect_one(tmp_path, directory, text, "      condition: >-", message)


def test_a_misspelled_kind_in_a_scope_is_refused_at_the_scope(tmp_path):
    directory, text = _with_requirement(tmp_path, 'application.kind == "isue"', key="scope")
    _expect_one(tmp_path, directory, text, "      scope: >-",
                "'probe' scope: application.kind is never \"isue\": it is one of \"issue\", \"extension\"")


def test_the_texts_that_are_allowed_pass(tmp_path):
    directory, _ = _with_requirement(
        tmp_path, 'application.kind == "extension" and quota.category in ["seasonal", "4"] '
                  'and application.region == "ANYWHERE" and quota.remaining > 0')
    res = _check(directory)
    assert res.exit_code == 0, res.output


def _edited(tmp_path, edit):
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    path = dst / "kz-foreign-labour" / AMENDMENT
    text = edit(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    return dst, text


def test_a_yaml_alias_bomb_in_a_set_is_refused_at_its_line(tmp_path):
    bomb = ("        code: vacancy.code\n        note0: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"        note{i}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, "
                      f"*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}]\n"
                      for i in range(1, 9)))
    directory, text = _edited(tmp_path, lambda t: t.replace("        code: vacancy.code\n", bomb, 1))
    _expect_one(tmp_path, directory, text, "        note1: &b [*a, *a, *a, *a, *a, *a, *a, *a]",
                "YAML: aliases (*name) are not allowed in rule files: write the value out")


def test_yaml_nested_500_levels_is_refused_at_its_line(tmp_path):
    directory, text = _edited(tmp_path, lambda t: t.replace(
        "\nparameters:\n", "\nnotes: " + "[" * 500 + "]" * 500 + "\nparameters:\n", 1))
    _expect_one(tmp_path, directory, text, "notes: " + "[" * 500 + "]" * 500,
                "YAML: nested more than 32 levels deep")


# --- what passes the limits runs ------------------------------------------------------

AT_THE_LIMITS = textwrap.dedent("""
    import json, shutil, sys, tempfile
    from pathlib import Path
    from server.contract import request as schemas
    from server.engine import compile as compiler, runner as engine
    from server.judging import rulings
    from server.rules import rulebook
    root, conditions = Path(sys.argv[1]), json.loads(sys.argv[2])
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(root / "policies", tmp / "policies")
    path = tmp / "policies" / "kz-foreign-labour" / "2025-09-01.yaml"
    probes = "".join(sys.argv[3].format(key="condition", expression=c).replace("id: probe", f"id: probe-{i}")
                     for i, c in enumerate(conditions))
    path.write_text(path.read_text().replace("requirements:\\n  add:\\n", "requirements:\\n  add:\\n" + probes, 1))
    book, problems = rulebook.check(tmp / "policies")
    problems = problems or compiler.problems(book)
    if problems:
        sys.exit("\\n".join(map(str, problems)))
    engine.register_all(book)
    doc = json.loads((root / "fixtures/applications/approve.json").read_text())
    print(rulings.judge(book, schemas.load(schemas.RulingRequestSchema, doc))["outcome"])
""")


def test_rules_at_the_limits_pass_check_and_judge():
    # Each condition sits at a limit, every alternative true at once: 21 more conditions
    # on the application side by side (48 with the shipped ones and the others'), 24 comparisons with
    # another fact, 8 facts together, a list of 256 values. Run apart: a crash must not
    # take pytest with it.
    conditions = [
        " and ".join(f"application.headcount > {1000 + i}" for i in range(21)),
        " and ".join(f"quota.remaining >= application.workers_requested - {i}" for i in range(24)),
        " and ".join(f'any(c{i}.number != "X{i}" for c{i} in contracts)' for i in range(6)),
        "application.region in [" + ", ".join(f'"R{i}"' for i in range(255)) + ', "ALMATY"]',
    ]
    proc = subprocess.run([sys.executable, "-c", AT_THE_LIMITS, str(ROOT), json.dumps(conditions), PROBE],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "approve"


# --- dates past the calendar in facts -------------------------------------------------
# A request or a fetched registry answer can no longer carry such a date (the edge
# keeps dates within 1900-01-01 .. 2099-12-31: tests/test_edge.py); registry data
# recorded in a ruling stored before that window is judged as it was, so judging
# still sets such a date aside.

@pytest.fixture
def client(tmp_path, book):
    return create_app({"DB": str(tmp_path / "log.db"), "TESTING": True}).test_client()


def _judged(book, registry, version=None):
    """approve.json judged with `registry` recorded as data, as a replay of an old ruling does."""
    doc = json.loads((ROOT / "fixtures/applications/approve.json").read_text())
    request = schemas.load(schemas.RulingRequestSchema, doc)
    recorded = {name: {"source": "request", "fetched_at": "2025-09-20T00:00:00.000Z", "data": data}
                for name, data in registry.items()}
    if version is None:
        return rulings.judge(book, request, recorded=recorded)
    return rulings.judge_under(book.version(None, version), request, recorded=recorded)


def test_a_vacancy_posted_at_the_end_of_the_calendar_is_unknown_not_a_500(book):
    body = _judged(book, {"labour_exchange": {"vacancy": {
        "code": "4012345", "employer_bin": "150540000106", "published_on": "9999-12-30", "status": "active"}}})
    assert body["outcome"] == "undetermined" and body["missing"] == ["labour_exchange"]
    statuses = {f["requirement"]: f["status"] for f in body["findings"]}
    assert statuses["vacancy-published"] == statuses["vacancy-waiting-period"] == "unknown"
    assert body["registry"]["labour_exchange"]["reason"] == (
        "vacancy.published_on 9999-12-30 is too near the end of the calendar for the date arithmetic "
        "of kz-foreign-labour@2025-09-01")


def test_an_offence_decided_at_the_end_of_the_calendar_is_unknown_not_a_500(book):
    body = _judged(book, {"offences": {"records": [
        {"employer_bin": "150540000106", "article": "519", "decided_on": "9999-12-30"}]}})
    assert body["outcome"] == "undetermined" and body["missing"] == ["offences"]
    assert {f["requirement"]: f["status"] for f in body["findings"]}["no-unpermitted-labour"] == "unknown"


def test_a_date_at_the_end_of_the_calendar_under_the_earlier_version_is_unknown(book):
    body = _judged(book, {"offences": {"records": [
        {"employer_bin": "150540000106", "article": "519", "decided_on": "9999-12-30"}]}}, version="2023-07-01")
    assert body["outcome"] == "undetermined" and body["missing"] == ["offences"]


def test_a_request_with_a_date_at_the_end_of_the_calendar_is_422(client):
    doc = json.loads((ROOT / "fixtures/applications/approve.json").read_text())
    doc["registry"] = {"offences": {"records": [
        {"employer_bin": "150540000106", "article": "519", "decided_on": "9999-12-30"}]}}
    for path in ("/v1/rulings", "/v1/comparisons"):
        res = client.post(path, json=doc)
        assert res.status_code == 422, res.get_data(as_text=True)
        assert list(res.get_json()["error"]["fields"]) == ["registry.offences.records.0.decided_on"]


# --- the closed sets of values, and quantifiers over one list ----------------------------

def test_the_closed_values_are_exactly_what_the_request_schema_admits():
    fields = schemas.ApplicationSchema().fields
    for name in ("kind", "route"):
        choices = [v for v in fields[name].validators if hasattr(v, "choices")][0].choices
        assert list(CLOSED_VALUES[("application", name)]) == list(choices)
    (bounds,) = fields["category"].validators
    assert (bounds.min, bounds.max) == (1, 4)
    assert CLOSED_VALUES[("quota", "category")] == ("1", "2", "3", "4", "seasonal")


def test_two_any_over_one_list_can_hold_with_one_element(tmp_path):
    # durable_rules matches a fact to one pattern per rule unless told otherwise: with
    # one contract, both any() held and neither status was concluded (a failed ruling).
    directory, _ = _with_requirement(
        tmp_path, 'any(c.number == "TD-15" for c in contracts) and any(d.kind == "labour" for d in contracts)')
    book = rulebook.load(directory)
    engine.register_all(book)
    doc = json.loads((ROOT / "fixtures/applications/approve.json").read_text())
    doc["registry"] = {"ulcrs": {"contracts": [{"employer_bin": "150540000106", "employee_iin": "900101300007",
                                                "passport": "N1234567", "number": "TD-15", "kind": "labour",
                                                "registered_on": "2025-03-04"}]}}
    ruling = rulings.judge(book, schemas.load(schemas.RulingRequestSchema, doc))
    assert {f["requirement"]: f["status"] for f in ruling["findings"]}["probe"] == "met"
