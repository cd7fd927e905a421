"""`ereje test --mutants` judged in this process (server/judging/mutants.py's worker functions and the
generated applications of variants.py): the CLI runs them in spawned workers, which a mutation run of
the code cannot follow, so these tests call the worker's steps directly."""
import re
import shutil
from pathlib import Path

import pytest
import yaml

from server import errors
from server.cli import main
from server.judging import mutants

from tests.demo import CASES, demo

POLICIES = Path(__file__).resolve().parents[1] / "policies"
OFFICE = "  - name: A representative office of a foreign company with ten employees is exempt"


def _index(entry, after):
    return next(i for i, m in enumerate(mutants._state["mutants"]) if m.entry == entry and m.after == after)


@pytest.fixture(scope="module")
def without_the_office_case(tmp_path_factory):
    """The shipped rule files with the one case that tells representative offices apart deleted."""
    dst = tmp_path_factory.mktemp("mutants") / "policies"
    shutil.copytree(POLICIES, dst)
    cases = dst / "kz-foreign-labour" / "tests" / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    start = text.index(OFFICE)
    end = text.index("  - name:", start + 10)
    cases.write_text(text[:start] + text[end:], encoding="utf-8")
    return dst, cases


def test_a_deleted_case_leaves_a_survivor_with_a_suggested_case_that_kills_it(without_the_office_case):
    dst, cases = without_the_office_case
    # The search is seeded with the change, not the temporary directory: every run tries the same applications.
    mutants.init_worker(str(dst))
    index = _index("derive exemption-branch when", "[1]")
    assert mutants.judge(index).status == "survived"
    verdict = mutants.suggest(index)
    assert verdict.status == "survived" and "\n" in verdict.suggestion, verdict.suggestion
    head, block = verdict.suggestion.split("\n", 1)
    assert head == f"# a case that kills it, to paste under `cases:` in {cases}:"
    entry, = yaml.safe_load(re.sub(r"(?m)^  ", "", block))
    assert entry["name"] == "TODO: say what this pins down (derive exemption-branch when)"
    assert entry["expect"]["findings"] == {"local-content-ratio": "not_applicable"}
    assert set(entry) <= {"name", "set", "remove", "unavailable", "expect"} and ("set" in entry or "remove" in entry)

    cases.write_text(cases.read_text(encoding="utf-8") + block.replace("'TODO: ", "'"), encoding="utf-8")
    mutants.init_worker(str(dst))
    verdict = mutants.judge(_index("derive exemption-branch when", "[1]"))
    assert verdict.status == "killed" and verdict.by.startswith(f"{cases}:")


def test_the_shipped_cases_kill_the_same_mutant_naming_the_case():
    mutants.init_worker(str(POLICIES))
    verdict = mutants.judge(_index("derive exemption-branch when", "[1]"))
    assert verdict.status == "killed"
    assert re.fullmatch(rf"{re.escape(str(POLICIES))}/kz-foreign-labour/tests/[^:]+\.yaml:\d+: .+", verdict.by)


def test_the_plan_is_every_mutant_of_the_rule_files_and_every_case_file(tmp_path):
    found, loaded = mutants.plan(POLICIES)
    assert [(p.relative_to(POLICIES).as_posix(), len(cs)) for p, cs in loaded] == [
        (p.relative_to(POLICIES).as_posix(), len(yaml.safe_load(p.read_text(encoding="utf-8"))["cases"]))
        for p in sorted(POLICIES.glob("*/tests/*.yaml"))]
    assert {Path(m.file).name for m in found} == {"2023-07-01.yaml", "2025-09-01.yaml"}


def test_the_plan_of_rule_files_that_do_not_check_is_refused_with_their_problems(tmp_path):
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    path = dst / "kz-foreign-labour" / "2025-09-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nversion: \"2025-09-01\"\n", "\n", 1),
                    encoding="utf-8")
    with pytest.raises(errors.RuleFileError) as caught:
        mutants.plan(dst)
    assert caught.value.problems and all(Path(p.file).name == "2025-09-01.yaml" for p in caught.value.problems)


def test_a_change_no_versions_rules_depend_on_is_equivalent_and_runs_no_case():
    # The `+ days(1)` of the branch the shipped working-day switch turns off (2025-09-01.yaml,
    # earliest_filing): with the switch off the compiled rules are the same, so no case needs to run.
    mutants.init_worker(str(POLICIES))
    for after in ("2", "0"):
        verdict = mutants.judge(_index("derive matched-vacancy set.earliest_filing", after))
        assert (verdict.status, verdict.by) == ("equivalent", "no version's rules change")


def test_a_case_that_names_its_day_with_as_of_is_run_against_the_mutants_of_that_days_version(tmp_path):
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    cases = dst / "kz-foreign-labour" / "tests" / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    start = text.index(OFFICE)
    pinned = text[start:].replace("    set: {", "    set: {as_of: \"2025-09-20\", ", 1)
    cases.write_text(text[:start] + pinned, encoding="utf-8")
    mutants.init_worker(str(dst))
    verdict = mutants.judge(_index("derive exemption-branch when", "[1]"))
    assert verdict.status == "killed"
    assert verdict.by == f"{cases}:{text[:start].count(chr(10)) + 1}: {OFFICE[len('  - name: '):]} from local content"


def _survivors(output):
    return re.findall(r"(?m)^SURVIVED \S+?:(\d+): (.+)$", output)


def test_one_job_judges_every_mutant_in_this_process_and_a_pasted_suggestion_kills_its_survivor(tmp_path, runner):
    # The demo rules without the case of the fourth seasonal worker: the cap can move from 3 to 4.
    policies = demo(tmp_path, "room", "full", "unpublished", "within", "transfer")
    res = runner.invoke(main, ["test", "--mutants", "--strict", "--jobs", "1", str(policies)])
    assert res.exit_code == 1, res.output
    assert _survivors(res.output) == [
        ("39", """["general", "seasonal"] -> ['general']"""),
        ("40", "quota.remaining >= application.workers_requested -> quota.remaining > application.workers_requested"),
        ("24", "3 -> 4"), ("3", "2025-01-01 -> 2025-01-02"), ("3", "2025-01-01 -> 2024-12-31")]
    assert res.output.endswith("10 mutants, 5 killed, 5 survived, 0 refused by check, 0 equivalent "
                               "(no version's rules change)\n")
    cases = policies / "demo" / "tests" / "cases.yaml"
    suggestion = res.output.split("(number in parameter seasonal_cap; requirement: seasonal-cap)\n", 1)[1]
    head, block = suggestion.split("\n", 1)
    assert head == f"# a case that kills it, to paste under `cases:` in {cases}:"
    block = block[:block.index("\nSURVIVED ")]
    assert yaml.safe_load(re.sub(r"(?m)^  ", "", block))[0]["expect"]["findings"] == {"seasonal-cap": "unmet"}

    doc = yaml.safe_load(cases.read_text(encoding="utf-8"))
    doc["cases"] += yaml.safe_load(re.sub(r"(?m)^  ", "", block.replace("'TODO: ", "'")))
    cases.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(main, ["test", "--mutants", "--jobs", "1", str(policies)])
    assert res.exit_code == 0, res.output   # survivors without --strict: reported, not failed
    assert [line for line, _ in _survivors(res.output)] == ["39", "40", "3", "3"]
    assert res.output.endswith("10 mutants, 6 killed, 4 survived, 0 refused by check, 0 equivalent "
                               "(no version's rules change)\n")


def test_one_job_refuses_rule_files_whose_cases_fail_before_mutating_them(tmp_path, runner):
    wrong = dict(CASES["full"], expect={"findings": {"quota-available": "met"}})
    policies = demo(tmp_path, cases=[CASES["room"], wrong])
    res = runner.invoke(main, ["test", "--mutants", "--jobs", "1", str(policies)])
    assert res.exit_code == 1
    # line 6: the second entry of the file yaml.safe_dump wrote (its keys sorted, `expect` first)
    assert res.output == (f"1 case(s) fail on the rule files themselves, first "
                          f"{policies / 'demo' / 'tests' / 'cases.yaml'}:6: run `ereje test {policies}` first\n")
