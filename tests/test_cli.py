"""`ereje rule` and `ereje test` from the command line: rulings, texts and exit codes."""
import json

import pytest
from click.testing import CliRunner

from server.cli import main

from .conftest import APPLICATIONS, POLICIES

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
    assert ruling["version"] == "2023-07-01" and len(ruling["findings"]) == 3


def test_text_format_in_russian_explains_each_requirement():
    res = rule(APPLICATIONS / "refuse-waiting-period.json", "--format", "text", "--lang", "ru")
    assert res.exit_code == 0
    assert res.output.startswith("REFUSE")
    assert "подача возможна с 2025-09-26" in res.output


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


def test_ereje_test_passes_on_the_shipped_cases():
    res = CliRunner().invoke(main, ["test", str(POLICIES)])
    assert res.exit_code == 0, res.output
    assert " 0 failed" in res.output


def test_ereje_test_reports_a_wrong_expectation(tmp_path):
    import shutil
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    cases = dst / "kz-foreign-labour" / "tests" / "cases.yaml"
    cases.write_text(cases.read_text().replace(
        "expect: {outcome: approve, findings: {vacancy-waiting-period: met}}",
        "expect: {outcome: approve, findings: {vacancy-waiting-period: unmet}}"), encoding="utf-8")
    res = CliRunner().invoke(main, ["test", str(dst)])
    assert res.exit_code == 1
    assert "FAIL" in res.output and "vacancy-waiting-period: expected unmet, got met" in res.output


def test_every_command_is_documented():
    for name, cmd in main.commands.items():
        assert cmd.help and len(cmd.help) > 20, name


@pytest.mark.parametrize("command", ["check", "test"])
def test_a_directory_that_does_not_exist_is_bad_usage(tmp_path, command):
    res = CliRunner().invoke(main, [command, str(tmp_path / "nowhere")])
    assert res.exit_code == 2
    assert "does not exist" in res.output
