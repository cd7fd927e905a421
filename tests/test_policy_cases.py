"""The legal team's YAML cases, collected by pytest: one test per case, named by its sentence."""
import pytest

from server.judging import cases as casebook

from pathlib import Path

POLICIES = Path(__file__).resolve().parents[1] / "policies"

CASES, PROBLEMS = casebook.collect(POLICIES)


def test_case_files_are_well_formed():
    assert PROBLEMS == []
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(book, case):
    result = casebook.run_case(book, case)
    assert result.ok, "\n".join(result.problems)
