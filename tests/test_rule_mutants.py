"""`ereje test --mutants`: rule-file mutants, where they are written, and whether the cases notice them."""
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.judging import mutants
from server.rules import mutations, rulebook
from server.rules.changes import expression_changes, value_changes

POLICIES = Path(__file__).resolve().parents[1] / "policies"
BASE = POLICIES / "kz-foreign-labour" / "2023-07-01.yaml"


def _afters(text, operator):
    return [new for op, _, _, new, _ in expression_changes(text) if op == operator]


# --- one operator at a time ------------------------------------------------------------

def test_comparisons_become_their_neighbours():
    assert _afters("a.x < 3", "comparison") == ["a.x <= 3"]
    assert _afters("a.x >= b.y", "comparison") == ["a.x > b.y"]
    assert _afters('a.kind == "issue"', "comparison") == ["a.kind != 'issue'"]
    assert _afters("a.x != 0", "comparison") == ["a.x == 0"]


def test_numbers_move_by_one_and_never_below_zero():
    assert _afters("a.x >= 3", "number") == ["a.x >= 4", "a.x >= 2"]
    assert _afters("a.x == 0", "number") == ["a.x == 1"]
    assert _afters("a.d + days(1)", "number") == ["a.d + days(2)", "a.d + days(0)"]


def test_dates_move_by_a_day():
    assert _afters('a.d >= date("2025-03-01")', "date") == ["a.d >= date('2025-03-02')", "a.d >= date('2025-02-28')"]


def test_list_members_are_dropped_not_changed():
    assert _afters("a.u in [1, 2]", "list-member") == ["a.u in [2]", "a.u in [1]"]
    assert _afters("a.u in [1, 2]", "number") == []


def test_and_and_or_are_swapped():
    assert _afters("a.x and (b.y or c.z)", "and-or") == ["a.x or (b.y or c.z)", "a.x and (b.y and c.z)"]


def test_a_not_is_removed():
    assert _afters("a.x and not b.y", "not") == ["a.x and b.y"]
    assert _afters("not any(w.bad for w in ws)", "not") == ["any((w.bad for w in ws))"]


def test_parameter_values_move_by_their_type():
    assert value_changes("days", 60) == [("number", 61), ("number", 59)]
    assert value_changes("percent", 70) == [("number", 71), ("number", 69)]
    assert value_changes("date", "2024-03-01") == [("date", "2024-03-02"), ("date", "2024-02-29")]
    assert value_changes("bool", False) == [("bool", True)]
    assert value_changes("list", ["A", "B"]) == [("list-member", ["B"]), ("list-member", ["A"])]
    assert value_changes("text", "x") == []


# --- the shipped rule files ------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    files, problems = rulebook.read(POLICIES)
    book, built = rulebook.build(files, POLICIES)
    assert problems == built == []
    return files, book, mutations.mutants(files, book)


def _line(path, number):
    return Path(path).read_text(encoding="utf-8").splitlines()[number - 1]


def test_a_mutant_names_the_line_of_the_change(shipped):
    _, _, found = shipped
    m = next(m for m in found if m.entry == "derive exemption-branch when" and m.after == "[1]")
    assert (Path(m.file).name, m.change, m.requirements) == ("2023-07-01.yaml", "[1, 2] -> [1]", ("local-content-ratio",))
    assert "application.employer_unit in [1, 2]" in _line(m.file, m.line)
    # the second line of a folded expression
    m = next(m for m in found if m.entry == "derive exemption-branch when" and m.operator == "comparison"
             and "headcount" in m.before)
    assert "application.headcount <= branch_max_headcount" in _line(m.file, m.line)
    m = next(m for m in found if m.entry == "parameter bar_months" and m.after == "13")
    assert re.fullmatch(r" +value: 12", _line(m.file, m.line))


def test_texts_are_not_mutated(shipped):
    _, _, found = shipped
    # local-content-gap's fields are read by the explanations only: no status depends on them
    assert not [m for m in found if "local-content-gap" in m.entry]
    assert [m for m in found if "staff-after-hiring" in m.entry]


def test_what_the_application_alone_decides_is_mutated_and_killed(shipped):
    files, _, found = shipped
    m = next(m for m in found if m.entry == "requirement vacancy-published without_registries.unmet"
             and m.operator == "not")
    assert (Path(m.file).name, m.change) == ("2025-09-01.yaml", "not application.has_vacancy_code -> "
                                                                  "application.has_vacancy_code")
    assert _line(m.file, m.line).strip() == "unmet: not application.has_vacancy_code"
    assert m.requirements == ("vacancy-published",)
    mutants.init_worker(str(POLICIES))
    index = len(mutants._state["mutants"])
    mutants._state["mutants"].append(m)
    # (the mutant also stops the exchange being asked when a code is given, so an ordinary case kills it first)
    assert mutants.judge(index).status == "killed"


def test_a_base_parameter_is_seen_through_the_amendment(shipped):
    files, _, found = shipped
    m = next(m for m in found if m.entry == "parameter bar_months" and m.after == "13")
    book, problems = mutations.build(files, POLICIES, m)
    assert problems == []
    assert book.version("kz-foreign-labour", "2025-09-01").parameters["bar_months"]["value"] == 13
    assert book.version("kz-foreign-labour", "2025-09-01").digest != rulebook.load(POLICIES).version(
        "kz-foreign-labour", "2025-09-01").digest


def test_a_mutant_the_checker_refuses_is_refused(shipped):
    files, _, found = shipped
    m = next(m for m in found if m.entry == "parameter extension_limit_intracompany_transfer")
    below_zero = mutations.Mutant(m.file, m.line, m.path, -1, "1", "-1", "number", m.entry, m.requirements)
    _, problems = mutations.build(files, POLICIES, below_zero)
    assert [(Path(p.file).name, p.line) for p in problems] == [("2023-07-01.yaml", m.line)]
    mutants.init_worker(str(POLICIES))
    index = len(mutants._state["mutants"])
    mutants._state["mutants"].append(below_zero)
    assert mutants.judge(index).status == "refused"


# --- the command -------------------------------------------------------------------------

def test_a_missing_or_empty_directory_is_bad_usage(tmp_path):
    res = CliRunner().invoke(main, ["test", "--mutants", str(tmp_path / "nowhere")])
    assert res.exit_code == 2 and "does not exist" in res.output
    res = CliRunner().invoke(main, ["test", "--mutants", str(tmp_path)])
    assert res.exit_code == 2 and f"{tmp_path}: no rule files found" in res.output


@pytest.mark.slow
def test_the_shipped_cases_kill_every_mutant():
    res = CliRunner().invoke(main, ["test", "--mutants", "--strict", "--jobs", "2", str(POLICIES)])
    assert res.exit_code == 0, res.output
    last = res.output.splitlines()[-1]
    found = re.fullmatch(r"(\d+) mutants, (\d+) killed, 0 survived, 0 refused by check, "
                         r"2 equivalent \(no version's rules change\)", last)
    assert found and int(found[2]) == int(found[1]) - 2, res.output


@pytest.mark.slow
def test_a_deleted_case_leaves_a_survivor_and_its_suggested_case_kills_it(tmp_path):
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    cases = dst / "kz-foreign-labour" / "tests" / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    start = text.index("  - name: A representative office of a foreign company with ten employees is exempt")
    end = text.index("  - name:", start + 10)
    cases.write_text(text[:start] + text[end:], encoding="utf-8")

    res = CliRunner().invoke(main, ["test", "--mutants", "--strict", "--jobs", "2", str(dst)])
    assert res.exit_code == 1, res.output
    base = dst / "kz-foreign-labour" / "2023-07-01.yaml"
    assert f"SURVIVED {base}:342: [1, 2] -> [1]\n" in res.output
    assert "(list-member in derive exemption-branch when; requirement: local-content-ratio)" in res.output
    assert re.search(r"\d+ mutants, \d+ killed, 1 survived, 0 refused by check, 2 equivalent", res.output)

    # the suggested case, pasted under `cases:`, kills the survivor
    suggestion = res.output.split(f"to paste under `cases:` in {cases}:\n", 1)[1]
    block = "".join(line + "\n" for line in suggestion.splitlines() if line.startswith("  "))
    assert "findings: {local-content-ratio: not_applicable}" in block
    cases.write_text(cases.read_text(encoding="utf-8") + block.replace("'TODO: ", "'"), encoding="utf-8")
    mutants.init_worker(str(dst))
    index = next(i for i, m in enumerate(mutants._state["mutants"])
                 if m.entry == "derive exemption-branch when" and m.after == "[1]")
    verdict = mutants.judge(index)
    assert verdict.status == "killed" and str(cases) in verdict.by
