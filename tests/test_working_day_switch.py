"""The working-day switch both ways, and every parameter turned through the values its type allows."""
import json
import re
import shutil

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from server.cli import main
from server.contract import request as schemas
from server.engine import compile as compiler, runner as engine
from server.errors import InvalidRequest
from server.judging import cases as casebook, rulings
from server.rules import rulebook

from .conftest import APPLICATIONS, POLICIES

SWITCH = "waiting_period_moves_to_working_day"


def _with_values(directory, values):
    """A copy of the shipped policies in `directory` with parameter values set: {file stem: {name: value}}."""
    if directory.exists():
        shutil.rmtree(directory)
    shutil.copytree(POLICIES, directory)
    for stem, params in values.items():
        path = directory / "kz-foreign-labour" / f"{stem}.yaml"
        text = path.read_text(encoding="utf-8")
        for name, value in params.items():
            # The parameter's mapping at any indentation (top level, or under an amendment's add:).
            text, n = re.subn(rf"(?m)^((?P<i> +){name}:\n(?:(?P=i)  (?!value:).*\n)*(?P=i)  value: ).*$",
                              lambda m: m.group(1) + json.dumps(value), text)
            if n != 1:
                raise LookupError(f"parameter {name} not found in {path}")
        path.write_text(text, encoding="utf-8")
    return directory


def _judge(book, published_on, submitted_on):
    doc = json.loads((APPLICATIONS / "approve.json").read_text())
    doc["application"]["submitted_on"] = submitted_on
    doc["registry"] = {"labour_exchange": {"vacancy": {
        "code": "4012345", "employer_bin": "150540000106", "published_on": published_on, "status": "active"}}}
    ruling = rulings.judge(book, schemas.load(schemas.RulingRequestSchema, doc))
    return next(f for f in ruling["findings"] if f["requirement"] == "vacancy-waiting-period")


@pytest.fixture(scope="module")
def switched(tmp_path_factory):
    directory = _with_values(tmp_path_factory.mktemp("on") / "policies", {"2025-09-01": {SWITCH: True}})
    book = rulebook.load(directory)
    engine.register_all(book)
    return directory, book


def test_with_the_switch_on_check_passes_and_every_case_gives_a_ruling(switched):
    directory, _ = switched
    res = CliRunner().invoke(main, ["check", str(directory)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["test", str(directory)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert re.search(r"^\d+ passed, \d+ failed$", res.output, re.M), res.output


# Posted 2025-12-01: the 15 days run out on 16 December, Independence Day (a Tuesday).
# Posted 2025-09-19: they run out on Saturday 4 October.
@pytest.mark.parametrize("published,filed,off,on", [
    ("2025-12-01", "2025-12-17", "met", "unmet"),
    ("2025-12-01", "2025-12-18", "met", "met"),
    ("2025-09-19", "2025-10-05", "met", "unmet"),
    ("2025-09-19", "2025-10-07", "met", "met"),
])
def test_a_waiting_period_ending_on_a_holiday_moves_only_with_the_switch(book, switched, published, filed, off, on):
    assert _judge(book, published, filed)["status"] == off
    assert _judge(switched[1], published, filed)["status"] == on


def test_the_switch_moves_the_earliest_filing_date_past_the_holiday(book, switched):
    assert "filing is possible from 18 December 2025" in _judge(switched[1], "2025-12-01", "2025-12-17")["explanation"]
    assert "filing was possible from 17 December 2025" in _judge(book, "2025-12-01", "2025-12-17")["explanation"]


# --- every parameter through the values its type allows ---------------------------------

def _declared():
    """{file stem: {name: kind}} of the parameters each shipped file sets, kind from the declared
    `type` if any, else from the value and unit: bool, percent (0..100) or count (0..400)."""
    out = {}
    for path in sorted((POLICIES / "kz-foreign-labour").glob("*.yaml")):
        params = dict(yaml.safe_load(path.read_text(encoding="utf-8")).get("parameters") or {})
        params.update(params.pop("add", None) or {})   # an amendment's new parameters
        params.pop("change", None)
        params.pop("remove", None)
        for name, spec in params.items():
            value, kind = spec.get("value"), spec.get("type")
            if kind is None and isinstance(value, bool):
                kind = "bool"
            elif kind is None and "percent" in str(spec.get("unit", "")):
                kind = "percent"
            elif kind is None and isinstance(value, int):
                kind = "count"
            if kind:
                out.setdefault(path.stem, {})[name] = kind
    return out


DECLARED = _declared()
_VALUES = {"bool": st.booleans(), "percent": st.integers(0, 100),
           "list": st.lists(st.sampled_from(["KAZ", "DEU", "UZB", "TUR", "PRK"]), min_size=1, max_size=5)}


def _strategy():
    return st.fixed_dictionaries({
        stem: st.fixed_dictionaries({name: _VALUES.get(kind, st.integers(0, 400)) for name, kind in params.items()})
        for stem, params in DECLARED.items()})


def test_the_property_test_turns_the_switch_and_the_waiting_days():
    assert DECLARED["2025-09-01"][SWITCH] == "bool"
    assert DECLARED["2025-09-01"]["waiting_days"] in ("count", "days")


CASES = [c for f in sorted(POLICIES.glob("*/tests/*.yaml")) for c in casebook.load_file(f)[0]]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=_strategy())
def test_every_parameter_value_its_type_allows_checks_and_judges(tmp_path, values):
    directory = _with_values(tmp_path / "policies", values)
    book, problems = rulebook.check(directory)
    problems = problems or compiler.problems(book)
    assert not problems, "\n".join(map(str, problems))
    engine.register_all(book)
    for case in CASES:
        try:
            ruling = rulings.judge(book, schemas.load(schemas.RulingRequestSchema, case.request))
        except InvalidRequest:
            continue   # a case that expects an error (no version in force)
        assert ruling["outcome"] in ("approve", "refuse", "undetermined"), case.name
