"""`ereje rule` and `ereje test` from the command line: rulings, texts and exit codes."""
import json
import re
import shutil

import click
import pytest
import yaml
from click.testing import CliRunner

from server import messages
from server.cli import main

from tests.conftest import APPLICATIONS, POLICIES

EXPECTED = {
    "approve": ("approve", "2025-09-01", set()),
    "refuse-quota": ("refuse", "2025-09-01", {"quota-available"}),
    "refuse-local-content": ("refuse", "2025-09-01", {"local-content-ratio"}),
    "refuse-unpermitted-labour": ("refuse", "2025-09-01", {"no-unpermitted-labour"}),
    "refuse-vacancy-published": ("refuse", "2025-09-01", {"vacancy-published", "vacancy-waiting-period"}),
    "refuse-waiting-period": ("refuse", "2025-09-01", {"vacancy-waiting-period"}),
    "refuse-contracts-registered": ("refuse", "2025-09-01", {"contracts-registered"}),
    "refuse-workers-have-iin": ("refuse", "2025-09-01", {"workers-have-iin"}),
    "refuse-migration-data": ("refuse", "2025-09-01", {"migration-data"}),
    "pre-amendment": ("approve", "2023-07-01", set()),
    "seasonal-approve": ("approve", "2025-09-01", set()),
    "ict-extension": ("approve", "2025-09-01", set()),
    "ict-approve": ("approve", "2025-09-01", set()),
    "extension-approve": ("approve", "2025-09-01", set()),
    "refuse-extension-allowed": ("refuse", "2025-09-01", {"extension-allowed"}),
    "refuse-renewal-window": ("refuse", "2025-09-01", {"renewal-window"}),
    "refuse-transfer-conditions": ("refuse", "2025-09-01", {"transfer-conditions"}),
    "refuse-foreign-workers-listed": ("refuse", "2025-09-01", {"foreign-workers-listed"}),
}


def rule(*args, input=None):
    return CliRunner().invoke(main, ["rule", *map(str, args)], input=input)


def test_every_fixture_application_has_an_expected_ruling():
    assert {p.stem for p in APPLICATIONS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rule_prints_the_right_ruling_for_each_fixture(name):
    res = rule(APPLICATIONS / f"{name}.json")
    assert res.exit_code == 0, res.output
    ruling = json.loads(res.output)
    outcome, version, unmet = EXPECTED[name]
    assert (ruling["outcome"], ruling["version"]) == (outcome, version)
    assert {f["requirement"] for f in ruling["findings"] if f["status"] == "unmet"} == unmet
    assert all(f["citation"] and f["title"] and f["explanation"] for f in ruling["findings"])
    assert ruling["ruleset_digest"].startswith("sha256:") and ruling["trace"]


def test_the_amendment_refuses_a_pre_amendment_application():
    ruling = json.loads(rule(APPLICATIONS / "pre-amendment.json", "--version", "2025-09-01").output)
    assert ruling["outcome"] == "refuse"
    unmet = {f["requirement"] for f in ruling["findings"] if f["status"] == "unmet"}
    assert unmet == {"vacancy-published", "vacancy-waiting-period", "workers-have-iin"}


def test_as_of_chooses_the_version_in_force_on_that_date():
    ruling = json.loads(rule(APPLICATIONS / "approve.json", "--as-of", "2024-01-01").output)
    assert ruling["version"] == "2023-07-01" and len(ruling["findings"]) == 6


def test_text_format_in_russian_explains_each_requirement():
    res = rule(APPLICATIONS / "refuse-waiting-period.json", "--format", "text", "--lang", "ru")
    assert res.exit_code == 0
    assert res.output.startswith(messages.name("outcome", "refuse", "ru").upper() + "  по kz-foreign-labour 2025-09-01")
    assert "подача возможна с 26.09.2025" in res.output


def test_stdin_is_read_with_dash():
    res = rule("-", input=(APPLICATIONS / "approve.json").read_text())
    assert json.loads(res.output)["outcome"] == "approve"


@pytest.mark.parametrize("body,message", [
    ("{", "not JSON"),
    ("[]", "JSON object"),
    ('{"application": {"submitted_on": "2025-13-01"}}', "application.submitted_on"),
])
def test_bad_input_exits_2_with_a_message(body, message):
    res = rule("-", input=body)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_bin_with_a_bad_check_digit_is_bad_input():
    doc = json.loads((APPLICATIONS / "approve.json").read_text())
    doc["application"]["employer"]["bin"] = "150540000107"
    res = rule("-", input=json.dumps(doc))
    assert res.exit_code == 2 and "application.employer.bin" in res.output


def test_no_version_in_force_exits_2():
    doc = json.loads((APPLICATIONS / "approve.json").read_text())
    doc["application"]["submitted_on"] = "2020-01-01"
    res = rule("-", input=json.dumps(doc))
    assert res.exit_code == 2 and "no_version_in_force" in res.output


def test_ereje_test_passes_on_the_shipped_cases(runner):
    res = runner.invoke(main, ["test", str(POLICIES)])
    assert res.exit_code == 0, res.output
    passed = re.fullmatch(r"(\d+) passed, 0 failed\n", res.output)
    assert passed and int(passed.group(1)) >= 40, res.output   # no case silently dropped


def test_ereje_test_verbose_names_every_case(runner):
    res = runner.invoke(main, ["test", "-v", str(POLICIES)])
    assert res.exit_code == 0, res.output
    assert "ok   A quota with exactly as many places as requested is enough\n" in res.output


def _cases(tmp_path, old, new):
    """A copy of the shipped policies whose case file has `old` replaced by `new`."""
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    cases = dst / "kz-foreign-labour" / "tests" / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    assert old in text
    cases.write_text(text.replace(old, new), encoding="utf-8")
    return dst, cases


def test_ereje_test_reports_a_wrong_expectation(tmp_path, runner):
    dst, cases = _cases(tmp_path, "expect: {outcome: approve, findings: {vacancy-waiting-period: met}}",
                        "expect: {outcome: approve, findings: {vacancy-waiting-period: unmet}}")
    res = runner.invoke(main, ["test", str(dst)])
    assert res.exit_code == 1
    name = "Filed on the 16th day after posting the waiting period has run"
    line = next(i for i, text in enumerate(cases.read_text().splitlines(), 1) if text == f"  - name: {name}")
    assert f"FAIL {cases}:{line}: {name}\n" in res.output
    assert "vacancy-waiting-period: expected unmet, got met" in res.output
    # Every requirement, expected and found side by side; the one that differs marked.
    assert re.search(r"\n {5}outcome +approve +approve\n", res.output)
    assert re.search(r"\n {5}quota-available +- +met\n", res.output)
    assert re.search(r"\n {5}vacancy-waiting-period +unmet +met +<- differs\n", res.output)
    assert res.output.endswith(" passed, 1 failed\n")


def test_ereje_test_fails_on_a_malformed_case(tmp_path, runner):
    dst, cases = _cases(tmp_path, "  - name: A quota with exactly", "  - nme: A quota with exactly")
    res = runner.invoke(main, ["test", str(dst)])
    assert res.exit_code == 1
    line = next(i for i, text in enumerate(cases.read_text().splitlines(), 1) if "nme: A quota" in text)
    assert f"{cases}:{line}: each case needs a 'name' and an 'expect'\n" in res.output


def test_ereje_test_fails_when_there_are_no_cases(tmp_path, runner):
    shutil.copytree(POLICIES, tmp_path / "policies", ignore=shutil.ignore_patterns("tests"))
    res = runner.invoke(main, ["test", str(tmp_path / "policies")])
    assert res.exit_code == 1
    assert res.output.endswith("0 passed, 0 failed\n")


def test_pytest_shows_a_failed_case_with_expected_and_found(tmp_path, pytester):
    dst, _ = _cases(tmp_path, "expect: {outcome: approve, findings: {vacancy-waiting-period: met}}",
                    "expect: {outcome: refuse, findings: {vacancy-waiting-period: met}}")
    result = pytester.runpytest_inprocess("-p", "server.judging.caseplugin", str(dst))
    shipped = sum(len(yaml.safe_load(f.read_text(encoding="utf-8"))["cases"])
                  for f in (POLICIES / "kz-foreign-labour" / "tests").glob("*.yaml"))
    result.assert_outcomes(failed=1, passed=shipped - 1)
    result.stdout.re_match_lines([r"outcome: expected refuse, got approve",
                                  r"outcome +refuse +approve +<- differs",
                                  r"vacancy-waiting-period +met +met$"])


def _commands(group, path=()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path + (name,))
        else:
            yield path + (name,), cmd


@pytest.mark.parametrize("path,cmd", list(_commands(main)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_is_documented(runner, path, cmd):
    res = runner.invoke(main, [*path, "--help"], prog_name="ereje")
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"Usage: ereje {' '.join(path)} "), res.output
    summary = cmd.help.strip().split("\n\n")[0]
    assert summary.endswith(".") and " ".join(summary.split()) in " ".join(res.output.split())
    # the help says what each argument is, and each option says what it does or lists its choices
    for param in cmd.params:
        if isinstance(param, click.Argument):
            assert param.human_readable_name in cmd.help, (path, param.human_readable_name)
        else:
            assert param.help or isinstance(param.type, click.Choice), (path, param.opts)


@pytest.mark.parametrize("command", ["check", "test"])
def test_a_directory_that_does_not_exist_is_bad_usage(tmp_path, runner, command):
    res = runner.invoke(main, [command, str(tmp_path / "nowhere")])
    assert res.exit_code == 2
    assert "does not exist" in res.output
