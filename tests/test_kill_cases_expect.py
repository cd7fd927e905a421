"""What a lawyer reads when a case is malformed or fails: unknown keys, YAML errors, a case's own whole
request, expected versions and errors; what the full mutation run (docs/mutation.md) found unchecked."""
import textwrap

import pytest

import adapters
from adapters import Query
from server.judging import cases

from tests.conftest import POLICIES

DEFAULTS = (POLICIES / "kz-foreign-labour" / "tests" / "cases.yaml").read_text(encoding="utf-8").split("\ncases:")[0]


def case_file(tmp_path, body):
    """A case file over the shipped cases' defaults, with the `cases:` written here."""
    path = tmp_path / "cases.yaml"
    path.write_text(DEFAULTS + "\ncases:\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def only_case(path):
    found, problems = cases.load_file(path)
    assert problems == [] and len(found) == 1
    return found[0]


def line_of(path, text):
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.parametrize("extra, unknown", [("colour: red", "['colour']"), ("expect: {outcome: approve, verdict: x}",
                                                                           "['verdict']")])
def test_an_unknown_key_is_a_problem_at_its_file_and_line_naming_it(tmp_path, extra, unknown):
    expect = "" if extra.startswith("expect") else "\n      expect: {outcome: approve}"
    path = case_file(tmp_path, f"""
    - name: A case with a typo
      {extra}{expect}
    """)
    found, problems = cases.load_file(path)
    assert found == []
    line = line_of(path, "- name: A case with a typo")
    assert [(p.file, p.line, p.message) for p in problems] == [(str(path), line, f"unknown keys {unknown}")]


def test_a_yaml_error_names_what_is_wrong_at_its_line(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text("cases:\n  - name: x\n    expect: {outcome: approve\n", encoding="utf-8")
    assert [(p.file, p.line, p.message) for p in cases.load_file(path)[1]] == [
        (str(path), 4, "YAML: expected ',' or '}', but got '<stream end>'")]


def test_a_case_with_its_own_request_is_judged_on_it_not_on_the_defaults(tmp_path, book):
    path = case_file(tmp_path, """
    - name: A whole request of its own, filed before the amendment
      request:
        application: {submitted_on: "2025-08-31"}
      expect: {error: invalid_request}
    """)
    case = only_case(path)
    assert case.request == {"application": {"submitted_on": "2025-08-31"}}
    result = cases.run_case(book, case)
    assert (result.ok, result.problems) == (True, [])


def test_a_case_expecting_an_error_that_gets_another_says_what_came(tmp_path, book):
    path = case_file(tmp_path, """
    - name: Expects a missing version, gets a request error
      request:
        application: {submitted_on: "2025-08-31"}
      expect: {error: no_version_in_force}
    """)
    result = cases.run_case(book, only_case(path))
    assert result.ok is False
    [problem] = result.problems
    assert problem.startswith("expected {'error': 'no_version_in_force'}, got error invalid_request: ")
    assert "application.kind" in problem and "Missing data for required field." in problem


def test_a_case_expecting_an_error_that_gets_a_ruling_names_its_outcome(tmp_path, book):
    path = case_file(tmp_path, """
    - name: Expects an error, the application is approved
      expect: {error: invalid_request}
    """)
    result = cases.run_case(book, only_case(path))
    assert (result.ok, result.problems) == (False, ["expected error invalid_request, got a ruling (approve)"])


def test_a_case_expecting_another_version_says_both_and_shows_them_side_by_side(tmp_path, book):
    path = case_file(tmp_path, """
    - name: Expects the 2023 rules on an amended-rules date
      expect: {version: "2023-07-01", outcome: approve}
    """)
    result = cases.run_case(book, only_case(path))
    assert (result.ok, result.problems) == (False, ["version: expected 2023-07-01, got 2025-09-01"])
    lines = cases.explain(result)
    assert lines[0] == "version: expected 2023-07-01, got 2025-09-01"
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert rows["outcome"] == ["approve", "approve"]
    assert rows["version"] == ["2023-07-01", "2025-09-01", "<-", "differs"]


def test_a_registry_a_case_makes_unavailable_is_unknown_saying_so(tmp_path, book):
    path = case_file(tmp_path, """
    - name: The labour exchange cannot be read
      unavailable: [labour_exchange]
      expect: {outcome: undetermined}
    """)
    result = cases.run_case(book, only_case(path))
    assert result.ok, result.problems
    assert result.ruling["missing"] == ["labour_exchange"]
    assert result.ruling["registry"]["labour_exchange"]["reason"] == "unavailable in this case"


QUERY = Query(employer_bin="150540000106", vacancy_code="4012345", passports=("N1234567",), region="ALMATY",
              year=2025, quota_category="3")


def test_an_unreadable_registry_says_why():
    with pytest.raises(adapters.RegistryUnavailable) as caught:
        cases.Unreadable(["quota"], adapters.source_from_env()).fetch("quota", QUERY)
    assert (caught.value.registry, caught.value.reason) == ("quota", "unavailable in this case")
