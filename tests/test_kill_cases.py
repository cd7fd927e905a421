"""What `ereje test` shows for a case that fails: the table of expected and found statuses
(server/judging/cases.explain), row for row."""
import textwrap

from server.judging import cases

from .conftest import POLICIES


def test_a_failed_case_shows_every_status_expected_and_found(book, tmp_path):
    shipped = sorted((POLICIES / "kz-foreign-labour" / "tests").glob("*.yaml"))[0]
    first, _ = cases.load_file(shipped)
    case = first[0]
    wrong = cases.Case(case.file, case.line, case.name, case.request,
                       {"outcome": "refuse", "findings": {"no-such-requirement": "met"}}, case.unavailable)
    result = cases.run_case(book, wrong)
    ruling = result.ruling
    assert not result.ok
    width = max(len("no-such-requirement"), *(len(f["requirement"]) for f in ruling["findings"]))
    expected = [f"outcome: expected refuse, got {ruling['outcome']}",
                "no-such-requirement: expected met, but this version has no such requirement",
                f"{'':<{width}}  {'expected':<12} found",
                f"{'outcome':<{width}}  {'refuse':<12} {ruling['outcome']}   <- differs",
                f"{'version':<{width}}  {'-':<12} {ruling['version']}"]
    expected += [f"{f['requirement']:<{width}}  {'-':<12} {f['status']}" for f in ruling["findings"]]
    expected += [f"{'no-such-requirement':<{width}}  {'met':<12} (none)   <- differs"]
    assert ruling["outcome"] != "refuse"
    assert cases.explain(result) == expected


def test_a_case_file_without_cases_is_one_problem_at_line_1(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text(textwrap.dedent("""\
        defaults: {}
        cases: none
    """), encoding="utf-8")
    found, problems = cases.load_file(path)
    assert found == [] and [(p.line, p.message) for p in problems] == [
        (1, "a case file needs 'defaults' and a list of 'cases'")]


def test_a_case_file_that_is_not_yaml_is_one_problem_at_the_broken_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("defaults: {}\ncases:\n  - name: [unclosed\n", encoding="utf-8")
    found, problems = cases.load_file(path)
    assert found == [] and [(p.file, p.line) for p in problems] == [(str(path), 4)]
    assert problems[0].message.startswith("YAML: ")
